// The state file against the journal: whether state.json is what the committed records say, and when it is lost,
// damaged or behind, the state a repair rebuilds (the rule is in references/store-format.md).
import { lstatSync } from "node:fs";
import { join } from "node:path";
import { StoreCorruptError } from "../../core/errors.ts";
import { readStoreFile } from "../atomic-file.ts";
import type { JournalRecord } from "../journal.ts";
import { type Base, chainBetween, depthsFrom, longestChainHead, ReplayError, replay, sameContent } from "../replay.ts";
import { JOURNAL_FILE, parseStateWith, STATE_FILE, type StateFile } from "../state-file.ts";
import { stateFileSchema } from "../state-schema.ts";
import type { Analysis, Finding } from "./findings.ts";

export type StateRead =
  | { kind: "ok"; state: StateFile }
  | { kind: "missing" }
  | { kind: "bad"; reason: string; hint: string | undefined }
  | { kind: "newer"; reason: string };

export function readState(dir: string, isLink: boolean): StateRead {
  if (isLink) return { kind: "bad", reason: `${STATE_FILE} is a symbolic link`, hint: undefined };
  const path = join(dir, STATE_FILE);
  let raw: string;
  try {
    if (lstatSync(path).isDirectory()) return { kind: "bad", reason: `${STATE_FILE} is a directory, not a file`, hint: undefined };
    // regular files only, opened without blocking: a FIFO or a device there is reported, not read forever
    const read = readStoreFile(path, "a state file", { follow: false });
    if (read === undefined) return { kind: "missing" };
    raw = read;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
    if (err instanceof StoreCorruptError)
      return { kind: "bad", reason: err.message.replace(`${path} `, `${STATE_FILE} `), hint: undefined };
    return { kind: "bad", reason: `${STATE_FILE} cannot be read (${(err as Error).message})`, hint: undefined };
  }
  try {
    return { kind: "ok", state: parseStateWith(raw, STATE_FILE, stateFileSchema, dir) };
  } catch (err) {
    const reason = err instanceof StoreCorruptError ? err.message : String(err);
    if (/newer than this taskpulse/.test(reason)) return { kind: "newer", reason };
    // Where the damage spares it, the file still names its last txn near the start ({"schemaVersion":1,"seq":…,"txn":…).
    const hint = /"txn":"([^"\\]{1,64})"/.exec(raw.slice(0, 300))?.[1];
    return { kind: "bad", reason, hint };
  }
}

/**
 * Records after the base whose parent is unknown: the chain is broken there (a committed record was lost or
 * damaged), so what follows cannot be replayed. `records` are those that may follow the base (journal.jsonl after a
 * checkpoint, both segments without one); those in journal.jsonl up to the base itself (a rotation interrupted
 * before the journal was renamed) come before it and do not count.
 */
export function detachedRecords(records: readonly JournalRecord[], aborted: ReadonlySet<string>, base: Base): JournalRecord[] {
  const known = new Set<string | null>([null, base.txn, ...records.map((r) => r.txn), ...aborted]);
  const basePos = records.findIndex((r) => r.txn === base.txn);
  return records.slice(basePos + 1).filter((r) => !aborted.has(r.txn) && !known.has(r.prev));
}

/** A journal as doctor reads it: its records, the txns of fenced attempts, and the txns marked as landed. */
export interface JournalView {
  records: JournalRecord[];
  aborted: Set<string>;
  landed: ReadonlySet<string>;
}

