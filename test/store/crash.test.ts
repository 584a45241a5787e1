// Crashes (SPEC §8): processes killed with SIGKILL at random moments never lose an update that returned 0 and never
// leave the store unreadable; a lock left by a killed process is taken over at once (its holder is gone), and one
// whose holder cannot be judged after the stale time (~10 s), not before; a holder paused past the stale time keeps
// its lock, so nothing it commits when it goes on can overwrite another's commit;
// a lock that cannot be had in time exits 5 and names its holder; a torn journal line is survived.
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { newToken } from "../../src/store/holder.ts";
import { auditOf, must, newStore, type Run, readState, runCli, type Started, sleep, startCli, tally } from "../support/store-fixture.ts";

const STALE_MS = 10_000;
/**
 * How long a waiter in these tests waits for the lock before it gives up (exit 5). Far longer than the stale time,
 * so a waiter that never took a lock over is told apart from one that did by its exit code: nobody releases the
 * locks these tests leave, so getting one at all (exit 0) means taking it over.
 */
const LOCK_WAIT = { TASKPULSE_LOCK_WAIT: "90s" };
/** Tests that wait out a stale time and more, with room for a machine 10x slower than this one under load. */
const LONG = { timeout: 10 * 60_000 };

interface ChaosStore {
  store: string;
  /** Tasks with 100 steps that `next` calls advance. */
  targets: string[];
  runs: Run[];
  /** Killed processes that left the lock behind: they died between taking the lock and releasing it. */
  heldWhenKilled: number;
}

/**
 * Two lanes of `create` / `next` calls on one store until `deadline`. The killer lane SIGKILLs its processes at
 * random moments: while they hold the lock (somewhere in read, journal, temp file, rename) until that has
 * happened once, and otherwise at a random time that follows how long a call really takes here, so they land
 * anywhere from start-up to exit. The
 * witness lane is never killed, and goes on (up to `hardStop`) until it has three acknowledged updates, so every
 * run has updates that returned 0 to check, even when killed lock holders stall the store for the stale time.
 */
async function chaos(store: string, deadline: number, hardStop: number): Promise<ChaosStore> {
  const steps = Array.from({ length: 100 }, (_, i) => `s${i}`);
  const targets = [
    await must(store, "create", "-q", "--start", "chaos A", ...steps),
    await must(store, "create", "-q", "--start", "chaos B", ...steps),
  ];
  const recent: number[] = [];
  const typicalMs = () => (recent.length === 0 ? 300 : ([...recent].sort((a, b) => a - b)[Math.floor(recent.length / 2)] ?? 300));
  let heldWhenKilled = 0;
  const call = (lane: string, j: number) =>
    Math.random() < 0.5
      ? ["create", "-q", `c-${lane}-${j}`]
      : ["next", targets[Math.floor(Math.random() * targets.length)] as string, `n-${lane}-${j}`];

  const killer = async () => {
    const out: Run[] = [];
    for (let j = 0; Date.now() < deadline; j++) {
      const args = call("k", j);
      const roll = Math.random();
      let r: Run;
      if (roll < 0.25 && heldWhenKilled === 0) {
        // Inside the commit: once the process's note says it holds the lock, at a random point of the next
        // 25 ms (it reads, journals with fsync, writes the temp file with fsync, renames, fsyncs the directory).
        // Once per store: each kill that leaves the lock behind stalls the store for the stale time.
        const p = startCli(store, args);
        let exited = false;
        void p.result.then(() => {
          exited = true;
        });
        while (!exited && lockOwnerPid(store) !== p.pid) await sleep(1);
        await sleep(Math.random() * 25);
        p.kill();
        r = await p.result;
      } else {
        r = await runCli(store, args, {
          killAfterMs: roll < 0.6 ? Math.random() * typicalMs() : typicalMs() * (0.6 + Math.random() * 0.5),
        });
      }
      if (r.killed && existsSync(join(store, "state.lock")) && lockOwnerPid(store) === r.pid) heldWhenKilled++;
      out.push(r);
    }
    return out;
  };
  const witness = async () => {
    const out: Run[] = [];
    for (let j = 0; Date.now() < hardStop && (Date.now() < deadline || out.filter((r) => r.code === 0).length < 3); j++) {
      const r = await runCli(store, call("w", j));
      if (r.code === 0 && r.ms < 2_000 && recent.push(r.ms) > 20) recent.shift();
      out.push(r);
    }
    return out;
  };
  const runs = (await Promise.all([killer(), witness()])).flat();
  return { store, targets, runs, heldWhenKilled };
}

