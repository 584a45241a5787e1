// The zod-free half of the model: constants and helpers that the hot paths need without loading zod (loading it
// and building the schemas is a large share of a short call). model.ts re-exports them; code that runs on every call (commands,
// core, store) imports them from here.
import type { NotifyPolicy, Task, TaskOf } from "./model.ts";

export const SCHEMA_VERSION = 2;

export const LIMITS = {
  name: 200,
  text: 8000,
  steps: 100,
  tags: 20,
  tag: 40,
  meta: 50,
  metaKey: 64,
  metaValue: 1000,
  after: 20,
} as const;

export function isFinished(task: Task): task is TaskOf<"done" | "failed" | "cancelled"> {
  return task.status === "done" || task.status === "failed" || task.status === "cancelled";
}

export const NOTIFY_POLICIES: readonly NotifyPolicy[] = ["all", "steps", "final", "silent"];

export const JOB_LIMITS = {
  /** Consecutive failures that open an alert, unless the job or --alert-after says otherwise. */
  alertAfter: 3,
  /** OpenClaw's own rule: a job that failed this often in a row should be disabled; the alert text says so. */
  disableAfter: 10,
  /** Run records kept per job (older ones are dropped when the run file is compacted). */
  keepRuns: 200,
  /** The newest runs keep their full output tails; older kept runs keep a shorter one. */
  fullTailRuns: 20,
  /** Bytes of stdout and of stderr kept per run (the end of the output). */
  tailBytes: 64 * 1024,
  /** Bytes per stream kept for runs older than the newest `fullTailRuns`. */
  oldTailBytes: 4 * 1024,
  /** Runs of one job that may be open (started, not finished) at once; more are refused. */
  openRuns: 20,
  /** Characters of the error line kept in summaries and alert texts. */
  errorLine: 300,
  /** Characters of the command line kept in the state file (the run file keeps the argv). */
  commandText: 200,
} as const;
