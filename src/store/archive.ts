// Guarantee: finished tasks leave the hot state only after their archive record is on disk (appended and fsynced
// under the store lock, before the state file without them is committed). A crash in between leaves a task in both
// places; readers prefer the hot copy and de-duplicate archive lines by id (the last line wins), so nothing is lost
// or shown twice. Layout: archive/YYYY-MM.tasks.jsonl (full task + its audit trail, one line each) and
// archive/YYYY-MM.index.jsonl (a small summary per task, what query/stats/history scan), by month of finishing.
import { isAscii } from "node:buffer";
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
function monthOf(iso: string): string {
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

/** Which month files a range of finishing times (inclusive, YYYY-MM…; undefined = open) can have lines in. */
function indexFiles(storeDir: string, range: { from?: string; to?: string }): string[] {
  return months(storeDir, "index").filter((file) => {
    const month = file.slice(0, 7);
    return !((range.from && month < range.from.slice(0, 7)) || (range.to && month > range.to.slice(0, 7)));
  });
}

/**
 * The archived summaries of a month range, as the index files hold them: every id once (its last line that parses
 * wins), in the order of each id's first line. Lines are parsed only when asked for.
 */
export interface SummaryIndex {
  /**
   * The ids of the lines, without parsing them, in index order. It may name an id whose only line turns out not to
   * parse (a torn line): get() says, and summaries() leaves such an id out.
   */
  ids(): IterableIterator<string>;
  /** One task's summary (a fresh object), or undefined. */
  get(id: string): TaskSummary | undefined;
  /**
   * Every summary (fresh objects), in index order. `agent`: only that agent's (other agents' lines are passed over
   * unparsed); `skip`: ids to leave out.
   */
  summaries(filter?: { agent?: string | undefined; skip?: (id: string) => boolean }): Generator<TaskSummary>;
}

const LINE_HEAD = '{"id":"';
const AGENT_KEY = '","agent":"';
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * Reads the index files of `range` into a SummaryIndex, giving the summaries readLines gives (a line that does not
 * parse is skipped; the last line of an id wins), for less. stats over 100 000 archived tasks is one scan of the
 * files and one JSON.parse per task, with no summary kept:
 * - a file is read as bytes and looked at as latin1 text (no UTF-8 decoding of megabytes); a line with other than
 *   ASCII is decoded when it is parsed;
 * - a line in the form summarize() and JSON.stringify write (`{"id":"…",…}`) is only located: its id is read off
 *   its head, its agent too when a filter asks, and JSON.parse waits until the summary is wanted. Any other line is
 *   parsed at once, as before.
 */
export function indexSummaries(storeDir: string, range: { from?: string; to?: string } = {}): SummaryIndex {
  const files: Buffer[] = [];
  const texts: string[] = [];
  const ascii: boolean[] = [];
  // Line k is [lineStart[k], lineEnd[k]) in texts[lineFile[k]] (numbers in arrays: no object per line).
  const lineFile: number[] = [];
  const lineStart: number[] = [];
  const lineEnd: number[] = [];
  const lineId: (string | undefined)[] = [];
  /** Lines not in the usual form, parsed when read. */
  const parsedLines = new Map<number, TaskSummary>();
  /** Each id's last line. */
  const last = new Map<string, number>();
  /** The earlier lines of an id that has several (a crash between archive append and state commit): rare. */
  const earlier = new Map<string, number[]>();
  for (const file of indexFiles(storeDir, range)) {
    const bytes = readFileSync(join(storeDir, ARCHIVE_DIR, file));
    const at = files.push(bytes) - 1;
    texts.push(bytes.toString("latin1"));
    ascii.push(isAscii(bytes));
    const text = texts[at] as string;
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf("\n", start);
      if (end < 0) end = text.length;
      if (end > start) {
        const k = lineFile.length;
        lineFile.push(at);
        lineStart.push(start);
        lineEnd.push(end);
        let id: string | undefined;
        if (text.startsWith(LINE_HEAD, start) && text.charCodeAt(end - 1) === 125 /* } */) {
          const quote = text.indexOf('"', start + LINE_HEAD.length);
          if (quote > 0 && quote < end) id = text.slice(start + LINE_HEAD.length, quote);
          if (id?.includes("\\")) id = undefined;
        }
        if (id === undefined) {
          const s = parseLine(bytes, text, start, end, ascii[at] as boolean);
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
  const parse = (id: string, k: number): TaskSummary | undefined => {
    const kept = parsedLines.size > 0 ? parsedLines.get(k) : undefined;
    if (kept) return { ...kept };
    const file = lineFile[k] as number;
    const s = parseLine(files[file] as Buffer, texts[file] as string, lineStart[k] as number, lineEnd[k] as number, ascii[file] as boolean);
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
  /** The agent a line in the usual form names, read off the line; undefined when that is not plain. */
  const agentOf = (id: string, k: number): string | undefined => {
    if ((parsedLines.size > 0 && parsedLines.has(k)) || (earlier.size > 0 && earlier.has(id))) return undefined;
    const text = texts[lineFile[k] as number] as string;
    const from = (lineStart[k] as number) + LINE_HEAD.length + id.length;
    if (!text.startsWith(AGENT_KEY, from)) return undefined;
    const quote = text.indexOf('"', from + AGENT_KEY.length);
    if (quote < 0 || quote > (lineEnd[k] as number)) return undefined;
    const agent = text.slice(from + AGENT_KEY.length, quote);
    return agent.includes("\\") || NON_ASCII.test(agent) ? undefined : agent;
  };
  return {
    ids: () => last.keys(),
    get,
    *summaries(filter = {}) {
      const wanted = (id: string, k: number) => {
        if (filter.skip?.(id)) return false;
        if (filter.agent === undefined) return true;
        const agent = agentOf(id, k);
        return agent === undefined || agent === filter.agent;
      };
      const keep = (s: TaskSummary | undefined): s is TaskSummary => !!s && (filter.agent === undefined || s.agent === filter.agent);
      if (earlier.size === 0) {
        // No id on two lines: index order is line order, and each id's line is its only one.
        for (let k = 0; k < lineId.length; k++) {
          const id = lineId[k];
          if (id === undefined || !wanted(id, k)) continue;
          const s = parse(id, k);
          if (keep(s)) yield s;
        }
        return;
      }
      for (const [id, k] of last) {
        if (!wanted(id, k)) continue;
        const s = get(id);
        if (keep(s)) yield s;
      }
    },
  };
}

/**
 * One line of a file, parsed, or undefined: taken from the file's latin1 view, or decoded from its bytes as UTF-8
 * when it has other than ASCII (the two agree on ASCII, and offsets in the view are byte offsets).
 */
function parseLine(bytes: Buffer, text: string, start: number, end: number, ascii: boolean): TaskSummary | undefined {
  let line = text.slice(start, end);
  if (!ascii && NON_ASCII.test(line)) line = bytes.toString("utf8", start, end);
  try {
    const s = JSON.parse(line) as TaskSummary | null;
    return typeof s?.id === "string" ? s : undefined;
  } catch {
    return undefined; // a torn last line (crash mid-append) is skipped; doctor reports it
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
    const bytes = readFileSync(join(storeDir, ARCHIVE_DIR, file));
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
