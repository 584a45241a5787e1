// Notifications are data first: a state change yields a Notification value describing what happened, with the
// fields the templates need. Deciding whether it is due (policy, throttle, dedupe) and rendering it to text for a
// channel are separate steps (see push.ts and templates.ts).

import type { TaskEvent } from "./lifecycle.ts";
import { stepCounts } from "./lifecycle.ts";
import type { Task } from "./model.ts";
import { formatDuration } from "./time.ts";

export type Notification =
  | { kind: "start"; name: string; steps: string[] }
  | { kind: "step"; name: string; step: string; message: string | undefined; done: number; total: number; next: string | undefined }
  | {
      kind: "heartbeat";
      name: string;
      step: string | undefined;
      message: string | undefined;
      progress: number | undefined;
      done: number;
      total: number;
    }
  | { kind: "done"; name: string; duration: string; result: string | undefined }
  | { kind: "failed"; name: string; error: string; step: string | undefined; done: number; total: number }
  | { kind: "stalled"; name: string; minutes: number; step: string | undefined; done: number; total: number };

export type NotificationKind = Notification["kind"];

/** The notification a change would produce, before policy and throttling; undefined when the event has none. */
export function notificationFor(event: TaskEvent, task: Task): Notification | undefined {
  const { done, total } = stepCounts(task);
  const current = task.steps.find((s) => s.status === "running")?.name;
  switch (event.kind) {
    case "start":
      return { kind: "start", name: task.name, steps: task.steps.map((s) => s.name) };
    case "step":
      if (!event.next && task.status === "done") {
        // The last step finished the task: the user hears "done", not one more step.
        return { kind: "done", name: task.name, duration: durationOf(task), result: undefined };
      }
      return {
        kind: "step",
        name: task.name,
        step: event.finished.name,
        message: event.finished.message,
        done,
        total,
        next: event.next?.name,
      };
    case "heartbeat":
      return { kind: "heartbeat", name: task.name, step: current, message: event.message, progress: event.progress, done, total };
    case "done":
      return { kind: "done", name: task.name, duration: durationOf(task), result: task.status === "done" ? task.result : undefined };
    case "failed": {
      const failedStep = task.steps.find((s) => s.status === "failed")?.name;
      return { kind: "failed", name: task.name, error: task.status === "failed" ? task.error : "", step: failedStep, done, total };
    }
    case "create":
    case "retry":
    case "cancelled":
      return undefined;
  }
}

function durationOf(task: Task): string {
  if (task.status !== "done") return "";
  return formatDuration(Date.parse(task.finishedAt) - Date.parse(task.startedAt));
}
