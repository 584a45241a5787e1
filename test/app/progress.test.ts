// --progress in the forms agents write (issue 18): percent with or without %, a fraction, a count; anything else,
// or over 100 %, is refused with exit 2 and changes nothing.
import { describe, expect, it } from "vitest";
import { cli, spawnCli, tempDir } from "../support/helpers.ts";

describe("heartbeat --progress", () => {
  it.each([
    ["60", 60],
    ["60%", 60],
    ["0.6", 60],
    ["3/5", 60],
    ["62.5", 62.5],
    ["1.0", 100],
    ["1", 1],
    ["0", 0],
    ["100%", 100],
  ])("%s is stored as %d %%", async (given, stored) => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "report", "--start")).stdout.trim();
    const r = await cli({ store }, "heartbeat", id, "--progress", given, "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.data.task.progress).toBe(stored);
  });

  it.each(["101", "101%", "abc", "0/0", "-5", "6/5", "60 %%"])("%s is refused with exit 2, nothing changed", async (given) => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "report", "--start")).stdout.trim();
    const r = await cli({ store }, "heartbeat", id, "--progress", given);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(given === "-5" ? /--progress/ : /invalid --progress [\s\S]*a fraction \(0\.6\) or a count \(3\/5\)/);
    expect((await cli({ store }, "status", id, "--json")).json.data.task.progress).toBeUndefined();
  });

  it("the spawned binary's hot heartbeat entry reads them the same way", async () => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "report", "--start")).stdout.trim();
    const r = await spawnCli(store, ["heartbeat", id, "--progress", "45%", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).data.task.progress).toBe(45);
  });
});
