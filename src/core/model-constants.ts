// The zod-free half of the model: constants and helpers that the hot paths need without loading zod (loading it
// and building the schemas costs a call ~20 ms). model.ts re-exports them; code that runs on every call (commands,
// core, store) imports them from here.
import type { NotifyPolicy, Task, TaskOf, TaskStatus } from "./model.ts";

export const SCHEMA_VERSION = 1;

export const LIMITS = {
  name: 200,
  text: 8000,
  steps: 100,
  tags: 20,
  tag: 40,
  meta: 50,
  metaKey: 64,
  metaValue: 1000,
  after: 20,
} as const;

export const TASK_STATUSES: readonly TaskStatus[] = ["pending", "running", "done", "failed", "cancelled"];
export const FINISHED: readonly TaskStatus[] = ["done", "failed", "cancelled"];

export function isFinished(task: Task): task is TaskOf<"done" | "failed" | "cancelled"> {
  return task.status === "done" || task.status === "failed" || task.status === "cancelled";
}

export const NOTIFY_POLICIES: readonly NotifyPolicy[] = ["all", "steps", "final", "silent"];
