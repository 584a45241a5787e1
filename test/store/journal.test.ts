import {
  appendFileSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appendDurably } from "../../src/store/atomic-file.ts";
import { readJournal } from "../../src/store/journal.ts";
import { JsonStore } from "../../src/store/json-store.ts";
import { acquireLock } from "../../src/store/lock.ts";
import { rotateJournal } from "../../src/store/rotation.ts";
import { cli, tempDir } from "../support/helpers.ts";
import { readState } from "../support/store-fixture.ts";
import { rotate } from "../support/store-helpers.ts";

describe("journal", () => {
  it("a record appended after a torn line (writer killed mid-append) is not glued onto it", async () => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "A", "s1", "s2", "--start")).stdout.trim();
    appendFileSync(join(store, "journal.jsonl"), '{"v":1,"seq":9,"txn":"torn');
    expect((await cli({ store }, "next", id, "first")).code).toBe(0);
    const lines = readFileSync(join(store, "journal.jsonl"), "utf8").split("\n");
    const torn = lines.indexOf('{"v":1,"seq":9,"txn":"torn');
    expect(torn).toBeGreaterThan(0);
    expect(JSON.parse(lines[torn + 1] ?? "")).toMatchObject({ seq: 2 });
    const { records, bad } = readJournal(store);
    expect(bad).toBe(1);
    expect(records).toHaveLength(2);
    const log = await cli({ store }, "log", id, "--json");
    expect(log.json.data.entries.map((e: { action: string }) => e.action)).toEqual(["step", "create"]);
  });
});

describe("rotation", () => {
  it("a rotation interrupted between the checkpoint and the journal rename does not duplicate audit entries", async () => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "A", "s1", "s2", "s3", "--start")).stdout.trim();
    expect((await cli({ store }, "next", id, "one")).code).toBe(0);
    await rotate(store);
    // as if the process died after writing checkpoint.json, before renaming journal.jsonl away
    renameSync(join(store, "journal.prev.jsonl"), join(store, "journal.jsonl"));
    expect((await cli({ store }, "next", id, "two")).code).toBe(0);
    const log = await cli({ store }, "log", id, "--json");
    expect(log.json.data.entries.map((e: { action: string }) => e.action)).toEqual(["step", "step", "create"]);
  });
});

describe("a rotation that fails", () => {
  it("does not turn a committed change into an error (exit 0, the change is there, the next commit rotates)", async () => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "A", "s1", "s2", "s3", "--start")).stdout.trim();
    mkdirSync(join(store, "checkpoint.json")); // the checkpoint cannot be written
    const s = new JsonStore(store, { lockWaitMs: 5000, rotateBytes: 1, owner: { agent: "test", command: "test" } });
    await s.transaction((tx) => {
      const task = tx.get(id);
      if (task) tx.put({ ...task, lastMessage: "kept" });
    });
    expect((await cli({ store }, "status", id, "--json")).json.data.task.lastMessage).toBe("kept");
    expect(readdirSync(store)).toContain("journal.jsonl");
    rmdirSync(join(store, "checkpoint.json"));
    await s.transaction((tx) => {
      const task = tx.get(id);
      if (task) tx.put({ ...task, lastMessage: "again" });
    });
    expect(readdirSync(store)).toEqual(expect.arrayContaining(["checkpoint.json", "journal.prev.jsonl"]));
    expect(readdirSync(store)).not.toContain("journal.jsonl");
  });
});

