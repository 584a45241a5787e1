// A writer frozen at the worst moment: after its commit fence, before its rename, for longer than the lock's stale
// time. Real processes and real pauses: strace holds the rename itself (delay_enter), or stops the process with a
// real SIGSTOP right after the fence's last read of the state file, and the test sends the SIGCONT. Meanwhile
// another writer wants the same store. No acknowledged change may be lost: the lock stays with its live holder
// (see references/store-format.md, "Locks").
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { STALE_MS } from "../../src/store/holder.ts";
import { BIN, type ChildResult, cleanEnv, spawnCli, spawnCliSync, spawnLive } from "../support/helpers.ts";

const hasStrace = spawnSync("strace", ["-V"]).status === 0;
// CI installs strace (.ci/run); a developer machine without it skips these.
const run = hasStrace || process.env.CI ? describe : describe.skip;

const RENAMES = "rename,renameat,renameat2";

// The tests of this file run side by side (each waits out a pause): their stores are removed after all of them,
// not by helpers.ts's afterEach, which would remove a neighbour's store mid-test.
const stores: string[] = [];
afterAll(() => {
  for (const d of stores) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "tp-pause-"));
  stores.push(d);
  return d;
}

interface Traced {
  result: Promise<ChildResult>;
  strace: ChildProcess;
}

/** The CLI under strace, which injects `inject` (one `-e inject=` spec) into the syscalls `trace` names. */
function traced(store: string, args: string[], trace: string, inject: string, path?: string): Traced {
  const live = spawnLive(
    "strace",
    [
      "-f",
      "-qq",
      "-o",
      "/dev/null",
      ...(path ? ["-P", path] : []),
      "-e",
      `trace=${trace}`,
      "-e",
      `inject=${inject}`,
      process.execPath,
      BIN,
      ...args,
    ],
    { env: cleanEnv(store) },
  );
  return { result: live.closed, strace: live.child };
}

