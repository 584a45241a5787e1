import type { Command } from "commander";
import { cancelTask } from "../../app/transitions.ts";
import type { CliCtx } from "../cli-context.ts";
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

async function cancel(ctx: CliCtx, id: string, reason: string): Promise<Outcome> {
  const { task, push } = await cancelTask(ctx, id, reason);
  return { data: { task }, lines: [t(ctx, `⛔ cancelled ${task.id} ${task.name}`, `⛔ 已取消 ${task.id} ${task.name}`)], push };
}
