import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { summaryStream } from "../../app/summaries.ts";
import { UsageError } from "../../core/errors.ts";
import type { Summary } from "../../core/insight.ts";
import { byCodePoint, printable } from "../../core/names.ts";
import { formatDuration } from "../../core/time.ts";
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

type Finished = Summary & { finishedAt: string };

const ICON = { done: "✅", failed: "❌", cancelled: "⛔", pending: "⏳", running: "🔄" } as const;

export async function history(ctx: Ctx, opts: { limit: string }): Promise<Outcome> {
  if (!/^\d{1,6}$/.test(opts.limit) || Number(opts.limit) < 1)
    throw new UsageError(`invalid --limit '${printable(opts.limit)}'`, "use a positive number", {
      detail: { key: "invalid_value", what: "--limit", value: printable(opts.limit) },
    });
  // Streamed: over a long archive, only the newest `limit` finished tasks are kept (and a count).
  const { summaries } = await summaryStream(ctx, "history", { agent: ctx.agentFlag });
  const limit = Number(opts.limit);
  const newer = (a: Finished, b: Finished) => byCodePoint(b.finishedAt, a.finishedAt) || byCodePoint(b.id, a.id);
  const rows: Finished[] = [];
  let total = 0;
  for (const s of summaries) {
    if (s.finishedAt === undefined || (ctx.agentFlag !== undefined && s.agent !== ctx.agentFlag)) continue;
    total++;
    const f = s as Finished;
    if (rows.length === limit && newer(f, rows[limit - 1] as Finished) >= 0) continue;
    // insert in order (rows stays sorted, newest first), dropping the oldest beyond the limit
    let at = rows.length;
    while (at > 0 && newer(f, rows[at - 1] as Finished) < 0) at--;
    rows.splice(at, 0, f);
    if (rows.length > limit) rows.pop();
  }
  const lines = rows.map((s) => {
    const dur = s.startedAt ? ` (${formatDuration(Date.parse(s.finishedAt) - Date.parse(s.startedAt))})` : "";
    return `${ICON[s.status]} ${s.name}${dur} · ${s.agent} · ${ago(ctx, s.finishedAt)} · ${s.id}${s.error ? ` — ${s.error.slice(0, 60)}` : ""}`;
  });
  if (lines.length === 0) lines.push(t(ctx, "no finished tasks", "没有已结束的任务"));
  return { data: { total, tasks: rows }, lines, quiet: rows.map((s) => s.id).join("\n") };
}
