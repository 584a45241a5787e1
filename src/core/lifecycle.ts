// The task state machine. Pure: every function takes a task, the input and the actor (who, when) and returns the
// new task, the audit entry for a real transition, and the event that notifications are decided from.
// Invalid transitions throw InvalidTransitionError and change nothing.
import { InvalidTransitionError } from "./errors.ts";
import type { AuditAction, AuditEntry, NotifyPolicy, Route, Step, Task, TaskOf, TaskStatus } from "./model.ts";
import { type PriorityLabel, priorityText, type TypedPriority } from "./priority.ts";

export interface Actor {
  agent: string;
  now: Date;
}

export type TaskEvent =
  | { kind: "create" }
  | { kind: "start" }
  /** `message` is what this `next` said; the step may also hold an older heartbeat message, which is not news. */
  | { kind: "step"; finished: Step; index: number; next: Step | undefined; message: string | undefined }
  | { kind: "heartbeat"; message: string | undefined; progress: number | undefined }
  | { kind: "done" }
  | { kind: "failed" }
  | { kind: "retry" }
  | { kind: "cancelled" }
  | { kind: "stop"; repeated: boolean }
  | { kind: "stopped" }
  | { kind: "abandoned" }
  | { kind: "edit" };

export interface Change {
  task: Task;
  audit: AuditEntry | undefined;
  event: TaskEvent;
}

export interface CreateInput {
  id: string;
  seq?: number | undefined;
  agent: string;
  name: string;
  description?: string | undefined;
  priority: number;
  priorityLabel?: PriorityLabel | undefined;
  steps: { name: string; budgetMs?: number | undefined }[];
  tags: string[];
  after: string[];
  group?: string | undefined;
  meta: Record<string, unknown>;
  maxRetries: number;
  stallAfterMs?: number | undefined;
  notify?: NotifyPolicy | undefined;
  route?: Route | undefined;
  start: boolean;
}

const HINTS: Record<TaskStatus, (id: string) => string> = {
  pending: (id) => `start it first: taskpulse start ${id}`,
  running: (id) => `it is running: finish it with taskpulse done ${id}, or fail or cancel it`,
  done: () => "it is finished; create a new task for more work",
  failed: (id) => `it failed: taskpulse retry ${id} puts it back in the queue`,
  cancelled: () => "it was cancelled; create a new task for more work",
};

function requireStatus<S extends TaskStatus>(task: Task, allowed: readonly S[], command: string): TaskOf<S> {
  if ((allowed as readonly TaskStatus[]).includes(task.status)) return task as TaskOf<S>;
  const need = allowed.join(" or ");
  throw new InvalidTransitionError(
    `task ${task.id} (${task.name}) is ${task.status}; \`${command}\` needs a ${need} task`,
    HINTS[task.status](task.id),
    { detail: { key: "wrong_state", id: task.id, name: task.name, status: task.status, command, allowed } },
  );
}

function audit(task: Task, action: AuditAction, from: TaskStatus | null, actor: Actor, message?: string): AuditEntry {
  const entry: AuditEntry = { task: task.id, action, from, to: task.status, operator: actor.agent, at: actor.now.toISOString() };
  if (message !== undefined && message !== "") entry.message = message;
  return entry;
}

function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

export function createTask(input: CreateInput, actor: Actor): Change {
  const at = actor.now.toISOString();
  const base = dropUndefined({
    id: input.id,
    seq: input.seq,
    agent: input.agent,
    name: input.name,
    description: input.description,
    priority: input.priority,
    priorityLabel: input.priorityLabel,
    steps: input.steps.map((s): Step => dropUndefined({ name: s.name, status: "pending" as const, budgetMs: s.budgetMs })),
    tags: input.tags,
    after: input.after,
    group: input.group,
    meta: input.meta,
    createdBy: actor.agent,
    createdAt: at,
    queuedAt: at,
    updatedAt: at,
    lastSeenAt: at,
    attempts: 0,
    retries: 0,
    maxRetries: input.maxRetries,
    stallAfterMs: input.stallAfterMs,
    notify: input.notify,
    route: input.route,
  });
  const pending: Task = { ...base, status: "pending" };
  const created = audit(pending, "create", null, actor, input.name);
  if (!input.start) return { task: pending, audit: created, event: { kind: "create" } };
  const started = startTask(pending, actor);
  // One audit entry for the one real change: created straight into running.
  return { task: started.task, audit: { ...created, to: "running" }, event: { kind: "start" } };
}

