// Soft stop and wait (issue 4). The exit codes of stop/check/heartbeat/next/ack are checked across separate spawned
// processes; the finer points (idempotence, ack without a request) in-process. `wait` runs as a real process and
// must return after the event through its change feed, not its polling interval, or at its timeout. No wall-clock
// bound decides a test: `wait` polls only every hour and times out after two, far beyond any test's timeout, so
// returning at all with the event's exit code can only come from the feed (a broken feed fails the test by its
// timeout). Readiness is seen in /proc (its inotify watch), not guessed with a sleep. Setup runs in-process to keep
// the suite fast.
import { describe, expect, it, onTestFinished } from "vitest";
import { cli, spawnCli, spawnCliSync, tempDir, until, watching } from "../support/helpers.ts";

/** wait's polling interval and timeout in these tests: longer than any test may run, so neither can end a wait. */
const NEVER = ["--interval", "1h", "--timeout", "2h"];

/** Runs the real binary synchronously with --json and parses its one JSON document. */
function tp(store: string, ...args: string[]) {
  const r = spawnCliSync(store, ["--json", ...args]);
  // biome-ignore lint/suspicious/noExplicitAny: JSON output is poked into freely
  let json: any;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { ...r, json };
}

/** In-process, with the real clock (as the spawned processes have). */
function inProc(store: string, ...argv: string[]) {
  return cli({ store, now: new Date().toISOString() }, "--json", ...argv);
}

async function createRunning(store: string, ...steps: string[]): Promise<string> {
  const r = await inProc(store, "--lang", "zh", "create", "部署", ...steps, "--start");
  expect(r.code).toBe(0);
  return r.json.data.task.id as string;
}

const statuses = (task: { steps: { status: string }[] }) => task.steps.map((s) => s.status);

