// What the dashboard shows, shaped from a store snapshot. Pure: it takes the snapshot, `now` and the stall
// threshold and returns plain JSON. Facts that change with the clock alone (ages, how long a stall has lasted) are
// sent as timestamps for the page to count, so the view only changes when the store does or a task starts or stops
// being stalled; the event stream relies on that to send a snapshot only when something a person sees changed.
import { stepCounts } from "../core/lifecycle.ts";
import { liveness, type StallReason } from "../core/liveness.ts";
import { isFinished, type StepStatus, type Task, type TaskStatus } from "../core/model.ts";
import { byCodePoint, byName } from "../core/names.ts";
import { compareQueue, type DependencyState, dependencyState } from "../core/queue.ts";
import type { Snapshot } from "../store/store.ts";
import type { JobView } from "./jobs.ts";

/** Finished tasks stay in "recent finishes" this long (as in `taskpulse status`). */
const RECENT_MS = 24 * 3_600_000;
const MAX_QUEUED_PER_AGENT = 20;
const MAX_RECENT = 20;

type DisplayState = TaskStatus | "stalled";

interface StepView {
  name: string;
  status: StepStatus;
  startedAt?: string;
  finishedAt?: string;
  message?: string;
}

interface TaskView {
  id: string;
  agent: string;
  name: string;
  status: TaskStatus;
  /** The status, or "stalled" for a running task nothing has been heard from. */
  state: DisplayState;
  priority: number;
  /** The label the priority was given as (P0-P3); absent when it was given as 1-10. */
  priorityLabel?: string;
  tags: string[];
  steps: StepView[];
  done: number;
  total: number;
  progress?: number;
  currentStep?: string;
  lastMessage?: string;
  createdAt: string;
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
  lastSeenAt: string;
  stall?: { reason: StallReason; since: string };
  waiting?: { reason: string; until?: string };
  stop?: { requestedAt: string; by: string; reason?: string };
  dependencies?: { state: DependencyState; on: string[] };
  result?: string;
  error?: string;
  reason?: string;
  summary?: string;
}

interface AgentView {
  name: string;
  /** Running tasks, stalled ones included, oldest first. */
  running: TaskView[];
  /** Queued tasks in the order `start` would take them (at most 20; `queuedTotal` counts all). */
  queued: TaskView[];
  queuedTotal: number;
}

interface Counts {
  running: number;
  stalled: number;
  pending: number;
  done: number;
  failed: number;
  cancelled: number;
}

export interface DashboardView {
  /** The server's clock when the view was made: the page counts ages from it, not from the browser's clock. */
  now: string;
  stallMs: number;
  counts: Counts;
  agents: AgentView[];
  /** Tasks finished in the last 24 h, newest first (at most 20). */
  recent: TaskView[];
  /** Tasks failed in the last 24 h, newest first (at most 20), for the page's "needs attention" strip. */
  failed: TaskView[];
  jobs: JobView[];
}

function taskView(task: Task, snapshot: Snapshot, now: Date, stallMs: number): TaskView {
  const live = liveness(task, now, stallMs);
  const { done, total } = stepCounts(task);
  const steps = task.steps.map((s) => {
    const v: StepView = { name: s.name, status: s.status };
    if (s.startedAt) v.startedAt = s.startedAt;
    if (s.finishedAt) v.finishedAt = s.finishedAt;
    if (s.message) v.message = s.message;
    return v;
  });
  const v: TaskView = {
    id: task.id,
    agent: task.agent,
    name: task.name,
    status: task.status,
    state: live.stalled ? "stalled" : task.status,
    priority: task.priority,
    tags: task.tags,
    steps,
    done,
    total,
    createdAt: task.createdAt,
    queuedAt: task.queuedAt,
    lastSeenAt: task.lastSeenAt,
  };
  if (task.priorityLabel) v.priorityLabel = task.priorityLabel;
  const current = task.steps.find((s) => s.status === "running");
  if (current) v.currentStep = current.name;
  const message = current?.message ?? task.lastMessage;
  if (message) v.lastMessage = message;
  if (task.progress !== undefined) v.progress = task.progress;
  if (task.status !== "pending" && task.startedAt) v.startedAt = task.startedAt;
  if (isFinished(task)) v.finishedAt = task.finishedAt;
  if (live.stalled && live.reason && live.since) v.stall = { reason: live.reason, since: live.since };
  if (live.waiting) v.waiting = live.waiting;
  if (task.status === "running" && task.stop) {
    v.stop = { requestedAt: task.stop.requestedAt, by: task.stop.by };
    if (task.stop.reason) v.stop.reason = task.stop.reason;
  }
  if (task.status === "pending" && task.after.length > 0) v.dependencies = dependencyState(task, (id) => snapshot.get(id));
  if (task.status === "done" && task.result) v.result = task.result;
  if (task.status === "failed") v.error = task.error;
  if (task.status === "cancelled") {
    if (task.reason) v.reason = task.reason;
    if (task.summary) v.summary = task.summary;
  }
  return v;
}

export function dashboardView(snapshot: Snapshot, now: Date, stallMs: number, jobs: JobView[]): DashboardView {
  const counts: Counts = { running: 0, stalled: 0, pending: 0, done: 0, failed: 0, cancelled: 0 };
  const byAgent = new Map<string, AgentView>();
  const agentOf = (name: string): AgentView => {
    let a = byAgent.get(name);
    if (!a) {
      a = { name, running: [], queued: [], queuedTotal: 0 };
      byAgent.set(name, a);
    }
    return a;
  };
  const recent: Task[] = [];
  const queued: Task[] = [];
  for (const task of snapshot.tasks) {
    const stalled = liveness(task, now, stallMs).stalled;
    counts[stalled ? "stalled" : task.status] += 1;
    if (task.status === "running") agentOf(task.agent).running.push(taskView(task, snapshot, now, stallMs));
    else if (task.status === "pending") queued.push(task);
    else if (now.getTime() - Date.parse(task.finishedAt) < RECENT_MS) recent.push(task);
  }
  for (const task of queued.sort(compareQueue)) {
    const a = agentOf(task.agent);
    a.queuedTotal += 1;
    if (a.queued.length < MAX_QUEUED_PER_AGENT) a.queued.push(taskView(task, snapshot, now, stallMs));
  }
  for (const a of byAgent.values()) a.running.sort((x, y) => byCodePoint(x.createdAt, y.createdAt) || byCodePoint(x.id, y.id));
  const agents = [...byAgent.values()].sort((a, b) => (a.name === "main" ? -1 : b.name === "main" ? 1 : byName(a.name, b.name)));
  const finishedAt = (t: Task) => (isFinished(t) ? t.finishedAt : "");
  recent.sort((a, b) => byCodePoint(finishedAt(b), finishedAt(a)) || byCodePoint(a.id, b.id));
  const failed = recent.filter((t) => t.status === "failed").slice(0, MAX_RECENT);
  return {
    now: now.toISOString(),
    stallMs,
    counts,
    agents,
    recent: recent.slice(0, MAX_RECENT).map((t) => taskView(t, snapshot, now, stallMs)),
    failed: failed.map((t) => taskView(t, snapshot, now, stallMs)),
    jobs,
  };
}

/**
 * What decides whether a new snapshot must be sent: the view's JSON without its clock. `now` is the view's first
 * field, so it is cut from the text rather than the view serialised twice (a view of 1 000 tasks is ~300 kB).
 */
export function viewKey(json: string): string {
  const m = /^\{"now":"[^"]*",/.exec(json);
  return m ? `{${json.slice(m[0].length)}` : json;
}