export function checkAgainstJournal(
  a: Analysis,
  state: StateFile,
  base: Base,
  { records, aborted, landed }: JournalView,
  detached: JournalRecord[],
  floor: number,
): void {
  const add = (f: Finding) => a.report.findings.push(f);
  const chain = chainBetween(records, aborted, base.txn, state.txn);
  if (!chain) {
    a.reanchor = true;
    if (!a.checkpointBad) {
      add({
        code: "journal-gap",
        severity: "error",
        file: JOURNAL_FILE,
        message: `the state's last change (${state.txn ?? "none"}) cannot be traced back through the journal to ${base.from === "checkpoint" ? "the checkpoint" : "the beginning"}`,
        meaning:
          "journal records are missing (deleted, truncated, or a checkpoint is gone); the state file itself is fine, but audit trails are incomplete and a lost state file could not be rebuilt",
        action: "run `taskpulse doctor --repair`: it writes a new checkpoint from the current state, so the journal starts again from it",
      });
    }
  } else {
    if (detached.length > 0) {
      a.reanchor = true;
      add(brokenFinding(detached, "the state file is fine and has them; audit trails before the break may be incomplete"));
    }
    let replayed: StateFile | undefined;
    try {
      replayed = replay(base, chain);
    } catch (err) {
      blockOnReplay(a, err);
    }
    const depth = depthsFrom(records, aborted, state.txn);
    const ahead = Math.max(0, ...depth.values());
    if (ahead >= 2) {
      const head = longestChainHead(records, aborted, base.txn);
      const rebuilt = tryReplay(a, base, chainBetween(records, aborted, base.txn, head) ?? [], floor);
      if (rebuilt) a.rebuild = { state: rebuilt, from: describeFrom(base, rebuilt), lossless: detached.length === 0 };
      add({
        code: "state-behind",
        severity: "error",
        file: STATE_FILE,
        message: `the journal has ${ahead} committed change(s) after the state's last one (${state.txn ?? "none"})`,
        meaning:
          "state.json is an older copy (restored from a backup, or copied back by hand): changes that were acknowledged are missing from it",
        action: "run `taskpulse doctor --repair`: it rebuilds state.json from the journal and keeps this copy aside",
      });
    } else if (
      replayed &&
      (!sameContent(replayed, state) || replayed.seq !== state.seq || state.counter < Math.max(replayed.counter, floor))
    ) {
      const rebuilt = tryReplay(a, base, chain, floor);
      if (rebuilt) a.rebuild = { state: rebuilt, from: describeFrom(base, rebuilt), lossless: true };
      add({
        code: "state-differs",
        severity: "error",
        file: STATE_FILE,
        message: `state.json does not match what the journal recorded up to its last change (${state.txn ?? "none"})`,
        meaning:
          state.counter < Math.max(replayed.counter, floor)
            ? "its id counter is behind ids already handed out, so new ids could repeat old ones"
            : "the file was changed outside taskpulse (edited by hand, or damaged in a way that still parses)",
        action:
          "run `taskpulse doctor --repair`: it rebuilds state.json from the journal (every acknowledged change) and keeps this copy aside",
      });
    }
    if (ahead < 2) offChain(a, { records, aborted, landed }, base, chain);
  }
  if (!a.rebuild && state.counter < floor) {
    a.counterFloor = floor;
    add({
      code: "state-differs",
      severity: "error",
      file: STATE_FILE,
      message: `the state's id counter (${state.counter}) is behind ids already in the archive (${floor})`,
      meaning: "new ids could repeat old ones",
      action: "run `taskpulse doctor --repair`: it raises the counter",
    });
  }
}

export function planRebuild(
  a: Analysis,
  state: Extract<StateRead, { kind: "missing" | "bad" }>,
  base: Base,
  records: JournalRecord[],
  aborted: Set<string>,
  detached: JournalRecord[],
  floor: number,
  hasHistory: boolean,
): void {
  const add = (f: Finding) => a.report.findings.push(f);
  // The head: the txn the damaged file still names, when it is on a chain from the base and nothing committed-looking
  // follows it by more than one record; else the end of the longest chain (see replay.ts).
  let head = longestChainHead(records, aborted, base.txn);
  const hint = state.kind === "bad" ? state.hint : undefined;
  if (hint !== undefined && chainBetween(records, aborted, base.txn, hint)) {
    if (Math.max(0, ...depthsFrom(records, aborted, hint).values()) <= 1) head = hint;
  }
  const chain = chainBetween(records, aborted, base.txn, head) ?? [];
  // Lossless when every record after the base chains from it (for the empty base: the journal reaches back to the
  // first commit), and a damaged file is not all there is (a state file was written, so a journal should exist).
  const lossless = detached.length === 0 && !(base.from === "empty" && state.kind === "bad" && records.length === 0);
  const rebuilt = tryReplay(a, base, chain, floor);
  if (rebuilt) a.rebuild = { state: rebuilt, from: describeFrom(base, rebuilt), lossless };
  const action = lossless
    ? "run `taskpulse doctor --repair`: it keeps the damaged file aside and rebuilds state.json from the last good copy and the journal, with every acknowledged change"
    : "nothing can rebuild it without loss: restore state.json from a backup if you have one; `taskpulse doctor --repair --force` rebuilds what the journal still holds and keeps every damaged file aside";
  if (state.kind === "missing") {
    add({
      code: "state-missing",
      severity: "error",
      file: STATE_FILE,
      message: `${STATE_FILE} is missing but the store has history`,
      meaning: "the hot state file was deleted or lost; every command refuses the store (exit 6) rather than start empty",
      action,
    });
  } else {
    add({
      code: "state-corrupt",
      severity: "error",
      file: STATE_FILE,
      message: state.reason,
      meaning: hasHistory
        ? "the hot state file is damaged; every command refuses the store (exit 6) and the file is kept as it is"
        : "the hot state file is damaged and there is no journal to rebuild it from",
      action,
    });
  }
  if (detached.length > 0) add(brokenFinding(detached, "they cannot be replayed"));
  if (detached.length > 0 || (a.checkpointBad && base.from === "empty")) a.reanchor = true;
  if (rebuilt && !a.reanchor) {
    const onChain = new Set(chain.map((r) => r.txn));
    const depth = depthsFrom(records, aborted, base.txn);
    const skipped = records.filter((r) => !onChain.has(r.txn) && !aborted.has(r.txn) && depth.has(r.txn) && r.txn !== base.txn).length;
    if (skipped > 0) {
      add({
        code: "journal-uncommitted",
        severity: "info",
        file: JOURNAL_FILE,
        message: `${skipped} journal record(s) are off the chain that will be rebuilt`,
        meaning: "attempts that never committed (a writer killed between the journal append and the rename, or fenced out)",
        action: "nothing; they are ignored",
      });
    }
  }
}

