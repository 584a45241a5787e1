import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { actorOf, applyToTask } from "../../app/tasks.ts";
import { cancelTask } from "../../core/lifecycle.ts";
import { cleanText } from "../../core/names.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

export function registerCancel(program: Command, app: App): void {
  program
    .command("cancel")
    .description("cancel a queued or running task (it is kept, with the reason)")
    .argument("<id>", "task id or unique prefix")
    .argument("[reason...]", "why")
    .addHelpText("after", example('taskpulse cancel k3m9xq "no longer needed"'))
    .action(app.action((ctx, id: string, reason: string[]) => cancel(ctx, id, reason.join(" "))));
}

export async function cancel(ctx: Ctx, id: string, reasonArg: string): Promise<Outcome> {
  const reason = cleanText(reasonArg, "reason").trim() || undefined;
  const { change, push } = await applyToTask(ctx, "cancel", id, (task) => cancelTask(task, reason, actorOf(ctx)));
  const task = change.task;
  return { data: { task }, lines: [t(ctx, `⛔ cancelled ${task.id} ${task.name}`, `⛔ 已取消 ${task.id} ${task.name}`)], push };
}