describe("journal versions", () => {
  it("records carry v 1 and the id counter; a record of a newer version is refused (exit 6), the file kept", async () => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "A", "--start")).stdout.trim();
    const path = join(store, "journal.jsonl");
    const first = JSON.parse(readFileSync(path, "utf8").split("\n")[0] ?? "");
    expect(first).toMatchObject({ v: 1, seq: 1, prev: null, counter: 1 });
    appendFileSync(path, `${JSON.stringify({ ...first, v: 2, txn: "future" })}\n`);
    const before = readFileSync(path, "utf8");
    const r = await cli({ store }, "log", id, "--json");
    expect(r.code).toBe(6);
    expect(r.json.error.message).toMatch(/journal\.jsonl line 3 has version 2, newer than this taskpulse understands \(1\)/);
    expect(readFileSync(path, "utf8")).toBe(before);
    // Nor is anything appended after it: a write is refused the same way, and changes nothing.
    const state = readFileSync(join(store, "state.json"), "utf8");
    const w = await cli({ store }, "heartbeat", id, "after a newer writer", "--json");
    expect(w.code).toBe(6);
    expect(w.json.error.message).toMatch(/journal\.jsonl ends with a record of version 2, newer than this taskpulse understands \(1\)/);
    expect(readFileSync(path, "utf8")).toBe(before);
    expect(readFileSync(join(store, "state.json"), "utf8")).toBe(state);
  });
});

describe("a commit fenced out every time", () => {
  it("gives up after 5 attempts with exit 5 (busy, safe to retry), each attempt journalled as aborted, nothing changed", async () => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "A", "--start")).stdout.trim();
    const state = readFileSync(join(store, "state.json"), "utf8");
    const s = new JsonStore(store, { lockWaitMs: 5000, owner: { agent: "test", command: "test" } });
    let runs = 0;
    const attempt = s.transaction((tx) => {
      runs++;
      // another holder of a stale lock replaces the state file meanwhile
      writeFileSync(join(store, "other"), state);
      renameSync(join(store, "other"), join(store, "state.json"));
      const task = tx.get(id);
      if (task) tx.put({ ...task, lastMessage: "lost race" });
    });
    await expect(attempt).rejects.toMatchObject({ code: "store_busy", exitCode: 5 });
    expect(runs).toBe(5);
    expect(readJournal(store).aborted.size).toBe(5);
    expect(readFileSync(join(store, "state.json"), "utf8")).toBe(state);
  });
});

describe("the commit fence", () => {
  it("notices a state file replaced under it even when the new file has the old inode number (found by the chaos run)", async () => {
    // ext4 hands a freed inode number to the next file: a state renamed in by another holder of a stale lock can
    // carry the inode this writer read. Simulated here by a commit written in place (same inode).
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "A", "--start")).stdout.trim();
    const path = join(store, "state.json");
    const other = readState(store);
    const s = new JsonStore(store, { lockWaitMs: 5000, owner: { agent: "test", command: "test" } });
    let runs = 0;
    await s.transaction((tx) => {
      runs++;
      if (runs === 1) {
        const theirs = {
          ...other,
          seq: other.seq + 1,
          txn: "theirs",
          // written whole (tasks inline), as a repair writes it
          tasks: { ...other.tasks, zzz222: { ...other.tasks[id], id: "zzz222", name: "theirs" } },
        };
        const ino = statSync(path).ino;
        writeFileSync(path, JSON.stringify(theirs));
        expect(statSync(path).ino).toBe(ino);
      }
      const task = tx.get(id);
      if (task) tx.put({ ...task, lastMessage: "mine" });
    });
    expect(runs).toBe(2);
    const final = readState(store);
    expect(final.tasks.zzz222?.name).toBe("theirs");
    expect(final.tasks[id]?.lastMessage).toBe("mine");
    expect(final.seq).toBe(other.seq + 2);
  });
});

