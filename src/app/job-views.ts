// The cron-job read and record use cases: the job list, one job with its recent runs, the open alerts, and a
// delivery record. Each counts runs whose wrapper died first (jobs.ts reapAll), and returns data.
import { EXIT, NotFoundError, UsageError } from "../core/errors.ts";
import {
  deliveryStatusSchema,
  type Failure,
  JOB_LIMITS,
  type Job,
  type OpenRun,
  type RunRecord,
  type RunRecordOf,
} from "../core/job-model.ts";
import { describeFailure, type JobHealth, jobHealth, recordDelivery } from "../core/jobs.ts";
import { byName, cleanName, cleanText, printable, shorten } from "../core/names.ts";
import type { Push } from "../core/push.ts";
import { followRun, recordsWithResult } from "../jobs/follow.ts";
import type { Ctx } from "./context.ts";
import { findJob, parseCount, type ReapSummary, reapAll, validateJob } from "./jobs.ts";

export interface RunView {
  id: string;
  started?: RunRecordOf<"started">;
  finished?: RunRecordOf<"finished">;
  lost?: RunRecordOf<"lost">;
  deliveries: RunRecordOf<"delivery">[];
}

/** Groups a job's records by run, newest first. */
function runViews(records: readonly RunRecord[]): RunView[] {
  const byId = new Map<string, RunView>();
  for (const r of records) {
    let view = byId.get(r.run);
    if (!view) {
      view = { id: r.run, deliveries: [] };
      byId.set(r.run, view);
    }
    if (r.kind === "delivery") view.deliveries.push(r);
    else if (r.kind === "started") view.started = r;
    else if (r.kind === "finished") view.finished = r;
    else view.lost = r;
  }
  return [...byId.values()].reverse();
}

/** Every job, by name, with its health; and the runs counted as lost on the way. */
export async function jobList(
  ctx: Ctx,
): Promise<{ jobs: (Job & { health: JobHealth })[]; lost: ReapSummary["lost"]; reaped: ReapSummary }> {
  const { snapshot, reaped } = await reapAll(ctx, "jobs");
  const jobs = Object.values(snapshot.jobs).sort((a, b) => byName(a.id, b.id));
  return { jobs: jobs.map((job) => ({ ...job, health: jobHealth(job) })), lost: reaped.lost, reaped };
}

/** One job with its `runs` newest runs (default 10); `lines`: output lines per stream and run to show (default 10). */
export async function jobDetail(
  ctx: Ctx,
  id: string,
  opts: { runs?: string | undefined; lines?: string | undefined },
): Promise<{ job: Job & { health: JobHealth }; runs: RunView[]; tailLines: number; reaped: ReapSummary }> {
  const jobId = validateJob(id);
  const limit = parseCount(opts.runs, "--runs", 1, 200) ?? 10;
  const tailLines = parseCount(opts.lines, "--lines", 0, 1000) ?? 10;
  const { snapshot, reaped } = await reapAll(ctx, "jobs", jobId);
  const job = findJob(snapshot, jobId);
  const runs = runViews(await ctx.store("jobs").runRecords(jobId)).slice(0, limit);
  return { job: { ...job, health: jobHealth(job) }, runs, tailLines, reaped };
}

export interface JobAlert {
  job: string;
  episode: string | undefined;
  openedAt: string | undefined;
  updatedAt: string | undefined;
  failures: number | undefined;
  lastError: string | null;
  lastFailure: Failure | undefined;
  suggestDisable: boolean;
}

/** The open alert episodes, and the jobs whose last notification could not be delivered. */
export async function jobAlerts(ctx: Ctx) {
  const { snapshot, reaped } = await reapAll(ctx, "alerts");
  const jobs = Object.values(snapshot.jobs).sort((a, b) => byName(a.id, b.id));
  const open = jobs.filter((job) => job.alert);
  const undelivered = jobs.filter((job) => job.delivery?.status === "failed");
  const data = {
    alerts: open.map(
      (job): JobAlert => ({
        job: job.id,
        episode: job.alert?.episode,
        openedAt: job.alert?.openedAt,
        updatedAt: job.alert?.updatedAt,
        failures: job.alert?.failures,
        lastError: job.alert ? describeFailure(job.alert.lastFailure, ctx.lang) : null,
        lastFailure: job.alert?.lastFailure,
        suggestDisable: (job.alert?.failures ?? 0) >= JOB_LIMITS.disableAfter,
      }),
    ),
    deliveryFailures: undelivered.map((job) => ({ job: job.id, ...job.delivery })),
    lost: reaped.lost,
  };
  return { data, open, undelivered, reaped };
}

/**
 * Records whether a job's notification reached chat (`statusText`: sent, the default, or failed), attached to the
 * job's last finished run or to `run`. Failed deliveries have their own streak.
 */
