// export and import between backends: a JSON store moved into PostgreSQL and back keeps its ids, hot and archived
// tasks, audit journal, job records and state documents, byte for byte. Importing into a store that holds data is
// refused unless --merge, and --merge refuses any overlap; nothing is written when refused.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, cleanEnv, cli, tempDir } from "../support/helpers.ts";
import { freshDatabase, tp } from "../support/pg-helpers.ts";

const at = (day: number, s = 0) => new Date(Date.parse("2026-03-01T10:00:00Z") + day * 86_400_000 + s * 1000).toISOString();

/** A JSON store with a bit of everything: hot and archived tasks, a queue, a dependency, runs, documents, a limit. */
function populated(): string {
  const dir = tempDir();
  const run = (...args: string[]) => {
    const r = tp(dir, args);
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    return r.stdout.trim();
  };
  const old = run("create", "-q", "old report", "a", "b", "--start", "--now", at(0));
  run("next", old, "half", "--now", at(0, 10));
  run("done", old, "shipped", "--now", at(0, 20));
  const failed = run("create", "-q", "flaky", "--start", "--now", at(1));
  run("error", failed, "boom", "--now", at(1, 5));
  run("cleanup", "--now", at(40)); // both are archived now
  run("limit", "3", "--agent", "anna");
  const queued = run("create", "-q", "--agent", "anna", "--name", "queued", "-p", "P1", "--tag", "x", "--now", at(41));
  run("create", "-q", "--agent", "anna", "--name", "after it", "--after", queued, "--meta", "k=v", "--now", at(41, 1));
  const live = run("create", "-q", "live", "s1", "s2", "--start", "--now", at(42));
  run("heartbeat", live, "going", "--progress", "30", "--now", at(42, 40));
  run("stop", live, "please", "--now", at(42, 50));
  tp(dir, ["run", "--job", "backup", "--now", at(42), "--", "false"]);
  run("run", "--job", "backup", "--", "true");
  run("state", "set", "water", '{"total":3,"records":[1,2]}');
  run("state", "update", "water", "--incr", "total=1");
  return dir;
}

// Spawned runs on both backends, and inputs of 256 MiB: minutes on a loaded machine, not seconds.
const SLOW = { timeout: 5 * 60_000 };

