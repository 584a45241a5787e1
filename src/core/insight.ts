// The read side over hot and archived tasks alike: filters, ordering, statistics. Pure: it works on task
// summaries (the archive's small form; hot tasks are summarised the same way) and takes `now` and the local-day
// function from the caller.
import type { Task, TaskStatus } from "./model.ts";
import { formatShortDuration } from "./time.ts";

export interface Summary {
  id: string;
  agent: string;
  name: string;
  description?: string;
  status: TaskStatus;
  priority: number;
  tags: string[];
  group?: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  retries: number;
  stallsSeen?: number;
  error?: string;
  after?: string[];
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
  if (task.description) s.description = task.description;
  if (task.group) s.group = task.group;
  if (task.status !== "pending" && task.startedAt) s.startedAt = task.startedAt;
  if (task.status === "done" || task.status === "failed" || task.status === "cancelled") s.finishedAt = task.finishedAt;
  if (task.stallsSeen) s.stallsSeen = task.stallsSeen;
  if (task.status === "failed") s.error = task.error.slice(0, 200);
  if (task.after.length > 0) s.after = task.after;
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
  text?: string;
  from?: Date;
  to?: Date;
  by: TimeField;
  sort: SortKey;
  descending: boolean;
  limit: number;
}

export function timeOf(s: Summary, field: TimeField): string | undefined {
  return field === "created" ? s.createdAt : field === "started" ? s.startedAt : s.finishedAt;
}

export function matches(s: Summary, q: Query): boolean {
  if (q.agents && !q.agents.includes(s.agent)) return false;
  if (q.statuses && !q.statuses.some((st) => st === s.status || st === s.state)) return false;
  if (q.minPriority !== undefined && s.priority < q.minPriority) return false;
  if (q.maxPriority !== undefined && s.priority > q.maxPriority) return false;
  if (q.tags && !q.tags.every((tag) => s.tags.includes(tag))) return false;
  if (q.group !== undefined && s.group !== q.group) return false;
  if (q.text) {
    const needle = q.text.toLowerCase();
    if (!s.name.toLowerCase().includes(needle) && !(s.description ?? "").toLowerCase().includes(needle)) return false;
  }
  if (q.from || q.to) {
    const at = timeOf(s, q.by);
    if (!at) return false;
    const t = Date.parse(at);
    if (q.from && t < q.from.getTime()) return false;
    if (q.to && t > q.to.getTime()) return false;
  }
  return true;
}

export function compareBy(key: SortKey): (a: Summary, b: Summary) => number {
  switch (key) {
    case "priority":
      return (a, b) => a.priority - b.priority || b.createdAt.localeCompare(a.createdAt);
    case "name":
      return (a, b) => a.name.localeCompare(b.name);
    case "agent":
      return (a, b) => a.agent.localeCompare(b.agent) || a.createdAt.localeCompare(b.createdAt);
    default:
      return (a, b) => (timeOf(a, key) ?? "").localeCompare(timeOf(b, key) ?? "") || a.id.localeCompare(b.id);
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

function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

export function durationStats(ms: number[]): DurationStats {
  if (ms.length === 0) return { count: 0, avgMs: null, p50Ms: null, p95Ms: null, avg: null, p50: null, p95: null };
  const sorted = [...ms].sort((a, b) => a - b);
  const avgMs = Math.round(sorted.reduce((sum, v) => sum + v, 0) / sorted.length);
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

/** Statistics per agent and overall. `dayOf` maps an ISO time to its local calendar day; `today` is that of now. */
export function computeStats(
  all: Iterable<Summary>,
  dayOf: (iso: string) => string,
  today: string,
): { agents: Record<string, AgentStats>; overall: AgentStats } {
  const groups = new Map<string, Summary[]>();
  const everything: Summary[] = [];
  for (const s of all) {
    everything.push(s);
    const list = groups.get(s.agent) ?? [];
    list.push(s);
    groups.set(s.agent, list);
  }
  const agents: Record<string, AgentStats> = {};
  for (const name of [...groups.keys()].sort()) agents[name] = statsOf(groups.get(name) ?? [], dayOf, today);
  return { agents, overall: statsOf(everything, dayOf, today) };
}

function statsOf(list: readonly Summary[], dayOf: (iso: string) => string, today: string): AgentStats {
  const counts = { pending: 0, running: 0, done: 0, failed: 0, cancelled: 0, total: list.length };
  const durations: number[] = [];
  const todayCounts = { created: 0, done: 0, failed: 0, cancelled: 0 };
  let retries = 0;
  let stallsSeen = 0;
  let archived = 0;
  for (const s of list) {
    counts[s.status] += 1;
    retries += s.retries;
    stallsSeen += s.stallsSeen ?? 0;
    if (s.archived) archived++;
    if (s.status === "done" && s.startedAt && s.finishedAt) durations.push(Date.parse(s.finishedAt) - Date.parse(s.startedAt));
    if (dayOf(s.createdAt) === today) todayCounts.created++;
    if (s.finishedAt && dayOf(s.finishedAt) === today && s.status !== "pending" && s.status !== "running") todayCounts[s.status]++;
  }
  const decided = counts.done + counts.failed;
  return {
    counts,
    successRate: decided === 0 ? 0 : Math.round((counts.done / decided) * 10_000) / 10_000,
    durations: durationStats(durations),
    today: todayCounts,
    retries,
    stallsSeen,
    archived,
  };
}
