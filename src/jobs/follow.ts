// Follows a cron job's run in progress as `tail -f` follows a log (`jobs <job> --follow`): the last lines its
// wrapper has written so far, then its output as it comes, until the run ends (its result recorded, or counted as
// lost) or `stop` aborts. Waits on a watch of the run's live output and on the store's change feed, each also
// answering every `pollMs`: it never spins. The run has ended once the job no longer lists it as open; its wrapper
// deletes the live output only after that, and a reader keeps what it opened, so nothing written is missed.
import { StringDecoder } from "node:string_decoder";
import type { Job, RunRecord } from "../core/job-model.ts";
import { JOB_LIMITS } from "../core/job-model.ts";
import { lastLines } from "../core/utf8.ts";
import type { ChangeFeed, LiveOutputReader, Store } from "../store/store.ts";

const FOLLOW_POLL_MS = 1000;
/** How many looks (a store change or `pollMs` apart) to wait for an ended run's record: it may never come. */
const RECORD_LOOKS = 10;

export interface FollowSpec {
  store: Store;
  jobId: string;
  runId: string;
  /** How many lines of what was written before to print first. */
  lines: number;
  /** The job's summary now (a caller may count runs whose wrapper died as lost here). */
  readJob(): Promise<Job | undefined>;
  /** Output as it comes: whole characters, not always whole lines. The last text ends with a newline. */
  write(text: string): void;
  stop: AbortSignal;
  pollMs?: number;
}

export interface FollowResult {
  /** The run ended (false: stopped first). */
  ended: boolean;
  /** The job's run records once it ended, with the run's result when it was recorded. */
  records: RunRecord[];
  /** Its output was followed as it was written (false: the store kept none for it, and nothing was printed). */
  live: boolean;
}

export async function followRun(spec: FollowSpec): Promise<FollowResult> {
  const { store, jobId, runId, stop } = spec;
  const pollMs = spec.pollMs ?? FOLLOW_POLL_MS;
  const decoder = new StringDecoder("utf8");
  let atLineStart = true;
  const emit = (text: string) => {
    if (text === "") return;
    spec.write(text);
    atLineStart = text.endsWith("\n");
  };
  let reader: LiveOutputReader | undefined;
  // The wrapper starts its live output just after it records the run as started: until then, and for a store that
  // keeps none, there is nothing to read yet.
  const openReader = async () => {
    reader = await store.liveOutput?.open(jobId, runId);
    if (reader) emit(lastLines(decoder.write(reader.tail(JOB_LIMITS.tailBytes)), spec.lines));
  };
  const stopped = new Promise<void>((resolve) => {
    if (stop.aborted) resolve();
    else stop.addEventListener("abort", () => resolve(), { once: true });
  });
  const feed = store.changes();
  let outputWait: Promise<void> | undefined;
  let storeWait: Promise<void> | undefined;
  let checkRun = true;
  let ended = false;
  let live = false;
  let records: RunRecord[] = [];
  try {
    while (!stop.aborted) {
      if (reader) emit(decoder.write(reader.next()));
      else await openReader();
      live ||= reader !== undefined;
      if (checkRun) {
        checkRun = false;
        const job = await spec.readJob();
        if (!job?.open.some((run) => run.id === runId)) {
          // written before the result was recorded: all there is
          if (reader) emit(decoder.write(reader.next()));
          emit(decoder.end());
          ended = true;
          // (no feed wait is pending here: a run is checked only once the last one has ended)
          records = await recordsWithResult(store, jobId, runId, feed, pollMs);
          break;
        }
      }
      // One wait of each kind at a time (a change feed serves one waiter); a store change or the interval means
      // the run may have ended.
      outputWait ??= (reader ? reader.wait(pollMs) : pause(pollMs)).then(() => {
        outputWait = undefined;
      });
      storeWait ??= feed.next(pollMs).then(() => {
        storeWait = undefined;
        checkRun = true;
      });
      await Promise.race([outputWait, storeWait, stopped]);
    }
  } finally {
    (reader as LiveOutputReader | undefined)?.close();
    feed.close();
  }
  if (!atLineStart) spec.write("\n");
  return { ended, live, records };
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * The job's run records, once they hold the result of run `runId` (one that has ended): a job's summary is committed
 * before its run file is appended, under the same lock, so the record may be a moment behind (the lock's release is
 * a change of the store). After RECORD_LOOKS looks without it (an append that failed), the records as they are.
 */
export async function recordsWithResult(
  store: Store,
  jobId: string,
  runId: string | undefined,
  feed?: ChangeFeed,
  pollMs = FOLLOW_POLL_MS,
): Promise<RunRecord[]> {
  const hasResult = (records: RunRecord[]) =>
    runId === undefined || records.some((r) => r.run === runId && (r.kind === "finished" || r.kind === "lost"));
  let records = await store.runRecords(jobId);
  if (hasResult(records)) return records;
  const changes = feed ?? store.changes();
  try {
    for (let look = 0; look < RECORD_LOOKS && !hasResult(records); look++) {
      await changes.next(pollMs);
      records = await store.runRecords(jobId);
    }
  } finally {
    if (!feed) changes.close();
  }
  return records;
}
