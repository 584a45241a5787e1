import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { actorOf, applyToTask, taskFromWords } from "../../app/tasks.ts";
import { completeTask } from "../../core/lifecycle.ts";
import { cleanText } from "../../core/names.ts";
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

export async function done(ctx: Ctx, id: string, resultArg: string): Promise<Outcome> {
  const result = cleanText(resultArg, "result").trim() || undefined;
  const { change, push } = await applyToTask(ctx, "done", id, (task) => completeTask(task, result, actorOf(ctx)));
  const dur = taskDuration(change.task, ctx.now);
  return { data: { task: change.task }, lines: [`✅ ${t(ctx, "done", "完成")}${dur ? ` (${dur})` : ""}`], push };
}
