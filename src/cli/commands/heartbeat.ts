import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { actorOf, applyToTask } from "../../app/tasks.ts";
import { EXIT, UsageError } from "../../core/errors.ts";
import { recordHeartbeat } from "../../core/lifecycle.ts";
import { cleanName, cleanText, printable } from "../../core/names.ts";
import { parseDuration } from "../../core/time.ts";
import { example, note } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { stopLine } from "./stop.ts";

export function registerHeartbeat(program: Command, app: App): void {
  program
    .command("heartbeat")
    .description("proof of life for a running task, with an optional message and progress")
    .argument("<id>", "task id or unique prefix")
    .argument("[message...]", "what is happening now")
    .option("--progress <n>", "progress: percent 0-100 (60 or 60%), a fraction (0.6) or a count (3/5)")
    .option("--waiting <reason>", "waiting on something external: do not call the task stalled meanwhile")
    .option("--for <duration>", "with --waiting: for at most this long (e.g. 30m)")
    .addHelpText(
      "after",
      `${example('taskpulse heartbeat "$TASK_ID" 已处理60% --progress 60', 'taskpulse heartbeat "$TASK_ID" --waiting "CI pipeline" --for 30m')}

${note("Exits 20 (after recording the heartbeat) while a stop is requested: finish the current step, then taskpulse ack.")}`,
    )
    .action(app.action((ctx, id: string, message: string[], opts: HeartbeatOptions) => heartbeat(ctx, id, message.join(" "), opts)));
}

export interface HeartbeatOptions {
  progress?: string;
  waiting?: string;
  for?: string;
}

export async function heartbeat(ctx: Ctx, id: string, messageArg: string, opts: HeartbeatOptions): Promise<Outcome> {
  const message = cleanText(messageArg, "message").trim() || undefined;
  const progress = opts.progress === undefined ? undefined : parseProgress(opts.progress);
  if (opts.for !== undefined && opts.waiting === undefined)
    throw new UsageError("--for needs --waiting", 'taskpulse heartbeat ID --waiting "reason" --for 30m');
  const waiting = opts.waiting === undefined ? undefined : cleanName(opts.waiting, "--waiting");
  const waitForMs = opts.for === undefined ? undefined : parseDuration(opts.for, "--for");
  const { change, push } = await applyToTask(ctx, "heartbeat", id, (task) =>
    recordHeartbeat(task, { message, progress, waiting, waitForMs }, actorOf(ctx)),
  );
  const task = change.task;
  const pct = task.progress !== undefined ? ` ${task.progress}%` : "";
  const stop = task.stop;
  const lines = [`💓 ok${pct}`];
  if (stop) lines.push(stopLine(ctx, task.id, stop.reason));
  return {
    data: { task, stopRequested: stop !== undefined, stop: stop ?? null },
    lines,
    quiet: stop ? "stop" : "",
    push,
    exitCode: stop ? EXIT.stopRequested : EXIT.ok,
  };
}

/**
 * Progress in percent from the forms agents write: `60`, `60%`, `62.5`, a fraction `0.6` (a number with a decimal
 * point from 0 to 1 is a share of the whole: 0.6 is 60 %, 1.0 is 100 %), or a count `3/5`.
 */
export function parseProgress(input: string): number {
  const text = input.trim();
  let value: number | undefined;
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  const ratio = /^(\d+)\s*\/\s*(\d+)$/.exec(text);
  if (percent) value = Number(percent[1]);
  else if (ratio && Number(ratio[2]) > 0) value = (100 * Number(ratio[1])) / Number(ratio[2]);
  else if (/^\d+(\.\d+)?$/.test(text)) value = text.includes(".") && Number(text) <= 1 ? 100 * Number(text) : Number(text);
  if (value === undefined || !(value <= 100)) {
    throw new UsageError(
      `invalid --progress '${printable(input)}'`,
      "use percent from 0 to 100 (60 or 60%), a fraction (0.6) or a count (3/5)",
      { detail: { key: "invalid_value", what: "--progress", value: printable(input) } },
    );
  }
  return Math.round(value * 10) / 10;
}
