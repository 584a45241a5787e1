import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { routeFor } from "../../app/push.ts";
import { findTask } from "../../app/tasks.ts";
import { checkEditableId, parseSendReply } from "../../core/message-id.ts";
import type { Task } from "../../core/model.ts";
import { example, note } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

export function registerPushed(program: Command, app: App): void {
  program
    .command("pushed")
    .description("record the message id your push got, so later progress edits that message (one live card)")
    .argument("<id>", "task id or unique prefix")
    .argument(
      "<messageId>",
      "the id the message tool returned, the JSON printed by `openclaw message send --json`, or its text line (… Message ID: 4711)",
    )
    .addHelpText(
      "after",
      `${example("taskpulse pushed k3m9xq 4711 --channel telegram")}\n\n${note("An id the channel cannot edit with is refused (exit 2): Telegram ids are positive integers.")}`,
    )
    .action(app.action((ctx, id: string, messageId: string) => pushed(ctx, id, messageId)));
}

export async function pushed(ctx: Ctx, id: string, messageIdInput: string): Promise<Outcome> {
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
  return {
    data: { task: task.id, messageId, channel: task.push?.messageChannel ?? null },
    lines: [t(ctx, `recorded message ${messageId} for ${task.id}`, `已记录 ${task.id} 的消息 ${messageId}`)],
  };
}