export function startTask(task: Task, actor: Actor): Change {
  const t = requireStatus(task, ["pending"], "start");
  const at = actor.now.toISOString();
  const steps = t.steps.map((s) => ({ ...s }));
  const first = steps.find((s) => s.status === "pending");
  if (first) {
    first.status = "running";
    first.startedAt = at;
  }
  const { stop: _stop, waiting: _waiting, ...rest } = t;
  const next: Task = {
    ...rest,
    status: "running",
    steps,
    startedAt: at,
    updatedAt: at,
    lastSeenAt: at,
    attempts: t.attempts + 1,
  };
  if (next.progress !== undefined) next.progress = 0;
  return { task: next, audit: audit(next, "start", "pending", actor), event: { kind: "start" } };
}

function currentStepIndex(task: Task): number {
  return task.steps.findIndex((s) => s.status === "running");
}

/** `outcome` "skipped": the current step is passed over (`taskpulse skip`), not done; the rest is as for `next`. */
export function advanceStep(task: Task, message: string | undefined, actor: Actor, outcome: "done" | "skipped" = "done"): Change {
  const command = outcome === "done" ? "next" : "skip";
  const t = requireStatus(task, ["running"], command);
  const at = actor.now.toISOString();
  const index = currentStepIndex(t);
  if (index < 0) {
    throw new InvalidTransitionError(
      `task ${t.id} (${t.name}) has no current step`,
      t.steps.length === 0
        ? `it has no steps: use taskpulse heartbeat ${t.id}, or taskpulse done ${t.id}`
        : `finish it with taskpulse done ${t.id}`,
      { detail: { key: "no_current_step", id: t.id, name: t.name, steps: t.steps.length } },
    );
  }
  const steps = t.steps.map((s) => ({ ...s }));
  const finished = steps[index] as Step;
  finished.status = outcome;
  finished.finishedAt = at;
  if (message) finished.message = message;
  const following = steps.slice(index + 1).find((s) => s.status === "pending");
  if (following) {
    following.status = "running";
    following.startedAt = at;
    const next: Task = { ...t, steps, updatedAt: at, lastSeenAt: at };
    if (message) next.lastMessage = message;
    delete next.waiting;
    return {
      task: next,
      audit: audit(next, "step", "running", actor, stepAuditMessage(finished, message)),
      event: { kind: "step", finished, index, next: following, message },
    };
  }
  // The last step is finished: the task is done. Leaving it "running" with no current step would make an orphan
  // that turns stalled minutes later (Live Task Pulse's quirk).
  const { stop: _stop, waiting: _waiting, ...rest } = t;
  const done: Task = { ...rest, status: "done", steps, updatedAt: at, lastSeenAt: at, finishedAt: at };
  if (message) done.lastMessage = message;
  if (done.progress !== undefined) done.progress = 100;
  return {
    task: done,
    audit: audit(done, "done", "running", actor, stepAuditMessage(finished, message)),
    event: { kind: "step", finished, index, next: undefined, message },
  };
}

function stepAuditMessage(step: Step, message: string | undefined): string {
  const name = step.status === "skipped" ? `${step.name} (skipped)` : step.name;
  return message ? `${name}: ${message}` : name;
}

export interface HeartbeatInput {
  message?: string | undefined;
  progress?: number | undefined;
  /** "Waiting on something external, do not call me stalled" until `waitForMs` has passed (or the next sign of life). */
  waiting?: string | undefined;
  waitForMs?: number | undefined;
}

