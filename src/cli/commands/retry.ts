import type { Command } from "commander";
import { retryTask } from "../../app/transitions.ts";
import type { CliCtx } from "../cli-context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

export function registerRetry(program: Command, app: App): void {
  program
    .command("retry")
    .description("put a failed task back in its queue (at most --max-retries times, default 3); it keeps its place")
    .argument("<id>", "task id or unique prefix")
    .addHelpText("after", example("taskpulse retry k3m9xq"))
    .action(app.action((ctx, id: string) => retry(ctx, id)));
}

async function retry(ctx: CliCtx, id: string): Promise<Outcome> {
  const { task, push } = await retryTask(ctx, id);
  const n = `${task.retries}/${task.maxRetries}`;
  return { data: { task }, lines: [t(ctx, `↻ ${task.id} is queued again (retry ${n})`, `↻ ${task.id} 已重新排队（重试 ${n}）`)], push };
}
