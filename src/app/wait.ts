// Waiting for a task to finish (or, for a watcher, for a stop request): re-read on every store change and at least
// every interval, until the task gets there or the time is up.
import { performance } from "node:perf_hooks";
import { StoreUnavailableError } from "../core/errors.ts";
import type { Task } from "../core/model.ts";
import { parseDuration, timerDuration } from "../core/time.ts";
import type { Ctx } from "./context.ts";
import { findTask } from "./tasks.ts";

/** How soon a wait tries a server that went away again (at most its --interval). */
const RECONNECT_MS = 1000;

export interface WaitOptions {
  stop?: boolean;
  timeout: string;
  interval: string;
}

/**
 * Why the wait ended: the task finished (done, failed, cancelled), a stop was requested (with `stop`), or the time
 * ran out. With `stop`, a task that ended says how (it can no longer be asked to stop).
 */
export type WaitReason = Task["status"] | "stop_requested" | "timeout";

function finished(task: Task): WaitReason | undefined {
  return task.status === "done" || task.status === "failed" || task.status === "cancelled" ? task.status : undefined;
}

function stopRequested(task: Task): WaitReason | undefined {
  if (task.status === "running" && task.stop) return "stop_requested";
  // A task that ended can no longer be asked to stop: nothing to wait for.
  if (task.status !== "running" && task.status !== "pending") return task.status;
  return undefined;
}

export async function waitForTask(ctx: Ctx, id: string, opts: WaitOptions): Promise<{ task: Task; reason: WaitReason; waitedMs: number }> {
  const timeoutMs = parseDuration(opts.timeout, "--timeout");
  const intervalMs = timerDuration(opts.interval, "--interval", 50);
  const store = ctx.store("wait");
  const judge = opts.stop ? stopRequested : finished;
  // The feed is opened before the first read, so a change between the read and the wait is not missed.
  let feed = store.changes();
  const started = performance.now();
  // A server that goes away (restarted, the link dropped) is waited for: the feed is opened again and the task read
  // again, until the timeout; only a server still gone then ends the wait (exit 5).
  const reconnect = async (err: unknown) => {
    if (!(err instanceof StoreUnavailableError) || performance.now() - started >= timeoutMs) throw err;
    feed.close();
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, RECONNECT_MS)));
    feed = store.changes();
  };
  try {
    for (;;) {
      let task: Task;
      try {
        task = findTask(await store.read(), id);
      } catch (err) {
        await reconnect(err);
        continue;
      }
      const reason = judge(task);
      const waitedMs = Math.round(performance.now() - started);
      if (reason) return { task, reason, waitedMs };
      const left = timeoutMs - waitedMs;
      if (left <= 0) return { task, reason: "timeout", waitedMs };
      try {
        await feed.next(Math.min(intervalMs, left));
      } catch (err) {
        await reconnect(err);
      }
    }
  } finally {
    feed.close();
  }
}