/** Polls `ready` until it returns a value; gives up (failing the test) only after a generous minute. */
async function waitFor<T>(what: string, ready: () => T | undefined): Promise<T> {
  const give = Date.now() + 60_000;
  for (;;) {
    const value = ready();
    if (value !== undefined) return value;
    if (Date.now() > give) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The pid of the writer whose temp file (`.<file>.tmp-<pid>-…`) is in `dir`, once that writer is in a trace stop. */
function pausedWriter(dir: string, file: string): number | undefined {
  for (const name of readdirSync(dir)) {
    const m = new RegExp(`^\\.${file.replace(".", "\\.")}\\.tmp-(\\d+)-`).exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    try {
      if (/^State:\s+[tT]/m.test(readFileSync(`/proc/${pid}/status`, "utf8"))) return pid;
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}

function lockAgeMs(lock: string): number | undefined {
  try {
    return Date.now() - statSync(lock).mtimeMs;
  } catch {
    return undefined;
  }
}

function pastStale(store: string, byMs: number): boolean {
  return (lockAgeMs(join(store, "state.lock")) ?? 0) > STALE_MS + byMs;
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function startedTask(store: string): string {
  const created = spawnCliSync(store, ["create", "-q", "report", "fetch", "write", "--start", "--agent", "a"]);
  expect(created.code, created.stderr).toBe(0);
  return created.stdout.trim();
}

function taskOf(store: string, id: string) {
  const r = spawnCliSync(store, ["status", id, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).data.task;
}

/** What both writers left: the heartbeat's message on the first step, the done's result and status. */
function outcome(store: string, id: string) {
  const task = taskOf(store, id);
  return { status: task.status, step: task.steps[0].message, result: task.result };
}

function doctorCodes(store: string): string[] {
  const r = spawnCliSync(store, ["doctor", "--json"]);
  return (JSON.parse(r.stdout).data.findings as { code: string; severity: string }[])
    .filter((f) => f.severity !== "info")
    .map((f) => f.code);
}

/** Starts `done` while the heartbeat is frozen; it must wait for the heartbeat's commit, not take the lock. */
function doneMeanwhile(store: string, id: string) {
  const child = spawn(process.execPath, [BIN, "done", id, "shipped"], { env: cleanEnv(store, { TASKPULSE_LOCK_WAIT: "90s" }) });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const result = new Promise<{ code: number | null; stderr: string }>((res) => child.on("close", (code) => res({ code, stderr })));
  return { child, result };
}

run("a writer frozen between its commit fence and its rename", () => {
  it.concurrent("a rename held 12 s by strace: the done run meanwhile waits and lands after the heartbeat", async () => {
    const store = tempDir();
    const id = startedTask(store);
    const hb = traced(store, ["heartbeat", id, "frozen heartbeat", "--progress", "40"], RENAMES, `${RENAMES}:delay_enter=12000000:when=1`);
    await waitFor("the heartbeat held at its rename", () => pausedWriter(store, "state.json"));
    const done = doneMeanwhile(store, id);
    // The heartbeat's lock goes past the stale time while it is still held at the rename (a lock that was taken
    // over meanwhile lets the done finish first).
    await waitFor("the lock older than the stale time", () => (pastStale(store, 0) || !isRunning(done.child) ? true : undefined));
    const [h, d] = await Promise.all([hb.result, done.result]);
    expect(h.code, h.stderr).toBe(0);
    expect(d.code, d.stderr).toBe(0);
    expect(outcome(store, id)).toEqual({ status: "done", step: "frozen heartbeat", result: "shipped" });
    expect(doctorCodes(store)).toEqual([]);
  });

  it.concurrent("a real SIGSTOP after the fence, SIGCONT after 12 s: nothing lost, the waiter never took the lock", async () => {
    const store = tempDir();
    const id = startedTask(store);
    // The fence's last syscall on state.json is the close after reading its head (the load before it closes it once).
    const hb = traced(
      store,
      ["heartbeat", id, "stopped heartbeat", "--progress", "40"],
      "close",
      "close:signal=SIGSTOP:when=2",
      join(store, "state.json"),
    );
    const pid = await waitFor("the heartbeat stopped after its fence", () => pausedWriter(store, "state.json"));
    const done = doneMeanwhile(store, id);
    await waitFor("the lock 2 s past the stale time", () => (pastStale(store, 2000) || !isRunning(done.child) ? true : undefined));
    // The old lock would have been taken over by now and the done acknowledged, only to be overwritten below.
    expect(isRunning(done.child)).toBe(true);
    expect(taskOf(store, id).status).toBe("running");
    process.kill(pid, "SIGCONT");
    const [h, d] = await Promise.all([hb.result, done.result]);
    expect(h.code, h.stderr).toBe(0);
    expect(d.code, d.stderr).toBe(0);
    expect(outcome(store, id)).toEqual({ status: "done", step: "stopped heartbeat", result: "shipped" });
    expect(doctorCodes(store)).toEqual([]);
  });

  it.concurrent("two `state update --incr`, one held at its rename: both increments land", async () => {
    const store = tempDir();
    expect(spawnCliSync(store, ["state", "set", "counters", '{"runs":0}']).code).toBe(0);
    const first = traced(store, ["state", "update", "counters", "--incr", "runs=1"], RENAMES, `${RENAMES}:delay_enter=12000000:when=1`);
    await waitFor("the first update held at its rename", () => pausedWriter(join(store, "state"), "counters.json"));
    const second = spawnCli(store, ["state", "update", "counters", "--incr", "runs=1"], { TASKPULSE_LOCK_WAIT: "90s" });
    const [a, b] = await Promise.all([first.result, second]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const doc = JSON.parse(spawnCliSync(store, ["state", "get", "counters", "--json"]).stdout).data;
    expect(doc.value).toEqual({ runs: 2 });
    expect(doc.rev).toBe(3);
  });

  it.concurrent("a writer that gives up on a stopped holder says so, and changed nothing", async () => {
    const store = tempDir();
    const id = startedTask(store);
    const hb = traced(store, ["heartbeat", id, "stopped heartbeat"], "close", "close:signal=SIGSTOP:when=2", join(store, "state.json"));
    const pid = await waitFor("the heartbeat stopped after its fence", () => pausedWriter(store, "state.json"));
    const seq = JSON.parse(readFileSync(join(store, "state.json"), "utf8")).seq;
    const gaveUp = await spawnCli(store, ["done", id], { TASKPULSE_LOCK_WAIT: "1s" });
    expect(gaveUp.code).toBe(5);
    expect(gaveUp.stderr).toContain(`pid ${pid}, is stopped`);
    expect(gaveUp.stderr).toContain(`kill -CONT ${pid}`);
    expect(JSON.parse(readFileSync(join(store, "state.json"), "utf8")).seq).toBe(seq);
    process.kill(pid, "SIGCONT");
    expect((await hb.result).code).toBe(0);
  });
});

run("a lock whose holder is gone", () => {
  it("is taken at once, without waiting for the stale time", async () => {
    const store = tempDir();
    const id = startedTask(store);
    // A holder killed with its lock held: the lock is fresh, but its process is gone.
    const hb = traced(store, ["heartbeat", id, "killed"], RENAMES, `${RENAMES}:delay_enter=60000000:when=1`);
    const pid = await waitFor("the heartbeat held at its rename", () => pausedWriter(store, "state.json"));
    process.kill(pid, "SIGKILL");
    hb.strace.kill("SIGKILL"); // strace itself would sit out its delay
    await hb.result;
    await waitFor("the killed holder gone", () => (existsSync(`/proc/${pid}`) ? undefined : true));
    // doctor names the killed writer's claim as stale (a repair would delete it; the next commit does anyway)
    const findings = JSON.parse(spawnCliSync(store, ["doctor", "--json"]).stdout).data.findings as { file?: string; severity: string }[];
    expect(findings.filter((f) => f.file?.startsWith(".state.json.next-")).map((f) => f.severity)).toEqual(["warning"]);
    // As fresh as a lock can be: only a takeover that judges the holder, not the lock's age, can take it.
    const now = new Date();
    utimesSync(join(store, "state.lock"), now, now);
    const next = await spawnCli(store, ["heartbeat", id, "after the kill"], { TASKPULSE_LOCK_WAIT: "1s" });
    expect(next.code, next.stderr).toBe(0);
    expect(outcome(store, id).step).toBe("after the kill");
    // The killed writer's claim on the state it read binds nobody (its writer is gone), and went with the next commit.
    expect(claims(store)).toEqual([]);
  });
});

/** The succession claims in a store (`.state.json.next-<txn>.<n>`, src/store/succession.ts). */
function claims(store: string): string[] {
  return readdirSync(store).filter((name) => name.startsWith(".state.json.next-"));
}

run("a writer between its fence and its rename whose lock was lost", () => {
  // However the lock is lost (a takeover that could not put a live lock back, a lock directory someone deleted), a
  // writer that passed its fence must not have its state overwritten, nor overwrite one acknowledged meanwhile.
  it("another writer that read the same state cannot commit a successor: it is refused (exit 5), nothing is lost", async () => {
    const store = tempDir();
    const id = startedTask(store);
    const other = spawnCliSync(store, ["create", "-q", "other", "--start", "--agent", "b"]).stdout.trim();
    const hb = traced(store, ["heartbeat", id, "held heartbeat", "--progress", "40"], RENAMES, `${RENAMES}:delay_enter=8000000:when=1`);
    await waitFor("the heartbeat held at its rename", () => pausedWriter(store, "state.json"));
    rmSync(join(store, "state.lock"), { recursive: true, force: true });
    // The state on disk is still the one the held writer read: without its claim, this commit would land and then
    // be overwritten by the held rename.
    const meanwhile = await spawnCli(store, ["heartbeat", other, "meanwhile", "--progress", "60"], { TASKPULSE_LOCK_WAIT: "5s" });
    expect(meanwhile.code, meanwhile.stderr).toBe(5);
    expect(isRunning(hb.strace)).toBe(true);
    const held = await hb.result;
    expect(held.code, held.stderr).toBe(0);
    expect(taskOf(store, id).progress).toBe(40);
    expect(taskOf(store, other).progress).toBeUndefined();
    expect(claims(store)).toEqual([]);
    expect(doctorCodes(store)).toEqual([]);
    // and the store goes on
    expect((await spawnCli(store, ["heartbeat", other, "after", "--progress", "70"])).code).toBe(0);
    expect(taskOf(store, other).progress).toBe(70);
  });
});
