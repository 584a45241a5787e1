// The heartbeat use case: proof of life for a running task, the hottest call there is. It loads only what the
// heartbeat entry (src/hot.ts) may load: no zod, no commander (see test/hot-path.test.ts).
import { UsageError } from "../core/errors.ts";
import * as lifecycle from "../core/lifecycle.ts";
import type { StopRequest } from "../core/model.ts";
import { cleanName, cleanText, printable } from "../core/names.ts";
import { parseDuration } from "../core/time.ts";
import type { Ctx } from "./context.ts";
import { actorOf, applyToTask } from "./tasks.ts";
import type { TaskChange } from "./transitions.ts";

/** As given on the command line (or by the library, as text): parsed and checked here. */
export interface HeartbeatOptions {
  progress?: string;
  waiting?: string;
  for?: string;
}

/** `stop`: the stop request the agent must act on (finish the current step, then acknowledge), or null. */
export async function recordHeartbeat(
  ctx: Ctx,
  id: string,
  messageArg: string,
  opts: HeartbeatOptions,
): Promise<TaskChange & { stop: StopRequest | null }> {
  const message = cleanText(messageArg, "message").trim() || undefined;
  const progress = opts.progress === undefined ? undefined : parseProgress(opts.progress);
  if (opts.for !== undefined && opts.waiting === undefined)
    throw new UsageError("--for needs --waiting", 'taskpulse heartbeat ID --waiting "reason" --for 30m');
  const waiting = opts.waiting === undefined ? undefined : cleanName(opts.waiting, "--waiting");
  const waitForMs = opts.for === undefined ? undefined : parseDuration(opts.for, "--for");
  const { change, push } = await applyToTask(ctx, "heartbeat", id, (task) =>
    lifecycle.recordHeartbeat(task, { message, progress, waiting, waitForMs }, actorOf(ctx)),
  );
  return { task: change.task, push, stop: change.task.stop ?? null };
}

/**
 * Progress in percent from the forms agents write: `60`, `60%`, `62.5`, a fraction `0.6` (a number with a decimal
 * point from 0 to 1 is a share of the whole: 0.6 is 60 %, 1.0 is 100 %), or a count `3/5`.
 */
function parseProgress(input: string): number {
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
