// Journal rotation, done outside the store lock so that other writers do not wait for it (issue 16: at 10 000 hot
// tasks a checkpoint takes most of a second to build). The heavy part, the checkpoint of a committed state with the
// audit trails of its tasks, is built from what is already committed and immutable: the head read without the lock
// and the parts it names, the old checkpoint, and the journal up to that head. Only the swap takes the lock, for a
// few milliseconds: it carries the journal records written after that head into a new journal.jsonl.
//
// Each step leaves a store readers and doctor understand (references/store-format.md, "checkpoint.json and
// rotation"): (1) checkpoint.json is replaced: the journal still holds records the checkpoint includes, which the
// audit walk and the replay skip, as after an interrupted rotation; (2) journal.jsonl is linked to
// journal.prev.jsonl (replacing the older segment); (3) the new journal.jsonl, holding the records after the
// checkpoint's txn, replaces the old one.
import { closeSync, fsyncSync, linkSync, lstatSync, openSync, renameSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { AuditEntry } from "../core/model.ts";
import { fsyncDir, readStoreFile, unlinkQuietly, writeAll } from "./atomic-file.ts";
import type { Checkpoint } from "./checkpoint.ts";
import { CHECKPOINT_FILE, JOURNAL_FILE, loadState, PREVIOUS_JOURNAL_FILE, readHead } from "./state-file.ts";

export interface RotationDeps {
  checkpoints: typeof import("./checkpoint.ts");
  auditTrails(ids: ReadonlySet<string>, head: string | null): Map<string, AuditEntry[]>;
  /** Runs `fn` under the store lock. */
  locked<T>(fn: () => T): Promise<T>;
}

/** Rotates the journal; returns false when it was not done (another rotation came first, or nothing to rotate). */
export async function rotateJournal(dir: string, deps: RotationDeps): Promise<boolean> {
  const before = deps.checkpoints.readCheckpoint(dir)?.txn ?? null;
  const { state } = await loadState(dir, { lockFree: true });
  if (state.txn === null || state.txn === before) return false;
  const trails = deps.auditTrails(new Set(Object.keys(state.tasks)), state.txn);
  const checkpoint: Checkpoint = { v: 1, seq: state.seq, txn: state.txn, state, audit: Object.fromEntries(trails) };
  const temp = writeTemp(dir, CHECKPOINT_FILE, JSON.stringify(checkpoint));
  const journalTemp = join(dir, `.${JOURNAL_FILE}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  const prevTemp = join(dir, `.${PREVIOUS_JOURNAL_FILE}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  try {
    return await deps.locked(() => {
      // Another rotation may have come first; the head may have been rebuilt by doctor: then this one is not needed.
      if ((deps.checkpoints.readCheckpoint(dir)?.txn ?? null) !== before || readHead(dir) === undefined) return false;
      const journal = join(dir, JOURNAL_FILE);
      const prev = join(dir, PREVIOUS_JOURNAL_FILE);
      const text = readStoreFile(journal, "a journal", { follow: false });
      if (text === undefined) return false;
      // A rotation killed between its last two renames left journal.jsonl and journal.prev.jsonl as two names of
      // one file; a rename onto another name of the same file does nothing (and says so by succeeding), so the
      // journal would never shrink again. The older segment is the same content: drop that name first.
      if (sameFile(journal, prev)) unlinkSync(prev);
      const lines = text.split("\n");
      const at = lines.findIndex((line) => line.startsWith("{") && recordTxn(line) === state.txn);
      if (at < 0) return false;
      // (the landed mark of the checkpoint's own record stays with it, in journal.prev.jsonl)
      const mark = JSON.stringify({ v: 1, landed: state.txn });
      const rest = lines.slice(at + 1).filter((line) => line !== "" && line !== mark);
      if (rest.length > 0) writeTempAt(journalTemp, rest.map((line) => `${line}\n`).join(""));
      // Read, under the lock, what it replaces: should another holder have appended since (two holders at once,
      // the lock's residual cases), its record must not be left behind in journal.prev.jsonl alone.
      if (statSync(journal).size !== Buffer.byteLength(text)) return false;
      renameSync(temp, join(dir, CHECKPOINT_FILE));
      if (rest.length === 0) {
        // nothing was committed after the checkpoint: the next append starts journal.jsonl
        renameSync(journal, prev);
      } else {
        linkSync(journal, prevTemp);
        renameSync(prevTemp, prev);
        renameSync(journalTemp, journal);
      }
      fsyncDir(dir);
      return true;
    });
  } finally {
    unlinkQuietly(temp);
    unlinkQuietly(journalTemp);
    unlinkQuietly(prevTemp);
  }
}

/** The txn of a journal record line (not of an abort or landed mark), without parsing the whole line. */
function recordTxn(line: string): string | undefined {
  const m = /^\{"v":\d+,"seq":\d+,"txn":"([^"\\]*)"/.exec(line);
  if (m) return m[1];
  try {
    const json = JSON.parse(line) as { txn?: unknown; seq?: unknown };
    return typeof json.txn === "string" && typeof json.seq === "number" ? json.txn : undefined;
  } catch {
    return undefined;
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    const sa = lstatSync(a);
    const sb = lstatSync(b);
    return sa.ino === sb.ino && sa.dev === sb.dev;
  } catch {
    return false;
  }
}

function writeTemp(dir: string, name: string, data: string): string {
  const path = join(dir, `.${name}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  writeTempAt(path, data);
  return path;
}

/** A new file, written and fsynced (0600), not yet renamed anywhere. */
function writeTempAt(path: string, data: string): void {
  const fd = openSync(path, "wx", 0o600);
  try {
    writeAll(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
