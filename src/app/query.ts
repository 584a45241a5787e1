// Finding tasks, hot and archived: the filters as given (text, from the command line, the library or the dashboard's
// URL) are checked here, then the summaries are streamed through the query.
import { UsageError } from "../core/errors.ts";
import type { TimeField } from "../core/insight.ts";
import { type Query, type QueryStatus, runQuery, type SortKey, type Summary } from "../core/insight.ts";
import { parseMetaPair } from "../core/meta.ts";
import { printable, validateSlug } from "../core/names.ts";
import { parsePriority } from "../core/priority.ts";
import { parseInstant } from "../core/time.ts";
import type { Ctx } from "./context.ts";
import { summaryStream } from "./summaries.ts";

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

const STATUS_ALIASES: Record<string, QueryStatus> = {
  completed: "done",
  complete: "done",
  error: "failed",
  fail: "failed",
  queued: "pending",
};
const STATUSES: readonly QueryStatus[] = ["pending", "running", "done", "failed", "cancelled", "stalled", "blocked"];
const SORTS: readonly SortKey[] = ["created", "started", "finished", "priority", "name", "agent"];

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

/** The matches (at most the limit, sorted), and how many there are in all. */
export async function queryTasks(ctx: Ctx, opts: QueryOptions): Promise<{ total: number; tasks: Summary[] }> {
  const q = parseQuery(ctx, opts, ctx.agentFlag);
  // Only months that can hold a match are read when the range is on the finishing time.
  const range: { from?: string; to?: string } = {};
  if (q.by === "finished" && q.from) range.from = q.from.toISOString();
  if (q.by === "finished" && q.to) range.to = q.to.toISOString();
  // Streamed: over a long archive, only the matches are kept; other agents' archived lines are not even parsed.
  const { summaries } = await summaryStream(ctx, "query", { range, agent: ctx.agentFlag });
  const result = runQuery(summaries, q);
  return { total: result.total, tasks: result.tasks };
}
