import type { Command } from "commander";
import { type CreateOptions, createTaskFrom } from "../../app/create.ts";
import type { CliCtx } from "../cli-context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { renderTaskLine } from "../render/task-text.ts";
import { t } from "./common.ts";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerCreate(program: Command, app: App): void {
  program
    .command("create")
    .description("create a task: a live task with steps, or a queued task for an agent")
    .argument("[name]", "task name (or use --name)")
    .argument("[steps...]", "step names, in order; `name:2m` gives a step a time budget")
    .option("--name <name>", "task name")
    .option("--step <name>", "a step (repeatable)", collect, [])
    .option("-p, --priority <p>", "1-10 (higher first) or P0-P3 (P0 most urgent)")
    .option("-d, --description <text>", "description")
    .option("--tag <tag>", "a tag (repeatable)", collect, [])
    .option("--after <id>", "run only after this task is done (repeatable)", collect, [])
    .option("--group <name>", "group label")
    .option("--meta <key=value>", "a parameter, its value JSON or text (repeatable)", collect, [])
    .option("--start", "start it now (a live task); the agent's running limit does not apply")
    .option("--max-retries <n>", "how often `retry` may requeue it (default 3)")
    .option("--stall-after <duration>", "call it stalled after this much silence (default 180s)")
    .option("--notify <policy>", "push policy: all, steps, final or silent")
    .addHelpText(
      "after",
      example(
        'taskpulse create "日报发布" 抓取 写稿 发布 --start',
        'TASK_ID=$(taskpulse create -q --agent agent-coder --name "实现登录" --priority 8)',
      ),
    )
    .action(app.action((ctx, name: string | undefined, steps: string[], opts: CreateOptions) => create(ctx, name, steps, opts)));
}

async function create(ctx: CliCtx, nameArg: string | undefined, stepArgs: string[], opts: CreateOptions): Promise<Outcome> {
  const { task, push } = await createTaskFrom(ctx, nameArg, stepArgs, opts);
  const state = task.status === "running" ? t(ctx, "running", "执行中") : t(ctx, "queued", "排队中");
  const steps = task.steps.length > 0 ? t(ctx, `, ${task.steps.length} steps`, `，${task.steps.length} 步`) : "";
  return {
    data: { task },
    lines: [t(ctx, `created ${task.id} (${state}${steps})`, `已创建 ${task.id}（${state}${steps}）`), renderTaskLine(ctx, task)],
    quiet: task.id,
    push,
  };
}