export async function recordJobDelivery(
  ctx: Ctx,
  jobArg: string,
  messageIdArg: string,
  statusText: string | undefined,
  errorText: string,
  opts: { run?: string },
) {
  const jobId = validateJob(jobArg);
  const messageId = shorten(cleanName(messageIdArg, "message id"), 200);
  const parsed = deliveryStatusSchema.safeParse(statusText ?? "sent");
  if (!parsed.success) throw new UsageError(`invalid delivery status '${printable(statusText ?? "")}'`, "use sent or failed");
  const status = parsed.data;
  const error = cleanText(errorText, "error").trim() || undefined;
  if (error && status === "sent")
    throw new UsageError("an error text goes with `failed`", `taskpulse delivery ${jobId} ${messageId} failed "<error>"`);
  const store = ctx.store("delivery");
  const runs = opts.run === undefined ? undefined : new Set((await store.runRecords(jobId)).map((r) => r.run));
  const job = await store.transaction((tx) => {
    const job = findJob(tx, jobId);
    const run = opts.run ?? job.lastRun?.id;
    if (run === undefined) {
      throw new NotFoundError(
        `job ${jobId} has no finished run to attach a delivery to`,
        "record deliveries after `taskpulse run` finished",
      );
    }
    if (opts.run !== undefined && !runs?.has(run) && job.lastRun?.id !== run && !job.open.some((r) => r.id === run)) {
      throw new NotFoundError(`job ${jobId} has no run '${printable(run)}'`, `see \`taskpulse jobs ${jobId}\``);
    }
    const next = recordDelivery(job, { run, messageId, status, error }, ctx.now);
    tx.putJob(next);
    const record = { v: 1 as const, kind: "delivery" as const, run, at: ctx.now.toISOString(), messageId, status };
    tx.appendRun(jobId, error ? { ...record, error: shorten(error, JOB_LIMITS.errorLine) } : record);
    return next;
  });
  return { jobId, messageId, status, job, delivery: job.delivery };
}

/** What `jobs <id> --follow` saw: no run in progress (the last one, if any), a run followed to its end, or a stop. */
type FollowOutcome =
  | { kind: "idle"; job: Job; view: RunView | undefined; push: Push | null; exitCode: number }
  | { kind: "stopped"; push: Push | null }
  | { kind: "ended"; runId: string; job: Job; view: RunView; live: boolean; push: Push | null; exitCode: number };

/**
 * Follows the newest run in progress of job `id` (src/jobs/follow.ts) until it ends, writing its output to `write`
 * as it comes (its last `lines` first). `stopWhen` is asked only when there is a run to follow, for the signal that
 * ends the following early (the CLI: Ctrl-C), and released after. The exit status: 0 when the run succeeded, else 7.
 */
export async function followJobRun(
  ctx: Ctx,
  id: string,
  lines: number,
  write: (text: string) => void,
  stopWhen: () => { signal: AbortSignal; release(): void },
): Promise<FollowOutcome> {
  const jobId = validateJob(id);
  let push: Push | null = null;
  const readJob = async () => {
    // a fresh clock each time (as status --watch): a wrapper that died while we follow is counted as lost
    const { snapshot, reaped } = await reapAll({ ...ctx, now: ctx.deps.now() }, "jobs", jobId);
    push ??= reaped.push;
    return snapshot.job(jobId);
  };
  const { snapshot, reaped } = await reapAll(ctx, "jobs", jobId);
  push = reaped.push;
  const job = findJob(snapshot, jobId);
  const current = job.open.reduce<OpenRun | undefined>(
    (newest, run) => (newest && newest.startedAt >= run.startedAt ? newest : run),
    undefined,
  );
  const store = ctx.store("jobs");
  if (current === undefined) {
    const view = runViews(await recordsWithResult(store, jobId, job.lastRun?.id))[0];
    return { kind: "idle", job, view, push, exitCode: view ? followExit(view, job) : EXIT.ok };
  }
  const stop = stopWhen();
  let result: Awaited<ReturnType<typeof followRun>>;
  try {
    result = await followRun({ store, jobId, runId: current.id, lines, readJob, write, stop: stop.signal });
  } finally {
    stop.release();
  }
  if (!result.ended) return { kind: "stopped", push };
  const endedJob = (await store.read()).job(jobId) ?? job;
  const view = runViews(result.records).find((v) => v.id === current.id) ?? { id: current.id, deliveries: [] };
  return { kind: "ended", runId: current.id, job: endedJob, view, live: result.live, push, exitCode: followExit(view, endedJob) };
}

/** The exit status of `--follow`: 0 when the run succeeded, else 7 (failed, lost, or no result recorded). */
function followExit(view: RunView, job: Job): number {
  const outcome = view.finished?.outcome ?? (job.lastRun?.id === view.id ? job.lastRun.outcome : undefined);
  return outcome === "success" ? EXIT.ok : EXIT.failed;
}
