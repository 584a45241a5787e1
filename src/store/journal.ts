// The journal is append-only JSON lines, written (and fsynced) before the state file is renamed into place. Each
// record is one committed-or-attempted transaction: the new values of everything it changed, and its audit entries.
// Records chain through `prev` (the txn the change was based on); the state file names the last committed txn, so
// records of attempts that never committed (killed mid-commit, or fenced out) are off the chain and ignored.
// Format version 1: {"v":1,"seq":N,"txn":"…","prev":"…"|null,"at":ISO,"counter":N,"ops":[{"k":"task"|"agent"|"job",
// "id":…,"v":…}],"audit":[AuditEntry…]}, or {"v":1,"abort":"<txn>"} for an attempt that was fenced out, or
// {"v":1,"landed":"<txn>"} after a commit's rename (not fsynced: evidence for doctor that the record was the state, so
// a record that later falls off the chain was an acknowledged change overwritten). Readers refuse a
// record of a higher `v` (exit 6). Documented in references/store-format.md. The zod schemas of the lines are in
// journal-schema.ts (for doctor): this module is on every write's path and must not load zod.
import { join } from "node:path";
import { StoreCorruptError } from "../core/errors.ts";
import type { Job } from "../core/job-model.ts";
import type { AgentConfig, AuditEntry, Task } from "../core/model.ts";
import { readStoreFile } from "./atomic-file.ts";
import { JOURNAL_FILE } from "./state-file.ts";

export const JOURNAL_VERSION = 1;

/** `v: null` removes the task from the hot state (it was archived). */
export type JournalOp =
  | { k: "task"; id: string; v: Task | null }
  | { k: "agent"; id: string; v: AgentConfig }
  | { k: "job"; id: string; v: Job };

export interface JournalRecord {
  v: 1;
  seq: number;
  txn: string;
  prev: string | null;
  at: string;
  /** The state's id counter after this commit (absent in records written before it was added; still v1). */
  counter?: number;
  ops: JournalOp[];
  audit: AuditEntry[];
}

interface AbortRecord {
  v: 1;
  abort: string;
}

interface LandedMark {
  v: 1;
  landed: string;
}

/** The `v` of a parsed line when it is a number above the version this code writes. */
export function newerVersion(json: unknown): number | undefined {
  const v = (json as { v?: unknown } | null)?.v;
  return typeof v === "number" && v > JOURNAL_VERSION ? v : undefined;
}

export function formatRecord(record: JournalRecord | AbortRecord | LandedMark): string {
  return `${JSON.stringify(record)}\n`;
}

/**
 * For appends: a journal whose last line is of a newer format version belongs to a newer taskpulse now, and is
 * not appended to (exit 6), as reading it is refused.
 */
export function refuseNewerLine(path: string): (lastLine: string) => void {
  return (line) => {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return; // a torn line: not a version to judge
    }
    const newer = newerVersion(json);
    if (newer !== undefined) {
      throw new StoreCorruptError(
        `${path} ends with a record of version ${newer}, newer than this taskpulse understands (${JOURNAL_VERSION})`,
        "upgrade taskpulse; nothing was changed",
      );
    }
  };
}

/** Reads every well-formed record; a torn last line (crash mid-append) is skipped. */
export function readJournal(dir: string, file: string = JOURNAL_FILE): { records: JournalRecord[]; aborted: Set<string>; bad: number } {
  const raw = readStoreFile(join(dir, file), "a journal", { follow: true });
  if (raw === undefined) return { records: [], aborted: new Set(), bad: 0 };
  const records: JournalRecord[] = [];
  const aborted = new Set<string>();
  let bad = 0;
  let n = 0;
  for (const line of raw.split("\n")) {
    n++;
    if (line === "") continue;
    let rec: JournalRecord | AbortRecord | LandedMark;
    try {
      rec = JSON.parse(line) as JournalRecord | AbortRecord | LandedMark;
    } catch {
      bad++;
      continue;
    }
    const newer = newerVersion(rec);
    if (newer !== undefined) {
      throw new StoreCorruptError(
        `${join(dir, file)} line ${n} has version ${newer}, newer than this taskpulse understands (${JOURNAL_VERSION})`,
        "upgrade taskpulse; the file was not changed",
      );
    }
    try {
      if ("abort" in rec) aborted.add(rec.abort);
      else if ("landed" in rec) continue;
      else if (typeof rec.txn === "string") records.push(rec);
      else bad++;
    } catch {
      bad++;
    }
  }
  return { records, aborted, bad };
}

/**
 * The committed records after `base` (the checkpoint's txn; null = from the beginning), oldest first: walk back
 * from the state's last txn along `prev` until `base`. Records at or before the checkpoint are already in it (they
 * are still in journal.jsonl when a rotation was interrupted between the checkpoint and the rename).
 */
export function committedRecords(
  records: readonly JournalRecord[],
  aborted: ReadonlySet<string>,
  head: string | null,
  base: string | null = null,
): JournalRecord[] {
  const byTxn = new Map<string, JournalRecord>();
  for (const r of records) if (!aborted.has(r.txn)) byTxn.set(r.txn, r);
  const chain: JournalRecord[] = [];
  const seen = new Set<string>();
  for (let txn = head; txn !== null && txn !== base && !seen.has(txn); ) {
    seen.add(txn);
    const rec = byTxn.get(txn);
    if (!rec) break; // older history was rotated away
    chain.push(rec);
    txn = rec.prev;
  }
  return chain.reverse();
}
