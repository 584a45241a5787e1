// Guarantee: finished tasks leave the hot state only after their archive record is on disk (appended and fsynced
// under the store lock, before the state file without them is committed). A crash in between leaves a task in both
// places; readers prefer the hot copy and de-duplicate archive lines by id (the last line wins), so nothing is lost
// or shown twice. Layout: archive/YYYY-MM.tasks.jsonl (full task + its audit trail, one line each) and
// archive/YYYY-MM.index.jsonl (a small summary per task, what query/stats/history scan), by month of finishing.
import { readdirSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { type Summary, summarize } from "../core/insight.ts";
import type { AuditEntry, Task } from "../core/model.ts";
import { appendDurably, fsyncDir, readStoreBytes, readStoreFile } from "./atomic-file.ts";
import type { SummaryIndex } from "./store.ts";
import { subdirForWriting } from "./store-dirs.ts";

export type { SummaryIndex } from "./store.ts";

export const ARCHIVE_DIR = "archive";

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
  // The month files are opened without following links; the directory itself must not be one either.
  const dir = subdirForWriting(storeDir, ARCHIVE_DIR);
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
  const raw = readStoreFile(path, "an archive file", { follow: true }) ?? "";
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

/** Which month files a range of finishing times (inclusive, YYYY-MM…; undefined = open) can have lines in. */
function indexFiles(storeDir: string, range: { from?: string; to?: string }): string[] {
  return months(storeDir, "index").filter((file) => {
    const month = file.slice(0, 7);
    return !((range.from && month < range.from.slice(0, 7)) || (range.to && month > range.to.slice(0, 7)));
  });
}

const LINE_HEAD = Buffer.from('{"id":"', "latin1");
const LINE_HEAD_TEXT = '{"id":"';
/** An id read off a line's head is used as it is only when it is printable ASCII without escapes. */
const PLAIN_ID = /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/;
const AGENT_KEY = Buffer.from('","agent":"', "latin1");
const QUOTE = 34;
const BACKSLASH = 92;
const CLOSE_BRACE = 125;

/** Whether `bytes` holds `what` at `at`. */
function bytesAt(bytes: Buffer, at: number, what: Buffer): boolean {
  if (at + what.length > bytes.length) return false;
  for (let i = 0; i < what.length; i++) if (bytes[at + i] !== what[i]) return false;
  return true;
}

/** The plain ASCII string (no escapes) from `from` to the next quote before `end`, or undefined. */
function plainString(bytes: Buffer, from: number, end: number): { value: string; quote: number } | undefined {
  for (let i = from; i < end; i++) {
    const b = bytes[i] as number;
    if (b === QUOTE) return { value: bytes.toString("latin1", from, i), quote: i };
    if (b === BACKSLASH || b < 0x20 || b >= 0x80) return undefined;
  }
  return undefined;
}

function readIndexFile(path: string): Buffer {
  // undefined: pruned by a concurrent cleanup since it was listed, its tasks are gone
  return readStoreBytes(path, "an archive file", { follow: true }) ?? Buffer.alloc(0);
}

/**
 * Reads the index files of `range` into a SummaryIndex, giving the summaries readLines gives (a line that does not
 * parse is skipped; the last line of an id wins), for less time and memory: stats over 100 000 archived tasks is
 * two scans of the files and one JSON.parse per task, with no summary kept and one file in memory at a time.
 * - Built by a scan of each file (as latin1 text, dropped after) that only locates lines: a line in the form summarize() and JSON.stringify
 *   write (`{"id":"…",…}`) has its id read off its head; any other line is parsed at once. What is kept per line is
 *   its file and byte offsets (numbers), and each id once.
 * - summaries() reads the files again, one at a time, and parses the lines it yields; with an agent filter, a line
 *   naming another agent plainly (`"agent":"…"` right after the id) is passed over unparsed. get() reads the one
 *   file it needs. Appends by a concurrent cleanup leave the offsets valid (a line is only used if it still names
 *   its id); a month pruned in between reads as empty.
 */
export function indexSummaries(storeDir: string, range: { from?: string; to?: string } = {}): SummaryIndex {
  const paths = indexFiles(storeDir, range).map((file) => join(storeDir, ARCHIVE_DIR, file));
  // Line k is bytes [lineStart[k], lineEnd[k]) of paths[lineFile[k]]; a file's lines are [fileFirst[f], fileFirst[f + 1]).
  const lineFile: number[] = [];
  const lineStart: number[] = [];
  const lineEnd: number[] = [];
  const lineId: (string | undefined)[] = [];
  const fileFirst: number[] = [];
  /** Lines not in the usual form, parsed when scanned. */
  const parsedLines = new Map<number, TaskSummary>();
  /** Each id's last line. */
  const last = new Map<string, number>();
  /** The earlier lines of an id that has several (a crash between archive append and state commit): rare. */
  const earlier = new Map<string, number[]>();
  for (let f = 0; f < paths.length; f++) {
    fileFirst.push(lineFile.length);
    const bytes = readIndexFile(paths[f] as string);
    // Scanned as latin1 text (one byte, one char: offsets are byte offsets; string search is fast); dropped after.
    const text = bytes.toString("latin1");
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf("\n", start);
      if (end < 0) end = text.length;
      if (end > start) {
        const k = lineFile.length;
        lineFile.push(f);
        lineStart.push(start);
        lineEnd.push(end);
        let id: string | undefined;
        if (text.charCodeAt(end - 1) === CLOSE_BRACE && text.startsWith(LINE_HEAD_TEXT, start)) {
          const quote = text.indexOf('"', start + LINE_HEAD_TEXT.length);
          if (quote > 0 && quote < end) id = text.slice(start + LINE_HEAD_TEXT.length, quote);
          if (id !== undefined && !PLAIN_ID.test(id)) id = undefined;
        }
        if (id === undefined) {
          const s = parseLine(bytes, start, end);
          if (s) parsedLines.set(k, s);
          id = s?.id;
        }
        lineId.push(id);
        if (id !== undefined) {
          const before = last.get(id);
          if (before !== undefined) earlier.set(id, [...(earlier.get(id) ?? []), before]);
          last.set(id, k);
        }
      }
      start = end + 1;
    }
  }
  fileFirst.push(lineFile.length);

  // One file's bytes at a time (get() and summaries() read them again when they need them).
  let cached: { file: number; bytes: Buffer } | undefined;
  const bytesOf = (file: number): Buffer => {
    if (cached?.file !== file) cached = { file, bytes: readIndexFile(paths[file] as string) };
    return cached.bytes;
  };
  const parse = (id: string, k: number): TaskSummary | undefined => {
    const kept = parsedLines.size > 0 ? parsedLines.get(k) : undefined;
    if (kept) return { ...kept };
    const end = lineEnd[k] as number;
    const bytes = bytesOf(lineFile[k] as number);
    if (end > bytes.length) return undefined;
    const s = parseLine(bytes, lineStart[k] as number, end);
    return s?.id === id ? s : undefined;
  };
  /** The last line of `id` that parses (the line readLines kept). */
  const get = (id: string): TaskSummary | undefined => {
    const k = last.get(id);
    if (k === undefined) return undefined;
    const s = parse(id, k);
    if (s || earlier.size === 0 || !earlier.has(id)) return s;
    for (const e of [...(earlier.get(id) ?? [])].reverse()) {
      const found = parse(id, e);
      if (found) return found;
    }
    return undefined;
  };
  /** Whether a line in the usual form plainly names another agent than `agent` (then it need not be parsed). */
  const otherAgent = (id: string, k: number, agent: Buffer): boolean => {
    if ((parsedLines.size > 0 && parsedLines.has(k)) || (earlier.size > 0 && earlier.has(id))) return false;
    const bytes = bytesOf(lineFile[k] as number);
    const end = Math.min(lineEnd[k] as number, bytes.length);
    const from = (lineStart[k] as number) + LINE_HEAD.length + id.length;
    if (!bytesAt(bytes, from, AGENT_KEY)) return false;
    const at = from + AGENT_KEY.length;
    if (bytesAt(bytes, at, agent) && bytes[at + agent.length] === QUOTE) return false;
    return plainString(bytes, at, end) !== undefined;
  };
  return {
    ids: () => last.keys(),
    get,
    *summaries(filter = {}) {
      const agent = filter.agent === undefined ? undefined : Buffer.from(filter.agent, "utf8");
      const keep = (s: TaskSummary | undefined): s is TaskSummary => !!s && (filter.agent === undefined || s.agent === filter.agent);
      // File by file, in line order: an id's summary comes at its first line (the last line's content).
      for (let f = 0; f < paths.length; f++) {
        for (let k = fileFirst[f] as number; k < (fileFirst[f + 1] as number); k++) {
          const id = lineId[k];
          if (id === undefined || filter.skip?.(id)) continue;
          if (earlier.size > 0 && earlier.has(id)) {
            if ((earlier.get(id) as number[])[0] !== k) continue;
            const s = get(id);
            if (keep(s)) yield s;
            continue;
          }
          if (agent && otherAgent(id, k, agent)) continue;
          const s = parse(id, k);
          if (keep(s)) yield s;
        }
      }
    },
  };
}

