// Cron jobs as the dashboard shows them. The job records (`taskpulse run`) are being built on another branch; this
// file is the one place that reads them, so wiring the real data in is a change to `readJobs` alone.
//
// The page renders jobs generically: it shows `name` (or `id`), highlights the well-known fields below when they are
// present, and lists any other plain field as "key: value". So the shape may grow without touching the page.

import { byName } from "../core/names.ts";
import type { Snapshot, Store } from "../store/store.ts";

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
export async function readJobs(store: Store): Promise<JobView[]> {
  return jobViews(await store.read());
}

/** The jobs of a snapshot already read (the event stream reads the store once per view). */
export function jobViews(snapshot: Snapshot): JobView[] {
  return Object.values(snapshot.jobs)
    .sort((a, b) => byName(a.id, b.id))
    .map((job) => {
      const view: JobView = {
        id: job.id,
        consecutiveFailures: job.failures,
        consecutiveSuccesses: job.successes,
        totals: { runs: job.totals.runs, failures: job.totals.failed + job.totals.lost },
        alert: job.alert
          ? {
              openedAt: job.alert.openedAt,
              failures: job.alert.failures,
              ...(job.alert.lastFailure.line ? { lastError: job.alert.lastFailure.line } : {}),
            }
          : null,
      };
      if (job.lastRun) {
        view.lastStatus = job.lastRun.outcome;
        view.lastRunAt = job.lastRun.finishedAt;
        if (job.lastRun.durationMs !== undefined) view.lastDurationMs = job.lastRun.durationMs;
      }
      if (job.open.length > 0) view.running = job.open.length;
      if (job.delivery) view.delivery = `${job.delivery.status} ${job.delivery.at}`;
      return view;
    });
}
