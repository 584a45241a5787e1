import { appendFileSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readJournal } from "../src/store/journal.ts";
import { cli, tempDir } from "./helpers.ts";
import { rotate } from "./store-helpers.ts";

describe("journal", () => {
  it("a record appended after a torn line (writer killed mid-append) is not glued onto it", async () => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "A", "s1", "s2", "--start")).stdout.trim();
    appendFileSync(join(store, "journal.jsonl"), '{"v":1,"seq":9,"txn":"torn');
    expect((await cli({ store }, "next", id, "first")).code).toBe(0);
    const lines = readFileSync(join(store, "journal.jsonl"), "utf8").split("\n");
    expect(lines[1]).toBe('{"v":1,"seq":9,"txn":"torn');
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
