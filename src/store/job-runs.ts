// Guarantee: each job's run history is an append-only JSON-lines file, `jobs/<jobId>.jsonl` under the store, written
// only while the store lock is held (json-store.ts calls in here after its commit), each append fsynced before the
// caller goes on. It stays bounded: when it holds more than JOB_LIMITS.keepRuns runs (checked every COMPACT_EVERY
// runs) or grows past COMPACT_BYTES, it is rewritten atomically (temp, fsync, rename) with the newest runs only,
// older kept runs with shorter output tails. A torn last line (crash mid-append) is skipped when read. The hot
// state file never holds output: it stays small.
//
// A run in progress also writes its output as it comes to `jobs/<jobId>.<runId>.live`, for `jobs <job> --follow`:
// not under the lock and not fsynced (its one writer is the run's wrapper, and it is a view, not a record), at most
// LIVE_BYTES. The wrapper deletes it once the run's result is recorded, so a follower that sees the run end has
// already been able to read all of it; the next run of the job deletes any that a killed wrapper left.
import { closeSync, constants, type FSWatcher, fstatSync, lstatSync, openSync, readdirSync, readSync, statSync, watch } from "node:fs";
import { join } from "node:path";
import { StoreCorruptError } from "../core/errors.ts";
import { JOB_LIMITS, type RunRecord, runRecordSchema } from "../core/job-model.ts";
import { validateSlug } from "../core/names.ts";
import { textTail } from "../core/utf8.ts";
import { appendDurably, fsyncDir, kindOf, readStoreFile, unlinkQuietly, writeAll, writeFileDurably } from "./atomic-file.ts";
import type { LiveOutputReader, LiveOutputWriter } from "./store.ts";
import { subdirForReading, subdirForWriting } from "./store-dirs.ts";
import { WakeSignal } from "./wake-signal.ts";

export const JOBS_DIR = "jobs";
/** A run file larger than this is compacted at the next append. */
export const COMPACT_BYTES = 8 * 1024 * 1024;
/** Every this many finished runs of a job, its run file is compacted down to JOB_LIMITS.keepRuns. */
export const COMPACT_EVERY = 50;

export function runFilePath(dir: string, jobId: string): string {
  return join(dir, JOBS_DIR, `${validateSlug(jobId, "job name")}.jsonl`);
}

/**
 * Checks, before the commit that records runs, that their files can be appended to: jobs/ is a real directory (made
 * when missing) and each run file is absent or a regular file, not a link. So a run that cannot be recorded is
 * refused (exit 6) before anything changes, rather than after its commit.
 */
export function checkRunFilesWritable(dir: string, jobIds: Iterable<string>): void {
  subdirForWriting(dir, JOBS_DIR);
  for (const jobId of jobIds) {
    const path = runFilePath(dir, jobId);
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw err;
    }
    if (st.isSymbolicLink()) {
      throw new StoreCorruptError(
        `${path} is a symbolic link, not a run file: taskpulse does not read or write through links`,
        "run `taskpulse doctor --repair` to move the link aside (what it points to is not touched); nothing was changed",
      );
    }
    if (!st.isFile())
      throw new StoreCorruptError(`${path} is ${kindOf(st)}, not a run file`, "run `taskpulse doctor`; nothing was changed");
  }
}

/** Appends records durably; the caller holds the store lock. */
export function appendRunRecords(dir: string, jobId: string, records: readonly RunRecord[], compact: boolean): void {
  if (records.length === 0) return;
  const path = runFilePath(dir, jobId);
  const jobsDir = subdirForWriting(dir, JOBS_DIR);
  const existed = exists(path);
  appendDurably(path, records.map((r) => `${JSON.stringify(r)}\n`).join(""));
  if (!existed) fsyncDir(jobsDir);
  if (compact || statSync(path).size > COMPACT_BYTES) compactRunFile(dir, jobId, JOB_LIMITS.keepRuns);
}

/** Every well-formed record of a job, oldest first; a torn or invalid line is skipped. Never creates anything. */
export function readRunRecords(dir: string, jobId: string): RunRecord[] {
  const path = runFilePath(dir, jobId);
  if (subdirForReading(dir, JOBS_DIR) === undefined) return [];
  const raw = readStoreFile(path, "a run file", { follow: false });
  return raw === undefined ? [] : parseRunRecords(raw);
}

export function parseRunRecords(raw: string): RunRecord[] {
  const records: RunRecord[] = [];
  for (const line of raw.split("\n")) {
    if (line === "") continue;
    try {
      const parsed = runRecordSchema.safeParse(JSON.parse(line));
      if (parsed.success) records.push(parsed.data as RunRecord);
    } catch {
      // torn line
    }
  }
  return records;
}

/**
 * Keeps the newest `keep` runs (and, with `before`, only runs that have a record at or after it), in file order;
 * runs older than the newest JOB_LIMITS.fullTailRuns keep shorter tails. Returns how many runs were dropped.
 */
export function compactRunFile(dir: string, jobId: string, keep: number, before?: Date): number {
  const path = runFilePath(dir, jobId);
  const records = readRunRecords(dir, jobId);
  const order: string[] = [];
  const last = new Map<string, string>();
  for (const r of records) {
    if (!last.has(r.run)) order.push(r.run);
    if ((last.get(r.run) ?? "") < r.at) last.set(r.run, r.at);
  }
  let kept = order.slice(-keep);
  if (before) {
    const cutoff = before.toISOString();
    // the newest run is always kept, so a job never loses its last known result
    kept = kept.filter((run, i) => i === kept.length - 1 || (last.get(run) ?? "") >= cutoff);
  }
  const keepSet = new Set(kept);
  const full = new Set(kept.slice(-JOB_LIMITS.fullTailRuns));
  const out = records.filter((r) => keepSet.has(r.run)).map((r) => (r.kind === "finished" && !full.has(r.run) ? shrinkTails(r) : r));
  const dropped = order.length - kept.length;
  if (dropped === 0 && out.every((r, i) => r === records[i])) return 0;
  writeFileDurably(path, out.map((r) => `${JSON.stringify(r)}\n`).join(""));
  return dropped;
}

