// A damaged store is refused and kept (SPEC §8): a state file that does not parse or validate, or that comes from a
// newer taskpulse, makes every command exit 6 with a hint, and the file stays byte for byte as it was: never
// rewritten, never replaced by an empty state. Reads never create anything; what is created is owner-only.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, cleanEnv } from "../support/helpers.ts";
import { must, newStore, type Run, runCli } from "../support/store-fixture.ts";

/** Every file in the store (parts too) with its bytes, to compare before and after. lock-owner.json is only a note. */
function snapshotFiles(store: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(store, { recursive: true }).map(String).sort()) {
    if (name === "lock-owner.json" || statSync(join(store, name)).isDirectory()) continue;
    files.set(name, readFileSync(join(store, name)));
  }
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
      state.counter = "many";
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
    const files = readdirSync(store, { recursive: true }).map(String);
    expect(files).toEqual(expect.arrayContaining(["state.json", "journal.jsonl", "tasks", "queues"]));
    for (const name of files) {
      const st = statSync(join(store, name));
      expect(st.isFile() || ["tasks", "queues"].includes(name), name).toBe(true);
      expect((st.mode & 0o777).toString(8), name).toBe(st.isDirectory() ? "700" : "600");
    }
  });
});

/**
 * The binary on `store`, killed after a minute (an honest run takes a second or two, more on a loaded machine): a
 * read that blocks on a FIFO or never ends shows as a timeout.
 */
function bounded(store: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: cleanEnv(store), encoding: "utf8", timeout: 60_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function mkfifo(path: string): void {
  expect(spawnSync("mkfifo", [path]).status).toBe(0);
}

describe("store files that are not regular files (FIFOs, devices) are refused, never read or written", { timeout: 5 * 60_000 }, () => {
  it("state.json as a FIFO: status and create exit 6 at once; doctor reports it", async () => {
    const store = newStore();
    mkdirSync(store, { mode: 0o700 });
    mkfifo(join(store, "state.json"));
    for (const args of [["status"], ["create", "A"]]) {
      const r = bounded(store, ...args);
      expect(r.signal, args.join(" ")).toBeNull();
      expect(r.code).toBe(6);
      expect(r.stderr).toContain("state.json is a FIFO (named pipe), not a state file");
    }
    const doctor = bounded(store, "doctor", "--json");
    expect(doctor.signal).toBeNull();
    expect(doctor.code).toBe(6);
    expect(JSON.parse(doctor.stdout).data.findings).toContainEqual(
      expect.objectContaining({ code: "state-corrupt", message: expect.stringContaining("is a FIFO") }),
    );
  });

  it("state.json as a link to /dev/zero, or a device node: status exits 6 at once", async (ctx) => {
    const store = newStore();
    mkdirSync(store, { mode: 0o700 });
    symlinkSync("/dev/zero", join(store, "state.json"));
    const r = bounded(store, "status");
    expect(r.signal).toBeNull();
    expect(r.code).toBe(6);
    expect(r.stderr).toContain("state.json is a character device, not a state file");
    unlinkSync(join(store, "state.json"));
    if (spawnSync("mknod", [join(store, "state.json"), "c", "1", "5"]).status !== 0) return ctx.skip(); // needs root
    const node = bounded(store, "status");
    expect(node.code).toBe(6);
    expect(node.stderr).toContain("is a character device");
  });

  it("journal.jsonl as a FIFO: a change exits 6 and the state is unchanged; doctor reports it and a repair leaves it", async () => {
    const store = newStore();
    await must(store, "create", "A");
    const state = readFileSync(join(store, "state.json"), "utf8");
    unlinkSync(join(store, "journal.jsonl"));
    mkfifo(join(store, "journal.jsonl"));
    const r = bounded(store, "create", "B");
    expect(r.signal).toBeNull();
    expect(r.code).toBe(6);
    expect(r.stderr).toContain("journal.jsonl is a FIFO (named pipe), not a file taskpulse appends to");
    expect(readFileSync(join(store, "state.json"), "utf8")).toBe(state);
    for (const args of [
      ["doctor", "--json"],
      ["doctor", "--repair", "--json"],
    ]) {
      const doctor = bounded(store, ...args);
      expect(doctor.signal, args.join(" ")).toBeNull();
      expect(doctor.code).toBe(6);
      expect(doctor.stdout).toContain('"code":"special-file"');
    }
    expect(statSync(join(store, "journal.jsonl")).isFIFO()).toBe(true);
    expect(readFileSync(join(store, "state.json"), "utf8")).toBe(state);
  });

  it("an archive month file as a FIFO: stats exits 6 at once", async () => {
    const store = newStore();
    await must(store, "create", "A");
    mkdirSync(join(store, "archive"), { mode: 0o700 });
    mkfifo(join(store, "archive", "2026-05.index.jsonl"));
    const r = bounded(store, "stats");
    expect(r.signal).toBeNull();
    expect(r.code).toBe(6);
    expect(r.stderr).toContain("2026-05.index.jsonl is a FIFO (named pipe), not an archive file");
  });
});
