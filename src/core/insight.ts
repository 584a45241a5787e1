// The read side over hot and archived tasks alike: filters, ordering, statistics. Pure: it works on task
// summaries (the archive's small form; hot tasks are summarised the same way) and takes `now` and the local-day
// function from the caller.
import { stepCounts } from "./lifecycle.ts";
import { type LiveFields, liveOf } from "./liveness.ts";
import { type Meta, metaMatches } from "./meta.ts";
import type { Task, TaskStatus } from "./model.ts";
import { byCodePoint, byName } from "./names.ts";
import type { PriorityLabel } from "./priority.ts";
import { formatShortDuration, isoMs } from "./time.ts";

export interface Summary {
  id: string;
  agent: string;
  name: string;
  description?: string;
  status: TaskStatus;
  priority: number;
  priorityLabel?: PriorityLabel;
  tags: string[];
  group?: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  retries: number;
  stallsSeen?: number;
  error?: string;
  after?: string[];
  /** The task's structured parameters, when it has any. */
  meta?: Meta;
  /** Derived when read: stalled (running, silent) or blocked (a dependency failed or was cancelled). */
  state?: "stalled" | "blocked";
  archived?: boolean;
}

/** The small form of a task that query, stats and history work on (and that the archive index stores). */
export function summarize(task: Task): Summary {
  const s: Summary = {
    id: task.id,
    agent: task.agent,
    name: task.name,
    status: task.status,
    priority: task.priority,
    tags: task.tags,
    createdAt: task.createdAt,
    retries: task.retries,
  };
  if (task.priorityLabel) s.priorityLabel = task.priorityLabel;
  if (task.description) s.description = task.description;
  if (task.group) s.group = task.group;
  if (task.status !== "pending" && task.startedAt) s.startedAt = task.startedAt;
  if (task.status === "done" || task.status === "failed" || task.status === "cancelled") s.finishedAt = task.finishedAt;
  if (task.stallsSeen) s.stallsSeen = task.stallsSeen;
  if (task.status === "failed") s.error = task.error.slice(0, 200);
  if (task.after.length > 0) s.after = task.after;
  if (Object.keys(task.meta).length > 0) s.meta = task.meta;
  return s;
}

/**
 * What a store keeps of each hot task beside the task itself (the JSON store's queue chunks): its summary, what
 * claiming and the overview's queue lines need, and for a running task what its liveness and its card need. Enough
 * to answer claims, id prefixes, query, stats and the status overview without reading the tasks.
 */
export type TaskEntry = Summary & {
  after: string[];
  queuedAt: string;
  seq?: number;
  /** Steps done and in all (absent: none). */
  steps?: { done: number; total: number };
  /** A running task's: its stall state moves with every heartbeat (so a heartbeat rewrites its entry too). */
  live?: LiveFields;
};

export function entryOf(task: Task): TaskEntry {
  const entry: TaskEntry = { ...summarize(task), after: task.after, queuedAt: task.queuedAt };
  if (task.seq !== undefined) entry.seq = task.seq;
  if (task.steps.length > 0) entry.steps = stepCounts(task);
  const live = liveOf(task);
  if (live) entry.live = live;
  return entry;
}

/**
 * The summary an entry holds: exactly summarize() of its task, keys in the same order (--json prints it, byte for
 * byte as from the task, whatever order the entry's own keys were read in).
 */
export function summaryOf(e: TaskEntry): Summary {
  const s: Summary = {
    id: e.id,
    agent: e.agent,
    name: e.name,
    status: e.status,
    priority: e.priority,
    tags: e.tags,
    createdAt: e.createdAt,
    retries: e.retries,
  };
  if (e.priorityLabel !== undefined) s.priorityLabel = e.priorityLabel;
  if (e.description !== undefined) s.description = e.description;
  if (e.group !== undefined) s.group = e.group;
  if (e.startedAt !== undefined) s.startedAt = e.startedAt;
  if (e.finishedAt !== undefined) s.finishedAt = e.finishedAt;
  if (e.stallsSeen !== undefined) s.stallsSeen = e.stallsSeen;
  if (e.error !== undefined) s.error = e.error;
  if (e.after.length > 0) s.after = e.after;
  if (e.meta !== undefined) s.meta = e.meta;
  return s;
}

