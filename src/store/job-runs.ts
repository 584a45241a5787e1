// Guarantee: each job's run history is an append-only JSON-lines file, `jobs/<jobId>.jsonl` under the store, written
// only while the store lock is held (json-store.ts calls in here after its commit), each append fsynced before the
// caller goes on. It stays bounded: when it holds more than JOB_LIMITS.keepRuns runs (checked every COMPACT_EVERY
// runs) or grows past COMPACT_BYTES, it is rewritten atomically (temp, fsync, rename) with the newest runs only,
// older kept runs with shorter output tails. A torn last line (crash mid-append) is skipped when read. The hot
// state file never holds output: it stays small.
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { JOB_LIMITS, type RunRecord, runRecordSchema } from "../core/job-model.ts";
import { validateSlug } from "../core/names.ts";
import { textTail } from "../core/utf8.ts";
import { appendDurably, fsyncDir, writeFileDurably } from "./atomic-file.ts";

export const JOBS_DIR = "jobs";
/** A run file larger than this is compacted at the next append. */
export const COMPACT_BYTES = 8 * 1024 * 1024;
/** Every this many finished runs of a job, its run file is compacted down to JOB_LIMITS.keepRuns. */
export const COMPACT_EVERY = 50;

export function runFilePath(dir: string, jobId: string): string {
  return join(dir, JOBS_DIR, `${validateSlug(jobId, "job name")}.jsonl`);
}

/** Appends records durably; the caller holds the store lock. */
export function appendRunRecords(dir: string, jobId: string, records: readonly RunRecord[], compact: boolean): void {
  if (records.length === 0) return;
  const path = runFilePath(dir, jobId);
  const jobsDir = join(dir, JOBS_DIR);
  mkdirSync(jobsDir, { recursive: true, mode: 0o700 });
  const existed = exists(path);
  appendDurably(path, records.map((r) => `${JSON.stringify(r)}\n`).join(""));
  if (!existed) fsyncDir(jobsDir);
  if (compact || statSync(path).size > COMPACT_BYTES) compactRunFile(dir, jobId, JOB_LIMITS.keepRuns);
}

/** Every well-formed record of a job, oldest first; a torn or invalid line is skipped. Never creates anything. */
export function readRunRecords(dir: string, jobId: string): RunRecord[] {
  let raw: string;
  try {
    raw = readFileSync(runFilePath(dir, jobId), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  return parseRunRecords(raw);
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
  try {
    return readdirSync(join(dir, JOBS_DIR))
      .filter((f) => f.endsWith(".jsonl") && !f.startsWith("."))
      .map((f) => f.slice(0, -".jsonl".length));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