/** One line of an index file, parsed, or undefined (a torn last line: skipped, doctor reports it). */
function parseLine(bytes: Buffer, start: number, end: number): TaskSummary | undefined {
  try {
    const s = JSON.parse(bytes.toString("utf8", start, end)) as TaskSummary | null;
    return typeof s?.id === "string" ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Summaries of archived tasks finished in [fromMonth, toMonth] (inclusive, YYYY-MM; undefined = open), by id. */
export function readSummaries(storeDir: string, range: { from?: string; to?: string } = {}): Map<string, TaskSummary> {
  const index = indexSummaries(storeDir, range);
  const out = new Map<string, TaskSummary>();
  for (const s of index.summaries()) out.set(s.id, s);
  return out;
}

/**
 * The full archived record of one task (newest month first), or undefined. Only lines that name the id are decoded
 * and parsed (a month of full records can be 50 MB): the line whose task has this id, the last one if several.
 */
export function readArchived(storeDir: string, id: string): ArchivedTask | undefined {
  const needle = Buffer.from(`"id":"${id}"`);
  for (const file of months(storeDir, "tasks").reverse()) {
    const bytes = readStoreBytes(join(storeDir, ARCHIVE_DIR, file), "an archive file", { follow: true }) ?? Buffer.alloc(0);
    let found: ArchivedTask | undefined;
    for (let at = bytes.indexOf(needle); at >= 0; ) {
      const start = bytes.lastIndexOf(10, at) + 1;
      let end = bytes.indexOf(10, at);
      if (end < 0) end = bytes.length;
      try {
        const r = JSON.parse(bytes.toString("utf8", start, end)) as ArchivedTask | null;
        if (r?.task?.id === id) found = r;
      } catch {
        // a torn last line (crash mid-append) is skipped; doctor reports it
      }
      at = bytes.indexOf(needle, end);
    }
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
