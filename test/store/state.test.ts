import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "../support/helpers.ts";
import { rotate } from "../support/store-helpers.ts";

describe("state file", () => {
  it("a missing state.json is refused after a rotation too (checkpoint, no journal.jsonl), not read as empty", async () => {
    const store = tempDir();
    expect((await cli({ store }, "create", "-q", "A", "--start")).code).toBe(0);
    await rotate(store);
    expect(existsSync(join(store, "journal.jsonl"))).toBe(false);
    expect(readdirSync(store)).toContain("checkpoint.json");
    unlinkSync(join(store, "state.json"));
    const r = await cli({ store }, "status");
    expect(r.code).toBe(6);
    expect(r.stderr).toContain("is missing but the store has history (checkpoint.json)");
    const c = await cli({ store }, "create", "B");
    expect(c.code).toBe(6);
    expect(existsSync(join(store, "state.json"))).toBe(false);
  });
});

describe("checkpoint", () => {
  it("a corrupt checkpoint.json is exit 6 with a hint (not an internal error) and is kept as it is", async () => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "A", "--start")).stdout.trim();
    await rotate(store);
    writeFileSync(join(store, "checkpoint.json"), "{garbage");
    const r = await cli({ store }, "log", id);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/checkpoint\.json is not valid JSON\nhint: .*taskpulse doctor/);
    expect(readFileSync(join(store, "checkpoint.json"), "utf8")).toBe("{garbage");
  });

  it("a checkpoint of a newer version is refused and not rewritten", async () => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "A", "--start")).stdout.trim();
    await rotate(store);
    const path = join(store, "checkpoint.json");
    const newer = JSON.stringify({ ...JSON.parse(readFileSync(path, "utf8")), v: 2 });
    writeFileSync(path, newer);
    const r = await cli({ store }, "log", id);
    expect(r.code).toBe(6);
    expect(r.stderr).toContain("newer than this taskpulse understands");
    expect(readFileSync(path, "utf8")).toBe(newer);
  });
});