export function recordHeartbeat(task: Task, input: HeartbeatInput, actor: Actor): Change {
  const t = requireStatus(task, ["running"], "heartbeat");
  const at = actor.now.toISOString();
  const { waiting: _previous, ...rest } = t;
  const next: Task = { ...rest, updatedAt: at, lastSeenAt: at };
  if (input.waiting !== undefined) {
    next.waiting = { reason: input.waiting, since: at };
    if (input.waitForMs !== undefined) next.waiting.until = new Date(actor.now.getTime() + input.waitForMs).toISOString();
  }
  if (input.message) {
    next.lastMessage = input.message;
    const index = currentStepIndex(t);
    if (index >= 0) {
      next.steps = t.steps.map((s, i) => (i === index ? { ...s, message: input.message as string } : s));
    }
  }
  if (input.progress !== undefined) next.progress = input.progress;
  // A heartbeat is proof of life, not a transition: no audit entry (the journal still records the write).
  return { task: next, audit: undefined, event: { kind: "heartbeat", message: input.message, progress: input.progress } };
}

/** Open steps are closed: the running one is finished, pending ones are skipped, so a done task never shows 2/5. */
export function completeTask(task: Task, result: string | undefined, actor: Actor): Change {
  const t = requireStatus(task, ["running"], "done");
  const at = actor.now.toISOString();
  const steps = t.steps.map((s): Step => {
    if (s.status === "running") return { ...s, status: "done", finishedAt: at };
    if (s.status === "pending") return { ...s, status: "skipped" };
    return s;
  });
  const { stop: _stop, waiting: _waiting, ...rest } = t;
  const done: Task = { ...rest, status: "done", steps, updatedAt: at, lastSeenAt: at, finishedAt: at };
  if (result) done.result = result;
  if (done.progress !== undefined) done.progress = 100;
  return { task: done, audit: audit(done, "done", "running", actor, result), event: { kind: "done" } };
}

/**
 * Fails a running task at its current step, or at `stepName` (ClawLog's failed step): the current step or one still
 * to come, so the work got that far, and the steps before it that were still open count as done.
 */
export function failTask(task: Task, error: string, retryable: boolean, actor: Actor, stepName?: string): Change {
  const t = requireStatus(task, ["running"], "fail");
  const at = actor.now.toISOString();
  const open = (s: Step) => s.status === "running" || s.status === "pending";
  let index = currentStepIndex(t);
  if (stepName !== undefined) {
    index = t.steps.findIndex((s) => s.name === stepName && open(s));
    if (index < 0) {
      const listed = t.steps.filter(open).map((s) => s.name);
      throw new InvalidTransitionError(
        `task ${t.id} (${t.name}) has no step '${stepName}' still open`,
        listed.length > 0 ? `steps still open: ${listed.join(", ")}` : `none is: taskpulse error ${t.id} "…" without --step`,
        { detail: { key: "no_open_step", id: t.id, name: t.name, step: stepName, open: listed } },
      );
    }
  }
  const steps = t.steps.map((s, i): Step => {
    if (i === index) return { ...s, status: "failed", finishedAt: at, message: error };
    if (i < index && open(s)) return { ...s, status: "done", finishedAt: at };
    return s;
  });
  const { stop: _stop, waiting: _waiting, ...rest } = t;
  const failed: Task = { ...rest, status: "failed", steps, updatedAt: at, lastSeenAt: at, finishedAt: at, error, retryable };
  return { task: failed, audit: audit(failed, "fail", "running", actor, error), event: { kind: "failed" } };
}

