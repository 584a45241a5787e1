// The lock's takeover fence. A stale lock can be taken by two waiters at once (proper-lockfile's issue #121: one
// removes the directory the other has just made); the holder's token inside the lock directory tells the first one,
// at its commit fence, that the lock is no longer its own.
import { existsSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acquireLock } from "../src/store/lock.ts";
import { tempDir } from "./helpers.ts";

describe("the store lock", () => {
  it("a holder whose lock was taken over as stale sees it at its fence; the new holder does not", async () => {
    const dir = tempDir();
    const first = await acquireLock(dir, { waitMs: 15_000, owner: "first" });
    expect(first.compromised).toBeUndefined();
    // The first holder looks dead: its lock is older than the stale time, so the next waiter takes it over.
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, "state.lock"), old, old);
    const second = await acquireLock(dir, { waitMs: 15_000, owner: "second" });
    expect(second.compromised).toBeUndefined();
    expect(first.compromised?.message).toMatch(/lock was taken over/);
    // The first holder's release leaves the second's lock in place. (Both live in this one process here, where
    // proper-lockfile keeps one entry per path; the second's own release is exercised by every other test.)
    await first.release();
    expect(existsSync(join(dir, "state.lock"))).toBe(true);
    await second.release();
  });
});
