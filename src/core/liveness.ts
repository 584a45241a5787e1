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

export function liveness(task: Task, now: Date, defaultStallMs: number): Liveness {
  if (task.status !== "running") return { stalled: false };
  const t = now.getTime();
  if (task.waiting && (!task.waiting.until || Date.parse(task.waiting.until) > t)) {
    const waiting: Liveness["waiting"] = { reason: task.waiting.reason };
    if (task.waiting.until) waiting.until = task.waiting.until;
    return { stalled: false, waiting };
  }
  const step = task.steps.find((s) => s.status === "running");
  if (step?.budgetMs !== undefined && step.startedAt) {
    const overrunAt = Date.parse(step.startedAt) + step.budgetMs;
    if (t > overrunAt) {
      return { stalled: true, reason: "step_overrun", since: new Date(overrunAt).toISOString(), forMs: t - overrunAt };
    }
    // A step inside its budget is not called stalled for silence shorter than the budget.
    return { stalled: false };
  }
  const threshold = task.stallAfterMs ?? defaultStallMs;
  const silent = t - Date.parse(task.lastSeenAt);
  if (silent > threshold) return { stalled: true, reason: "no_heartbeat", since: task.lastSeenAt, forMs: silent };
  return { stalled: false };
}