export type QueryStatus = TaskStatus | "stalled" | "blocked";
export type TimeField = "created" | "started" | "finished";
export type SortKey = "created" | "started" | "finished" | "priority" | "name" | "agent";

export interface Query {
  agents?: string[];
  statuses?: QueryStatus[];
  minPriority?: number;
  maxPriority?: number;
  tags?: string[];
  group?: string;
  /** Has each key (with the value, when given: equal as JSON). */
  meta?: { key: string; value?: unknown }[];
  text?: string;
  from?: Date;
  to?: Date;
  by: TimeField;
  sort: SortKey;
  descending: boolean;
  limit: number;
}

function timeOf(s: Summary, field: TimeField): string | undefined {
  return field === "created" ? s.createdAt : field === "started" ? s.startedAt : s.finishedAt;
}

export function matches(s: Summary, q: Query): boolean {
  if (q.agents && !q.agents.includes(s.agent)) return false;
  if (q.statuses && !q.statuses.some((st) => st === s.status || st === s.state)) return false;
  if (q.minPriority !== undefined && s.priority < q.minPriority) return false;
  if (q.maxPriority !== undefined && s.priority > q.maxPriority) return false;
  if (q.tags && !q.tags.every((tag) => s.tags.includes(tag))) return false;
  if (q.group !== undefined && s.group !== q.group) return false;
  if (q.meta && !q.meta.every((m) => metaMatches(s.meta, m.key, m.value))) return false;
  if (q.text) {
    const needle = q.text.toLowerCase();
    if (!s.name.toLowerCase().includes(needle) && !(s.description ?? "").toLowerCase().includes(needle)) return false;
  }
  if (q.from || q.to) {
    const at = timeOf(s, q.by);
    if (!at) return false;
    const t = isoMs(at);
    if (q.from && t < q.from.getTime()) return false;
    if (q.to && t > q.to.getTime()) return false;
  }
  return true;
}

export function compareBy(key: SortKey): (a: Summary, b: Summary) => number {
  switch (key) {
    case "priority":
      return (a, b) => a.priority - b.priority || byCodePoint(b.createdAt, a.createdAt);
    case "name":
      return (a, b) => a.name.localeCompare(b.name);
    case "agent":
      return (a, b) => byName(a.agent, b.agent) || byCodePoint(a.createdAt, b.createdAt);
    default:
      return (a, b) => byCodePoint(timeOf(a, key) ?? "", timeOf(b, key) ?? "") || byCodePoint(a.id, b.id);
  }
}

export function runQuery(all: Iterable<Summary>, q: Query): { tasks: Summary[]; total: number } {
  const hits: Summary[] = [];
  for (const s of all) if (matches(s, q)) hits.push(s);
  const cmp = compareBy(q.sort);
  hits.sort(q.descending ? (a, b) => cmp(b, a) : cmp);
  return { tasks: hits.slice(0, q.limit), total: hits.length };
}

export interface DurationStats {
  count: number;
  avgMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  avg: string | null;
  p50: string | null;
  p95: string | null;
}

export interface AgentStats {
  counts: Record<TaskStatus, number> & { total: number };
  successRate: number;
  durations: DurationStats;
  today: { created: number; done: number; failed: number; cancelled: number };
  retries: number;
  stallsSeen: number;
  archived: number;
}

function percentile(sorted: ArrayLike<number>, p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

export function durationStats(ms: number[]): DurationStats {
  if (ms.length === 0) return { count: 0, avgMs: null, p50Ms: null, p95Ms: null, avg: null, p50: null, p95: null };
  // A typed array sorts numbers natively (~20 × faster than a comparator over 100 000 durations), in the same order;
  // only a NaN (an unreadable time) sorts differently there, so such input keeps the comparator.
  const typed = Float64Array.from(ms).sort();
  const sorted: ArrayLike<number> = Number.isNaN(typed[typed.length - 1]) ? [...ms].sort((a, b) => a - b) : typed;
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i] as number;
  const avgMs = Math.round(sum / sorted.length);
  const p50Ms = percentile(sorted, 50);
  const p95Ms = percentile(sorted, 95);
  return {
    count: sorted.length,
    avgMs,
    p50Ms,
    p95Ms,
    avg: formatShortDuration(avgMs),
    p50: formatShortDuration(p50Ms),
    p95: formatShortDuration(p95Ms),
  };
}

