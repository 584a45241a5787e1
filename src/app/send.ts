// `--send` (or TASKPULSE_SEND=1): taskpulse delivers a due push itself, for an agent without the `message` tool (a
// sub-agent, the coding profile) or a cron wrapper whose delivery OpenClaw does not do. It runs the push's own
// `openclaw message send|edit … --json` (src/jobs/message.ts), after the change was committed: a delivery that
// fails never undoes or repeats the change. The message id the reply names becomes the task's live card (so the next
// push edits it, as `taskpulse pushed` would record it); an edit that fails falls back to a new send; the outcome is
// recorded with the task (push.lastDelivery) or the job (its delivery record), and reported in `push.delivery`, with
// a warning when it failed. The exit status stays the command's own.
import { recordDelivery } from "../core/jobs.ts";
import { checkEditableId } from "../core/message-id.ts";
import type { PushState, Task } from "../core/model.ts";
import { type Delivery, type Push, toArgv } from "../core/push.ts";
import { runMessageCommand } from "../jobs/message.ts";
import type { Ctx } from "./context.ts";

/** Pushes that open or continue the live card; the others (done, failed, stalled, …) are messages of their own. */
const CARD_REASONS = new Set(["start", "step", "heartbeat"]);

/**
 * What a push is about, from its id: `job:<job>:…` for a cron job's; `<task id>:<reason>:<since>` for a stall alert
 * (stall-push.ts), and those joined by "+" for one alert that reports several; `<task id>-<kind>-<n>` for the others
 * (decidePush; an imported task id may itself hold "-").
 */
export function subjectsOf(push: Push): ({ job: string } | { task: string })[] {
  if (push.id.startsWith("job:")) return [{ job: push.id.split(":")[1] as string }];
  if (push.id.includes(":")) return push.id.split("+").map((episode) => ({ task: episode.split(":")[0] as string }));
  return [{ task: /^(.+)-[a-z-]+-\d+$/.exec(push.id)?.[1] ?? push.id }];
}

/** What carries a due push: a command's outcome, or a use case's result. */
interface WithPush {
  push?: Push | null | undefined;
  warnings?: string[] | undefined;
}

/** Delivers the result's push when --send asked for it; returns the result with `push.delivery` (and a warning). */
export async function deliver<T extends WithPush>(ctx: Ctx, outcome: T): Promise<T> {
  const push = outcome.push;
  if (!push) return outcome;
  let delivery: Delivery;
  if (!push.argv) {
    delivery = { status: "failed", action: push.tool.action, error: push.hint ?? "no command line to send it with" };
  } else {
    let result = await runMessageCommand(push.argv, ctx.deps.env);
    delivery = { status: result.ok ? "sent" : "failed", action: push.tool.action };
    if (!result.ok && !result.timedOut && push.tool.action === "edit") {
      // The card may be gone (deleted, too old to edit): the news still reaches the chat as a new card.
      const { messageId: _edited, ...tool } = push.tool;
      const again = toArgv({ ...tool, action: "send" });
      if (again) {
        const first = result.error;
        result = await runMessageCommand(again, ctx.deps.env);
        delivery = { status: result.ok ? "sent" : "failed", action: "send", editFailed: first ?? "edit failed" };
      }
    }
    if (result.messageId !== undefined) delivery.messageId = result.messageId;
    if (result.error !== undefined) delivery.error = result.error;
    await record(ctx, push, delivery, result.channel);
  }
  const warnings = [...(outcome.warnings ?? [])];
  if (delivery.status === "failed") warnings.push(`the push was not delivered: ${delivery.error}; the change itself is recorded`);
  return { ...outcome, push: { ...push, delivery }, warnings };
}

/** Records what became of the push: the task's card and last delivery, or the job's delivery record. */
async function record(ctx: Ctx, push: Push, delivery: Delivery, channel: string | undefined): Promise<void> {
  for (const subject of subjectsOf(push)) await recordFor(ctx, subject, push, delivery, channel);
}

async function recordFor(
  ctx: Ctx,
  subject: { job: string } | { task: string },
  push: Push,
  delivery: Delivery,
  channel: string | undefined,
): Promise<void> {
  const store = ctx.store("send");
  const at = ctx.now.toISOString();
  if ("job" in subject) {
    await store.transaction((tx) => {
      const job = tx.job(subject.job);
      const run = job?.lastRun?.id;
      if (!job || run === undefined) return;
      const input = {
        run,
        messageId: delivery.messageId ?? "-",
        status: delivery.status === "sent" ? ("sent" as const) : ("failed" as const),
      };
      tx.putJob(recordDelivery(job, delivery.error ? { ...input, error: delivery.error } : input, ctx.now));
      const entry = { v: 1 as const, kind: "delivery" as const, run, at, messageId: input.messageId, status: input.status };
      tx.appendRun(subject.job, delivery.error ? { ...entry, error: delivery.error.slice(0, 500) } : entry);
    });
    return;
  }
  await store.transaction((tx) => {
    const task = tx.get(subject.task);
    if (!task) return; // archived meanwhile: nothing to keep the card for
    const state: PushState = {
      ...task.push,
      lastDelivery: delivery.error ? { at, status: delivery.status, error: delivery.error.slice(0, 500) } : { at, status: delivery.status },
    };
    // A new message that opens the live card, or replaces one whose edit failed: later pushes edit it. (A step that
    // finished the task is a message of its own, like done: the card stays what it was.)
    const opens = task.push?.messageId === undefined || delivery.editFailed !== undefined;
    const named = push.tool.channel ?? channel;
    if (
      delivery.status === "sent" &&
      delivery.messageId !== undefined &&
      delivery.action === "send" &&
      opens &&
      CARD_REASONS.has(push.reason) &&
      editable(delivery.messageId, named)
    ) {
      state.messageId = delivery.messageId;
      if (named) state.messageChannel = named.toLowerCase();
      state.cardText = push.tool.message;
    }
    const next: Task = { ...task, push: state };
    tx.put(next);
  });
}

/** Whether the channel can edit a message by this id (as `pushed` checks it): else it never becomes the card. */
function editable(messageId: string, channel: string | undefined): boolean {
  try {
    checkEditableId(messageId, channel);
    return true;
  } catch {
    return false;
  }
}
