import { performance } from "node:perf_hooks";
import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { findTask } from "../../app/tasks.ts";
import { EXIT, UsageError } from "../../core/errors.ts";
import type { Task } from "../../core/model.ts";
import { parseDuration } from "../../core/time.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { renderTaskLines } from "../render/task-text.ts";
import { t } from "./common.ts";

export interface WaitOptions {
  stop?: boolean;
  timeout: string;
  interval: string;
}

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

type Verdict = { code: number; reason: string } | undefined;

function finished(task: Task): Verdict {
  if (task.status === "done") return { code: EXIT.ok, reason: "done" };
  if (task.status === "failed") return { code: EXIT.failed, reason: "failed" };
  if (task.status === "cancelled") return { code: EXIT.cancelled, reason: "cancelled" };
  return undefined;
}

function stopRequested(task: Task): Verdict {
  if (task.status === "running" && task.stop) return { code: EXIT.stopRequested, reason: "stop_requested" };
  // A task that ended can no longer be asked to stop: nothing to wait for.
  if (task.status !== "running" && task.status !== "pending") return { code: EXIT.ok, reason: task.status };
  return undefined;
}

export async function wait(ctx: Ctx, id: string, opts: WaitOptions): Promise<Outcome> {
  const timeoutMs = parseDuration(opts.timeout, "--timeout");
  const intervalMs = parseDuration(opts.interval, "--interval");
  if (intervalMs < 50) throw new UsageError("--interval must be at least 50ms");
  const store = ctx.store("wait");
  const judge = opts.stop ? stopRequested : finished;
  // The feed is opened before the first read, so a change between the read and the wait is not missed.
  const feed = store.changes();
  const started = performance.now();
  try {
    for (;;) {
      const task = findTask(await store.read(), id);
      const verdict = judge(task);
      const waitedMs = Math.round(performance.now() - started);
      if (verdict) {
        return {
          data: { task, reason: verdict.reason, waitedMs },
          lines: renderTaskLines(ctx, task),
          quiet: verdict.reason,
          exitCode: verdict.code,
        };
      }
      const left = timeoutMs - waitedMs;
      if (left <= 0) {
        const code = opts.stop ? EXIT.ok : EXIT.timeout;
        return {
          data: { task, reason: "timeout", waitedMs },
          lines: [
            t(
              ctx,
              `timed out after ${opts.timeout}; ${task.id} is ${task.status}`,
              `等待 ${opts.timeout} 超时；${task.id} 状态为 ${task.status}`,
            ),
          ],
          quiet: "timeout",
          exitCode: code,
        };
      }
      await feed.next(Math.min(intervalMs, left));
    }
  } finally {
    feed.close();
  }
}
