import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { recordPushed } from "../../app/pushed.ts";
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
  const task = await recordPushed(ctx, id, messageIdInput);
  const messageId = task.push?.messageId as string;
  return {
    data: { task: task.id, messageId, channel: task.push?.messageChannel ?? null },
    lines: [t(ctx, `recorded message ${messageId} for ${task.id}`, `已记录 ${task.id} 的消息 ${messageId}`)],
  };
}
