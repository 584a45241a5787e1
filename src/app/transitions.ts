// The use cases that move one task, named by id or unique prefix: finish, fail, retry, cancel, and the stop
// handshake (request, check, acknowledge). Each cleans its input, applies the core transition under the lock and
// returns the task as written with the push that is due; how it is shown is the caller's.
import { UsageError } from "../core/errors.ts";
import * as lifecycle from "../core/lifecycle.ts";
import type { StopRequest, Task } from "../core/model.ts";
import { cleanText } from "../core/names.ts";
import type { Push } from "../core/push.ts";
import type { Ctx } from "./context.ts";
import { actorOf, applyToTask, findTask } from "./tasks.ts";

/** A task as a use case left it, and the push that is due (null: none). */
export interface TaskChange {
  task: Task;
  push: Push | null;
}

/** Free text given on the command line or by a caller: cleaned, trimmed, undefined when empty. */
function optionalText(text: string, what: string): string | undefined {
  return cleanText(text, what).trim() || undefined;
}

export async function completeTask(ctx: Ctx, id: string, result: string): Promise<TaskChange> {
  const text = optionalText(result, "result");
  const { change, push } = await applyToTask(ctx, "done", id, (task) => lifecycle.completeTask(task, text, actorOf(ctx)));
  return { task: change.task, push };
}

export async function failTask(ctx: Ctx, id: string, message: string, opts: { retry?: boolean; step?: string }): Promise<TaskChange> {
  const error = cleanText(message, "message").trim();
  // As the original: a failure without a reason helps nobody reading the chat or the log.
  if (error === "") throw new UsageError("error needs a message: what went wrong", 'taskpulse error <id> "what went wrong"');
  const retryable = opts.retry !== false;
  const { change, push } = await applyToTask(ctx, "fail", id, (task) =>
    lifecycle.failTask(task, error, retryable, actorOf(ctx), opts.step),
  );
  return { task: change.task, push };
}

/**
 * Closes the running step (done, or skipped with `skip`) and starts the next; with `step`, passes over a step still
 * to come instead. `stopRequested`: the task runs on with a stop request pending.
 */
export async function advanceTask(
  ctx: Ctx,
  id: string,
  message: string,
  how: { skip?: boolean; step?: string | undefined } = {},
): Promise<TaskChange & { finished: boolean; stopRequested: boolean }> {
  const text = optionalText(message, "message");
  const { change, push } = await applyToTask(ctx, how.skip ? "skip" : "next", id, (task) => {
    const current = task.steps.find((s) => s.status === "running")?.name;
    if (how.step !== undefined && how.step !== current) return lifecycle.skipLaterStep(task, how.step, text, actorOf(ctx));
    return lifecycle.advanceStep(task, text, actorOf(ctx), how.skip ? "skipped" : "done");
  });
  const task = change.task;
  return { task, push, finished: task.status === "done", stopRequested: task.status === "running" && task.stop !== undefined };
}

export async function retryTask(ctx: Ctx, id: string): Promise<TaskChange> {
  const { change, push } = await applyToTask(ctx, "retry", id, (task) => lifecycle.retryTask(task, actorOf(ctx)));
  return { task: change.task, push };
}

export async function cancelTask(ctx: Ctx, id: string, reason: string): Promise<TaskChange> {
  const text = optionalText(reason, "reason");
  const { change, push } = await applyToTask(ctx, "cancel", id, (task) => lifecycle.cancelTask(task, text, actorOf(ctx)));
  return { task: change.task, push };
}

/** `repeated`: a stop was already requested, and nothing changed. */
export async function requestStop(ctx: Ctx, id: string, reason: string): Promise<TaskChange & { repeated: boolean }> {
  const text = optionalText(reason, "reason");
  const { change, push } = await applyToTask(ctx, "stop", id, (task) => lifecycle.requestStop(task, text, actorOf(ctx)));
  const repeated = change.event.kind === "stop" && change.event.repeated;
  return { task: change.task, push, repeated };
}

/** Read-only: whether a stop is requested and not yet acknowledged (only a running task can have one pending). */
export async function checkStop(ctx: Ctx, id: string): Promise<{ task: Task; stopRequested: boolean; stop: StopRequest | null }> {
  const task = findTask(await ctx.store("check").read(), id);
  ctx.mayActOn?.(task);
  const pending = task.status === "running" && task.stop !== undefined;
  return { task, stopRequested: pending, stop: pending ? (task.stop ?? null) : null };
}

export async function acknowledgeStop(ctx: Ctx, id: string, summary: string): Promise<TaskChange> {
  const text = optionalText(summary, "summary");
  const { change, push } = await applyToTask(ctx, "ack", id, (task) => lifecycle.acknowledgeStop(task, text, actorOf(ctx)));
  return { task: change.task, push };
}
