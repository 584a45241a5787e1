// Shared pieces of the cron-job use cases: option parsing (job names, counts, routes), finding lost runs, and the
// job push.

import { NotFoundError, UsageError } from "../core/errors.ts";
import type { Job, OpenRun, RunRecord } from "../core/job-model.ts";
import { buildJobPush, isLost, type JobNotification, mergeNotifications, reapLostRuns } from "../core/jobs.ts";
import type { Route } from "../core/model.ts";
import { printable, validateSlug } from "../core/names.ts";
import type { Push } from "../core/push.ts";
import { wrapperState } from "../jobs/proc.ts";
import type { Snapshot, StoreTx } from "../store/store.ts";
import type { Ctx } from "./context.ts";

export const validateJob = (value: string): string => validateSlug(value, "job name");

export function parseCount(value: string | undefined, option: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,4}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`invalid ${option} '${printable(value)}'`, `use a whole number from ${min} to ${max}`, {
      detail: { key: "invalid_value", what: option, value: printable(value) },
    });
  }
  return Number(value);
}

/** Flags > TASKPULSE_CHANNEL/TARGET/ACCOUNT/THREAD > what the job remembers from earlier flags. */
export function effectiveRoute(ctx: Ctx, job: Job | undefined, flags: Route): Route {
  const env = ctx.deps.env;
  const fromEnv: Route = {};
  if (env.TASKPULSE_CHANNEL) fromEnv.channel = env.TASKPULSE_CHANNEL;
  if (env.TASKPULSE_TARGET) fromEnv.target = env.TASKPULSE_TARGET;
  if (env.TASKPULSE_ACCOUNT) fromEnv.account = env.TASKPULSE_ACCOUNT;
  if (env.TASKPULSE_THREAD) fromEnv.thread = env.TASKPULSE_THREAD;
  return { ...job?.route, ...fromEnv, ...flags };
}

export function jobPush(ctx: Ctx, job: Job | undefined, n: JobNotification | undefined, flags: Route = {}): Push | null {
  if (!n) return null;
  return buildJobPush(n, ctx.lang, effectiveRoute(ctx, job, flags));
}

export function findJob(snapshot: Snapshot, id: string): Job {
  const job = snapshot.job(validateJob(id));
  if (!job) {
    const known = Object.keys(snapshot.jobs).sort();
    throw new NotFoundError(
      `job '${id}' not found`,
      known.length > 0
        ? `known jobs: ${known.slice(0, 10).join(", ")}${known.length > 10 ? ", …" : ""}`
        : "a job appears after its first `taskpulse run --job <id> -- <command>`",
    );
  }
  return job;
}

function lostRecord(run: OpenRun, now: Date): RunRecord {
  return {
    v: 1,
    kind: "lost",
    run: run.id,
    at: now.toISOString(),
    startedAt: run.startedAt,
    reason: `wrapper pid ${run.pid} on ${run.host} is gone and no result was recorded`,
  };
}

/** Counts the lost runs of one job inside a transaction; returns the notification that became due, if any. */
export function reapInTx(ctx: Ctx, tx: StoreTx, job: Job): { job: Job; notification: JobNotification | undefined; lost: OpenRun[] } {
  const reaped = reapLostRuns(job, wrapperState, ctx.now);
  if (reaped.lost.length === 0) return { job, notification: undefined, lost: [] };
  tx.putJob(reaped.job);
  for (const run of reaped.lost) tx.appendRun(job.id, lostRecord(run, ctx.now));
  return reaped;
}

export interface ReapSummary {
  lost: { job: string; run: string }[];
  notifications: JobNotification[];
  push: Push | null;
}

/**
 * The read commands (`jobs`, `alerts`) count runs whose wrapper died: a cheap look without the lock first, and
 * a transaction only when there is something to count. Nothing is written otherwise.
 */
export async function reapAll(ctx: Ctx, command: string, only?: string): Promise<{ snapshot: Snapshot; reaped: ReapSummary }> {
  const store = ctx.store(command);
  const snapshot = await store.read();
  const suspects = Object.values(snapshot.jobs).filter(
    (job) => (only === undefined || job.id === only) && job.open.some((run) => isLost(run, wrapperState(run), ctx.now)),
  );
  const reaped: ReapSummary = { lost: [], notifications: [], push: null };
  if (suspects.length === 0) return { snapshot, reaped };
  await store.transaction((tx) => {
    reaped.lost = [];
    reaped.notifications = [];
    reaped.push = null;
    for (const suspect of suspects) {
      const job = tx.job(suspect.id);
      if (!job) continue;
      const r = reapInTx(ctx, tx, job);
      for (const run of r.lost) reaped.lost.push({ job: job.id, run: run.id });
      if (r.notification) {
        reaped.notifications.push(r.notification);
        reaped.push ??= jobPush(ctx, r.job, mergeNotifications(undefined, r.notification));
      }
    }
  });
  return { snapshot: await store.read(), reaped };
}
