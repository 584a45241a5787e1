// Files of JSON lines (journal segments, archive months, run files), read line by line: which lines a repair keeps, which do
// not parse or validate, and which have a newer version.
import { lstatSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { taskSchema } from "../../core/model.ts";
import { ARCHIVE_DIR } from "../archive.ts";
import { readStoreFile } from "../atomic-file.ts";
import { STALE_MS } from "../holder.ts";
import { JOBS_DIR } from "../job-runs.ts";
import { type JournalRecord, newerVersion } from "../journal.ts";
import { abortRecordSchema, journalRecordSchema, landedMarkSchema } from "../journal-schema.ts";
import { JOURNAL_FILE, PREVIOUS_JOURNAL_FILE } from "../state-file.ts";
import { type Analysis, type FindingCode, type LinesFile, newerFinding } from "./findings.ts";

export const MONTH_FILE = /^\d{4}-\d{2}\.(tasks|index)\.jsonl$/;

/**
 * With `now`, a last line that has no newline yet and does not parse, in a file changed less than the lock's stale
 * time ago, is an append in progress (a reader can see part of a record being written): it counts as neither good
 * nor bad. Once stale it is a torn line. Either way readers skip it, and the next append starts on a new line.
 */
export function readLinesFile(dir: string, name: string, check: (json: unknown) => boolean, now?: number): LinesFile | undefined {
  let raw: string;
  let changed: number;
  try {
    const st = lstatSync(join(dir, name));
    if (st.isSymbolicLink()) return undefined; // reported as a link
    changed = st.mtimeMs;
    // regular files only, opened without blocking (a FIFO or a device is reported by the scan, not read)
    const read = readStoreFile(join(dir, name), "a file of JSON lines", { follow: false });
    if (read === undefined) return undefined;
    raw = read;
  } catch {
    return undefined;
  }
  const file: LinesFile = { name, good: [], badLines: [] };
  const lines = raw.split("\n");
  lines.forEach((line, i) => {
    if (line === "" && i === lines.length - 1) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      const appending = i === lines.length - 1 && now !== undefined && now - changed < STALE_MS;
      if (!appending) file.badLines.push(i + 1);
      return;
    }
    const newer = newerVersion(json);
    if (newer !== undefined) {
      file.newer ??= { line: i + 1, version: newer };
      file.good.push(line); // never dropped by a repair (which a newer version blocks anyway)
    } else if (check(json)) file.good.push(line);
    else file.badLines.push(i + 1);
  });
  return file;
}

export const journalLine = (json: unknown) =>
  journalRecordSchema.safeParse(json).success || abortRecordSchema.safeParse(json).success || landedMarkSchema.safeParse(json).success;

const archivedTaskSchema = z.object({ v: z.literal(1), task: taskSchema, audit: z.array(z.unknown()) });
const summarySchema = z.object({ id: z.string().min(1), status: z.string(), agent: z.string(), createdAt: z.string() });

export function archiveLine(file: string): (json: unknown) => boolean {
  return file.endsWith(".tasks.jsonl")
    ? (json) => archivedTaskSchema.safeParse(json).success
    : (json) => summarySchema.safeParse(json).success;
}

export function readArchivedIds(dir: string, archiveEntries: string[]): string[] {
  const ids: string[] = [];
  for (const f of archiveEntries.filter((name) => /^\d{4}-\d{2}\.index\.jsonl$/.test(name))) {
    for (const line of readLinesFile(dir, join(ARCHIVE_DIR, f), (json) => summarySchema.safeParse(json).success)?.good ?? []) {
      ids.push((JSON.parse(line) as { id: string }).id);
    }
  }
  return ids;
}

/** The records of a journal file; abort lines go into `aborted`, landed marks into `landed`. */
export function parseRecords(file: LinesFile | undefined, aborted: Set<string>, landed: Set<string> = new Set()): JournalRecord[] {
  const records: JournalRecord[] = [];
  for (const line of file?.good ?? []) {
    const rec = JSON.parse(line) as JournalRecord | { abort: string } | { landed: string };
    if ("abort" in rec) aborted.add(rec.abort);
    else if ("landed" in rec) landed.add(rec.landed);
    else records.push(rec);
  }
  return records;
}

/** Reports lines of a newer version (which block a repair) and lines that do not parse or validate (which a repair drops). */
export function checkLinesFiles(a: Analysis, files: readonly (LinesFile | undefined)[]): void {
  for (const file of files) {
    if (!file) continue;
    if (file.newer) {
      a.blocked = true;
      a.report.findings.push(newerFinding(file.name, `line ${file.newer.line} has version ${file.newer.version}`));
    }
    if (file.badLines.length > 0) {
      a.lineFiles.push(file);
      const kind = lineFileKind(file.name);
      a.report.findings.push({
        code: kind.code,
        severity: "warning",
        file: file.name,
        message: `${file.badLines.length} line(s) do not parse or validate (line ${file.badLines.slice(0, 5).join(", ")}${file.badLines.length > 5 ? ", …" : ""})`,
        meaning: kind.meaning,
        action: "run `taskpulse doctor --repair`: it rewrites the file without those lines and keeps the original aside",
      });
    }
  }
}

function lineFileKind(name: string): { code: FindingCode; meaning: string } {
  if (name === JOURNAL_FILE || name === PREVIOUS_JOURNAL_FILE) {
    return {
      code: "journal-invalid-lines",
      meaning:
        "a writer killed in the middle of an append leaves a torn line; it was never committed and readers skip it. If the state check below passes, nothing is missing",
    };
  }
  if (name.startsWith(`${JOBS_DIR}/`)) {
    return {
      code: "job-runs-invalid-lines",
      meaning:
        "a `taskpulse run` killed in the middle of recording a run leaves a torn line (or the file was edited); readers skip it, so `taskpulse jobs` shows that run without the record",
    };
  }
  return {
    code: "archive-invalid-lines",
    meaning:
      "a writer killed in the middle of archiving leaves a torn line; the task was still in the hot state and was archived again later",
  };
}
