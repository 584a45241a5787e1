import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { summaryStream } from "../../app/summaries.ts";
import { UsageError } from "../../core/errors.ts";
import { type Query, type QueryStatus, runQuery, type SortKey, type Summary, type TimeField } from "../../core/insight.ts";
import { parseMetaPair } from "../../core/meta.ts";
import { printable, validateSlug } from "../../core/names.ts";
import { parsePriority, priorityText } from "../../core/priority.ts";
import { parseInstant } from "../../core/time.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { paint } from "../render/color.ts";
import { ago, columnsOf } from "../render/task-text.ts";
import { clip, pad, width } from "../render/text-width.ts";
import { t } from "./common.ts";

export interface QueryOptions {
  status: string[];
  minPriority?: string;
  maxPriority?: string;
  tag: string[];
  group?: string;
  meta: string[];
  text?: string;
  from?: string;
  to?: string;
  by: string;
  limit: string;
  sort: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];
const STATUS_ALIASES: Record<string, QueryStatus> = {
  completed: "done",
  complete: "done",
  error: "failed",
  fail: "failed",
  queued: "pending",
};
const STATUSES: readonly QueryStatus[] = ["pending", "running", "done", "failed", "cancelled", "stalled", "blocked"];
const SORTS: readonly SortKey[] = ["created", "started", "finished", "priority", "name", "agent"];

export function registerQuery(program: Command, app: App): void {
  program
    .command("query")
    .aliases(["list", "ls"])
    .description("find tasks, hot and archived: filters combine (all must match)")
    .option(
      "--status <status>",
      "pending, running, done (completed), failed (error), cancelled, stalled, blocked; repeatable or comma-separated",
      collect,
      [],
    )
    .option("--min-priority <p>", "at least this priority (1-10 or P0-P3)")
    .option("--max-priority <p>", "at most this priority")
    .option("--tag <tag>", "has this tag (repeatable: all of them)", collect, [])
    .option("--group <name>", "in this group")
    .option("--meta <key=value>", "has this parameter (value JSON or text; key alone: has the key); repeatable", collect, [])
    .option("--text <text>", "name or description contains this (case-insensitive)")
    .option("--from <time>", "on or after: ISO date/time or a relative age like 24h, 7d")
    .option("--to <time>", "on or before: ISO date/time (a date alone includes that whole day) or a relative age")
    .option("--by <field>", "which time --from/--to apply to: created, started or finished", "created")
    .option("--limit <n>", "at most this many rows", "50")
    .option("--sort <key>", "created, started, finished, priority, name or agent; prefix - for descending", "-created")
    .addHelpText(
      "after",
      example(
        "taskpulse query --agent anna --status pending",
        "taskpulse query --status failed --from 24h --by finished",
        "taskpulse query --min-priority P1 --tag backend --json",
      ),
    )
    .action(app.action((ctx, opts: QueryOptions) => query(ctx, opts)));
}

