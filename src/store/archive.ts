// Guarantee: finished tasks leave the hot state only after their archive record is on disk (appended and fsynced
// under the store lock, before the state file without them is committed). A crash in between leaves a task in both
// places; readers prefer the hot copy and de-duplicate archive lines by id (the last line wins), so nothing is lost
// or shown twice. Layout: archive/YYYY-MM.tasks.jsonl (full task + its audit trail, one line each) and
// archive/YYYY-MM.index.jsonl (a small summary per task, what query/stats/history scan), by month of finishing.
import { lstatSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { StoreCorruptError } from "../core/errors.ts";
import { type Summary, summarize } from "../core/insight.ts";
import type { AuditEntry, Task } from "../core/model.ts";
import { appendDurably, fsyncDir } from "./atomic-file.ts";

export const ARCHIVE_DIR = "archive";
export const ARCHIVE_VERSION = 1;

export type TaskSummary = Summary;

export interface ArchivedTask {
  v: 1;
  task: Task;
  audit: AuditEntry[];
}

/** YYYY-MM of a timestamp; the month becomes part of a file name, so anything else lands in "0000-00". */
export function monthOf(iso: string): string {
  const month = iso.slice(0, 7);
  return /^\d{4}-\d{2}$/.test(month) ? month : "0000-00";
}

export function appendToArchive(storeDir: string, records: readonly ArchivedTask[]): void {
  if (records.length === 0) return;
  const dir = join(storeDir, ARCHIVE_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // The month files are opened without following links; the directory itself must not be one either.
  if (!lstatSync(dir).isDirectory()) {
    throw new StoreCorruptError(
      `${dir} is not a directory (a symbolic link?): taskpulse does not write through links`,
      "run `taskpulse doctor`",
    );
  }
  const byMonth = new Map<string, ArchivedTask[]>();
  for (const r of records) {
    const finishedAt = (r.task as { finishedAt?: string }).finishedAt ?? r.task.updatedAt;
    const month = monthOf(finishedAt);
    byMonth.set(month, [...(byMonth.get(month) ?? []), r]);
  }
  for (const [month, list] of byMonth) {
    appendDurably(join(dir, `${month}.tasks.jsonl`), list.map((r) => `${JSON.stringify(r)}\n`).join(""));
    appendDurably(join(dir, `${month}.index.jsonl`), list.map((r) => `${JSON.stringify(summarize(r.task))}\n`).join(""));
  }
  fsyncDir(dir);
}

function months(storeDir: string, kind: "tasks" | "index"): string[] {
  try {
    return readdirSync(join(storeDir, ARCHIVE_DIR))
      .filter((f) => /^\d{4}-\d{2}\.(tasks|index)\.jsonl$/.test(f) && f.endsWith(`.${kind}.jsonl`))
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

function readLines<T>(path: string, each: (value: T) => void): void {
  const raw = readFileSync(path, "utf8");
  let start = 0;
  while (start < raw.length) {
    let end = raw.indexOf("\n", start);
    if (end < 0) end = raw.length;
    if (end > start) {
      try {
        each(JSON.parse(raw.slice(start, end)) as T);
      } catch {
        // a torn last line (crash mid-append) is skipped; doctor reports it
      }
    }
    start = end + 1;
  }
}

/** Summaries of archived tasks finished in [fromMonth, toMonth] (inclusive, YYYY-MM; undefined = open), by id. */
export function readSummaries(storeDir: string, range: { from?: string; to?: string } = {}): Map<string, TaskSummary> {
  const out = new Map<string, TaskSummary>();
  for (const file of months(storeDir, "index")) {
    const month = file.slice(0, 7);
    if ((range.from && month < range.from.slice(0, 7)) || (range.to && month > range.to.slice(0, 7))) continue;
    readLines<TaskSummary>(join(storeDir, ARCHIVE_DIR, file), (s) => {
      if (typeof s?.id === "string") out.set(s.id, s);
    });
  }
  return out;
}

/** The full archived record of one task (newest month first), or undefined. */
export function readArchived(storeDir: string, id: string): ArchivedTask | undefined {
  const needle = `"id":"${id}"`;
  for (const file of months(storeDir, "tasks").reverse()) {
    const raw = readFileSync(join(storeDir, ARCHIVE_DIR, file), "utf8");
    if (!raw.includes(needle)) continue;
    let found: ArchivedTask | undefined;
    readLines<ArchivedTask>(join(storeDir, ARCHIVE_DIR, file), (r) => {
      if (r?.task?.id === id) found = r;
    });
    if (found) return found;
  }
  return undefined;
}

/** Every archived record (the last line of an id wins), in file order. */
export function readAllArchived(storeDir: string): Map<string, ArchivedTask> {
  const out = new Map<string, ArchivedTask>();
  for (const file of months(storeDir, "tasks")) {
    readLines<ArchivedTask>(join(storeDir, ARCHIVE_DIR, file), (r) => {
      if (typeof r?.task?.id === "string") out.set(r.task.id, r);
    });
  }
  return out;
}

/** Ids of archived tasks starting with `prefix` (for resolving a prefix that matches no hot task). */
export function archivedIds(storeDir: string, prefix: string): string[] {
  return [...readSummaries(storeDir).keys()].filter((id) => id.startsWith(prefix));
}

/** Deletes whole months that ended before `cutoffIso`; returns how many tasks they held. */
export function pruneArchive(storeDir: string, cutoffIso: string): { months: string[]; tasks: number } {
  const cutoffMonth = monthOf(cutoffIso);
  const pruned: string[] = [];
  let tasks = 0;
  for (const file of months(storeDir, "index")) {
    const month = file.slice(0, 7);
    if (month >= cutoffMonth) continue;
    readLines<TaskSummary>(join(storeDir, ARCHIVE_DIR, file), () => {
      tasks++;
    });
    for (const kind of ["tasks", "index"]) {
      try {
        unlinkSync(join(storeDir, ARCHIVE_DIR, `${month}.${kind}.jsonl`));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
    pruned.push(month);
  }
  if (pruned.length > 0) fsyncDir(join(storeDir, ARCHIVE_DIR));
  return { months: pruned, tasks };
}
