import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { taskFromWords } from "../../app/tasks.ts";
import { completeTask } from "../../app/transitions.ts";
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
    .action(app.action((ctx, id: string | undefined, result: string[]) => finishTask(ctx, id === undefined ? result : [id, ...result])));
}

/** `done` on its words: the task (or the agent's one running task), then the result. Also run by src/hot.ts. */
export async function finishTask(ctx: Ctx, words: readonly string[]): Promise<Outcome> {
  const picked = await taskFromWords(ctx, "done", words);
  return done(ctx, picked.id, picked.rest.join(" "));
}

async function done(ctx: Ctx, id: string, result: string): Promise<Outcome> {
  const { task, push } = await completeTask(ctx, id, result);
  const dur = taskDuration(task, ctx.now);
  return { data: { task }, lines: [`✅ ${t(ctx, "done", "完成")}${dur ? ` (${dur})` : ""}`], push };
}
