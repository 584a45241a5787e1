// Step 3 of a cron job's run (run-job.ts): the result is recorded in one transaction (the run's record, the job's
// streaks and alert episode, the --task task), then the notification, push, announcement and exit status decided.
import { EXIT, TaskpulseError } from "../core/errors.ts";
import type { Failure, Job, RunRecord } from "../core/job-model.ts";
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
import { completeTask, failTask } from "../core/lifecycle.ts";
import type { Route } from "../core/model.ts";
import { shorten } from "../core/names.ts";
import type { Push } from "../core/push.ts";
import { exitCodeOf, type RunReport } from "../jobs/runner.ts";
import type { StoreTx } from "../store/store.ts";
import type { Ctx } from "./context.ts";
import { effectiveRoute, jobPush } from "./jobs.ts";
import { isStoreTrouble, type RunPlan, type RunStarted } from "./run-job.ts";
import { actorOf, commitChange } from "./tasks.ts";

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
