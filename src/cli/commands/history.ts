import type { Command } from "commander";
import { finishedTasks } from "../../app/history.ts";
import { formatDuration } from "../../core/time.ts";
import type { CliCtx } from "../cli-context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { ago } from "../render/task-text.ts";
import { t } from "./common.ts";

export function registerHistory(program: Command, app: App): void {
  program
    .command("history")
    .description("finished tasks, newest first (hot and archived)")
    .option("--limit <n>", "at most this many", "10")
    .addHelpText("after", example("taskpulse history --agent agent-coder --limit 5"))
    .action(app.action((ctx, opts: { limit: string }) => history(ctx, opts)));
}

const ICON = { done: "✅", failed: "❌", cancelled: "⛔", pending: "⏳", running: "🔄" } as const;

async function history(ctx: CliCtx, opts: { limit: string }): Promise<Outcome> {
  const { total, tasks: rows } = await finishedTasks(ctx, opts.limit);
  const lines = rows.map((s) => {
    const dur = s.startedAt ? ` (${formatDuration(Date.parse(s.finishedAt) - Date.parse(s.startedAt))})` : "";
    return `${ICON[s.status]} ${s.name}${dur} · ${s.agent} · ${ago(ctx, s.finishedAt)} · ${s.id}${s.error ? ` — ${s.error.slice(0, 60)}` : ""}`;
  });
  if (lines.length === 0) lines.push(t(ctx, "no finished tasks", "没有已结束的任务"));
  return { data: { total, tasks: rows }, lines, quiet: rows.map((s) => s.id).join("\n") };
}
