// Notifications are data first: a state change yields a Notification value describing what happened, with the
// fields the templates need. Deciding whether it is due (policy, throttle, dedupe) and rendering it to text for a
// channel are separate steps (see push.ts and templates.ts).

import type { TaskEvent } from "./lifecycle.ts";
import { stepCounts } from "./lifecycle.ts";
import type { Task } from "./model.ts";
import { formatDuration } from "./time.ts";

export type Notification =
  | { kind: "start"; name: string; steps: string[] }
  | {
      kind: "step";
      name: string;
      step: string;
      message: string | undefined;
      done: number;
      total: number;
      next: string | undefined;
      /** The step was skipped, not done. */
      skipped?: boolean;
      /** Set when finishing this step finished the task. */
      completed?: { duration: string };
    }
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
  | {
      kind: "failed";
      name: string;
      error: string;
      step: string | undefined;
      done: number;
      total: number;
      /** Closed by cleanup after this many hours without a sign of life (the error then says so in the push's language). */
      abandonedHours?: number;
    }
  | { kind: "stalled"; name: string; minutes: number; step: string | undefined; done: number; total: number }
  | { kind: "stopping"; name: string; reason: string | undefined; by: string }
  | { kind: "stopped"; name: string; summary: string | undefined }
  | { kind: "cancelled"; name: string; reason: string | undefined };

export type NotificationKind = Notification["kind"];

/**
 * What a live card shows when a push edits the message sent at the start (after `pushed`): the whole task, not only
 * the latest step, so the name and the plan never disappear from the chat.
 */
export interface Card {
  name: string;
  steps: string[];
  done: number;
  total: number;
  /** The task's own progress (0–100) when it reports one. */
  progress: number | undefined;
  current: string | undefined;
  /** A heartbeat's message, else the task's last one (not for a step just finished: `finished` has it). */
  message: string | undefined;
  /** The step this change finished, with its message. */
  finished?: { step: string; message: string | undefined };
}

export function cardFor(task: Task, n: Notification): Card {
  const { done, total } = stepCounts(task);
  const card: Card = {
    name: task.name,
    steps: task.steps.map((s) => s.name),
    done,
    total,
    progress: task.progress,
    current: task.steps.find((s) => s.status === "running")?.name,
    message: n.kind === "heartbeat" ? (n.message ?? task.lastMessage) : n.kind === "step" ? undefined : task.lastMessage,
  };
  if (n.kind === "step") card.finished = { step: n.step, message: n.message };
  return card;
}

/** The notification a change would produce, before policy and throttling; undefined when the event has none. */
export function notificationFor(event: TaskEvent, task: Task): Notification | undefined {
  const { done, total } = stepCounts(task);
  const current = task.steps.find((s) => s.status === "running")?.name;
  switch (event.kind) {
    case "start":
      return { kind: "start", name: task.name, steps: task.steps.map((s) => s.name) };
    case "step": {
      const n: Notification = {
        kind: "step",
        name: task.name,
        step: event.finished.name,
        message: event.message,
        done,
        total,
        next: event.next?.name,
      };
      if (event.finished.status === "skipped") n.skipped = true;
      // The last step finished the task: the same message says so, so the user hears "done" too.
      if (!event.next && task.status === "done") n.completed = { duration: durationOf(task) };
      return n;
    }
    case "heartbeat":
      // While a stop is pending, "in progress" is not news: the chat already has the stop request.
      if (task.stop && task.status === "running") return undefined;
      return { kind: "heartbeat", name: task.name, step: current, message: event.message, progress: event.progress, done, total };
    case "done":
      return { kind: "done", name: task.name, duration: durationOf(task), result: task.status === "done" ? task.result : undefined };
    case "failed": {
      const failedStep = task.steps.find((s) => s.status === "failed")?.name;
      return { kind: "failed", name: task.name, error: task.status === "failed" ? task.error : "", step: failedStep, done, total };
    }
    case "cancelled":
      return { kind: "cancelled", name: task.name, reason: task.status === "cancelled" ? task.reason : undefined };
    case "stop":
      if (event.repeated || !task.stop) return undefined;
      return { kind: "stopping", name: task.name, reason: task.stop.reason, by: task.stop.by };
    case "stopped":
      return { kind: "stopped", name: task.name, summary: task.status === "cancelled" ? task.summary : undefined };
    case "abandoned": {
      const failedStep = task.steps.find((s) => s.status === "failed")?.name;
      const error = task.status === "failed" ? task.error : "";
      const silentMs = task.status === "failed" ? Date.parse(task.finishedAt) - Date.parse(task.lastSeenAt) : 0;
      return { kind: "failed", name: task.name, error, step: failedStep, done, total, abandonedHours: Math.round(silentMs / 3_600_000) };
    }
    case "create":
    case "retry":
    case "edit":
      return undefined;
  }
}

function durationOf(task: Task): string {
  if (task.status !== "done") return "";
  return formatDuration(Date.parse(task.finishedAt) - Date.parse(task.startedAt));
}
