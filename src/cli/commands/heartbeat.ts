import type { Command } from "commander";
import { UsageError } from "../../core/errors.ts";
import { recordHeartbeat } from "../../core/lifecycle.ts";
import { cleanText, printable } from "../../core/names.ts";
import type { Ctx } from "../context.ts";
import type { Outcome } from "../outcome.ts";
import { type App, example } from "../program.ts";
import { actorOf, applyToTask } from "./common.ts";

export function registerHeartbeat(program: Command, app: App): void {
  program
    .command("heartbeat")
    .description("proof of life for a running task, with an optional message and progress")
    .argument("<id>", "task id or unique prefix")
    .argument("[message...]", "what is happening now")
    .option("--progress <n>", "progress in percent, 0-100")
    .addHelpText("after", example('taskpulse heartbeat "$TASK_ID" 已处理60% --progress 60'))
    .action(app.action((ctx, id: string, message: string[], opts: { progress?: string }) => heartbeat(ctx, id, message.join(" "), opts)));
}

export async function heartbeat(ctx: Ctx, id: string, messageArg: string, opts: { progress?: string }): Promise<Outcome> {
  const message = cleanText(messageArg, "message").trim() || undefined;
  let progress: number | undefined;
  if (opts.progress !== undefined) {
    progress = Number(opts.progress);
    if (!/^\d+(\.\d+)?$/.test(opts.progress) || progress > 100) {
      throw new UsageError(`invalid --progress '${printable(opts.progress)}'`, "use a number from 0 to 100");
    }
  }
  const { change, push } = await applyToTask(ctx, "heartbeat", id, (task) => recordHeartbeat(task, { message, progress }, actorOf(ctx)));
  const task = change.task;
  const pct = task.progress !== undefined ? ` ${task.progress}%` : "";
  return { data: { task, stopRequested: task.stop !== undefined }, lines: [`💓 ok${pct}`], push };
}
