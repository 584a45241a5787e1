// Cron jobs as the dashboard shows them. The job records (`taskpulse run`) are being built on another branch; this
// file is the one place that reads them, so wiring the real data in is a change to `readJobs` alone.
//
// The page renders jobs generically: it shows `name` (or `id`), highlights the well-known fields below when they are
// present, and lists any other plain field as "key: value". So the shape may grow without touching the page.
import type { Store } from "../store/store.ts";

export interface JobView {
  id: string;
  name?: string;
  /** "ok" | "failed" | "running" | "timeout" …: the last run's outcome. */
  lastStatus?: string;
  lastRunAt?: string;
  lastDurationMs?: number;
  /** The current streak: consecutive failures (0 after a success) and consecutive successes. */
  consecutiveFailures?: number;
  consecutiveSuccesses?: number;
  totals?: { runs: number; failures: number };
  /** The open alert episode, if any (a streak that reached the alert threshold). */
  alert?: { openedAt: string; failures: number; lastError?: string; delivered?: string } | null;
  [field: string]: unknown;
}

/** The jobs of the store, for `GET /api/jobs` and the page: `[]` while the store has none. */
export async function readJobs(_store: Store): Promise<JobView[]> {
  // TODO(cron branch): map the store's job records (runs, streaks, alert episodes) to JobView here.
  return [];
}