describe("soft stop", () => {
  it("across processes: check 0 → stop → check 20; heartbeat records and exits 20; next records and exits 20; ack cancels", async () => {
    const store = tempDir();
    const id = await createRunning(store, "构建", "测试", "发布");

    const before = tp(store, "check", id);
    expect(before.code).toBe(0);
    expect(before.json.data).toMatchObject({ task: id, status: "running", stopRequested: false, stop: null });

    const stop = tp(store, "--agent", "anna", "--lang", "zh", "stop", id, "分支错了");
    expect(stop.code).toBe(0);
    expect(stop.json.data.repeated).toBe(false);
    expect(stop.json.data.stop).toMatchObject({ by: "anna", reason: "分支错了" });
    expect(stop.json.push.tool.message).toBe("✋ 【部署】已请求停止\n请求者: anna — 分支错了");

    const after = tp(store, "check", id);
    expect(after.code).toBe(20);
    expect(after.json.data.stopRequested).toBe(true);
    expect(after.json.data.stop).toMatchObject({ by: "anna", reason: "分支错了" });

    const hb = tp(store, "heartbeat", id, "编译中", "--progress", "40");
    expect(hb.code).toBe(20);
    expect(hb.json.ok).toBe(true);
    expect(hb.json.data.stopRequested).toBe(true);
    expect(hb.json.data.stop.reason).toBe("分支错了");
    expect(hb.json.data.task.progress).toBe(40); // recorded before exiting 20
    expect(hb.json.data.task.lastMessage).toBe("编译中");

    expect(hb.json.push).toBeNull(); // "in progress" is not news while a stop is pending

    const next = tp(store, "next", id, "构建完成"); // the safe boundary: the step may still be finished
    expect(next.code).toBe(20); // recorded, and it says the stop is pending
    expect(next.json.ok).toBe(true);
    expect(next.json.data.stopRequested).toBe(true);
    expect(statuses(next.json.data.task)).toEqual(["done", "running", "pending"]);
    const text = spawnCliSync(store, ["--lang", "zh", "next", id, "测试完成"]);
    expect(text.code).toBe(20);
    expect(text.stdout).toContain("✋ 已请求停止: 分支错了（完成当前步骤后执行 taskpulse ack");
    expect(tp(store, "check", id).code).toBe(20); // still pending until acknowledged

    const ack = tp(store, "--lang", "zh", "ack", id, "构建完成后停止，未发布");
    expect(ack.code).toBe(0);
    expect(ack.json.data.task).toMatchObject({ status: "cancelled", reason: "stopped on request", summary: "构建完成后停止，未发布" });
    expect(statuses(ack.json.data.task)).toEqual(["done", "done", "skipped"]);
    expect(ack.json.push.tool.message).toBe("⏹ 【部署】已按请求停止\n总结: 构建完成后停止，未发布");

    const ended = tp(store, "check", id);
    expect(ended.code).toBe(0);
    expect(ended.json.data).toMatchObject({ status: "cancelled", stopRequested: false });
    expect(tp(store, "heartbeat", id).code).toBe(4); // a finished task is never revived

    const actions = (await inProc(store, "log", id)).json.data.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(["ack", "step", "step", "stop", "create"]);
  });

  it("-q and plain output: check prints `stop`, heartbeat says what to do, both exit 20", async () => {
    const store = tempDir();
    const id = await createRunning(store, "a");
    await inProc(store, "stop", id, "wrong branch");
    const quiet = await cli({ store }, "-q", "check", id);
    expect(quiet.code).toBe(20);
    expect(quiet.stdout).toBe("stop\n");
    const plain = await cli({ store }, "--lang", "en", "heartbeat", id);
    expect(plain.code).toBe(20);
    expect(plain.stdout).toContain(`✋ stop requested: wrong branch (finish the current step, then: taskpulse ack ${id})`);
  });

  it("stop is idempotent: a second stop changes nothing, pushes nothing, writes no second audit entry", async () => {
    const store = tempDir();
    const id = await createRunning(store, "a");
    const first = tp(store, "stop", id, "first reason");
    expect(first.code).toBe(0);
    const second = tp(store, "--agent", "other", "stop", id, "second reason");
    expect(second.code).toBe(0);
    expect(second.json.data.repeated).toBe(true);
    expect(second.json.push).toBeNull();
    expect(second.json.data.stop).toEqual(first.json.data.stop); // the first request (who, when, why) is kept
    const entries = (await inProc(store, "log", id)).json.data.entries.filter((e: { action: string }) => e.action === "stop");
    expect(entries).toHaveLength(1);
    expect(entries[0].message).toBe("first reason");
  });

  it("ack without a request exits 4 and changes nothing; stop on a queued task exits 4", async () => {
    const store = tempDir();
    const id = await createRunning(store, "a");
    const ack = tp(store, "ack", id, "nothing to ack");
    expect(ack.code).toBe(4);
    expect(ack.json.ok).toBe(false);
    expect(ack.json.error.message).toContain("no stop request");
    expect((await inProc(store, "status", id)).json.data.task.status).toBe("running");
    const queued = (await inProc(store, "create", "later")).json.data.task.id;
    expect((await inProc(store, "stop", queued)).code).toBe(4);
    expect((await inProc(store, "check", queued)).code).toBe(0);
  });
});