export function parseQuery(ctx: Ctx, opts: QueryOptions, agentFilter: string | undefined): Query {
  const statuses = opts.status
    .flatMap((s) => s.split(","))
    .map((raw) => {
      const s = raw.trim().toLowerCase();
      const status = STATUS_ALIASES[s] ?? (s as QueryStatus);
      if (!STATUSES.includes(status))
        throw new UsageError(`invalid --status '${printable(raw)}'`, `use ${STATUSES.join(", ")} (or completed, error)`, {
          detail: { key: "invalid_value", what: "--status", value: printable(raw) },
        });
      return status;
    });
  const by = opts.by as TimeField;
  if (!["created", "started", "finished"].includes(by))
    throw new UsageError(`invalid --by '${printable(opts.by)}'`, "use created, started or finished", {
      detail: { key: "invalid_value", what: "--by", value: printable(opts.by) },
    });
  const descending = opts.sort.startsWith("-");
  const sort = (descending ? opts.sort.slice(1) : opts.sort) as SortKey;
  if (!SORTS.includes(sort))
    throw new UsageError(`invalid --sort '${printable(opts.sort)}'`, `use ${SORTS.join(", ")}, with - for descending`, {
      detail: { key: "invalid_value", what: "--sort", value: printable(opts.sort) },
    });
  if (!/^\d{1,6}$/.test(opts.limit) || Number(opts.limit) < 1)
    throw new UsageError(`invalid --limit '${printable(opts.limit)}'`, "use a positive number", {
      detail: { key: "invalid_value", what: "--limit", value: printable(opts.limit) },
    });
  const q: Query = { by, sort, descending, limit: Number(opts.limit) };
  if (agentFilter !== undefined) q.agents = [agentFilter];
  if (statuses.length > 0) q.statuses = statuses;
  if (opts.minPriority !== undefined) q.minPriority = parsePriority(opts.minPriority);
  if (opts.maxPriority !== undefined) q.maxPriority = parsePriority(opts.maxPriority);
  if (opts.tag.length > 0) q.tags = opts.tag.map((tag) => validateSlug(tag, "tag"));
  if (opts.group !== undefined) q.group = validateSlug(opts.group, "group");
  if (opts.meta.length > 0) q.meta = opts.meta.map((pair) => parseMetaPair(pair, "--meta", true));
  if (opts.text !== undefined) q.text = opts.text;
  if (opts.from !== undefined) q.from = parseInstant(opts.from, ctx.now, "--from");
  if (opts.to !== undefined) q.to = parseInstant(opts.to, ctx.now, "--to", { endOfDay: true });
  return q;
}

export async function query(ctx: Ctx, opts: QueryOptions): Promise<Outcome> {
  const q = parseQuery(ctx, opts, ctx.agentFlag);
  // Only months that can hold a match are read when the range is on the finishing time.
  const range: { from?: string; to?: string } = {};
  if (q.by === "finished" && q.from) range.from = q.from.toISOString();
  if (q.by === "finished" && q.to) range.to = q.to.toISOString();
  // Streamed: over a long archive, only the matches are kept; other agents' archived lines are not even parsed.
  const { summaries } = await summaryStream(ctx, "query", { range, agent: ctx.agentFlag });
  const result = runQuery(summaries, q);
  return {
    data: { total: result.total, tasks: result.tasks },
    lines: renderTable(ctx, result.tasks, result.total),
    quiet: result.tasks.map((s) => s.id).join("\n"),
  };
}

export function renderTable(ctx: Ctx, rows: readonly Summary[], total: number): string[] {
  if (rows.length === 0) return [t(ctx, "no matching tasks", "无数据")];
  const c = paint(ctx.color);
  const header = ["ID", "AGENT", "PRI", "STATUS", "NAME", "AGE"];
  const cells = rows.map((s) => [s.id, clip(s.agent, 16), priorityText(s), s.state ?? s.status, s.name, ago(ctx, s.createdAt)]);
  const NAME = 4;
  const widthOf = (i: number) => Math.max(width(header[i] as string), ...cells.map((r) => width(r[i] as string)));
  // The name takes what the other columns leave of the terminal's width (at least 8, at most 60 columns).
  const others = [0, 1, 2, 3, 5].reduce((sum, i) => sum + widthOf(i) + 2, 0);
  const room = Math.min(60, Math.max(8, columnsOf(ctx) - others));
  const body = cells.map((r) => r.map((cell, i) => (i === NAME ? clip(cell, room) : cell)));
  const widths = header.map((h, i) => Math.max(width(h), ...body.map((r) => width(r[i] as string))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => pad(cell, widths[i] as number))
      .join("  ")
      .trimEnd();
  const out = [c.bold(line(header)), ...body.map(line)];
  if (total > rows.length)
    out.push(c.dim(t(ctx, `… ${total - rows.length} more (use --limit)`, `… 还有 ${total - rows.length} 条（用 --limit）`)));
  return out;
}

// width() and clip() moved to render/text-width.ts; re-exported for callers that import them from here.
export { clip, width } from "../render/text-width.ts";