describe("export and import", SLOW, () => {
  it("moves a JSON store into PostgreSQL and back, byte for byte", async () => {
    const json = populated();
    const first = tp(json, ["export"]);
    expect(first.code).toBe(0);
    const doc = JSON.parse(first.stdout);
    expect(doc).toMatchObject({ format: "taskpulse-export", version: 1 });
    expect(doc.archive).toHaveLength(2);
    expect(doc.tasks).toHaveLength(3);
    expect(Object.keys(doc.runs)).toEqual(["backup"]);
    expect(doc.docs).toMatchObject([{ name: "water", rev: 2, value: { total: 4, records: [1, 2] } }]);
    const file = join(tempDir(), "store.json");
    writeFileSync(file, first.stdout);

    const url = await freshDatabase();
    const imported = tp(url, ["import", file, "--json"]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.json.data).toMatchObject({ tasks: 3, archived: 2, jobs: 1, runs: 4, docs: 1 });
    const fromPg = tp(url, ["export"]).stdout;
    expect(JSON.parse(fromPg)).toEqual(doc);
    expect(fromPg).toBe(first.stdout);

    // the same reads on both: history of an archived task, the queue, stats, a job, a document
    const archivedId = doc.archive[0].task.id;
    for (const args of [
      ["log", archivedId],
      ["status", archivedId, "--json"],
      ["history", "--json"],
      ["jobs", "backup", "--json"],
      ["state", "get", "water"],
      ["stats", "--json", "--now", at(43)],
    ]) {
      expect(tp(url, args).stdout, args.join(" ")).toBe(tp(json, args).stdout);
    }
    // ids keep being unique after the move: the counter came along
    const next = tp(url, ["create", "-q", "new one"]).stdout.trim();
    expect(doc.tasks.map((t: { id: string }) => t.id.slice(1, -2))).not.toContain(next.slice(1, -2));
    expect(tp(url, ["start", "-q", "--agent", "anna"]).stdout.trim()).toBe(doc.tasks.find((t: { name: string }) => t.name === "queued").id);

    const back = tempDir();
    const file2 = join(tempDir(), "back.json");
    writeFileSync(file2, fromPg);
    expect(tp(back, ["import", file2]).code).toBe(0);
    expect(tp(back, ["export"]).stdout).toBe(first.stdout);
  });

  it("refuses to import into a store with data unless --merge, and --merge refuses any overlap", async () => {
    const json = populated();
    const file = join(tempDir(), "store.json");
    writeFileSync(file, tp(json, ["export"]).stdout);
    const url = await freshDatabase();
    tp(url, ["create", "-q", "already here"]);
    const before = tp(url, ["export"]).stdout;
    const refused = tp(url, ["import", file, "--json"]);
    expect(refused.code).toBe(4);
    expect(refused.json.error.hint).toMatch(/--merge/);
    expect(tp(url, ["export"]).stdout).toBe(before);
    // --merge: no overlap with this store, so everything is added
    expect(tp(url, ["import", file, "--merge"]).code).toBe(0);
    expect(JSON.parse(tp(url, ["export"]).stdout).tasks).toHaveLength(4);
    // a second time everything overlaps: refused, nothing written
    const after = tp(url, ["export"]).stdout;
    const overlap = tp(url, ["import", file, "--merge"]);
    expect(overlap.code).toBe(4);
    expect(overlap.stderr).toMatch(/already holds \d+ of the file's records/);
    expect(tp(url, ["export"]).stdout).toBe(after);
    // the same rule on a JSON store
    expect(tp(json, ["import", file]).code).toBe(4);
  });

  it("bad input: not JSON, not an export, a newer export version, a missing file (exit 2, nothing written)", () => {
    const dir = tempDir();
    const write = (text: string) => {
      const file = join(tempDir(), "in.json");
      writeFileSync(file, text);
      return file;
    };
    expect(tp(dir, ["import", write("{nope")]).stderr).toMatch(/is not JSON/);
    expect(tp(dir, ["import", write('{"format":"other"}')]).stderr).toMatch(/is not a taskpulse export/);
    expect(tp(dir, ["import", write('{"format":"taskpulse-export","version":9}')]).stderr).toMatch(/export version 9, newer/);
    expect(tp(dir, ["import", write('{"format":"taskpulse-export","version":1,"counter":-1}')]).code).toBe(2);
    expect(tp(dir, ["import", join(dir, "missing.json")]).code).toBe(2);
    expect(tp(dir, ["export", "--json"]).json.data.tasks).toEqual([]);
  });
});

describe("import reads bounded input", SLOW, () => {
  /** The binary, killed after a minute (an honest run takes seconds): input read without end shows as a timeout. */
  const bounded = (store: string, args: string[], stdin: "ignore" | number = "ignore") => {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      env: cleanEnv(store),
      encoding: "utf8",
      timeout: 60_000,
      stdio: [stdin, "pipe", "pipe"],
    });
    return { code: r.status, signal: r.signal, stderr: r.stderr };
  };

  it("a device (/dev/zero) is refused at once (exit 2), and so is standard input past 256 MiB", () => {
    const store = join(tempDir(), "store");
    const r = bounded(store, ["import", "/dev/zero"]);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: /dev/zero is a character device, not an export file");
    const zero = openSync("/dev/zero", "r");
    try {
      const piped = bounded(store, ["import", "-"], zero);
      expect(piped.signal).toBeNull();
      expect(piped.code).toBe(2);
      expect(piped.stderr).toContain("standard input is larger than 268435456 bytes");
    } finally {
      closeSync(zero);
    }
    expect(existsSync(store)).toBe(false);
  });

  it("a file over 256 MiB is refused by its size, before it is read (exit 2)", () => {
    const dir = tempDir();
    const big = join(dir, "big.json");
    writeFileSync(big, "");
    truncateSync(big, 256 * 1024 * 1024 + 1); // sparse: no disk used
    const r = bounded(join(dir, "store"), ["import", big]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("big.json is larger than 256 MiB, the most `taskpulse import` reads");
  });

  it("a named pipe (as `<(taskpulse export)` gives) is read as its writer writes", async () => {
    const dir = tempDir();
    const from = join(dir, "from");
    await cli({ store: from }, "create", "A");
    const fifo = join(dir, "pipe");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const writer = spawn("sh", ["-c", `"${process.execPath}" "${BIN}" export > "${fifo}"`], { env: cleanEnv(from), stdio: "ignore" });
    const r = bounded(join(dir, "to"), ["import", fifo]);
    await new Promise((resolve) => writer.once("exit", resolve));
    expect(r.code, r.stderr).toBe(0);
    expect((await cli({ store: join(dir, "to") }, "status", "--json")).json.data.tasks).toHaveLength(1);
  });
});
