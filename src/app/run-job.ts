// A cron job's run as three steps, so that the two transactions and the exit-code policy can be driven without a
// process (test/app/run-job.test.ts):
//   1. recordRunStart: the run is recorded as started (under the store lock) before the command begins, so a
//      wrapper that is killed leaves a trace the next call counts (lost runs of the job are counted here too);
//   2. the command runs (run-job-execute.ts: src/jobs/runner.ts spawns it);
//   3. recordRunResult (run-result.ts): the result is recorded, streaks and the alert episode move, and the due notification, the
//      push, the text to announce and the exit status are decided.
import { ConflictError, EXIT, StoreBusyError, StoreCorruptError, TaskpulseError, UsageError } from "../core/errors.ts";
import { newId, newRunId } from "../core/ids.ts";
import type { Job, OpenRun, RunRecordOf } from "../core/job-model.ts";
import { JOB_LIMITS } from "../core/job-model.ts";
import { configureJob, type JobNotification, newJob, openRun } from "../core/jobs.ts";
import { createTask } from "../core/lifecycle.ts";
import type { Route } from "../core/model.ts";
import { shorten } from "../core/names.ts";
import { parseDuration, timerDuration } from "../core/time.ts";
import { selfIdentity } from "../jobs/proc.ts";
import type { StoreTx } from "../store/store.ts";
import type { Ctx } from "./context.ts";
import { parseCount, reapInTx, validateJob } from "./jobs.ts";
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
  const timeoutMs = opts.timeout === undefined ? undefined : timerDuration(opts.timeout, "--timeout", 0);
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

/** Trouble with the store itself (busy, corrupt, disk): the job still runs. Usage errors and conflicts stop it. */
export function isStoreTrouble(err: unknown): boolean {
  if (err instanceof StoreBusyError || err instanceof StoreCorruptError) return true;
  if (err instanceof TaskpulseError || err instanceof ConflictError) return false;
  return typeof (err as NodeJS.ErrnoException)?.code === "string";
}
