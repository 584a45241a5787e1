import type { Command } from "commander";
import { EXIT } from "../../core/errors.ts";
import { advanceStep, stepCounts } from "../../core/lifecycle.ts";
import { cleanText } from "../../core/names.ts";
import type { Ctx } from "../context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { progressBar, taskDuration } from "../render/task-text.ts";
import { actorOf, applyToTask, t, taskFromWords } from "./common.ts";
import { stopLine } from "./stop.ts";

export function registerNext(program: Command, app: App): void {
  program
    .command("next")
    .description("finish the current step (with a message) and start the next; finishing the last step completes the task")
    .argument("[id]", "task id or unique prefix (with --agent, leave it out for that agent's one running task)")
    .argument("[message...]", "what the finished step achieved")
    .addHelpText("after", example('taskpulse next "$TASK_ID" 抓取了25条数据'))
    .action(
      app.action(async (ctx, id: string | undefined, message: string[]) => {
        const picked = await taskFromWords(ctx, "next", id === undefined ? message : [id, ...message]);
        return next(ctx, picked.id, picked.rest.join(" "));
      }),
    );
}

export async function next(ctx: Ctx, id: string, messageArg: string): Promise<Outcome> {
  const message = cleanText(messageArg, "message").trim() || undefined;
  const { change, push } = await applyToTask(ctx, "next", id, (task) => advanceStep(task, message, actorOf(ctx)));
  const task = change.task;
  const { done, total } = stepCounts(task);
  const current = task.steps.find((s) => s.status === "running")?.name;
  const line =
    task.status === "done"
      ? `[${done}/${total}] ${progressBar(done, total)} ✅ ${t(ctx, "done", "完成")} (${taskDuration(task, ctx.now)})`
      : `[${done}/${total}] ${progressBar(done, total)} → ${current ?? "—"}`;
  // A pending stop is said by every command an agent runs on the task: the step is recorded, then exit 20.
  const stop = task.status === "running" ? task.stop : undefined;
  return {
    data: { task, finished: task.status === "done", stopRequested: stop !== undefined },
    lines: stop ? [line, stopLine(ctx, task.id, stop.reason)] : [line],
    quiet: stop ? "stop" : undefined,
    push,
    exitCode: stop ? EXIT.stopRequested : EXIT.ok,
  };
}