describe("wait", () => {
  /**
   * Starts `taskpulse wait` as a process (by default re-checking only every hour, so coming back at all must be the
   * change feed's doing), waits until its feed is watching the store, makes the change, and waits for wait's exit.
   * A wait still running when the test ends (it timed out) is killed.
   */
  async function waitFor(args: string[], event: (store: string, id: string) => Promise<void>) {
    const store = tempDir();
    const id = await createRunning(store, "a", "b");
    const waiting = spawnCli(store, ["--json", "wait", id, ...NEVER, ...args]);
    onTestFinished(() => {
      try {
        process.kill(waiting.pid, "SIGKILL");
      } catch {
        // exited
      }
    });
    await until("wait watches the store", () => watching(waiting.pid));
    await event(store, id);
    const r = await waiting;
    return { ...r, json: JSON.parse(r.stdout) };
  }

  const ok = async (p: ReturnType<typeof inProc>) => expect((await p).code).toBe(0);

  it("returns 0 when the task is done, woken by the change", async () => {
    const r = await waitFor([], (store, id) => ok(inProc(store, "done", id, "ok")));
    expect(r.code).toBe(0);
    expect(r.json.data.reason).toBe("done");
    expect(r.json.data.task.status).toBe("done");
  });

  it("returns 7 when the task failed, woken by the change", async () => {
    const r = await waitFor([], (store, id) => ok(inProc(store, "fail", id, "boom")));
    expect(r.code).toBe(7);
    expect(r.json.data.reason).toBe("failed");
  });

  it("returns 8 when the task was cancelled (here by an acknowledged stop), woken by the change", async () => {
    const r = await waitFor([], async (store, id) => {
      await ok(inProc(store, "stop", id));
      await ok(inProc(store, "ack", id, "stopped"));
    });
    expect(r.code).toBe(8);
    expect(r.json.data.reason).toBe("cancelled");
    expect(r.json.data.task.reason).toBe("stopped on request");
  });

  it("keeps waiting through progress that does not finish the task, then times out with 9", async () => {
    const r = await waitFor(["--timeout", "3s"], async (store, id) => {
      await ok(inProc(store, "next", id));
      await ok(inProc(store, "heartbeat", id, "x"));
    });
    expect(r.code).toBe(9);
    expect(r.json.data.reason).toBe("timeout");
    expect(r.json.data.task.status).toBe("running");
  });

  it("exits 9 at the timeout, not before it and not at the next poll", async () => {
    const store = tempDir();
    const id = await createRunning(store, "a");
    // the next poll is an hour away: exiting at all means at the timeout
    const r = await spawnCli(store, ["--json", "wait", id, "--timeout", "400ms", "--interval", "1h"]);
    expect(r.code).toBe(9);
    const json = JSON.parse(r.stdout);
    expect(json.data.reason).toBe("timeout");
    expect(json.data.waitedMs).toBeGreaterThanOrEqual(400); // by wait's own clock: not before the timeout
    const quiet = await cli({ store }, "-q", "wait", id, "--timeout", "100ms");
    expect(quiet.code).toBe(9);
    expect(quiet.stdout).toBe("timeout\n");
  });

  it("--stop returns 20 when a stop is requested, woken by the change", async () => {
    const r = await waitFor(["--stop"], (store, id) => ok(inProc(store, "stop", id, "please")));
    expect(r.code).toBe(20);
    expect(r.json.data.reason).toBe("stop_requested");
    expect(r.json.data.task.stop.reason).toBe("please");
  });

  it("--stop returns 0 on timeout, and at once for a task that already ended", async () => {
    const store = tempDir();
    const id = await createRunning(store, "a");
    const timedOut = await spawnCli(store, ["--json", "wait", id, "--stop", "--timeout", "300ms"]);
    expect(timedOut.code).toBe(0);
    expect(JSON.parse(timedOut.stdout).data.reason).toBe("timeout");
    await ok(inProc(store, "done", id));
    // at the first look: nothing changes the store from here on, and the next poll is an hour away
    const ended = await inProc(store, "wait", id, "--stop", ...NEVER);
    expect(ended.code).toBe(0);
    expect(ended.json.data.reason).toBe("done");
    const already = await inProc(store, "wait", id, ...NEVER);
    expect(already.code).toBe(0);
    expect(already.json.data.reason).toBe("done");
  });

  it("an unknown id exits 3; a too short interval exits 2", async () => {
    const store = tempDir();
    await createRunning(store, "a");
    expect((await inProc(store, "wait", "zzzzzz", "--timeout", "1s")).code).toBe(3);
    expect((await inProc(store, "wait", "zzzzzz", "--interval", "10ms")).code).toBe(2);
  });
});