export function retryTask(task: Task, actor: Actor): Change {
  const t = requireStatus(task, ["failed"], "retry");
  if (!t.retryable) {
    throw new InvalidTransitionError(`task ${t.id} (${t.name}) was failed with --no-retry`, "create a new task if the work must be done", {
      detail: { key: "retry_refused", id: t.id, name: t.name },
    });
  }
  if (t.retries >= t.maxRetries) {
    throw new InvalidTransitionError(
      `task ${t.id} (${t.name}) reached its retry limit (${t.retries}/${t.maxRetries})`,
      "create a new task, or raise the limit with --max-retries when creating tasks",
      { detail: { key: "retry_limit", id: t.id, name: t.name, retries: t.retries, max: t.maxRetries } },
    );
  }
  const at = actor.now.toISOString();
  const { startedAt: _s, finishedAt: _f, error: _e, retryable: _r, ...rest } = t;
  const steps = t.steps.map((s): Step => {
    const { startedAt: _a, finishedAt: _b, message: _m, ...step } = s;
    return { ...step, status: "pending" };
  });
  const pending: Task = { ...rest, status: "pending", steps, retries: t.retries + 1, updatedAt: at, lastSeenAt: at };
  if (pending.progress !== undefined) pending.progress = 0;
  return {
    task: pending,
    audit: audit(pending, "retry", "failed", actor, `retry ${pending.retries}/${pending.maxRetries}`),
    event: { kind: "retry" },
  };
}

export function cancelTask(task: Task, reason: string | undefined, actor: Actor): Change {
  const t = requireStatus(task, ["pending", "running"], "cancel");
  const at = actor.now.toISOString();
  const steps = t.steps.map((s): Step => (s.status === "running" || s.status === "pending" ? { ...s, status: "skipped" } : s));
  const { stop: _stop, waiting: _waiting, ...rest } = t;
  const cancelled: Task = { ...rest, status: "cancelled", steps, updatedAt: at, finishedAt: at };
  if (reason) cancelled.reason = reason;
  return { task: cancelled, audit: audit(cancelled, "cancel", t.status, actor, reason), event: { kind: "cancelled" } };
}

/** Records a stop request on a running task. Asking again changes nothing (idempotent, no second audit entry). */
export function requestStop(task: Task, reason: string | undefined, actor: Actor): Change {
  const t = requireStatus(task, ["running"], "stop");
  if (t.stop) return { task: t, audit: undefined, event: { kind: "stop", repeated: true } };
  const at = actor.now.toISOString();
  const next: Task = { ...t, updatedAt: at, stop: { requestedAt: at, by: actor.agent } };
  if (reason && next.stop) next.stop.reason = reason;
  return { task: next, audit: audit(next, "stop", "running", actor, reason ?? "stop requested"), event: { kind: "stop", repeated: false } };
}

const STOPPED_REASON = "stopped on request";

/** The agent acknowledges a stop request at a safe boundary: the task ends as cancelled, its summary kept. */
export function acknowledgeStop(task: Task, summary: string | undefined, actor: Actor): Change {
  const t = requireStatus(task, ["running"], "ack");
  if (!t.stop) {
    throw new InvalidTransitionError(
      `task ${t.id} (${t.name}) has no stop request to acknowledge`,
      `check first: taskpulse check ${t.id} exits 20 when a stop is requested`,
      { detail: { key: "no_stop_request", id: t.id, name: t.name } },
    );
  }
  const at = actor.now.toISOString();
  const steps = t.steps.map((s): Step => (s.status === "running" || s.status === "pending" ? { ...s, status: "skipped" } : s));
  const { waiting: _waiting, ...rest } = t;
  const cancelled: Task = { ...rest, status: "cancelled", steps, updatedAt: at, lastSeenAt: at, finishedAt: at, reason: STOPPED_REASON };
  if (summary) cancelled.summary = summary;
  return { task: cancelled, audit: audit(cancelled, "ack", "running", actor, summary ?? STOPPED_REASON), event: { kind: "stopped" } };
}

/** What `edit` may change of a queued task (OpenTask's update); absent: unchanged. */
export interface TaskEdit {
  name?: string;
  priority?: TypedPriority;
  /** Another agent's queue (the task keeps its queue time). */
  agent?: string;
  /** The dependencies, replacing the old ones (ids of existing tasks; the caller checks for cycles). */
  after?: string[];
  description?: string;
}

