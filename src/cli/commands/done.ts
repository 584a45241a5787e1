import type { Command } from "commander";
import { taskFromWords } from "../../app/tasks.ts";
import { completeTask } from "../../app/transitions.ts";
import type { CliCtx } from "../cli-context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { taskDuration } from "../render/task-text.ts";
import { t } from "./common.ts";

export function registerDone(program: Command, app: App): void {
  program
    .command("done")
    .aliases(["complete", "finish"])
    .description("finish a running task (open steps are closed)")
    .argument("[id]", "task id or unique prefix (with --agent, leave it out for that agent's one running task)")
    .argument("[result...]", "the result, e.g. a link")
    .addHelpText(
      "after",
      example(
        'taskpulse done "$TASK_ID" "发布成功 https://example.com/report"',
        'taskpulse done --agent anna "sent"   # anna\'s one running task',
      ),
    )
    .action(
      app.action(async (ctx, id: string | undefined, result: string[]) => {
        const picked = await taskFromWords(ctx, "done", id === undefined ? result : [id, ...result]);
        return done(ctx, picked.id, picked.rest.join(" "));
      }),
    );
}

async function done(ctx: CliCtx, id: string, result: string): Promise<Outcome> {
  const { task, push } = await completeTask(ctx, id, result);
  const dur = taskDuration(task, ctx.now);
  return { data: { task }, lines: [`✅ ${t(ctx, "done", "完成")}${dur ? ` (${dur})` : ""}`], push };
}
