import type { Command } from "commander";
import { type WaitOptions, type WaitReason, waitForTask } from "../../app/wait.ts";
import { EXIT } from "../../core/errors.ts";
import type { CliCtx } from "../cli-context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { renderTaskLines } from "../render/task-text.ts";
import { t } from "./common.ts";

export function registerWait(program: Command, app: App): void {
  program
    .command("wait")
    .description(
      "wait until a task finishes (exit 0 done, 7 failed, 8 cancelled, 9 timeout); with --stop, until a stop is requested (exit 20, or 0 on timeout)",
    )
    .argument("<id>", "task id or unique prefix")
    .option("--stop", "wait for a stop request instead (a watcher for the agent doing the work)")
    .option("--timeout <duration>", "give up after this long", "10m")
    .option("--interval <duration>", "re-check at least this often (changes are also noticed at once)", "2s")
    .addHelpText(
      "after",
      example('taskpulse wait "$TASK_ID" --timeout 30m && echo "sub-agent finished"', 'taskpulse wait "$TASK_ID" --stop --timeout 1h'),
    )
    .action(app.action((ctx, id: string, opts: WaitOptions) => wait(ctx, id, opts)));
}

/** Exit codes with one meaning each: 0 done (or, with --stop, ended or timed out), 7 failed, 8 cancelled, 9 timeout, 20 stop. */
function exitCodeOf(reason: WaitReason, stop: boolean): number {
  if (reason === "stop_requested") return EXIT.stopRequested;
  if (stop) return EXIT.ok;
  if (reason === "failed") return EXIT.failed;
  if (reason === "cancelled") return EXIT.cancelled;
  if (reason === "timeout") return EXIT.timeout;
  return EXIT.ok;
}

async function wait(ctx: CliCtx, id: string, opts: WaitOptions): Promise<Outcome> {
  const { task, reason, waitedMs } = await waitForTask(ctx, id, opts);
  const exitCode = exitCodeOf(reason, opts.stop === true);
  if (reason === "timeout") {
    return {
      data: { task, reason, waitedMs },
      lines: [
        t(
          ctx,
          `timed out after ${opts.timeout}; ${task.id} is ${task.status}`,
          `等待 ${opts.timeout} 超时；${task.id} 状态为 ${task.status}`,
        ),
      ],
      quiet: "timeout",
      exitCode,
    };
  }
  return { data: { task, reason, waitedMs }, lines: renderTaskLines(ctx, task), quiet: reason, exitCode };
}
