// Queue order and claiming: highest priority first, then oldest (FIFO by queue time), dependencies done.
import type { Task } from "./model.ts";
import { byCodePoint } from "./names.ts";

export const DEFAULT_AGENT_LIMIT = 1;

/** What claiming needs of a task: a backend can keep it apart from the tasks (the JSON store's queue parts). */
export type QueueTask = Pick<Task, "id" | "agent" | "name" | "status" | "priority" | "after" | "queuedAt" | "seq">;

/** What orders a queue. */
export type QueueKey = Pick<Task, "id" | "priority" | "queuedAt" | "seq">;

export function compareQueue(a: QueueKey, b: QueueKey): number {
  return b.priority - a.priority || byCodePoint(a.queuedAt, b.queuedAt) || (a.seq ?? 0) - (b.seq ?? 0) || byCodePoint(a.id, b.id);
}

export type DependencyState = "ready" | "waiting" | "blocked";

/** `lookup` finds a dependency by id (hot or archived); a missing dependency counts as waiting. */
export function dependencyState(
  task: Pick<Task, "after">,
  lookup: (id: string) => Pick<Task, "status"> | undefined,
): { state: DependencyState; on: string[] } {
  const waitingOn: string[] = [];
  const blockedBy: string[] = [];
  for (const dep of task.after) {
    const t = lookup(dep);
    if (t?.status === "done") continue;
    if (t && (t.status === "failed" || t.status === "cancelled")) blockedBy.push(dep);
    else waitingOn.push(dep);
  }
  if (blockedBy.length > 0) return { state: "blocked", on: blockedBy };
  if (waitingOn.length > 0) return { state: "waiting", on: waitingOn };
  return { state: "ready", on: [] };
}

export type ClaimDecision<T extends QueueTask = Task> =
  | { kind: "claim"; task: T }
  | { kind: "busy"; running: T[]; limit: number }
  | { kind: "empty"; waiting: number };

/** What `start` without an id does for `agent`, given the agent's tasks. */
export function decideClaim<T extends QueueTask>(
  tasks: readonly T[],
  agent: string,
  limit: number,
  lookup: (id: string) => Pick<Task, "status"> | undefined,
): ClaimDecision<T> {
  const mine = tasks.filter((t) => t.agent === agent);
  const running = mine.filter((t) => t.status === "running");
  if (running.length >= limit) return { kind: "busy", running, limit };
  const pending = mine.filter((t) => t.status === "pending").sort(compareQueue);
  const ready = pending.find((t) => dependencyState(t, lookup).state === "ready");
  if (ready) return { kind: "claim", task: ready };
  return { kind: "empty", waiting: pending.length };
}
