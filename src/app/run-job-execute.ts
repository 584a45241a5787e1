// Step 2 of a cron job's run (run-job.ts): the command runs (spawned by src/jobs/runner.ts) while its output goes,
// as it comes, to the caller's sinks and to the run's live output (`jobs <job> --follow`), and a --task run is kept
// from looking stalled by heartbeats.
import { JOB_LIMITS } from "../core/job-model.ts";
import { recordHeartbeat } from "../core/lifecycle.ts";
import { type RunReport, runCommand } from "../jobs/runner.ts";
import type { LiveOutputWriter, Store } from "../store/store.ts";
import type { Ctx } from "./context.ts";
import type { RunPlan, RunStarted } from "./run-job.ts";

export interface RunSinks {
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
  /** Keep the first this many bytes of stdout (what is announced); 0 keeps none. */
  captureBytes: number;
}

/**
 * Runs the command and returns its report. `finish` deletes the run's live output: call it once the result is
 * recorded (recordRunResult), so that followers see the run end with its result.
 */
export async function executeRun(
  ctx: Ctx,
  plan: RunPlan,
  started: RunStarted,
  sinks: RunSinks,
): Promise<{ report: RunReport; finish(): void }> {
  const store = ctx.store("run");
  const heartbeat = started.task ? startTaskHeartbeat(ctx, store, started.task) : undefined;
  const live = await startLiveOutput(store, plan.jobId, plan.runId, started.job.open);
  try {
    const report = await runCommand({
      argv: plan.argv,
      timeoutMs: plan.timeoutMs,
      ...(plan.killGraceMs !== undefined ? { killGraceMs: plan.killGraceMs } : {}),
      tailBytes: JOB_LIMITS.tailBytes,
      captureBytes: sinks.captureBytes,
      onStdout: (chunk) => {
        live?.write(chunk);
        sinks.onStdout(chunk);
      },
      onStderr: (chunk) => {
        live?.write(chunk);
        sinks.onStderr(chunk);
      },
      forwardSignals: true,
    });
    return { report, finish: () => live?.close() };
  } finally {
    await heartbeat?.stop();
  }
}

/** Keeps a --task run from looking stalled: a heartbeat every third of the stall threshold (at most every minute). */
function startTaskHeartbeat(ctx: Ctx, store: Store, taskId: string): { stop(): Promise<void> } {
  const every = Math.min(60_000, Math.max(1_000, Math.floor(ctx.stallMs / 3)));
  let inflight: Promise<unknown> | undefined;
  const startMs = Date.now();
  const timer = setInterval(() => {
    if (inflight) return;
    const now = new Date(ctx.now.getTime() + (Date.now() - startMs));
    inflight = store
      .transaction((tx) => {
        const task = tx.get(taskId);
        if (task?.status === "running") tx.put(recordHeartbeat(task, {}, { agent: ctx.agent, now }).task);
      })
      .catch(() => {
        // a missed heartbeat is harmless; the result is recorded at the end
      })
      .finally(() => {
        inflight = undefined;
      });
  }, every);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await inflight;
    },
  };
}

/**
 * The run's live output, where the store keeps one. Without it (a store that cannot make the file, or keeps none)
 * the job runs all the same: followers then see its output when it is recorded.
 */
async function startLiveOutput(
  store: Store,
  jobId: string,
  runId: string,
  open: readonly RunPlan["open"][],
): Promise<LiveOutputWriter | undefined> {
  try {
    return await store.liveOutput?.create(
      jobId,
      runId,
      open.map((run) => run.id),
    );
  } catch {
    return undefined;
  }
}
