import { existsSync, readdirSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "./helpers.ts";
import { rotate } from "./store-helpers.ts";

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
