import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { type HeartbeatOptions, recordHeartbeat } from "../../app/heartbeat.ts";
import { EXIT } from "../../core/errors.ts";
import { example, note } from "../help-text.ts";
import { flagsOf, HEARTBEAT_OPTIONS } from "../options.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { stopLine } from "./stop.ts";

export function registerHeartbeat(program: Command, app: App): void {
  const command = program
    .command("heartbeat")
    .description("proof of life for a running task, with an optional message and progress")
    .argument("<id>", "task id or unique prefix")
    .argument("[message...]", "what is happening now");
  for (const spec of HEARTBEAT_OPTIONS) command.option(flagsOf(spec), spec.description);
  command
    .addHelpText(
      "after",
      `${example('taskpulse heartbeat "$TASK_ID" 已处理60% --progress 60', 'taskpulse heartbeat "$TASK_ID" --waiting "CI pipeline" --for 30m')}

${note("Exits 20 (after recording the heartbeat) while a stop is requested: finish the current step, then taskpulse ack.")}`,
    )
    .action(app.action((ctx, id: string, message: string[], opts: HeartbeatOptions) => heartbeat(ctx, id, message.join(" "), opts)));
}

export async function heartbeat(ctx: Ctx, id: string, message: string, opts: HeartbeatOptions): Promise<Outcome> {
  const { task, push, stop } = await recordHeartbeat(ctx, id, message, opts);
  const pct = task.progress !== undefined ? ` ${task.progress}%` : "";
  const lines = [`💓 ok${pct}`];
  if (stop) lines.push(stopLine(ctx, task.id, stop.reason));
  return {
    data: { task, stopRequested: stop !== null, stop },
    lines,
    quiet: stop ? "stop" : "",
    push,
    exitCode: stop ? EXIT.stopRequested : EXIT.ok,
  };
}