function shrinkTails(r: Extract<RunRecord, { kind: "finished" }>): RunRecord {
  const cut = (s: { tail: string; bytes: number; truncated: boolean }) => {
    const tail = textTail(s.tail, JOB_LIMITS.oldTailBytes);
    return tail === s.tail ? s : { ...s, tail, truncated: true };
  };
  const stdout = cut(r.stdout);
  const stderr = cut(r.stderr);
  return stdout === r.stdout && stderr === r.stderr ? r : { ...r, stdout, stderr };
}

/** The jobs that have a run file. */
export function listRunFiles(dir: string): string[] {
  const jobsDir = subdirForReading(dir, JOBS_DIR);
  if (jobsDir === undefined) return [];
  return readdirSync(jobsDir)
    .filter((f) => f.endsWith(".jsonl") && !f.startsWith("."))
    .map((f) => f.slice(0, -".jsonl".length));
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Where a run's live output stops: a job that prints more is followed up to here (its record keeps its tail). */
export const LIVE_BYTES = 8 * 1024 * 1024;
const LIVE_SUFFIX = ".live";
/** Run ids as newRunId makes them: no dot, so `<jobId>.<runId>.live` names one job and one run. */
const RUN_ID = /^r[0-9a-z]{1,39}$/;

/** The live output file of a run, or undefined for a run id that is not one (never a path outside jobs/). */
function livePath(dir: string, jobId: string, runId: string): string | undefined {
  return RUN_ID.test(runId) ? join(dir, JOBS_DIR, `${validateSlug(jobId, "job name")}.${runId}${LIVE_SUFFIX}`) : undefined;
}

/** The job and run a name in jobs/ is the live output of, or undefined. */
export function liveOutputOf(name: string): { jobId: string; runId: string } | undefined {
  if (!name.endsWith(LIVE_SUFFIX)) return undefined;
  const stem = name.slice(0, -LIVE_SUFFIX.length);
  const dot = stem.lastIndexOf(".");
  const jobId = stem.slice(0, dot);
  const runId = stem.slice(dot + 1);
  if (dot < 1 || !RUN_ID.test(runId)) return undefined;
  try {
    validateSlug(jobId, "job name");
  } catch {
    return undefined;
  }
  return { jobId, runId };
}

/** Starts a run's live output (see the guarantee above). Throws when it cannot: the caller runs the job without. */
export function createLiveOutput(dir: string, jobId: string, runId: string, openRuns: readonly string[]): LiveOutputWriter {
  const path = livePath(dir, jobId, runId);
  if (path === undefined) throw new Error(`not a run id: ${runId}`);
  const jobsDir = subdirForWriting(dir, JOBS_DIR);
  const keep = new Set([...openRuns, runId]);
  for (const name of readdirSync(jobsDir)) {
    const of = liveOutputOf(name);
    if (of?.jobId === jobId && !keep.has(of.runId)) unlinkQuietly(join(jobsDir, name));
  }
  let fd: number | undefined = openSync(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW | constants.O_APPEND,
    0o600,
  );
  let written = 0;
  const stop = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  return {
    write(chunk) {
      if (fd === undefined) return;
      try {
        if (written + chunk.length > LIVE_BYTES) {
          const note = `\n[taskpulse: the live output stops at ${LIVE_BYTES / 1024 / 1024} MiB; the run's record keeps the end of it]\n`;
          writeAll(fd, Buffer.from(note));
          stop();
          return;
        }
        writeAll(fd, chunk);
        written += chunk.length;
      } catch {
        // a full disk: followers see no more of this run's output, the run itself goes on
        stop();
      }
    },
    close() {
      stop();
      unlinkQuietly(path);
    },
  };
}

/** A run's live output for reading, or undefined when it has none (yet, or any more). */
export function openLiveOutput(dir: string, jobId: string, runId: string): LiveOutputReader | undefined {
  const path = livePath(dir, jobId, runId);
  if (path === undefined || subdirForReading(dir, JOBS_DIR) === undefined) return undefined;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new StoreCorruptError(`${path} is ${kindOf(st)}, not a run's output`, "run `taskpulse doctor`");
  }
  let position = 0;
  const signal = new WakeSignal();
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(path, { persistent: false }, () => signal.notify());
    watcher.on("error", () => watcher?.close());
  } catch {
    // no watch support: wait() falls back to its interval
  }
  const readFrom = (start: number): Buffer => {
    const size = fstatSync(fd).size;
    if (size <= start) return Buffer.alloc(0);
    const buf = Buffer.alloc(size - start);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    position = start + got;
    return buf.subarray(0, got);
  };
  return {
    tail(maxBytes) {
      const size = fstatSync(fd).size;
      if (size <= maxBytes) return readFrom(0);
      // from the first whole line (not the middle of a line, nor of a character): one byte more, to see whether
      // the window starts right after a newline
      const buf = readFrom(size - maxBytes - 1);
      const newline = buf.indexOf(10);
      return buf.subarray(newline < 0 ? 1 : newline + 1);
    },
    next: () => readFrom(position),
    wait: (ms) => signal.wait(ms),
    close() {
      watcher?.close();
      signal.release();
      closeSync(fd);
    },
  };
}
