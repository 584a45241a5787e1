// A cron job's run as three steps, so that the two transactions and the exit-code policy can be driven without a
// process (test/app/run-job.test.ts):
//   1. recordRunStart: the run is recorded as started (under the store lock) before the command begins, so a
//      wrapper that is killed leaves a trace the next call counts (lost runs of the job are counted here too);
//   2. the command runs (run-job-execute.ts: src/jobs/runner.ts spawns it);
//   3. recordRunResult: the result is recorded, streaks and the alert episode move, and the due notification, the
//      push, the text to announce and the exit status are decided.
import { ConflictError, EXIT, StoreBusyError, StoreCorruptError, TaskpulseError, UsageError } from "../core/errors.ts";
import { newId, newRunId } from "../core/ids.ts";
import type { Failure, Job, OpenRun, RunRecord, RunRecordOf } from "../core/job-model.ts";
import { JOB_LIMITS } from "../core/job-model.ts";
import {
  announceText,
  configureJob,
  finishRun,
  type JobNotification,
  lastLine,
  mergeNotifications,
  newJob,
  openRun,
} from "../core/jobs.ts";
import { completeTask, createTask, failTask } from "../core/lifecycle.ts";
import type { Route } from "../core/model.ts";
import { shorten } from "../core/names.ts";
import type { Push } from "../core/push.ts";
import { parseDuration } from "../core/time.ts";
import { selfIdentity } from "../jobs/proc.ts";
import { exitCodeOf, type RunReport } from "../jobs/runner.ts";
import type { StoreTx } from "../store/store.ts";
import type { Ctx } from "./context.ts";
import { effectiveRoute, jobPush, parseCount, reapInTx, validateJob } from "./jobs.ts";
import { actorOf, commitChange } from "./tasks.ts";

export interface RunJobOptions {
  job?: string;
  timeout?: string;
  killAfter?: string;
  /** Also track the run as a task. */
  task?: boolean;
  /** The run's stdout is what OpenClaw announces: exit 0 once recorded, unless `exitCode`. */
  announce?: boolean;
  exitCode?: boolean;
  alertAfter?: string;
  remindEvery?: string;
}

const ARG_MAX = 1000;
const ARGS_MAX = 200;

/** A run about to start: what was asked, checked, and the records that will say it started. */
export interface RunPlan {
  jobId: string;
  argv: string[];
  timeoutMs: number | undefined;
  killGraceMs: number | undefined;
  config: { alertAfter: number | undefined; remindEvery: number | undefined; route: Route };
  task: boolean;
  announce: boolean;
  exitCode: boolean;
  runId: string;
  startedAt: string;
  open: OpenRun;
  startedRecord: RunRecordOf<"started">;
}

/** The start as recorded: the job with the run open, a notification for runs counted as lost, the task (--task). */
export interface RunStarted {
  job: Job;
  notification: JobNotification | undefined;
  lost: string[];
  task: string | undefined;
}

/** The start could not be recorded, so the job was not run: why (one line), and the store's exit status. */
export interface RunNotStarted {
  notRun: string;
  exitCode: number;
  /** The error to report when the caller does not print the line itself. */
  error: StoreBusyError | StoreCorruptError;
}

/** What was asked, checked before the store is touched. */
type RunRequest = Pick<RunPlan, "jobId" | "argv" | "timeoutMs" | "killGraceMs" | "config" | "task" | "announce" | "exitCode">;

function checkRunRequest(ctx: Ctx, argv: string[], opts: RunJobOptions): RunRequest {
  const jobId = validateJob(opts.job ?? "");
  if (argv.length === 0 || argv[0] === "") throw new UsageError("run needs a command", "taskpulse run --job <id> -- <command> [args…]");
  if (argv.length > ARGS_MAX) throw new UsageError(`too many arguments (${argv.length}, at most ${ARGS_MAX})`);
  const timeoutMs = opts.timeout === undefined ? undefined : parseDuration(opts.timeout, "--timeout");
  if (timeoutMs !== undefined && timeoutMs <= 0) throw new UsageError("--timeout must be more than zero");
  const killGraceMs = opts.killAfter === undefined ? undefined : parseDuration(opts.killAfter, "--kill-after");
  const config = {
    alertAfter: parseCount(opts.alertAfter, "--alert-after", 1, 1000),
    remindEvery: parseCount(opts.remindEvery, "--remind-every", 0, 1000),
    // The global --channel/--target/--account/--thread of this call; kept for the job.
    route: ctx.route,
  };
  return {
    jobId,
    argv,
    timeoutMs,
    killGraceMs,
    config,
    task: opts.task === true,
    announce: opts.announce === true,
    exitCode: opts.exitCode === true,
  };
}

