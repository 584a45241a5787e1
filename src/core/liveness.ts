// Liveness is derived when read, never stored. A running task is stalled when nothing has been heard from it
// for longer than its threshold, or when its current step overran its budget; an explicit "waiting" declaration
// suspends both until it expires.
import type { Task } from "./model.ts";

export const DEFAULT_STALL_MS = 180_000;

export type StallReason = "no_heartbeat" | "step_overrun";

export interface Liveness {
  stalled: boolean;
  reason?: StallReason;
  /** When the silence (or the overrun) began. */
  since?: string;
  /** How long it has lasted at `now`. */
  forMs?: number;
  waiting?: { reason: string; until?: string };
}

/**
 * What liveness, and a running task's card, need of a task beyond its summary: the store keeps it in a running
 * task's entry (core/insight.ts, TaskEntry.live), so status and query judge thousands of running tasks without
 * reading them whole.
 */
export interface LiveFields {
  lastSeenAt: string;
  stallAfterMs?: number;
  waiting?: { reason: string; until?: string };
  /** The running step (there is at most one). */
  step?: { name: string; startedAt?: string; budgetMs?: number };
  /** The running step's message, or without one the task's last message: what its card shows as current. */
  message?: string;
  progress?: number;
  stop?: Task["stop"];
}

/** A running task's LiveFields (none for a task that is not running). */
export function liveOf(task: Task): LiveFields | undefined {
  if (task.status !== "running") return undefined;
  const live: LiveFields = { lastSeenAt: task.lastSeenAt };
  if (task.stallAfterMs !== undefined) live.stallAfterMs = task.stallAfterMs;
  if (task.waiting)
    live.waiting = task.waiting.until ? { reason: task.waiting.reason, until: task.waiting.until } : { reason: task.waiting.reason };
  const step = task.steps.find((s) => s.status === "running");
  if (step) {
    live.step = { name: step.name };
    if (step.startedAt !== undefined) live.step.startedAt = step.startedAt;
    if (step.budgetMs !== undefined) live.step.budgetMs = step.budgetMs;
  }
  const message = step ? step.message : task.lastMessage;
  if (message !== undefined) live.message = message;
  if (task.progress !== undefined) live.progress = task.progress;
  if (task.stop) live.stop = task.stop;
  return live;
}

export function liveness(task: Task, now: Date, defaultStallMs: number): Liveness {
  return task.status === "running" ? livenessOf(liveOf(task) as LiveFields, now, defaultStallMs) : { stalled: false };
}

/** The liveness of a running task from its LiveFields. */
export function livenessOf(live: LiveFields, now: Date, defaultStallMs: number): Liveness {
  const t = now.getTime();
  if (live.waiting && (!live.waiting.until || Date.parse(live.waiting.until) > t)) {
    const waiting: Liveness["waiting"] = { reason: live.waiting.reason };
    if (live.waiting.until) waiting.until = live.waiting.until;
    return { stalled: false, waiting };
  }
  const step = live.step;
  if (step?.budgetMs !== undefined && step.startedAt) {
    const overrunAt = Date.parse(step.startedAt) + step.budgetMs;
    if (t > overrunAt) {
      return { stalled: true, reason: "step_overrun", since: new Date(overrunAt).toISOString(), forMs: t - overrunAt };
    }
    // A step inside its budget is not called stalled for silence shorter than the budget.
    return { stalled: false };
  }
  const threshold = live.stallAfterMs ?? defaultStallMs;
  const silent = t - Date.parse(live.lastSeenAt);
  if (silent > threshold) return { stalled: true, reason: "no_heartbeat", since: live.lastSeenAt, forMs: silent };
  return { stalled: false };
}