describe("a rotation outside the lock", () => {
  it("carries the commits made while its checkpoint was built into the new journal: log, doctor and a rebuild see them", async () => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "A", "s1", "s2", "s3", "--start")).stdout.trim();
    expect((await cli({ store }, "next", id, "one")).code).toBe(0);
    const s = new JsonStore(store, { lockWaitMs: 5000, owner: { agent: "test", command: "test" } });
    const checkpointed = readState(store).txn;
    const rotated = await rotateJournal(store, {
      checkpoints: await import("../../src/store/checkpoint.ts"),
      auditTrails: (ids, head) => s["auditTrails"](ids, head),
      locked: async (fn) => {
        // another process commits after the checkpoint was built, before the swap takes the lock
        expect((await cli({ store }, "next", id, "during")).code).toBe(0);
        const held = await acquireLock(store, { waitMs: 5000, owner: "test" });
        try {
          return fn();
        } finally {
          await held.release();
        }
      },
    });
    expect(rotated).toBe(true);
    expect(JSON.parse(readFileSync(join(store, "checkpoint.json"), "utf8")).txn).toBe(checkpointed);
    const journal = readJournal(store).records.map((r) => r.txn);
    expect(journal).toEqual([readState(store).txn]);
    expect(readdirSync(store)).toContain("journal.prev.jsonl");
    const log = await cli({ store }, "log", id, "--json");
    expect(log.json.data.entries.map((e: { message?: string }) => e.message)).toEqual(["s2: during", "s1: one", "A"]);
    expect((await cli({ store }, "doctor", "--json")).json.data.findings).toEqual([]);
    // the chain from the checkpoint through the new journal rebuilds the state with the change made meanwhile
    unlinkSync(join(store, "state.json"));
    expect((await cli({ store }, "doctor", "--repair")).code).toBe(0);
    expect(readState(store).tasks[id]?.lastMessage).toBe("during");
  });
});

describe("a rotation killed between its last two renames", () => {
  it("leaves journal.jsonl and journal.prev.jsonl as one file; the next rotation separates them and the journal shrinks", async () => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "A", "s1", "s2", "s3", "s4", "--start")).stdout.trim();
    expect((await cli({ store }, "next", id, "one")).code).toBe(0);
    // what the kill leaves: the old journal under both names
    linkSync(join(store, "journal.jsonl"), join(store, "journal.prev.jsonl"));
    expect(statSync(join(store, "journal.jsonl")).ino).toBe(statSync(join(store, "journal.prev.jsonl")).ino);
    expect((await cli({ store }, "next", id, "two")).code).toBe(0);
    await rotate(store);
    const files = readdirSync(store);
    expect(files.filter((f) => f.includes(".tmp-"))).toEqual([]);
    if (files.includes("journal.jsonl")) {
      expect(statSync(join(store, "journal.jsonl")).ino).not.toBe(statSync(join(store, "journal.prev.jsonl")).ino);
    }
    expect(JSON.parse(readFileSync(join(store, "checkpoint.json"), "utf8")).txn).toBe(readState(store).txn);
    expect((await cli({ store }, "next", id, "three")).code).toBe(0);
    expect(readJournal(store).records).toHaveLength(1);
    const log = await cli({ store }, "log", id, "--json");
    expect(log.json.data.entries.map((e: { message?: string }) => e.message)).toEqual(["s3: three", "s2: two", "s1: one", "A"]);
    expect((await cli({ store }, "doctor", "--json")).json.data.findings).toEqual([]);
  });
});

describe("an append's look at the last line (appendDurably)", () => {
  const seen = (content: string, data = "new\n") => {
    const path = join(tempDir(), "f.jsonl");
    writeFileSync(path, content);
    const lines: string[] = [];
    appendDurably(path, data, (line) => lines.push(line));
    return { lines, after: readFileSync(path, "utf8") };
  };

  it("sees the last complete line wherever it starts within the last 64 KiB, in whole characters", () => {
    expect(seen("a\nb\n")).toEqual({ lines: ["b"], after: "a\nb\nnew\n" });
    expect(seen("only\n").lines).toEqual(["only"]);
    const long = `{"m":"${"é💓".repeat(3000)}"}`; // ~21 KiB: begins before the first, short look
    expect(seen(`x\n${long}\n`).lines).toEqual([long]);
    // a torn line after it, longer than the first look: the complete line before it is still the one seen
    const r = seen(`x\n{"v":2}\n${"t".repeat(10_000)}`);
    expect(r.lines).toEqual(['{"v":2}']);
    expect(r.after.endsWith(`${"t".repeat(10_000)}\nnew\n`)).toBe(true);
  });

  it("a line that starts more than 64 KiB from the end is not looked at; an empty file has no line", () => {
    expect(seen(`x\n${"y".repeat(70 * 1024)}\n`).lines).toEqual([]);
    expect(seen("")).toEqual({ lines: [], after: "new\n" });
    expect(seen("\n").lines).toEqual([]);
    expect(seen("torn").after).toBe("torn\nnew\n");
  });
});
