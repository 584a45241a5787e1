// `cleanup`: archive tasks finished more than `days` ago, close running tasks silent for too long (abandoned: failed,
// with their push), drop archived months and cron run history past the retention. Safe to run concurrently; the
// common case (nothing to do) looks without the lock and creates nothing.
import { UsageError } from "../core/errors.ts";
import { abandonTask } from "../core/lifecycle.ts";
import type { Task } from "../core/model.ts";
import { isFinished } from "../core/model-constants.ts";
import { printable } from "../core/names.ts";
import type { Push } from "../core/push.ts";
import { parseDuration } from "../core/time.ts";
import type { Ctx } from "./context.ts";
import { actorOf, commitChange } from "./tasks.ts";

const DAY = 86_400_000;

export interface CleanupOptions {
  days: string;
  abandonAfter: string;
  archiveDays: string;
}

export interface CleanupResult {
  keepDays: number;
  archived: number;
  /** The tasks closed as abandoned, as written. */
  closed: Task[];
  prunedMonths: string[];
  prunedTasks: number;
  prunedRuns: number;
  pushes: Push[];
}

function days(value: string, flag: string): number {
  if (!/^\d{1,5}(\.\d+)?$/.test(value))
    throw new UsageError(`invalid ${flag} '${printable(value)}'`, "use a number of days, e.g. 7", {
      detail: { key: "invalid_value", what: flag, value: printable(value) },
    });
  return Number(value);
}

function abandoned(ctx: Ctx, task: Task, afterMs: number): boolean {
  if (task.status !== "running") return false;
  if (task.waiting?.until && Date.parse(task.waiting.until) > ctx.now.getTime()) return false;
  return ctx.now.getTime() - Date.parse(task.lastSeenAt) > afterMs;
}

export async function cleanUpStore(ctx: Ctx, opts: CleanupOptions): Promise<CleanupResult> {
  const keepDays = days(opts.days, "--days");
  const archiveDays = days(opts.archiveDays, "--archive-days");
  const abandonMs = parseDuration(opts.abandonAfter, "--abandon-after");
  const cutoff = ctx.now.getTime() - keepDays * DAY;
  const expired = (task: Task) => isFinished(task) && Date.parse(task.finishedAt) < cutoff;
  const store = ctx.store("cleanup");
  // Look first without the lock: the common case (nothing to do) stays cheap and creates nothing.
  const peek = await store.read();
  let archivedCount = 0;
  const closed: Task[] = [];
  const pushes: Push[] = [];
  if (peek.tasks.some((task) => expired(task) || abandoned(ctx, task, abandonMs))) {
    await store.transaction((tx) => {
      archivedCount = 0;
      closed.length = 0;
      pushes.length = 0;
      for (const task of tx.tasks) {
        if (abandoned(ctx, task, abandonMs)) {
          const silent = ctx.now.getTime() - Date.parse(task.lastSeenAt);
          const applied = commitChange(ctx, tx, task, abandonTask(task, silent, actorOf(ctx)));
          closed.push(applied.change.task);
          if (applied.push) pushes.push(applied.push);
        } else if (expired(task)) {
          tx.archive(task);
          archivedCount++;
        }
      }
    });
  }
  const archiveCutoff = new Date(ctx.now.getTime() - archiveDays * DAY);
  const pruned = await store.pruneArchive(archiveCutoff.toISOString());
  // Cron run history: the newest 200 runs per job, none older than the archive retention.
  const runs =
    Object.keys(peek.jobs).length > 0 ? await store.pruneRuns({ keep: 200, before: archiveCutoff }) : { jobs: 0, removedRuns: 0 };
  return {
    keepDays,
    archived: archivedCount,
    closed,
    prunedMonths: pruned.months,
    prunedTasks: pruned.tasks,
    prunedRuns: runs.removedRuns,
    pushes,
  };
}