function brokenFinding(detached: JournalRecord[], consequence: string): Finding {
  const first = detached[0] as JournalRecord;
  return {
    code: "journal-broken",
    severity: "error",
    file: JOURNAL_FILE,
    message: `${detached.length} journal record(s) follow a change that is not in the journal (first: seq ${first.seq}, ${first.at}); ${consequence}`,
    meaning: "a committed record was lost or damaged in the middle of the journal (not by taskpulse: its appends are durable)",
    action: "run `taskpulse doctor --repair`: with a good state file it writes a new checkpoint from it, so the journal starts again there",
  };
}

/**
 * Records off the committed chain. One record past a committed one is an attempt that never committed (killed
 * before its rename, or fenced out): information. A record that did become the state and was later replaced by a
 * state not built on it is a change that reported success and is missing: known by its landed mark (written right
 * after its rename), or by another off-chain record based on it (a writer read it as the state).
 */
function offChain(a: Analysis, { records, aborted, landed }: JournalView, base: Base, chain: JournalRecord[]): void {
  const onChain = new Set(chain.map((r) => r.txn));
  const depth = depthsFrom(records, aborted, base.txn);
  const off = records.filter((r) => !onChain.has(r.txn) && !aborted.has(r.txn) && depth.has(r.txn) && r.txn !== base.txn);
  const offTxns = new Set(off.map((r) => r.txn));
  const overwritten = off.filter((r) => landed.has(r.txn) || off.some((child) => child.prev === r.txn));
  if (overwritten.length > 0) {
    a.reanchor = true;
    const fork = off.filter((r) => overwritten.includes(r) || offTxns.has(r.prev ?? ""));
    const lost = fork.flatMap((r) => r.ops.map((op) => `${op.k} ${op.id}`));
    const first = overwritten[0] as JournalRecord;
    a.report.findings.push({
      code: "journal-fork",
      severity: "error",
      file: JOURNAL_FILE,
      message: `${overwritten.length} committed change(s) were later overwritten (first: seq ${first.seq}, ${first.at}); changes concerned: ${[...new Set(lost)].slice(0, 20).join(", ")}`,
      meaning:
        "two writers held the lock at once and one replaced the other's state: a command that reported success lost its change (versions before the seq+txn fence could do this, and versions before the liveness-checked lock when a writer was paused for over 10 s between its fence and its rename)",
      action:
        "check the tasks named and redo their last changes; `taskpulse doctor --repair` then starts the journal afresh after the current state (the records are kept in journal.prev.jsonl)",
    });
  }
  const attempts = off.filter((r) => !overwritten.includes(r) && !offTxns.has(r.prev ?? "")).length;
  if (attempts === 0) return;
  a.report.findings.push({
    code: "journal-uncommitted",
    severity: "info",
    file: JOURNAL_FILE,
    message: `${attempts} journal record(s) were written but never committed`,
    meaning:
      "a writer was killed between its journal append and the rename of the state file (its command did not report success), or lost a lock race; readers ignore these records",
    action: "nothing",
  });
}

function tryReplay(a: Analysis, base: Base, chain: readonly JournalRecord[], floor: number): StateFile | undefined {
  try {
    const state = replay(base, chain);
    state.counter = Math.max(state.counter, floor);
    return state;
  } catch (err) {
    blockOnReplay(a, err);
    return undefined;
  }
}

function blockOnReplay(a: Analysis, err: unknown): void {
  if (!(err instanceof ReplayError)) throw err;
  a.blocked = true;
  a.report.findings.push({
    code: "newer-version",
    severity: "error",
    file: JOURNAL_FILE,
    message: err.message,
    meaning: "the journal holds changes this taskpulse cannot apply; a rebuild from it would be wrong",
    action: "upgrade taskpulse; doctor --repair will not touch the store",
  });
}

function describeFrom(base: Base, state: StateFile): string {
  const start = base.from === "checkpoint" ? "checkpoint.json" : "the empty state";
  return `${start} + ${state.seq - base.state.seq} journal record(s) (up to seq ${state.seq})`;
}
