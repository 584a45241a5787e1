// The lock's takeover rules. A lock whose holder lives on this host is never taken, however old; one whose holder
// is gone is taken at once; one whose holder cannot be judged (another PID namespace or host, an older taskpulse)
// is taken once stale. A stale lock could be taken by two waiters at once (the race of proper-lockfile's issue
// #121: one removes the directory the other has just made); the holder's token inside the lock directory tells the first one, at its
// commit fence, that the lock is no longer its own.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { judge, newToken, STALE_MS } from "../../src/store/holder.ts";
import { acquireLock, takeOverStale } from "../../src/store/lock.ts";
import { ROOT, spawnCli, tempDir } from "../support/helpers.ts";
import { readState } from "../support/store-fixture.ts";

describe("the store lock", () => {
  it("a holder whose lock was taken over as stale sees it at its fence; the new holder does not", async () => {
    const dir = tempDir();
    const first = await acquireLock(dir, { waitMs: 15_000, owner: "first" });
    expect(first.compromised).toBeUndefined();
    // The first holder cannot be judged (as one in another PID namespace, with a token this process cannot check)
    // and its lock is older than the stale time, so the next waiter takes it over.
    writeFileSync(join(dir, "state.lock", "holder"), "4242-unjudged");
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, "state.lock"), old, old);
    const second = await acquireLock(dir, { waitMs: 15_000, owner: "second" });
    expect(second.compromised).toBeUndefined();
    expect(first.compromised?.message).toMatch(/lock was taken over/);
    // The first holder's release leaves the second's lock in place.
    await first.release();
    expect(existsSync(join(dir, "state.lock"))).toBe(true);
    await second.release();
  });

  it("a waiter that judged an old lock stale, when a live one has replaced it meanwhile, leaves the live one in place", () => {
    // A waiter judges the lock stale, then removes it. Between the two, other waiters may have
    // removed the stale lock and made a live one: the removal must not take that one.
    const dir = tempDir();
    const lock = join(dir, "state.lock");
    mkdirSync(lock);
    writeFileSync(join(lock, "holder"), "live-holder");
    expect(() => takeOverStale(lock)).toThrow(expect.objectContaining({ code: "ELOCKED" }));
    expect(readFileSync(join(lock, "holder"), "utf8")).toBe("live-holder");
    expect(readdirSync(dir)).toEqual(["state.lock"]); // nothing left aside
  });

  it("an old lock whose holder is alive on this host is never taken; one whose holder is gone is", () => {
    const dir = tempDir();
    const lock = join(dir, "state.lock");
    mkdirSync(lock);
    const old = new Date(Date.now() - 60_000);
    // This very process holds it (as a holder stopped between its fence and its rename would).
    const live = newToken();
    expect(judge(live)).toMatchObject({ alive: true, stopped: false, pid: process.pid });
    writeFileSync(join(lock, "holder"), live);
    utimesSync(lock, old, old);
    expect(() => takeOverStale(lock)).toThrow(expect.objectContaining({ code: "ELOCKED" }));
    expect(readFileSync(join(lock, "holder"), "utf8")).toBe(live);
    // A process that has exited: same host and namespace, its pid gone (or reused with another start time).
    const exited = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    const dead = live.replace(/^tp1 \d+ /, `tp1 ${exited} `);
    expect(judge(dead)).toMatchObject({ alive: false });
    writeFileSync(join(lock, "holder"), dead);
    const now = new Date();
    utimesSync(lock, now, now); // however fresh
    takeOverStale(lock);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a holder keeps its lock's time fresh, so that a waiter that cannot judge the holder leaves it alone", async () => {
    const dir = tempDir();
    const lock = join(dir, "state.lock");
    const held = await acquireLock(dir, { waitMs: 15_000, owner: "holder" });
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    // The refresh comes every STALE_MS / 4: waited for by what it does, not by a sleep.
    await vi.waitFor(() => expect(statSync(lock).mtimeMs).toBeGreaterThan(Date.now() - STALE_MS), { timeout: 60_000, interval: 50 });
    expect(held.compromised).toBeUndefined();
    await held.release();
    expect(readdirSync(dir)).toEqual(["lock-owner.json"]);
  });

  it.each(["SIGTERM", "exit"])("a lock still held when its process ends (%s) is removed", (how) => {
    const dir = tempDir();
    const lock = join(ROOT, "src", "store", "lock.ts");
    const end = how === "exit" ? "process.exit(3)" : `process.kill(process.pid, "${how}"); setTimeout(() => {}, 30000)`;
    const script = `require(${JSON.stringify(lock)}).acquireLock(${JSON.stringify(dir)}, { waitMs: 1000, owner: "x" }).then(() => {
      require("node:fs").writeSync(1, require("node:fs").readdirSync(${JSON.stringify(dir)}).join(","));
      ${end};
    });`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { encoding: "utf8", timeout: 60_000 });
    expect(r.stdout).toBe("lock-owner.json,state.lock");
    expect(how === "exit" ? r.status : r.signal).toBe(how === "exit" ? 3 : how);
    expect(readdirSync(dir)).toEqual(["lock-owner.json"]);
  });

  it("tokens of other hosts, namespaces or versions are not judged (their lock's age decides)", () => {
    const live = newToken();
    expect(judge(live.replace(/^(tp1 \d+ \d+) \S+/, "$1 another-boot-id"))).toBeUndefined();
    expect(judge(live.replace(/pid:\[\d+\]/, "pid:[1]"))).toBeUndefined();
    expect(judge(`${process.pid}-abcdef`)).toBeUndefined();
  });

  it("a stale lock is removed by the waiter that captures it, with nothing left aside", () => {
    const dir = tempDir();
    const lock = join(dir, "state.lock");
    mkdirSync(lock);
    writeFileSync(join(lock, "holder"), "dead-holder");
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    takeOverStale(lock);
    expect(readdirSync(dir)).toEqual([]);
    expect(() => takeOverStale(lock)).toThrow(/ENOENT/); // the waiter then tries its mkdir again
  });

  it("many waiters on one stale lock: each of their commits lands, none is lost", async () => {
    // Every round leaves a dead holder's lock, already stale, and starts eight writers at once: they all find it
    // stale together, the situation in which two of them could both take it.
    const store = tempDir();
    let expected = 0;
    for (let round = 0; round < 4; round++) {
      mkdirSync(join(store, "state.lock"));
      const old = new Date(Date.now() - 60_000);
      utimesSync(join(store, "state.lock"), old, old);
      const runs = await Promise.all(Array.from({ length: 8 }, (_, i) => spawnCli(store, ["create", `r${round} w${i}`, "-q"])));
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      expected += runs.length;
      const state = readState(store);
      expect(Object.keys(state.tasks)).toHaveLength(expected);
      expect(readdirSync(store).filter((f) => f.includes(".tmp-"))).toEqual([]);
    }
  });
});
