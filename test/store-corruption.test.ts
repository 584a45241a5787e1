// A damaged store is refused and kept (SPEC §8): a state file that does not parse or validate, or that comes from a
// newer taskpulse, makes every command exit 6 with a hint, and the file stays byte for byte as it was: never
// rewritten, never replaced by an empty state. Reads never create anything; what is created is owner-only.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, cleanEnv } from "./helpers.ts";
import { must, newStore, type Run, runCli } from "./store-fixture.ts";

/** Every file in the store with its bytes, to compare before and after. lock-owner.json is only a note. */
function snapshotFiles(store: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(store).sort()) if (name !== "lock-owner.json") files.set(name, readFileSync(join(store, name)));
  return files;
}

/** A store holding one running task with steps (and its journal), so task commands have something to resolve. */
async function storeWithTask(): Promise<{ store: string; id: string }> {
  const store = newStore();
  const id = await must(store, "create", "-q", "--start", "damaged", "a", "b", "c");
  await must(store, "next", id, "went fine");
  return { store, id };
}

function expectRefused(runs: Run[]): void {
  for (const r of runs) {
    const what = `taskpulse ${r.args.join(" ")}: ${r.stdout}${r.stderr}`;
    expect(r.code, what).toBe(6);
    if (r.args.includes("--json")) {
      expect(JSON.parse(r.stdout), what).toMatchObject({ ok: false, error: { code: "store_corrupt", hint: expect.any(String) } });
    } else {
      expect(r.stdout, what).toBe("");
      expect(r.stderr, what).toMatch(/^error: .*\nhint: .+\n$/);
      expect(r.stderr, what).not.toMatch(/\n\s+at /); // no stack trace
    }
  }
}

const damage: { kind: string; content: (valid: Buffer) => Buffer; message: RegExp; full: boolean }[] = [
  { kind: "torn JSON (the first half of the file)", content: (v) => v.subarray(0, v.length >> 1), message: /not valid JSON/, full: true },
  {
    kind: "valid JSON that fails validation",
    content: (v) => {
      const state = JSON.parse(v.toString("utf8"));
      for (const task of Object.values(state.tasks) as { status: string }[]) task.status = "sleeping";
      return Buffer.from(JSON.stringify(state));
    },
    message: /does not validate/,
    full: true,
  },
  {
    kind: "schemaVersion 99 (a newer taskpulse)",
    content: (v) => Buffer.from(JSON.stringify({ ...JSON.parse(v.toString("utf8")), schemaVersion: 99 })),
    message: /schemaVersion 99/,
    full: true,
  },
  {
    kind: "binary garbage",
    content: () => Buffer.from([0x00, 0xff, 0xfe, 0x7b, 0x00, 0x0a, 0x80]),
    message: /not valid JSON/,
    full: false,
  },
  { kind: "an empty file", content: () => Buffer.alloc(0), message: /not valid JSON/, full: false },
  { kind: "JSON null", content: () => Buffer.from("null"), message: /does not validate/, full: false },
];

describe("a damaged state file is refused and kept", () => {
  it.each(damage)("$kind: commands exit 6 with a hint, the files stay byte for byte", async ({ content, message, full }) => {
    const { store, id } = await storeWithTask();
    const statePath = join(store, "state.json");
    writeFileSync(statePath, content(readFileSync(statePath)));
    const before = snapshotFiles(store);

    const commands = full
      ? [["create", "another"], ["next", id, "more"], ["start", "--agent", "main", "-q"], ["status"], ["log", id, "--json"]]
      : [["create", "another"], ["status"], ["status", "--json"]];
    const runs = await Promise.all(commands.map((args) => runCli(store, args)));

    expectRefused(runs);
    for (const r of runs.filter((x) => !x.args.includes("--json"))) expect(r.stderr).toMatch(message);
    // Nothing was written: the state file, the journal and the file list are exactly as they were (no temp file
    // left over, no empty state renamed in), and the lock was released.
    expect(snapshotFiles(store)).toEqual(before);
    expect(existsSync(join(store, "state.lock"))).toBe(false);
  });

  it("schemaVersion 99: the hint says to upgrade", async () => {
    const { store } = await storeWithTask();
    writeFileSync(join(store, "state.json"), JSON.stringify({ schemaVersion: 99, anything: "newer" }));

    const r = await runCli(store, ["status", "--json"]);

    expect(r.code).toBe(6);
    expect(JSON.parse(r.stdout).error.hint).toMatch(/upgrade/);
  });

  it("state.json deleted while the journal has entries: exit 6, and no empty state is started", async () => {
    const { store, id } = await storeWithTask();
    unlinkSync(join(store, "state.json"));
    const before = snapshotFiles(store);

    const runs = await Promise.all(
      [["create", "fresh start?"], ["next", id], ["status"], ["status", "--json"]].map((args) => runCli(store, args)),
    );

    expectRefused(runs);
    expect(runs[0]?.stderr).toMatch(/missing but the store has history/);
    expect(existsSync(join(store, "state.json"))).toBe(false);
    expect(snapshotFiles(store)).toEqual(before);
  });
});

describe("reads never create anything", () => {
  const reads = [
    { args: ["status"], code: 0 },
    { args: ["status", "--json"], code: 0 },
    { args: ["status", "abc234"], code: 3 },
    { args: ["log", "abc234"], code: 3 },
    { args: ["limit", "--agent", "x"], code: 0 },
    { args: ["start", "--agent", "x", "-q"], code: 0 }, // an empty queue: nothing to take, nothing to write
  ];

  it("on a store directory that does not exist, it still does not exist afterwards", async () => {
    const store = newStore();

    const runs = await Promise.all(reads.map(({ args }) => runCli(store, args)));

    expect(runs.map((r) => r.code)).toEqual(reads.map((r) => r.code));
    expect(runs[5]?.stdout).toBe("");
    expect(existsSync(store)).toBe(false);
    expect(readdirSync(join(store, ".."))).toEqual([]);
  });

  it("on an empty store directory, it stays empty", async () => {
    const store = newStore();
    mkdirSync(store, { mode: 0o700 });
    const some = reads.filter(({ args }) => args[0] !== "log" && args.at(-1) !== "--json");

    const runs = await Promise.all(some.map(({ args }) => runCli(store, args)));

    expect(runs.map((r) => r.code)).toEqual(some.map((r) => r.code));
    expect(readdirSync(store)).toEqual([]);
  });
});

describe("permissions", () => {
  it("even under umask 000, the store directory is created 0700 and every file in it 0600", () => {
    const store = newStore();
    const run = (...args: string[]) =>
      spawnSync("/bin/sh", ["-c", 'umask 000 && exec "$@"', "sh", process.execPath, BIN, ...args], {
        env: cleanEnv(store),
        encoding: "utf8",
      });

    const created = run("create", "-q", "--start", "perms", "a", "b");
    expect(created.status, created.stderr).toBe(0);
    const next = run("next", created.stdout.trim(), "ok");
    expect(next.status, next.stderr).toBe(0);

    expect(statSync(store).mode & 0o777).toBe(0o700);
    const files = readdirSync(store);
    expect(files).toEqual(expect.arrayContaining(["state.json", "journal.jsonl"]));
    for (const name of files) {
      const st = statSync(join(store, name));
      expect(st.isFile(), name).toBe(true);
      expect((st.mode & 0o777).toString(8), name).toBe("600");
    }
  });
});