function lockOwnerPid(store: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(join(store, "lock-owner.json"), "utf8")) as { pid?: number }).pid;
  } catch {
    return undefined;
  }
}

/** A dead process's lock, as a killed holder leaves it: the lock directory, plus our note naming the holder. */
function abandonLock(store: string, pid: number, ageMs: number): number {
  mkdirSync(store, { recursive: true, mode: 0o700 });
  writeFileSync(join(store, "lock-owner.json"), JSON.stringify({ pid, agent: "ghost", command: "next", since: new Date().toISOString() }));
  mkdirSync(join(store, "state.lock"));
  const mtime = new Date(Date.now() - ageMs);
  utimesSync(join(store, "state.lock"), mtime, mtime);
  return statSync(join(store, "state.lock")).mtimeMs;
}

/**
 * A lock held by a live process: this one, named by its token (as a holder writes it) and in the note. A holder
 * alive on this host keeps its lock however old it gets, so a waiter can only give up, whatever the time.
 */
function holdLock(store: string): void {
  abandonLock(store, process.pid, 0);
  writeFileSync(join(store, "state.lock", "holder"), newToken());
}

// Side by side: most of the time here is spent waiting out stale locks, not computing.
describe.concurrent("crashes, and locks left behind", () => {
  it("SIGKILL at random moments never loses an update that returned 0 and never leaves the store unreadable", LONG, async () => {
    // Three stores side by side: a process killed while holding the lock stalls its store for the stale time
    // (10 s), and the other stores keep going meanwhile.
    const deadline = Date.now() + 12_000;
    const stores = await Promise.all([newStore(), newStore(), newStore()].map((store) => chaos(store, deadline, deadline + 15_000)));
    console.info(JSON.stringify(stores.map((c) => ({ ...tally(c.runs), heldWhenKilled: c.heldWhenKilled }))));

    const all = stores.flatMap((c) => c.runs);
    // Not a vacuous run: processes were killed, and others were told their update is done.
    expect(all.filter((r) => r.killed).length).toBeGreaterThanOrEqual(6);
    expect(all.filter((r) => !r.killed && r.code === 0).length).toBeGreaterThanOrEqual(6);
    // A call that was not killed either succeeded, or was `next` past the last step (4), or gave up on a lock whose
    // holders kept dying under it (5). Never an internal error, never a corrupt store.
    for (const r of all.filter((x) => !x.killed)) expect([0, 4, 5], `${r.args.join(" ")}: ${r.stderr}`).toContain(r.code);

    // Each store reads, and takes a new write (after taking over any lock a killed process left behind).
    const finals = await Promise.all(
      stores.map(async ({ store }) => ({
        status: await runCli(store, ["status", "--json"]),
        create: await runCli(store, ["create", "-q", "after the storm"], { env: LOCK_WAIT }),
      })),
    );
    for (const [i, { store, targets, runs }] of stores.entries()) {
      const { status, create } = finals[i] as (typeof finals)[number];
      expect(status.code, status.stderr).toBe(0);
      expect(create.code, create.stderr).toBe(0); // not 5: any lock a killed process left was taken over
      const state = readState(store);
      expect(state.tasks[create.stdout.trim()]?.name).toBe("after the storm");
      const acknowledged = runs.filter((r) => !r.killed && r.code === 0);

      // Every create that returned 0 is there under the name it was given; none happened twice; none came from nowhere.
      const names = Object.values(state.tasks).map((t) => t.name);
      expect(new Set(names).size).toBe(names.length);
      for (const r of acknowledged.filter((x) => x.args[0] === "create")) expect(state.tasks[r.stdout.trim()]?.name).toBe(r.args[2]);
      const attempted = new Set(runs.filter((r) => r.args[0] === "create").map((r) => r.args[2]));
      for (const name of names) if (name.startsWith("c-")) expect(attempted.has(name)).toBe(true);

      for (const id of targets) {
        const calls = runs.filter((r) => r.args[0] === "next" && r.args[1] === id);
        const done = state.tasks[id]?.steps.filter((s) => s.status === "done") ?? [];
        const messages = new Set(done.map((s) => s.message));
        // Every `next` that returned 0 finished one step with its message; a killed one finished at most one.
        expect(messages.size).toBe(done.length);
        for (const r of acknowledged.filter((x) => x.args[0] === "next" && x.args[1] === id)) expect(messages.has(r.args[2])).toBe(true);
        for (const m of messages) expect(calls.some((r) => r.args[2] === m)).toBe(true);
        // The committed audit trail agrees with the state: the create, then one entry per finished step.
        const entries = await auditOf(store, id);
        expect(entries.filter((e) => e.action === "create")).toHaveLength(1);
        expect(entries.filter((e) => e.action === "step" || e.action === "done")).toHaveLength(done.length);
      }
    }
  });

  it("a partial last line left by a crash mid-append does not swallow the next committed record", async () => {
    const store = newStore();
    const id = await must(store, "create", "-q", "--start", "torn", "a", "b", "c");
    await must(store, "next", id, "first");
    appendFileSync(join(store, "journal.jsonl"), '{"v":1,"seq":3,"txn":"torn-by-a-crash","prev":');

    const r = await runCli(store, ["next", id, "second"]);
    expect(r.code, r.stderr).toBe(0);
    await must(store, "next", id, "third");

    const entries = await auditOf(store, id);
    expect(entries.map((e) => e.action)).toEqual(["done", "step", "step", "create"]);
    expect(entries.slice(0, 3).map((e) => e.message)).toEqual(["c: third", "b: second", "a: first"]);
  });

  it("a fresh lock without a token (an older taskpulse's, unjudged) is taken over once stale (~10 s), and not before", LONG, async () => {
    const store = newStore();
    const lockedAt = abandonLock(store, 999_999, 0);

    const r = await runCli(store, ["create", "-q", "waited"], { env: LOCK_WAIT });
    const doneAt = Date.now();

    expect(r.code, r.stderr).toBe(0); // taken over (nobody releases it), before LOCK_WAIT would have ended in 5
    expect(doneAt - lockedAt).toBeGreaterThanOrEqual(STALE_MS); // and not before it was stale
    expect(readState(store).tasks[r.stdout.trim()]?.name).toBe("waited");
    expect(existsSync(join(store, "state.lock"))).toBe(false);
  });

  it("an old lock of a dead holder is taken over at once", async () => {
    const store = newStore();
    abandonLock(store, 999_999, 60_000);

    // a 1 s wait for the lock, counted from its first attempt: succeeding means it did not wait out anything
    const r = await runCli(store, ["create", "-q", "no wait"], { env: { TASKPULSE_LOCK_WAIT: "1s" } });

    expect(r.code, r.stderr).toBe(0);
    expect(readState(store).tasks[r.stdout.trim()]?.name).toBe("no wait");
  });

  it("a process SIGKILLed while it holds the lock: the store stays consistent and the next command gets the lock at once", async () => {
    const store = newStore();
    const steps = Array.from({ length: 30 }, (_, i) => `s${i}`);
    const id = await must(store, "create", "-q", "--start", "seed", ...steps);
    // Kill a `next` the moment its note in lock-owner.json shows it holds the lock (it writes the note right after
    // taking the lock, then reads, journals and renames); retry when it was already done by then.
    const lockDir = join(store, "state.lock");
    let victim: Run | undefined;
    for (let attempt = 0; attempt < 20 && victim === undefined; attempt++) {
      const p = startCli(store, ["next", id, `victim ${attempt}`]);
      let exited = false;
      void p.result.then(() => {
        exited = true;
      });
      while (!exited && lockOwnerPid(store) !== p.pid) await new Promise((resolve) => setImmediate(resolve));
      p.kill();
      const r = await p.result;
      if (r.killed && existsSync(lockDir)) victim = r;
    }
    expect(victim, "no process was caught holding the lock").toBeDefined();
    expect(() => process.kill(victim?.pid as number, 0)).toThrow(); // the holder is dead: nobody will release it
    // However fresh its lock, a holder that is gone does not keep it: a 1 s wait is enough.
    const now = new Date();
    utimesSync(lockDir, now, now);

    const r = await runCli(store, ["next", id, "survivor"], { env: { TASKPULSE_LOCK_WAIT: "1s" } });

    expect(r.code, r.stderr).toBe(0);
    // Whatever instant the victim died at, state and audit trail agree: its step is in both or in neither.
    const done = readState(store).tasks[id]?.steps.filter((st) => st.status === "done") ?? [];
    expect(done.at(-1)?.message).toBe("survivor");
    const logged = (await auditOf(store, id)).filter((e) => e.action === "step").map((e) => e.message);
    expect(logged).toEqual(done.map((st) => `${st.name}: ${st.message}`).reverse());
  });

  it(
    "a holder paused past the stale time (SIGSTOP mid-commit) keeps its lock: the others wait, nothing is lost",
    LONG,
    async ({ onTestFinished }) => {
      const store = newStore();
      const steps = Array.from({ length: 30 }, (_, i) => `s${i}`);
      const id = await must(store, "create", "-q", "--start", "sleepy", ...steps);
      const journal = join(store, "journal.jsonl");
      // Stop a `next` right after it journalled its record and before its state file landed: it has read the state
      // under the lock and is about to fence and rename.
      let sleeper: Started | undefined;
      for (let attempt = 0; attempt < 20 && sleeper === undefined; attempt++) {
        const txnBefore = readState(store).txn;
        const size = statSync(journal).size;
        const p = startCli(store, ["next", id, `sleeper ${attempt}`]);
        let exited = false;
        void p.result.then(() => {
          exited = true;
        });
        while (!exited && statSync(journal).size === size) await new Promise((resolve) => setImmediate(resolve));
        if (exited) continue;
        try {
          process.kill(p.pid, "SIGSTOP");
        } catch {
          await p.result; // it exited between the check and the signal: try again
          continue;
        }
        if (readState(store).txn === txnBefore) {
          sleeper = p;
        } else {
          process.kill(p.pid, "SIGCONT");
          await p.result;
        }
      }
      expect(sleeper, "no process was caught between its journal append and its rename").toBeDefined();
      const stopped = sleeper as Started;
      onTestFinished(() => stopped.kill()); // never leave a stopped process behind when an assertion fails

      // The others wait for it, past the stale time: a stopped process is alive, and its commit may already be past
      // its fence. (Before holders were judged alive, they took the lock over here.)
      const env = { TASKPULSE_LOCK_WAIT: "90s" };
      const first = startCli(store, ["next", id, "meanwhile 1"], { env });
      const second = startCli(store, ["next", id, "meanwhile 2"], { env });
      let waiting = 2;
      for (const p of [first, second]) void p.result.then(() => waiting--);
      while (waiting === 2 && Date.now() - statSync(join(store, "state.lock")).mtimeMs < STALE_MS + 2000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(waiting, "a writer went ahead while the holder was stopped").toBe(2);
      process.kill(stopped.pid, "SIGCONT");
      const [late, r1, r2] = await Promise.all([stopped.result, first.result, second.result]);
      expect([late.code, r1.code, r2.code], late.stderr + r1.stderr + r2.stderr).toEqual([0, 0, 0]);

      const done =
        readState(store)
          .tasks[id]?.steps.filter((st) => st.status === "done")
          .map((st) => st.message) ?? [];
      expect(done).toEqual(expect.arrayContaining([late.args[2], "meanwhile 1", "meanwhile 2"]));
      const logged = (await auditOf(store, id)).filter((e) => e.action === "step");
      expect(logged).toHaveLength(done.length);
    },
  );

  it("with TASKPULSE_LOCK_WAIT=1s and the lock held, a command exits 5 naming the holder and changes nothing", async () => {
    const store = newStore();
    await must(store, "create", "-q", "existing");
    const before = readFileSync(join(store, "state.json"));
    holdLock(store);

    const [text, json] = await Promise.all([
      runCli(store, ["create", "-q", "blocked"], { env: { TASKPULSE_LOCK_WAIT: "1s" } }),
      runCli(store, ["heartbeat", "nosuch", "--json"], { env: { TASKPULSE_LOCK_WAIT: "1s" } }),
    ]);

    expect(text.code).toBe(5);
    expect(text.stdout).toBe("");
    expect(text.stderr).toMatch(new RegExp(`pid ${process.pid}\\b`));
    expect(text.stderr).toMatch(/hint: .*retry/);
    expect(text.ms).toBeGreaterThanOrEqual(1_000); // it waited for the lock, TASKPULSE_LOCK_WAIT long
    expect(json.code).toBe(5);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      error: { code: "store_busy", message: expect.stringMatching(new RegExp(`pid ${process.pid}\\b`)) },
    });
    expect(readFileSync(join(store, "state.json")).equals(before)).toBe(true);
  });
});