/** Names the run, at `ctx.now` (the store's clock once connected: PostgreSQL's server, as every time it keeps). */
function planRun(ctx: Ctx, request: RunRequest): RunPlan {
  const { argv, timeoutMs } = request;
  const identity = selfIdentity();
  const runId = newRunId(ctx.now, ctx.deps.random);
  const startedAt = ctx.now.toISOString();
  const commandText = shorten(argv.map((a) => (/\s/.test(a) || a === "" ? JSON.stringify(a) : a)).join(" "), JOB_LIMITS.commandText);
  const open: OpenRun = { id: runId, startedAt, pid: identity.pid, host: identity.host, command: commandText };
  if (identity.pidStart !== undefined) open.pidStart = identity.pidStart;
  if (timeoutMs !== undefined) open.timeoutMs = timeoutMs;
  const startedRecord: RunRecordOf<"started"> = {
    v: 1,
    kind: "started",
    run: runId,
    at: startedAt,
    pid: identity.pid,
    host: identity.host,
    argv: argv.map((a) => shorten(a, ARG_MAX)),
    agent: ctx.agent,
  };
  if (timeoutMs !== undefined) startedRecord.timeoutMs = timeoutMs;
  return { ...request, runId, startedAt, open, startedRecord };
}

/**
 * Step 1: connects to the store (moving `ctx.now` to its clock), then plans the run and records its start. A store
 * that cannot record it stops the run before the job begins (issue 18): a run nobody can see, count or alert on is
 * worse than a job that waits for its next schedule with the store's exit status (5: busy, run again; 6: damaged or
 * not writable, see `taskpulse doctor`).
 */
export async function recordRunStart(
  ctx: Ctx,
  argv: string[],
  opts: RunJobOptions,
): Promise<{ plan: RunPlan; started: RunStarted } | { plan: RunPlan; notStarted: RunNotStarted }> {
  const request = checkRunRequest(ctx, argv, opts);
  const store = ctx.store("run");
  // A store that cannot be reached is reported below, as a start that could not be recorded.
  const unreachable = await ctx.syncClock("run").then(
    () => undefined,
    (err: unknown) => err ?? new Error("the store could not be reached"),
  );
  const plan = planRun(ctx, request);
  const { jobId, runId } = plan;
  try {
    if (unreachable !== undefined) throw unreachable;
    const started = await store.transaction((tx): RunStarted => {
      const existing = tx.job(jobId);
      const reaped = existing ? reapInTx(ctx, tx, existing) : undefined;
      let job = configureJob(reaped?.job ?? newJob(jobId, ctx.now), plan.config);
      const task = plan.task ? createRunTask(ctx, tx, plan) : undefined;
      job = openRun(job, task ? { ...plan.open, task } : plan.open, ctx.now);
      tx.putJob(job);
      tx.appendRun(jobId, task ? { ...plan.startedRecord, task } : plan.startedRecord);
      return { job, notification: reaped?.notification, lost: reaped?.lost.map((r) => r.id) ?? [], task };
    });
    return { plan, started };
  } catch (err) {
    if (!isStoreTrouble(err)) throw err;
    const line = `could not record the start of run ${runId}: ${(err as Error).message}; the job was not run`;
    const busy = err instanceof StoreBusyError;
    const hint =
      err instanceof TaskpulseError ? err.hint : "check the store directory's permissions and free space, then run `taskpulse doctor`";
    return {
      plan,
      notStarted: {
        notRun: line,
        exitCode: busy ? EXIT.busy : EXIT.corrupt,
        error: busy ? new StoreBusyError(line, hint) : new StoreCorruptError(line, hint),
      },
    };
  }
}

function createRunTask(ctx: Ctx, tx: StoreTx, plan: RunPlan): string {
  const seq = tx.nextCounter();
  const id = newId(seq, ctx.deps.random);
  const change = createTask(
    {
      id,
      seq,
      agent: ctx.agent,
      name: plan.jobId,
      description: plan.open.command,
      priority: 5,
      steps: [],
      tags: ["cron"],
      after: [],
      meta: { job: plan.jobId, run: plan.runId },
      maxRetries: 0,
      notify: "silent",
      start: true,
    },
    actorOf(ctx),
  );
  commitChange(ctx, tx, undefined, change);
  return id;
}

/** What a finished run amounts to: its records written (or not), the notification due, and the exit status. */
export interface RunResult {
  job: Job | undefined;
  finishedAt: string;
  failure: Failure | undefined;
  outcome: "success" | "failed";
  notification: JobNotification | undefined;
  push: Push | null;
  /** What chat should see: the alert or recovery, else the job's captured output, else NO_REPLY. */
  announce: string;
  route: Route;
  exitCode: number;
  /** Recording the result failed (the exit status says so too). */
  storeError: Error | undefined;
  recorded: boolean;
  warnings: string[];
}

