import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { taskFromWords } from "../../app/tasks.ts";
import { advanceTask } from "../../app/transitions.ts";
import { EXIT } from "../../core/errors.ts";
import { stepCounts } from "../../core/lifecycle.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { progressBar, taskDuration } from "../render/task-text.ts";
import { t } from "./common.ts";
import { stopLine } from "./stop.ts";

export function registerNext(program: Command, app: App): void {
  program
    .command("next")
    .description("finish the current step (with a message) and start the next; finishing the last step completes the task")
    .argument("[id]", "task id or unique prefix (with --agent, leave it out for that agent's one running task)")
    .argument("[message...]", "what the finished step achieved")
    .addHelpText("after", example('taskpulse next "$TASK_ID" 抓取了25条数据'))
    .action(app.action((ctx, id: string | undefined, message: string[]) => nextStep(ctx, id === undefined ? message : [id, ...message])));
}

/** `next` on its words: the task (or the agent's one running task), then the message. Also run by src/hot.ts. */
export async function nextStep(ctx: Ctx, words: readonly string[]): Promise<Outcome> {
  const picked = await taskFromWords(ctx, "next", words);
  return next(ctx, picked.id, picked.rest.join(" "));
}

export function registerSkip(program: Command, app: App): void {
  program
    .command("skip")
    .description("skip the current step and start the next (or, with --step, a step still to come)")
    .argument("[id]", "task id or unique prefix (with --agent, leave it out for that agent's one running task)")
    .argument("[message...]", "why it was skipped")
    .option("--step <name>", "a step that has not started: it will be passed over")
    .addHelpText("after", example('taskpulse skip "$TASK_ID" "no new items"', 'taskpulse skip "$TASK_ID" --step publish "dry run"'))
    .action(
      app.action(async (ctx, id: string | undefined, message: string[], opts: { step?: string }) => {
        const picked = await taskFromWords(ctx, "skip", id === undefined ? message : [id, ...message]);
        return next(ctx, picked.id, picked.rest.join(" "), { skip: true, step: opts.step });
      }),
    );
}

async function next(ctx: Ctx, id: string, message: string, how: { skip?: boolean; step?: string | undefined } = {}): Promise<Outcome> {
  const { task, push, finished, stopRequested } = await advanceTask(ctx, id, message, how);
  const { done, total } = stepCounts(task);
  const current = task.steps.find((s) => s.status === "running")?.name;
  const line =
    task.status === "done"
      ? `[${done}/${total}] ${progressBar(done, total)} ✅ ${t(ctx, "done", "完成")} (${taskDuration(task, ctx.now)})`
      : `[${done}/${total}] ${progressBar(done, total)} → ${current ?? "—"}`;
  // A pending stop is said by every command an agent runs on the task: the step is recorded, then exit 20.
  const stop = stopRequested ? task.stop : undefined;
  return {
    data: { task, finished, stopRequested },
    lines: stop ? [line, stopLine(ctx, task.id, stop.reason)] : [line],
    quiet: stop ? "stop" : undefined,
    push,
    exitCode: stop ? EXIT.stopRequested : EXIT.ok,
  };
}
