import type { Command } from "commander";
import { type CleanupOptions, cleanUpStore } from "../../app/cleanup.ts";
import type { CliCtx } from "../cli-context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { renderPushText } from "../render/push-text.ts";
import { t } from "./common.ts";

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

async function cleanup(ctx: CliCtx, opts: CleanupOptions): Promise<Outcome> {
  const result = await cleanUpStore(ctx, opts);
  const { keepDays, closed, pushes } = result;
  const lines = [
    t(
      ctx,
      `🧹 cleaned up ${result.archived} expired task(s) (>${keepDays} days)`,
      `🧹 清理 ${result.archived} 个过期任务（>${keepDays}天）`,
    ),
  ];
  for (const task of closed)
    lines.push(t(ctx, `⏹ closed abandoned task ${task.id} ${task.name}`, `⏹ 已关闭无响应任务 ${task.id} ${task.name}`));
  if (result.prunedMonths.length > 0)
    lines.push(t(ctx, `🗑 deleted archives of ${result.prunedMonths.join(", ")}`, `🗑 已删除归档 ${result.prunedMonths.join(", ")}`));
  // The first push is the envelope's; further ones (several abandoned tasks at once) are printed after it.
  for (const extra of pushes.slice(1)) lines.push(renderPushText(extra).trimEnd());
  return {
    data: {
      archived: result.archived,
      abandoned: closed.map((task) => task.id),
      prunedMonths: result.prunedMonths,
      prunedTasks: result.prunedTasks,
      prunedRuns: result.prunedRuns,
      pushes,
    },
    lines,
    quiet: "",
    push: pushes[0] ?? null,
  };
}
