// The job runner's use case without a process: record-start and record-result (src/app/run-job.ts, run-result.ts),
// driven in-process on a real JSON store in a temporary directory, with the command's report made up. No child
// process is spawned: node:child_process is mocked to fail the test if anything tries.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { createContext } from "../../src/app/context.ts";
import type { Deps } from "../../src/app/deps.ts";
import { type RunJobOptions, recordRunStart } from "../../src/app/run-job.ts";
import { recordRunResult } from "../../src/app/run-result.ts";
import { EXIT } from "../../src/core/errors.ts";
import type { RunReport } from "../../src/jobs/runner.ts";
import { openStore } from "../../src/store/open-store.ts";
import { appDeps, tempDir } from "../support/helpers.ts";

vi.mock("node:child_process", () => {
  const refuse = () => {
    throw new Error("a process was spawned");
  };
  return { spawn: refuse, spawnSync: refuse, execFile: refuse, execFileSync: refuse, exec: refuse, execSync: refuse };
});

const T0 = Date.parse("2026-05-01T02:00:00Z");

function deps(store: string, minute: number): Deps {
  return appDeps(store, new Date(T0 + minute * 60_000));
}

/** What the runner would report for a command that exited with `exitCode` after 1.5 s. */
function report(exitCode: number, stderr = ""): RunReport {
  return {
    pid: 4242,
    exitCode,
    signal: null,
    timedOut: false,
    interrupted: undefined,
    spawnError: undefined,
    durationMs: 1500,
    stdout: { tail: "", bytes: 0, truncated: false },
    stderr: { tail: stderr, bytes: Buffer.byteLength(stderr), truncated: false },
    captured: "",
    capturedTruncated: false,
  };
}

/** One run of job `nightly`, start and result recorded, at `minute` past T0. */
async function runOnce(store: string, minute: number, exitCode: number, opts: Omit<RunJobOptions, "job"> = {}) {
  const ctx = createContext({ agent: "cron" }, deps(store, minute));
  try {
    const start = await recordRunStart(ctx, ["./nightly.sh"], { job: "nightly", ...opts });
    if (!("started" in start)) throw new Error(`start not recorded: ${start.notStarted.notRun}`);
    const result = await recordRunResult(
      ctx,
      start.plan,
      start.started,
      report(exitCode, exitCode === 0 ? "" : "db: connection refused\n"),
    );
    return { ...start, result };
  } finally {
    await ctx.close();
  }
}

describe("run, record-start and record-result in-process", () => {
  it("records the start before any command runs: the run is open in the store", async () => {
    const store = tempDir();
    const ctx = createContext({ agent: "cron" }, deps(store, 0));
    const start = await recordRunStart(ctx, ["./nightly.sh", "--full"], { job: "nightly", timeout: "10m" });
    await ctx.close();
    if (!("started" in start)) throw new Error("start not recorded");
    const read = openStore(store, { lockWaitMs: 15_000, owner: { agent: "test", command: "read" } });
    const job = (await read.read()).job("nightly");
    expect(job?.open.map((r) => r.id)).toEqual([start.plan.runId]);
    expect(job?.open[0]?.timeoutMs).toBe(600_000);
    const records = await read.runRecords("nightly");
    expect(records.map((r) => r.kind)).toEqual(["started"]);
    await read.close();
  });

  it("opens one alert at the third failure in a row, and says so once; a success recovers", async () => {
    const store = tempDir();
    const first = await runOnce(store, 0, 2);
    const second = await runOnce(store, 10, 2);
    expect(first.result.notification).toBeUndefined();
    expect(second.result.notification).toBeUndefined();
    expect(second.result.push).toBeNull();

    const third = await runOnce(store, 20, 2);
    expect(third.result.notification).toMatchObject({ kind: "alert", job: "nightly", failures: 3, reminder: false });
    expect(third.result.failure).toMatchObject({ cause: "exit", exitCode: 2, line: "db: connection refused" });
    expect(third.result.push).not.toBeNull();
    expect(third.result.announce).toContain("nightly");
    expect(third.result.job?.failures).toBe(3);
    expect(third.result.recorded).toBe(true);

    const fourth = await runOnce(store, 30, 2);
    expect(fourth.result.notification).toBeUndefined();

    const back = await runOnce(store, 40, 0);
    expect(back.result.notification).toMatchObject({ kind: "recovery", failures: 4 });
    expect(back.result.exitCode).toBe(EXIT.ok);

    const read = openStore(store, { lockWaitMs: 15_000, owner: { agent: "test", command: "read" } });
    const job = (await read.read()).job("nightly");
    expect(job?.open).toEqual([]);
    expect(job?.alert).toBeUndefined();
    expect(job?.lastAlert?.failures).toBe(4);
    const kinds = (await read.runRecords("nightly")).map((r) => r.kind);
    expect(kinds.filter((k) => k === "finished")).toHaveLength(5);
    await read.close();
  });

  it("exit status: the job's own; 0 with --announce once recorded; the job's again with --exit-code", async () => {
    const store = tempDir();
    expect((await runOnce(store, 0, 3)).result.exitCode).toBe(3);
    expect((await runOnce(store, 1, 3, { announce: true })).result.exitCode).toBe(EXIT.ok);
    expect((await runOnce(store, 2, 3, { announce: true, exitCode: true })).result.exitCode).toBe(3);
    expect((await runOnce(store, 3, 0, { announce: true, exitCode: true })).result.exitCode).toBe(EXIT.ok);
  });

  it("--alert-after is kept for the job, and --task tracks the run as a task that fails with it", async () => {
    const store = tempDir();
    const run = await runOnce(store, 0, 1, { alertAfter: "1", task: true });
    expect(run.result.notification).toMatchObject({ kind: "alert", failures: 1 });
    const taskId = run.started.task;
    expect(taskId).toBeDefined();
    const read = openStore(store, { lockWaitMs: 15_000, owner: { agent: "test", command: "read" } });
    const snapshot = await read.read();
    expect(snapshot.job("nightly")?.alertAfter).toBe(1);
    expect(snapshot.get(taskId as string)).toMatchObject({ status: "failed", error: "db: connection refused" });
    await read.close();
  });

  it("a corrupt store cannot record the start, so the run stops: exit 6, and the line that says so", async () => {
    const store = tempDir();
    writeFileSync(join(store, "state.json"), "{ not json", { mode: 0o600 });
    const ctx = createContext({ agent: "cron" }, deps(store, 0));
    const start = await recordRunStart(ctx, ["./nightly.sh"], { job: "nightly" });
    await ctx.close();
    if (!("notStarted" in start)) throw new Error("the start was recorded in a corrupt store");
    expect(start.notStarted.exitCode).toBe(EXIT.corrupt);
    expect(start.notStarted.notRun).toMatch(new RegExp(`^could not record the start of run ${start.plan.runId}: .*; the job was not run$`));
    expect(start.notStarted.error.exitCode).toBe(EXIT.corrupt);
  });

  it("a usage error stops the run before the store is touched", async () => {
    const store = tempDir();
    const ctx = createContext({ agent: "cron" }, deps(store, 0));
    await expect(recordRunStart(ctx, [], { job: "nightly" })).rejects.toThrow(/run needs a command/);
    await expect(recordRunStart(ctx, ["x"], { job: "nightly", timeout: "0s" })).rejects.toThrow(/--timeout/);
    await ctx.close();
  });
});
