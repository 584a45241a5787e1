// The read-side use cases over hot and archived tasks together: one task's audit trail (`log`), the newest finished
// tasks (`history`) and the statistics (`stats`). Each streams the archive, keeping only what it returns.
import { UsageError } from "../core/errors.ts";
import { type AgentStats, computeStats, type Summary, type TodaySpan } from "../core/insight.ts";
import type { AuditEntry, Task } from "../core/model.ts";
import { byCodePoint, printable } from "../core/names.ts";
import { isoMs, parseInstant } from "../core/time.ts";
import type { Ctx } from "./context.ts";
import { findAnyTask, summaryStream } from "./summaries.ts";

/** One task's audit trail, newest first. */
export async function auditTrailOf(ctx: Ctx, id: string): Promise<{ task: Task; archived: boolean; entries: AuditEntry[] }> {
  const { task, archived } = await findAnyTask(ctx, "log", id);
  const entries = (await ctx.store("log").auditTrail(task.id)).reverse();
  return { task, archived, entries };
}

export type FinishedSummary = Summary & { finishedAt: string };

/** The newest `limit` finished tasks (of --agent's, when given), newest first, and how many there are in all. */
export async function finishedTasks(ctx: Ctx, limitText: string): Promise<{ total: number; tasks: FinishedSummary[] }> {
  if (!/^\d{1,6}$/.test(limitText) || Number(limitText) < 1)
    throw new UsageError(`invalid --limit '${printable(limitText)}'`, "use a positive number", {
      detail: { key: "invalid_value", what: "--limit", value: printable(limitText) },
    });
  // Streamed: over a long archive, only the newest `limit` finished tasks are kept (and a count).
  const { summaries } = await summaryStream(ctx, "history", { agent: ctx.agentFlag });
  const limit = Number(limitText);
  const newer = (a: FinishedSummary, b: FinishedSummary) => byCodePoint(b.finishedAt, a.finishedAt) || byCodePoint(b.id, a.id);
  const rows: FinishedSummary[] = [];
  let total = 0;
  for (const s of summaries) {
    if (s.finishedAt === undefined || (ctx.agentFlag !== undefined && s.agent !== ctx.agentFlag)) continue;
    total++;
    const f = s as FinishedSummary;
    if (rows.length === limit && newer(f, rows[limit - 1] as FinishedSummary) >= 0) continue;
    // insert in order (rows stays sorted, newest first), dropping the oldest beyond the limit
    let at = rows.length;
    while (at > 0 && newer(f, rows[at - 1] as FinishedSummary) < 0) at--;
    rows.splice(at, 0, f);
    if (rows.length > limit) rows.pop();
  }
  return { total, tasks: rows };
}

/** The local calendar day of an instant (the machine's time zone, or TZ). */
function localDay(iso: string | number): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/**
 * Today's instants, [start of today, start of tomorrow) in local time, so that stats can tell a task created today
 * by its time alone instead of working out its calendar day (twice per task, 100 000 tasks). Checked at both ends
 * against localDay (a local day is one run of instants); undefined if the check fails (then days are compared).
 */
function todaySpan(now: Date): TodaySpan | undefined {
  const today = localDay(now.getTime());
  const start = new Date(now.getTime());
  start.setHours(0, 0, 0, 0);
  const end = new Date(start.getTime());
  end.setDate(end.getDate() + 1);
  end.setHours(0, 0, 0, 0);
  const startMs = start.getTime();
  const endMs = end.getTime();
  const exact =
    localDay(startMs) === today && localDay(startMs - 1) !== today && localDay(endMs - 1) === today && localDay(endMs) !== today;
  return exact ? { startMs, endMs } : undefined;
}

export interface TaskStats {
  since: string | null;
  agents: Record<string, AgentStats>;
  overall: AgentStats;
}

/** Statistics per agent and overall, of tasks created since `sinceText` (all when undefined). */
export async function taskStats(ctx: Ctx, sinceText: string | undefined): Promise<TaskStats> {
  const since = sinceText === undefined ? undefined : parseInstant(sinceText, ctx.now, "--since");
  // Streamed: over a long archive, only the totals are kept.
  const { summaries } = await summaryStream(ctx, "stats", { agent: ctx.agentFlag });
  function* selected() {
    for (const s of summaries)
      if ((ctx.agentFlag === undefined || s.agent === ctx.agentFlag) && (!since || isoMs(s.createdAt) >= since.getTime())) yield s;
  }
  const span = todaySpan(ctx.now);
  const result = span ? computeStats(selected(), span) : computeStats(selected(), localDay, localDay(ctx.now.toISOString()));
  return { since: since?.toISOString() ?? null, ...result };
}
