// Retention of cron-job run history, for `taskpulse cleanup`: every job keeps at most its newest JOB_LIMITS.keepRuns
// runs, and runs older than `days` (default 30) go, except each job's newest run. Summaries in the state file
// (streaks, totals, open alerts) are never pruned. Safe to run concurrently: it works under the store lock.
import { JOB_LIMITS } from "../core/job-model.ts";
import type { PruneRunsResult, Store } from "../store/store.ts";

const RUN_RETENTION_DAYS = 30;

export async function cleanupJobRuns(store: Store, now: Date, options: { days?: number; keep?: number } = {}): Promise<PruneRunsResult> {
  const days = options.days ?? RUN_RETENTION_DAYS;
  return store.pruneRuns({ keep: options.keep ?? JOB_LIMITS.keepRuns, before: new Date(now.getTime() - days * 86_400_000) });
}
