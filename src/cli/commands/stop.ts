import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { acknowledgeStop, checkStop, requestStop } from "../../app/transitions.ts";
import { EXIT } from "../../core/errors.ts";
import { oneLine } from "../../core/names.ts";
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

async function stop(ctx: Ctx, id: string, reason: string): Promise<Outcome> {
  const { task, push, repeated } = await requestStop(ctx, id, reason);
  const line = repeated
    ? t(ctx, `a stop was already requested for ${task.id}`, `${task.id} 已经请求过停止`)
    : t(ctx, `✋ stop requested for ${task.id} ${task.name}`, `✋ 已请求停止 ${task.id} ${task.name}`);
  return { data: { task, stop: task.stop ?? null, repeated }, lines: [line], push };
}

/** Also run by src/hot.ts. */
export async function check(ctx: Ctx, id: string): Promise<Outcome> {
  const { task, stopRequested: pending, stop } = await checkStop(ctx, id);
  return {
    data: { task: task.id, status: task.status, stopRequested: pending, stop },
    lines: [
      pending ? stopLine(ctx, task.id, task.stop?.reason) : t(ctx, `no stop requested (${task.status})`, `没有停止请求（${task.status}）`),
    ],
    quiet: pending ? "stop" : "",
    exitCode: pending ? EXIT.stopRequested : EXIT.ok,
  };
}

async function ack(ctx: Ctx, id: string, summary: string): Promise<Outcome> {
  const { task, push } = await acknowledgeStop(ctx, id, summary);
  return { data: { task }, lines: [t(ctx, `⏹ ${task.id} stopped on request`, `⏹ ${task.id} 已按请求停止`)], push };
}
