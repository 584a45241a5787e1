// Nothing is ever written outside the store directory: names used in paths are validated, and links planted inside
// the store are never written through (renames replace a link; appends refuse one).
import { appendFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "../support/helpers.ts";
import { readState } from "../support/store-fixture.ts";
import { rotate } from "../support/store-helpers.ts";

/** Every path under `dir` (links not followed) with its size and mtime: a fingerprint to compare. */
function tree(dir: string, skip?: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (p === skip) continue;
      const st = lstatSync(p);
      out[relative(dir, p)] = `${st.isDirectory() ? "d" : st.isSymbolicLink() ? "l" : "f"} ${st.size} ${st.mtimeMs}`;
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

function outsideFile(): { dir: string; file: string } {
  const dir = tempDir("tp-outside-");
  const file = join(dir, "target");
  writeFileSync(file, "outside\n");
  return { dir, file };
}

describe("links planted inside the store are not written through", () => {
  it("journal.jsonl -> a file outside: the change is refused (exit 6), the outside file is untouched", async () => {
    const store = tempDir();
    expect((await cli({ store }, "create", "A")).code).toBe(0);
    const { file } = outsideFile();
    unlinkSync(join(store, "journal.jsonl"));
    symlinkSync(file, join(store, "journal.jsonl"));
    const state = readFileSync(join(store, "state.json"), "utf8");
    const r = await cli({ store }, "create", "B");
    expect(r.code).toBe(6);
    expect(r.stderr).toContain("cannot use the store: ELOOP");
    expect(readFileSync(file, "utf8")).toBe("outside\n");
    expect(readFileSync(join(store, "state.json"), "utf8")).toBe(state);
  });

  it("state.json -> a file outside: the commit's rename replaces the link, the outside file is untouched", async () => {
    const store = tempDir();
    expect((await cli({ store }, "create", "A")).code).toBe(0);
    const { file } = outsideFile();
    writeFileSync(file, readFileSync(join(store, "state.json")));
    const before = readFileSync(file, "utf8");
    unlinkSync(join(store, "state.json"));
    symlinkSync(file, join(store, "state.json"));
    expect((await cli({ store }, "create", "B")).code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(lstatSync(join(store, "state.json")).isSymbolicLink()).toBe(false);
    expect(Object.keys(readState(store).tasks)).toHaveLength(2);
  });

  it("lock-owner.json -> a file outside: not written through", async () => {
    const store = tempDir();
    const { dir, file } = outsideFile();
    symlinkSync(join(dir, "created-by-taskpulse"), join(store, "lock-owner.json"));
    symlinkSync(file, join(store, "lock-owner.json.2"));
    expect((await cli({ store }, "create", "A")).code).toBe(0);
    expect(readdirSync(dir)).toEqual(["target"]);
    expect(readFileSync(file, "utf8")).toBe("outside\n");
  });

  it("archive/ -> a directory outside: cleanup refuses (exit 6), nothing lands outside, the task stays hot", async () => {
    const store = tempDir();
    const { dir } = outsideFile();
    const id = (await cli({ store }, "create", "-q", "A", "--start")).stdout.trim();
    await cli({ store }, "done", id);
    symlinkSync(dir, join(store, "archive"));
    const r = await cli({ store, now: "2026-05-20T10:00:00Z" }, "cleanup");
    expect(r.code).toBe(6);
    expect(r.stderr).toContain("does not write through links");
    expect(readdirSync(dir)).toEqual(["target"]);
    expect((await cli({ store }, "status", id, "--json")).json.data.task.status).toBe("done");
  });

  it("an archive month file -> a file outside: cleanup refuses (exit 6), the outside file is untouched", async () => {
    const store = tempDir();
    const { file } = outsideFile();
    const id = (await cli({ store }, "create", "-q", "A", "--start")).stdout.trim();
    await cli({ store }, "done", id);
    mkdirSync(join(store, "archive"), { mode: 0o700 });
    symlinkSync(file, join(store, "archive", "2026-05.tasks.jsonl"));
    const r = await cli({ store, now: "2026-05-20T10:00:00Z" }, "cleanup");
    expect(r.code).toBe(6);
    expect(r.stderr).toContain("ELOOP");
    expect(readFileSync(file, "utf8")).toBe("outside\n");
    expect((await cli({ store }, "status", id, "--json")).json.data.task.status).toBe("done");
  });
});

describe("jobs/ and state/ are used only when they are real directories, and their files only when not links", () => {
  it("jobs/ -> a directory outside: run exits 6, nothing lands outside, the state is unchanged", async () => {
    const store = tempDir();
    expect((await cli({ store }, "create", "A")).code).toBe(0);
    const { dir } = outsideFile();
    symlinkSync(dir, join(store, "jobs"));
    const state = readFileSync(join(store, "state.json"), "utf8");
    const r = await cli({ store }, "run", "--job", "nightly", "-q", "--", "true");
    expect(r.code).toBe(6);
    expect(r.stderr).toContain("jobs is a symbolic link: taskpulse does not write through links");
    expect(readdirSync(dir)).toEqual(["target"]);
    expect(readFileSync(join(store, "state.json"), "utf8")).toBe(state);
  });

  it("a run file -> a file outside: run exits 6 before its commit, jobs <id> refuses to read it", async () => {
    const store = tempDir();
    expect((await cli({ store }, "run", "--job", "nightly", "-q", "--", "true")).code).toBe(0);
    const { file } = outsideFile();
    unlinkSync(join(store, "jobs", "nightly.jsonl"));
    symlinkSync(file, join(store, "jobs", "nightly.jsonl"));
    const state = readFileSync(join(store, "state.json"), "utf8");
    const r = await cli({ store }, "run", "--job", "nightly", "-q", "--", "true");
    expect(r.code).toBe(6);
    expect(r.stderr).toContain("nightly.jsonl is a symbolic link, not a run file");
    expect(readFileSync(join(store, "state.json"), "utf8")).toBe(state);
    expect(readFileSync(file, "utf8")).toBe("outside\n");
    const show = await cli({ store }, "jobs", "nightly");
    expect(show.code).toBe(6);
    expect(show.stderr).toContain("is a symbolic link");
  });

  it("state/ -> a directory outside: state set, get and list exit 6, nothing is written or read there", async () => {
    const store = tempDir();
    const { dir } = outsideFile();
    writeFileSync(join(dir, "daily.json"), '{"secret":"outside"}');
    symlinkSync(dir, join(store, "state"));
    const set = await cli({ store }, "state", "set", "other", '{"a":1}');
    expect(set.code).toBe(6);
    expect(set.stderr).toContain("state is a symbolic link: taskpulse does not write through links");
    expect(readdirSync(dir).sort()).toEqual(["daily.json", "target"]);
    const get = await cli({ store }, "state", "get", "daily");
    expect(get.code).toBe(6);
    expect(get.stdout).not.toContain("outside");
    expect((await cli({ store }, "state", "list")).code).toBe(6);
  });

  it("a state document -> a file outside: state get exits 6 without its content, state set leaves it untouched", async () => {
    const store = tempDir();
    expect((await cli({ store }, "state", "set", "daily", '{"a":1}')).code).toBe(0);
    const { file } = outsideFile();
    writeFileSync(file, '{"secret":"outside"}');
    unlinkSync(join(store, "state", "daily.json"));
    symlinkSync(file, join(store, "state", "daily.json"));
    const get = await cli({ store }, "state", "get", "daily");
    expect(get.code).toBe(6);
    expect(get.stderr).toContain("daily.json is a symbolic link, not a state document");
    expect(get.stdout).not.toContain("outside");
    expect((await cli({ store }, "state", "set", "daily", '{"b":2}')).code).toBe(6);
    expect(readFileSync(file, "utf8")).toBe('{"secret":"outside"}');
    expect(lstatSync(join(store, "state", "daily.json")).isSymbolicLink()).toBe(true);
  });
});

const HOSTILE = [
  "../x",
  "..",
  "../../etc/passwd",
  "/etc/passwd",
  "/tmp/evil",
  "a/../../b",
  "a/b",
  "a\\b",
  "-rf",
  "--store=/tmp",
  ".hidden",
  "x\u0000y",
  "x\ny",
  "\u202eevil",
  "😀",
  "a".repeat(65),
  "",
  " ",
  "~",
  "~root",
  "$HOME",
  "%2e%2e",
];

describe("hostile names never escape the store", () => {
  it("agent, tag and group names used by mutations: refused with exit 2, nothing written anywhere", async () => {
    const parent = tempDir("tp-parent-");
    const store = join(parent, "store");
    const id = (await cli({ store }, "create", "-q", "A", "--start")).stdout.trim();
    const before = tree(parent);
    const states = readFileSync(join(store, "state.json"), "utf8");
    for (const name of HOSTILE) {
      for (const argv of [
        ["create", "T", "--agent", name],
        ["create", "T", "--tag", name],
        ["create", "T", "--group", name],
        ["start", "--agent", name],
        ["limit", "2", "--agent", name],
        ["heartbeat", id, "--agent", name],
        ["cleanup", "--agent", name],
      ]) {
        const r = await cli({ store }, ...argv);
        expect(r.code, `${JSON.stringify(argv)} -> ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(/^error: (invalid (agent name|tag|group)|option .* argument missing)/);
      }
      if (name !== "") {
        // (an empty TASKPULSE_AGENT means "not set")
        const env = await cli({ store, env: { TASKPULSE_AGENT: name } }, "create", "T");
        expect(env.code, `TASKPULSE_AGENT=${JSON.stringify(name)}`).toBe(2);
      }
    }
    expect(readFileSync(join(store, "state.json"), "utf8")).toBe(states);
    expect(tree(parent)).toEqual(before);
  });

  it("hostile text (names, messages, ids) is stored as data, and no file is created outside the store", async () => {
    const parent = tempDir("tp-parent-");
    const store = join(parent, "store");
    const id = (await cli({ store }, "create", "-q", "A", "s1", "s2", "--start")).stdout.trim();
    const outside = () => readdirSync(parent).filter((f) => f !== "store");
    for (const name of HOSTILE) {
      await cli({ store }, "create", name, name, "--description", name, "--meta", `k=${name}`);
      await cli({ store }, "heartbeat", id, name);
      await cli({ store }, "status", name);
      await cli({ store }, "log", name);
      await cli({ store }, "pushed", id, name);
    }
    expect(outside()).toEqual([]);
    expect(readdirSync(store).sort()).toEqual(["journal.jsonl", "lock-owner.json", "queues", "state.json", "tasks"]);
    expect(statSync(store).mode & 0o777).toBe(0o700);
  });
});

describe("modes", () => {
  function modes(store: string): string[] {
    const wrong: string[] = [];
    for (const name of ["", ...(readdirSync(store, { recursive: true }) as string[])]) {
      const st = lstatSync(join(store, name));
      const mode = st.mode & 0o777;
      if (st.isDirectory() ? mode !== 0o700 : mode !== 0o600) wrong.push(`${name || "."} ${mode.toString(8)}`);
    }
    return wrong;
  }

  it("store files are 0600 and directories 0700: after use, cron runs, state documents, archiving, rotation, and a repair", async () => {
    const parent = tempDir();
    const store = join(parent, "deep", "store");
    const id = (await cli({ store }, "create", "-q", "A", "s1", "s2", "--start")).stdout.trim();
    expect((await cli({ store }, "run", "--job", "nightly", "-q", "--", "true")).code).toBe(0);
    expect((await cli({ store }, "state", "set", "daily", '{"a":1}')).code).toBe(0);
    await cli({ store }, "next", id, "one");
    await cli({ store }, "done", id);
    await cli({ store, now: "2026-05-20T10:00:00Z" }, "cleanup");
    await cli({ store }, "create", "B");
    await rotate(store);
    await cli({ store }, "create", "C");
    expect(readdirSync(store).sort()).toEqual([
      "archive",
      "checkpoint.json",
      "jobs",
      "journal.jsonl",
      "journal.prev.jsonl",
      "lock-owner.json",
      "queues",
      "state",
      "state.json",
      "tasks",
    ]);
    expect(readdirSync(join(store, "jobs"))).toEqual(["nightly.jsonl"]);
    expect(readdirSync(join(store, "state")).sort()).toEqual(["daily.json", "daily.json.owner"]);
    expect(modes(store)).toEqual([]);
    expect(statSync(join(parent, "deep")).mode & 0o777).toBe(0o700);
    writeFileSync(join(store, "state.json"), "damaged");
    writeFileSync(join(store, "state", "daily.json"), "damaged");
    appendFileSync(join(store, "jobs", "nightly.jsonl"), "torn");
    expect((await cli({ store }, "doctor", "--repair")).code).toBe(0);
    expect(modes(store)).toEqual([]);
  });
});
