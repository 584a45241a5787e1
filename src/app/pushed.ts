// Recording the message id a push got (`taskpulse pushed`, the plugin's taskpulse_pushed): that message becomes the
// task's live card, so later pushes edit it instead of sending new ones.
import { checkEditableId, parseSendReply } from "../core/message-id.ts";
import type { Task } from "../core/model.ts";
import type { Ctx } from "./context.ts";
import { routeFor } from "./push.ts";
import { findTask } from "./tasks.ts";

/** `messageIdInput`: the id, the message tool's reply, or `openclaw message send --json`'s output. */
export async function recordPushed(ctx: Ctx, id: string, messageIdInput: string): Promise<Task> {
  const reply = parseSendReply(messageIdInput);
  const messageId = reply.messageId;
  return ctx.store("pushed").transaction((tx) => {
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
}
