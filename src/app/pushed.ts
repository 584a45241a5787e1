// `pushed`: the message id a push got (from the `message` tool, or `openclaw message send --json`'s reply), kept with
// the task so that later progress edits that message: one live card. An id the channel cannot edit with is refused.
import { checkEditableId, parseSendReply } from "../core/message-id.ts";
import type { Task } from "../core/model.ts";
import type { Ctx } from "./context.ts";
import { routeFor } from "./push.ts";
import { findTask } from "./tasks.ts";

export async function recordPushedMessage(
  ctx: Ctx,
  id: string,
  messageIdInput: string,
): Promise<{ task: string; messageId: string; channel: string | null }> {
  const reply = parseSendReply(messageIdInput);
  const messageId = reply.messageId;
  const task = await ctx.store("pushed").transaction((tx) => {
    const current = findTask(tx, id);
    const channel = routeFor(ctx, current).channel ?? reply.channel;
    checkEditableId(messageId, channel);
    const push = { ...current.push, messageId };
    if (channel) push.messageChannel = channel;
    // The card now shows the last text sent; an edit must change it.
    if (current.push?.lastText !== undefined) push.cardText = current.push.lastText;
    const next: Task = { ...current, push };
    tx.put(next);
    return next;
  });
  return { task: task.id, messageId, channel: task.push?.messageChannel ?? null };
}
