import type { Command } from "commander";
import { claimNextTask, startTaskById } from "../../app/start.ts";
import type { CliCtx } from "../cli-context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { renderTaskLines } from "../render/task-text.ts";
import { t } from "./common.ts";

export function registerStart(program: Command, app: App): void {
  program
    .command("start")
    .description("start a task by id, or take the agent's next queued task (highest priority, then oldest)")
    .argument("[id]", "task id or unique prefix; without it, take the next task of --agent")
    .addHelpText("after", example("taskpulse start --agent anna -q     # the next task's id, or nothing", "taskpulse start k3m9xq"))
    .action(app.action((ctx, id: string | undefined) => (id === undefined ? claimNext(ctx) : startById(ctx, id))));
}

async function startById(ctx: CliCtx, id: string): Promise<Outcome> {
  const { task, push } = await startTaskById(ctx, id);
  return { data: { task, claimed: true }, lines: renderTaskLines(ctx, task), quiet: task.id, push };
}

async function claimNext(ctx: CliCtx): Promise<Outcome> {
  const agent = ctx.agent;
  const d = await claimNextTask(ctx);
  switch (d.kind) {
    case "claim":
      return { data: { task: d.task, claimed: true }, lines: renderTaskLines(ctx, d.task), quiet: d.task.id, push: d.push };
    case "busy": {
      const names = d.running.map((r) => `${r.id} ${r.name}`).join(", ");
      return {
        data: { task: null, claimed: false, busy: true, running: d.running.map((r) => r.id), limit: d.limit },
        lines: [
          t(ctx, `agent ${agent} is busy: running ${names} (limit ${d.limit})`, `Agent ${agent} 已有当前任务：${names}（上限 ${d.limit}）`),
        ],
      };
    }
    case "empty":
      return {
        data: { task: null, claimed: false, busy: false, waiting: d.waiting },
        lines: [
          d.waiting > 0
            ? t(
                ctx,
                `no task of ${agent} is ready (${d.waiting} wait for dependencies)`,
                `Agent ${agent} 没有可执行的任务（${d.waiting} 个在等待依赖）`,
              )
            : t(ctx, `no pending tasks for ${agent}`, `Agent ${agent} 没有待办任务`),
        ],
      };
  }
}