/** Edits a queued task; the audit entry says what changed, from what to what. No push: nothing ran. */
export function editTask(task: Task, edit: TaskEdit, actor: Actor): Change {
  const t = requireStatus(task, ["pending"], "edit");
  let next: Task = { ...t };
  const said: string[] = [];
  const set = <K extends keyof TaskEdit & keyof Task>(key: K, show: (v: Task[K]) => string) => {
    const value = edit[key] as Task[K] | undefined;
    if (value === undefined || show(value) === show(t[key])) return;
    said.push(`${key}: ${show(t[key]) || "—"} → ${show(value) || "—"}`);
    (next as Record<string, unknown>)[key] = value;
  };
  set("name", (v) => String(v));
  if (edit.priority !== undefined) {
    const to = { priority: edit.priority.priority, priorityLabel: edit.priority.label };
    if (priorityText(to) !== priorityText(t)) {
      said.push(`priority: ${priorityText(t)} → ${priorityText(to)}`);
      next = withPriority(next, edit.priority);
    }
  }
  set("agent", (v) => String(v));
  set("after", (v) => (v as string[]).join(","));
  set("description", (v) => String(v ?? ""));
  if (said.length === 0) return { task, audit: undefined, event: { kind: "edit" } };
  next.updatedAt = actor.now.toISOString();
  return { task: next, audit: audit(next, "edit", "pending", actor, said.join("; ")), event: { kind: "edit" } };
}

/** The task with another priority, its label (or none) right after it, where a task's keys always have it. */
function withPriority(task: Task, p: TypedPriority): Task {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(task)) {
    if (key === "priorityLabel") continue;
    out[key] = key === "priority" ? p.priority : value;
    if (key === "priority" && p.label) out.priorityLabel = p.label;
  }
  return out as Task;
}

const ABANDONED_ERROR = "abandoned";

/** cleanup closes a running task nobody has heard from for too long, instead of letting it run forever. */
export function abandonTask(task: Task, silentMs: number, actor: Actor): Change {
  const t = requireStatus(task, ["running"], "abandon");
  const at = actor.now.toISOString();
  const hours = Math.round(silentMs / 3_600_000);
  const error = `${ABANDONED_ERROR} (no sign of life for ${hours}h)`;
  const steps = t.steps.map((s): Step => (s.status === "running" ? { ...s, status: "failed", finishedAt: at } : s));
  const { stop: _stop, waiting: _waiting, ...rest } = t;
  const failed: Task = { ...rest, status: "failed", steps, updatedAt: at, finishedAt: at, error, retryable: true };
  return { task: failed, audit: audit(failed, "abandon", "running", actor, error), event: { kind: "abandoned" } };
}

/** Marks a step that has not started as skipped, so `next` passes over it (`taskpulse skip --step`). */
export function skipLaterStep(task: Task, stepName: string, message: string | undefined, actor: Actor): Change {
  const t = requireStatus(task, ["running"], "skip");
  const index = t.steps.findIndex((s) => s.name === stepName && s.status === "pending");
  if (index < 0) {
    const listed = t.steps.filter((s) => s.status === "pending").map((s) => s.name);
    throw new InvalidTransitionError(
      `task ${t.id} (${t.name}) has no step '${stepName}' still to come`,
      listed.length > 0 ? `steps still to come: ${listed.join(", ")}` : `it has none left: finish it with taskpulse done ${t.id}`,
      { detail: { key: "no_such_step", id: t.id, name: t.name, step: stepName, left: listed } },
    );
  }
  const at = actor.now.toISOString();
  const steps = t.steps.map((s, i) =>
    i === index ? { ...s, status: "skipped" as const, finishedAt: at, ...(message ? { message } : {}) } : s,
  );
  const next: Task = { ...t, steps, updatedAt: at, lastSeenAt: at };
  return {
    task: next,
    audit: audit(next, "step", "running", actor, stepAuditMessage(steps[index] as Step, message)),
    event: { kind: "edit" },
  };
}

/**
 * Steps finished out of all. A done task's skipped steps count as finished (done closes what was left); a cancelled
 * task's do not, so its bar shows where the work stopped.
 */
export function stepCounts(task: Task): { done: number; total: number } {
  const closed = task.status === "done";
  const done = task.steps.filter((s) => s.status === "done" || (closed && s.status === "skipped")).length;
  return { done, total: task.steps.length };
}
