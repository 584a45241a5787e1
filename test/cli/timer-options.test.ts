// Options that become a timer's delay: Node fires a timer longer than 2^31 - 1 ms (~24.8 days) at once, so such a
// value is refused (exit 2, the store untouched) rather than, say, a job killed by its "30d" timeout a millisecond
// after it started.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "../support/helpers.ts";

describe("a delay too long for a timer", () => {
  it.each([
    [["run", "--job", "slow", "--timeout", "30d", "--", "true"], "--timeout must be at most 24d"],
    [["wait", "abc234", "--interval", "25d"], "--interval must be at most 24d"],
    [["serve", "--interval", "25d", "--port", "0"], "--interval must be at most 24d"],
    [["serve", "--request-timeout", "4w", "--port", "0"], "--request-timeout must be at most 24d"],
    [["status", "--watch", "--interval", "25d"], "--interval must be at most 24d"],
  ])("%j exits 2 and changes nothing", async (argv, message) => {
    const store = tempDir();
    const r = await cli({ store }, ...argv);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(readdirSync(store)).toEqual([]);
  });

  it("24d is still taken (a job's timeout, a wait's interval)", async () => {
    const store = tempDir();
    const r = await cli({ store }, "run", "--job", "long", "--timeout", "24d", "--", "true");
    expect(r.code, r.stderr).toBe(0);
  });
});
