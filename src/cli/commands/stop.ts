import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { actorOf, applyToTask, findTask } from "../../app/tasks.ts";
import { EXIT } from "../../core/errors.ts";
import { acknowledgeStop, requestStop } from "../../core/lifecycle.ts";
import { cleanText, oneLine } from "../../core/names.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

export function registerStop(program: Command, app: App): void {
  program
    .command("stop")
    .description("ask a running task to stop at its next safe boundary (idempotent)")
    .argument("<id>", "task id or unique prefix")
    .argument("[reason...]", "why")
    .addHelpText("after", example('taskpulse stop k3m9xq "wrong branch, please stop"'))
    .action(app.action((ctx, id: string, reason: string[]) => stop(ctx, id, reason.join(" "))));
  program
    .command("check")
    .description("read-only: exit 20 while a stop is requested and not yet acknowledged, else 0")
    .argument("<id>", "task id or unique prefix")
    .addHelpText("after", example('taskpulse check "$TASK_ID" || [ $? -ne 20 ] || echo "stop requested"'))
    .action(app.action((ctx, id: string) => check(ctx, id)));
  program
    .command("ack")
    .description("acknowledge a stop request: the task ends as cancelled (stopped on request), with your summary")
    .argument("<id>", "task id or unique prefix")
    .argument("[summary...]", "what was done before stopping")
    .addHelpText("after", example('taskpulse ack "$TASK_ID" "stopped after step 2; config written, not deployed"'))
    .action(app.action((ctx, id: string, summary: string[]) => ack(ctx, id, summary.join(" "))));
}

export function stopLine(ctx: Ctx, id: string, reason: string | undefined): string {
  const why = reason ? `: ${oneLine(reason, 80)}` : "";
  return t(
    ctx,
    `✋ stop requested${why} (finish the current step, then: taskpulse ack ${id})`,
    `✋ 已请求停止${why}（完成当前步骤后执行 taskpulse ack ${id}）`,
  );
}

export async function stop(ctx: Ctx, id: string, reasonArg: string): Promise<Outcome> {
  const reason = cleanText(reasonArg, "reason").trim() || undefined;
  const { change, push } = await applyToTask(ctx, "stop", id, (task) => requestStop(task, reason, actorOf(ctx)));
  const task = change.task;
  const repeated = change.event.kind === "stop" && change.event.repeated;
  const line = repeated
    ? t(ctx, `a stop was already requested for ${task.id}`, `${task.id} 已经请求过停止`)
    : t(ctx, `✋ stop requested for ${task.id} ${task.name}`, `✋ 已请求停止 ${task.id} ${task.name}`);
  return { data: { task, stop: task.stop ?? null, repeated }, lines: [line], push };
}

export async function check(ctx: Ctx, id: string): Promise<Outcome> {
  const task = findTask(await ctx.store("check").read(), id);
  const pending = task.status === "running" && task.stop !== undefined;
  return {
    data: { task: task.id, status: task.status, stopRequested: pending, stop: pending ? (task.stop ?? null) : null },
    lines: [
      pending ? stopLine(ctx, task.id, task.stop?.reason) : t(ctx, `no stop requested (${task.status})`, `没有停止请求（${task.status}）`),
    ],
    quiet: pending ? "stop" : "",
    exitCode: pending ? EXIT.stopRequested : EXIT.ok,
  };
}

export async function ack(ctx: Ctx, id: string, summaryArg: string): Promise<Outcome> {
  const summary = cleanText(summaryArg, "summary").trim() || undefined;
  const { change, push } = await applyToTask(ctx, "ack", id, (task) => acknowledgeStop(task, summary, actorOf(ctx)));
  const task = change.task;
  return { data: { task }, lines: [t(ctx, `⏹ ${task.id} stopped on request`, `⏹ ${task.id} 已按请求停止`)], push };
}