/** Step 3: records the result of a run whose start `started` recorded, and decides what is due. */
export async function recordRunResult(ctx: Ctx, plan: RunPlan, started: RunStarted, report: RunReport): Promise<RunResult> {
  const { jobId, runId, startedAt } = plan;
  const finishedAt = new Date(ctx.now.getTime() + report.durationMs);
  const failure = failureOf(report, plan.timeoutMs);
  const outcome = failure ? "failed" : "success";
  const finishedRecord: RunRecord = {
    v: 1,
    kind: "finished",
    run: runId,
    at: finishedAt.toISOString(),
    startedAt,
    durationMs: report.durationMs,
    outcome,
    exitCode: report.exitCode,
    signal: report.signal,
    stdout: report.stdout,
    stderr: report.stderr,
  };
  if (failure) finishedRecord.failure = failure;

  const warnings: string[] = [];
  let storeError: Error | undefined;
  let finished: { job: Job; notification: JobNotification | undefined; late: boolean } | undefined;
  try {
    const result = await ctx.store("run").transaction((tx) => {
      let job = tx.job(jobId);
      if (!job) {
        // the job is gone (removed meanwhile): open and finish the run in one go, so it still counts
        job = openRun(configureJob(newJob(jobId, finishedAt), plan.config), plan.open, finishedAt);
        tx.appendRun(jobId, plan.startedRecord);
      }
      const result = finishRun(
        job,
        { id: runId, startedAt, finishedAt: finishedAt.toISOString(), durationMs: report.durationMs, outcome, failure },
        finishedAt,
      );
      tx.putJob(result.job);
      tx.appendRun(jobId, result.late ? { ...finishedRecord, late: true } : finishedRecord);
      const taskWarning = started.task ? finishRunTask(ctx, tx, started.task, failure, report) : undefined;
      return { ...result, taskWarning };
    });
    finished = result;
    if (result.taskWarning) warnings.push(result.taskWarning);
  } catch (e) {
    if (!isStoreTrouble(e)) throw e;
    storeError = e as Error;
    warnings.push(`could not record the result of run ${runId}: ${(e as Error).message}`);
  }

  const notification = mergeNotifications(started.notification, finished?.notification);
  const job = finished?.job ?? started.job;
  if (finished?.late) warnings.push(`run ${runId} had already been counted as lost; its result is recorded but not counted again`);
  return {
    job,
    finishedAt: finishedAt.toISOString(),
    failure,
    outcome,
    notification,
    push: jobPush(ctx, job, notification, plan.config.route),
    announce: announceText({ notification, outcome, stdout: report.captured, lang: ctx.lang }),
    route: effectiveRoute(ctx, job, plan.config.route),
    exitCode: runExitCode(plan, report, failure, storeError),
    storeError,
    recorded: finished !== undefined,
    warnings,
  };
}

/**
 * The exit status of `run`: the job's own (its exit code, 124 timed out, 128+n signal n, 127/126 not started), or 0
 * with --announce once recorded (OpenClaw would otherwise add its own failure alerts and retries) unless
 * --exit-code. A result that could not be recorded says so by the store's status even when the job succeeded.
 */
function runExitCode(
  plan: Pick<RunPlan, "announce" | "exitCode">,
  report: RunReport,
  failure: Failure | undefined,
  storeError: Error | undefined,
): number {
  const jobExit = failure ? exitCodeOf(report) : EXIT.ok;
  const exitCode = plan.announce && !plan.exitCode ? EXIT.ok : jobExit;
  if (storeError && exitCode === EXIT.ok) return storeError instanceof TaskpulseError ? storeError.exitCode : EXIT.internal;
  return exitCode;
}

function failureOf(report: RunReport, timeoutMs: number | undefined): Failure | undefined {
  const line = lastLine(report.stderr.tail) ?? lastLine(report.stdout.tail);
  const withLine = (f: Failure): Failure => (line !== undefined ? { ...f, line } : f);
  if (report.spawnError) return { cause: "spawn", line: shorten(report.spawnError.message, JOB_LIMITS.errorLine) };
  if (report.timedOut) {
    const f: Failure = withLine({ cause: "timeout" });
    if (timeoutMs !== undefined) f.timeoutMs = timeoutMs;
    return f;
  }
  if (report.signal) return withLine({ cause: "signal", signal: report.signal });
  if (report.exitCode !== 0) return withLine({ cause: "exit", exitCode: report.exitCode ?? 1 });
  return undefined;
}

function finishRunTask(ctx: Ctx, tx: StoreTx, taskId: string, failure: Failure | undefined, report: RunReport): string | undefined {
  const task = tx.get(taskId);
  if (task?.status !== "running") return `task ${taskId} is ${task?.status ?? "gone"}; the run's result is not applied to it`;
  const change = failure
    ? failTask(task, lastLine(report.stderr.tail) ?? `exit ${exitCodeOf(report)}`, false, actorOf(ctx))
    : completeTask(task, lastLine(report.stdout.tail), actorOf(ctx));
  commitChange(ctx, tx, task, change);
  return undefined;
}

/** Trouble with the store itself (busy, corrupt, disk): the job still runs. Usage errors and conflicts stop it. */
function isStoreTrouble(err: unknown): boolean {
  if (err instanceof StoreBusyError || err instanceof StoreCorruptError) return true;
  if (err instanceof TaskpulseError || err instanceof ConflictError) return false;
  return typeof (err as NodeJS.ErrnoException)?.code === "string";
}
