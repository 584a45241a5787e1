import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { actorOf, commitChange } from "../../app/tasks.ts";
import { UsageError } from "../../core/errors.ts";
import { abandonTask } from "../../core/lifecycle.ts";
import type { Task } from "../../core/model.ts";
import { isFinished } from "../../core/model-constants.ts";
import { printable } from "../../core/names.ts";
import type { Push } from "../../core/push.ts";
import { parseDuration } from "../../core/time.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { renderPushText } from "../render/push-text.ts";
import { t } from "./common.ts";

const DAY = 86_400_000;

export interface CleanupOptions {
  days: string;
  abandonAfter: string;
  archiveDays: string;
}

export function registerCleanup(program: Command, app: App): void {
  program
    .command("cleanup")
    .description(
      "archive tasks finished more than --days ago, close abandoned running tasks, drop old archives; quiet and safe to run concurrently",
    )
    .option("--days <n>", "keep finished tasks in the hot state this many days", "7")
    .option("--abandon-after <duration>", "fail running tasks silent for longer than this", "2d")
    .option("--archive-days <n>", "delete archived months older than this many days", "90")
    .addHelpText("after", example("taskpulse cleanup", "taskpulse cleanup --days 3 --abandon-after 12h"))
    .action(app.action((ctx, opts: CleanupOptions) => cleanup(ctx, opts)));
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

export async function cleanup(ctx: Ctx, opts: CleanupOptions): Promise<Outcome> {
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
  const lines = [
    t(ctx, `🧹 cleaned up ${archivedCount} expired task(s) (>${keepDays} days)`, `🧹 清理 ${archivedCount} 个过期任务（>${keepDays}天）`),
  ];
  for (const task of closed)
    lines.push(t(ctx, `⏹ closed abandoned task ${task.id} ${task.name}`, `⏹ 已关闭无响应任务 ${task.id} ${task.name}`));
  if (pruned.months.length > 0)
    lines.push(t(ctx, `🗑 deleted archives of ${pruned.months.join(", ")}`, `🗑 已删除归档 ${pruned.months.join(", ")}`));
  // The first push is the envelope's; further ones (several abandoned tasks at once) are printed after it.
  for (const extra of pushes.slice(1)) lines.push(renderPushText(extra).trimEnd());
  return {
    data: {
      archived: archivedCount,
      abandoned: closed.map((task) => task.id),
      prunedMonths: pruned.months,
      prunedTasks: pruned.tasks,
      prunedRuns: runs.removedRuns,
      pushes,
    },
    lines,
    quiet: "",
    push: pushes[0] ?? null,
  };
}