/** Today in the local time zone as instants: [startMs, endMs). */
export interface TodaySpan {
  startMs: number;
  endMs: number;
}

/**
 * Statistics per agent and overall. Which tasks count as created or finished today: either `dayOf` (an ISO time's
 * local calendar day) compared with `today`, or the span of today's instants, which needs no calendar per task.
 * One pass over `all` (it may be 100 000 archived tasks): each task is looked at once and its figures added to its
 * agent's totals and the overall ones together.
 */
export function computeStats(
  all: Iterable<Summary>,
  dayOf: (iso: string) => string,
  today: string,
): { agents: Record<string, AgentStats>; overall: AgentStats };
export function computeStats(all: Iterable<Summary>, today: TodaySpan): { agents: Record<string, AgentStats>; overall: AgentStats };
export function computeStats(
  all: Iterable<Summary>,
  dayOrSpan: ((iso: string) => string) | TodaySpan,
  today?: string,
): { agents: Record<string, AgentStats>; overall: AgentStats } {
  const span = typeof dayOrSpan === "function" ? undefined : dayOrSpan;
  const dayOf = typeof dayOrSpan === "function" ? dayOrSpan : undefined;
  const isToday = (iso: string, ms: number) =>
    span ? ms >= span.startMs && ms < span.endMs : (dayOf as (iso: string) => string)(iso) === today;
  const groups = new Map<string, Totals>();
  const everything = newTotals();
  for (const s of all) {
    let mine = groups.get(s.agent);
    if (!mine) {
      mine = newTotals();
      groups.set(s.agent, mine);
    }
    const createdToday = isToday(s.createdAt, span ? isoMs(s.createdAt) : 0);
    const finishedMs = s.finishedAt ? isoMs(s.finishedAt) : Number.NaN;
    const finishedToday = !!s.finishedAt && isToday(s.finishedAt, finishedMs) && s.status !== "pending" && s.status !== "running";
    const durationMs = s.status === "done" && s.startedAt && s.finishedAt ? finishedMs - isoMs(s.startedAt) : undefined;
    add(mine, s, createdToday, finishedToday, durationMs);
    add(everything, s, createdToday, finishedToday, durationMs);
  }
  const agents: Record<string, AgentStats> = {};
  for (const name of [...groups.keys()].sort()) agents[name] = statsOf(groups.get(name) as Totals);
  return { agents, overall: statsOf(everything) };
}

interface Totals {
  counts: AgentStats["counts"];
  durations: number[];
  today: AgentStats["today"];
  retries: number;
  stallsSeen: number;
  archived: number;
}

function newTotals(): Totals {
  return {
    counts: { pending: 0, running: 0, done: 0, failed: 0, cancelled: 0, total: 0 },
    durations: [],
    today: { created: 0, done: 0, failed: 0, cancelled: 0 },
    retries: 0,
    stallsSeen: 0,
    archived: 0,
  };
}

function add(totals: Totals, s: Summary, createdToday: boolean, finishedToday: boolean, durationMs: number | undefined): void {
  totals.counts.total += 1;
  totals.counts[s.status] += 1;
  totals.retries += s.retries;
  totals.stallsSeen += s.stallsSeen ?? 0;
  if (s.archived) totals.archived++;
  if (durationMs !== undefined) totals.durations.push(durationMs);
  if (createdToday) totals.today.created++;
  if (finishedToday) totals.today[s.status as "done" | "failed" | "cancelled"]++;
}

function statsOf(totals: Totals): AgentStats {
  const { counts } = totals;
  const decided = counts.done + counts.failed;
  return {
    counts,
    successRate: decided === 0 ? 0 : Math.round((counts.done / decided) * 10_000) / 10_000,
    durations: durationStats(totals.durations),
    today: totals.today,
    retries: totals.retries,
    stallsSeen: totals.stallsSeen,
    archived: totals.archived,
  };
}
