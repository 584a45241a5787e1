import type { Command } from "commander";
import { taskFromWords } from "../../app/tasks.ts";
import { failTask } from "../../app/transitions.ts";
import { oneLine } from "../../core/names.ts";
import type { CliCtx } from "../cli-context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";

export function registerFail(program: Command, app: App): void {
  program
    .command("error")
    .alias("fail")
    .description("fail a running task; the current step is marked failed with the message")
    .argument("[id]", "task id or unique prefix (with --agent, leave it out for that agent's one running task)")
    .argument("[message...]", "what went wrong (required: the failure push and the log show it)")
    .option("--retryable", "may be retried (the default)")
    .option("--no-retry", "must not be retried")
    .option("--step <name>", "the step that failed: the current one or one to come (the steps before it count as done)")
    .addHelpText("after", example('taskpulse error "$TASK_ID" 登录过期', 'taskpulse error "$TASK_ID" "upload refused" --step 发布'))
    .action(
      app.action(async (ctx, id: string | undefined, message: string[], opts: { retry?: boolean; step?: string }) => {
        const picked = await taskFromWords(ctx, "error", id === undefined ? message : [id, ...message]);
        return fail(ctx, picked.id, picked.rest.join(" "), opts);
      }),
    );
}

async function fail(ctx: CliCtx, id: string, message: string, opts: { retry?: boolean; step?: string }): Promise<Outcome> {
  const { task, push } = await failTask(ctx, id, message, opts);
  return { data: { task }, lines: [`❌ ${oneLine(task.status === "failed" ? task.error : message)}`], push };
}
