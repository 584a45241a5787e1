// `taskpulse doctor`: examine a JSON store and, on request, repair it. Guarantees: examining only reads (it creates
// nothing, takes no lock, follows no link for anything but reading the files taskpulse itself reads); repairing
// takes the store lock, keeps every damaged file (renamed aside as `<name>.damaged-<time>`), deletes only what it
// created or what is provably stale (temporary files of dead writers or older than the lock's stale time, a stale
// lock), never writes through a link, never touches a file of a newer version, and rebuilds a lost or damaged
// state file from the last good copy plus the committed journal records, so no update that returned 0 is lost.
// Running it twice changes nothing the second time. The findings and the rebuild rule are documented in
// references/troubleshooting.md and references/store-format.md.
import {
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  type Stats,
  unlinkSync,
} from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { StoreCorruptError } from "../core/errors.ts";
import { taskSchema } from "../core/model.ts";
import { ARCHIVE_DIR } from "./archive.ts";
import { fsyncDir, writeFileDurably } from "./atomic-file.ts";
import { CHECKPOINT_FILE, type Checkpoint, parseCheckpoint } from "./checkpoint.ts";
import { committedRecords, type JournalRecord, newerVersion } from "./journal.ts";
import { abortRecordSchema, journalRecordSchema } from "./journal-schema.ts";
import { acquireLock, STALE_MS } from "./lock.ts";
import {
  type Base,
  chainBetween,
  depthsFrom,
  emptyBase,
  highestCounter,
  longestChainHead,
  ReplayError,
  replay,
  sameContent,
} from "./replay.ts";
import { JOURNAL_FILE, PREVIOUS_JOURNAL_FILE, parseStateWith, STATE_FILE, type StateFile } from "./state-file.ts";
import { stateFileSchema } from "./state-schema.ts";

export type Severity = "error" | "warning" | "info";

/** Every finding doctor can report; references/troubleshooting.md explains each (a test checks it does). */
export const FINDING_CODES = [
  "no-store",
  "newer-version",
  "state-corrupt",
  "state-missing",
  "state-differs",
  "state-behind",
  "checkpoint-corrupt",
  "journal-gap",
  "journal-broken",
  "journal-fork",
  "journal-invalid-lines",
  "journal-uncommitted",
  "archive-invalid-lines",
  "temp-file",
  "lock-stale",
  "lock-held",
  "permissions",
  "link",
  "damaged-copy",
  "unknown-file",
] as const;

export type FindingCode = (typeof FINDING_CODES)[number];

export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** The file concerned, relative to the store directory. */
  file?: string;
  /** What was found. */
  message: string;
  /** What it means. */
  meaning: string;
  /** What to do. */
  action: string;
}

export interface Report {
  store: string;
  exists: boolean;
  /** No error and no warning (info findings are fine). */
  healthy: boolean;
  findings: Finding[];
}

export interface RepairResult {
  before: Report;
  /** What was done, one line each, in order. */
  actions: string[];
  after: Report;
}

export interface RepairOptions {
  lockWaitMs: number;
  /** Rebuild even when it cannot be done without loss (the journal is broken and there is no good state file). */
  force?: boolean;
  owner: { agent: string; command: string };
}

const KNOWN_FILES = new Set([
  STATE_FILE,
  JOURNAL_FILE,
  PREVIOUS_JOURNAL_FILE,
  CHECKPOINT_FILE,
  "lock-owner.json",
  "state.lock",
  ARCHIVE_DIR,
]);
const TEMP = /^\.(.+)\.tmp-(\d+)-[a-z0-9]+$/;
const DAMAGED = /\.damaged-\d{8}T\d{6}Z(-\d+)?$/;
const MONTH_FILE = /^\d{4}-\d{2}\.(tasks|index)\.jsonl$/;

/** A file of JSON lines, checked line by line. */
interface LinesFile {
  name: string;
  /** The lines that validate, as written (what a repair keeps). */
  good: string[];
  /** 1-based numbers of the lines that do not parse or validate. */
  badLines: number[];
  newer?: { line: number; version: number };
}

type StateRead =
  | { kind: "ok"; state: StateFile }
  | { kind: "missing" }
  | { kind: "bad"; reason: string; hint: string | undefined }
  | { kind: "newer"; reason: string };

/** What examine found, with what a repair would do about it. */
interface Analysis {
  report: Report;
  /** A file of a newer version, or ops of an unknown kind: a repair must not touch anything. */
  blocked: boolean;
  links: string[];
  temps: { file: string; stale: boolean }[];
  staleLock: boolean;
  perms: string[];
  lineFiles: LinesFile[];
  /** The state a repair writes (rebuilt from the journal), and whether that loses nothing. */
  rebuild?: { state: StateFile; from: string; lossless: boolean };
  /** Write a new checkpoint from the (good or rebuilt) state: the old one is damaged or the journal no longer leads to it. */
  reanchor: boolean;
  counterFloor?: number;
  checkpointBad: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// examine

export function examine(dir: string, clock: () => number = Date.now): Report {
  return analyse(dir, clock).report;
}

function analyse(dir: string, clock: () => number): Analysis {
  const findings: Finding[] = [];
  const a: Analysis = {
    report: { store: dir, exists: true, healthy: true, findings },
    blocked: false,
    links: [],
    temps: [],
    staleLock: false,
    perms: [],
    lineFiles: [],
    reanchor: false,
    checkpointBad: false,
  };
  const add = (f: Finding) => findings.push(f);
  let top: Stats;
  try {
    top = lstatSync(dir);
  } catch {
    a.report.exists = false;
    add({
      code: "no-store",
      severity: "info",
      message: `no store at ${dir}`,
      meaning: "nothing has been written here yet (reads never create the store)",
      action: "nothing to do; check --store / TASKPULSE_HOME if you expected one here",
    });
    return a;
  }
  if (!top.isDirectory()) {
    add({
      code: "state-corrupt",
      severity: "error",
      message: `${dir} is not a directory`,
      meaning: "the store location holds something else; taskpulse cannot use it",
      action: "move it away or point --store / TASKPULSE_HOME elsewhere (doctor does not touch it)",
    });
    a.blocked = true;
    return finish(a);
  }

  const entries = readdirSync(dir);
  const archiveEntries = listArchive(dir);
  scanEntries(dir, entries, archiveEntries, a, clock);
  // The state before the journal: a commit appends its record before renaming the state in, so a writer working
  // meanwhile cannot make the state name a record the journal read afterwards lacks.
  const state = readState(dir, a.links.includes(STATE_FILE));

  // --- the files of JSON lines: journal segments and archive months
  const journal = readLinesFile(dir, JOURNAL_FILE, journalLine);
  const previous = readLinesFile(dir, PREVIOUS_JOURNAL_FILE, journalLine);
  const months = archiveEntries.filter((f) => MONTH_FILE.test(f)).map((f) => readLinesFile(dir, join(ARCHIVE_DIR, f), archiveLine(f)));
  for (const file of [previous, journal, ...months]) {
    if (!file) continue;
    if (file.newer) {
      a.blocked = true;
      add(newerFinding(file.name, `line ${file.newer.line} has version ${file.newer.version}`));
    }
    if (file.badLines.length > 0) {
      a.lineFiles.push(file);
      const isJournal = file.name === JOURNAL_FILE || file.name === PREVIOUS_JOURNAL_FILE;
      add({
        code: isJournal ? "journal-invalid-lines" : "archive-invalid-lines",
        severity: "warning",
        file: file.name,
        message: `${file.badLines.length} line(s) do not parse or validate (line ${file.badLines.slice(0, 5).join(", ")}${file.badLines.length > 5 ? ", …" : ""})`,
        meaning: isJournal
          ? "a writer killed in the middle of an append leaves a torn line; it was never committed and readers skip it. If the state check below passes, nothing is missing"
          : "a writer killed in the middle of archiving leaves a torn line; the task was still in the hot state and was archived again later",
        action: "run `taskpulse doctor --repair`: it rewrites the file without those lines and keeps the original aside",
      });
    }
  }
  const aborted = new Set<string>();
  const older = parseRecords(previous, aborted);
  const current = parseRecords(journal, aborted);
  const records = [...older, ...current];

  // --- the last good copy
  let base: Base = emptyBase();
  let checkpoint: Checkpoint | undefined;
  if (!a.links.includes(CHECKPOINT_FILE) && existsSync(join(dir, CHECKPOINT_FILE))) {
    try {
      checkpoint = parseCheckpoint(readFileSync(join(dir, CHECKPOINT_FILE), "utf8"), CHECKPOINT_FILE);
      base = { state: checkpoint.state, txn: checkpoint.txn, from: "checkpoint" };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (/newer than this taskpulse/.test(message)) {
        a.blocked = true;
        add(newerFinding(CHECKPOINT_FILE, message));
      } else {
        a.checkpointBad = true;
        a.reanchor = true;
        add({
          code: "checkpoint-corrupt",
          severity: "error",
          file: CHECKPOINT_FILE,
          message,
          meaning:
            "the last good copy written at the last journal rotation is damaged; `log` fails, and a lost state file could not be rebuilt from it",
          action: "run `taskpulse doctor --repair`: it keeps the damaged file aside and writes a new checkpoint from the current state",
        });
      }
    }
  }

  // --- the state file, and whether it agrees with the journal
  const hasHistory = records.length > 0 || checkpoint !== undefined || a.checkpointBad || (previous?.good.length ?? 0) > 0;
  const detached = detachedRecords(base.from === "empty" ? records : current, aborted, base);
  const archivedIds = readArchivedIds(dir, archiveEntries);
  const floor = highestCounter(archivedIds);
  if (state.kind === "newer") {
    a.blocked = true;
    add(newerFinding(STATE_FILE, state.reason));
  } else if (state.kind === "ok") {
    checkAgainstJournal(a, state.state, base, records, aborted, detached, floor);
  } else if (state.kind === "bad" || hasHistory) {
    planRebuild(a, state, base, records, aborted, detached, floor, hasHistory);
  }
  return finish(a);
}

function finish(a: Analysis): Analysis {
  a.report.healthy = !a.report.findings.some((f) => f.severity !== "info");
  return a;
}

function newerFinding(file: string, message: string): Finding {
  return {
    code: "newer-version",
    severity: "error",
    file,
    message,
    meaning: "a newer taskpulse wrote this store; this version cannot read it and will not change it",
    action: "upgrade taskpulse (doctor --repair refuses to touch a store with files of a newer version)",
  };
}

function readState(dir: string, isLink: boolean): StateRead {
  if (isLink) return { kind: "bad", reason: `${STATE_FILE} is a symbolic link`, hint: undefined };
  const path = join(dir, STATE_FILE);
  let raw: string;
  try {
    if (lstatSync(path).isDirectory()) return { kind: "bad", reason: `${STATE_FILE} is a directory, not a file`, hint: undefined };
    raw = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
    return { kind: "bad", reason: `${STATE_FILE} cannot be read (${(err as Error).message})`, hint: undefined };
  }
  try {
    return { kind: "ok", state: parseStateWith(raw, STATE_FILE, stateFileSchema) };
  } catch (err) {
    const reason = err instanceof StoreCorruptError ? err.message : String(err);
    if (/newer than this taskpulse/.test(reason)) return { kind: "newer", reason };
    // Where the damage spares it, the file still names its last txn near the start ({"schemaVersion":1,"seq":…,"txn":…).
    const hint = /"txn":"([^"\\]{1,64})"/.exec(raw.slice(0, 300))?.[1];
    return { kind: "bad", reason, hint };
  }
}

function parseRecords(file: LinesFile | undefined, aborted: Set<string>): JournalRecord[] {
  const records: JournalRecord[] = [];
  for (const line of file?.good ?? []) {
    const rec = JSON.parse(line) as JournalRecord | { abort: string };
    if ("abort" in rec) aborted.add(rec.abort);
    else records.push(rec);
  }
  return records;
}

/**
 * Records after the base whose parent is unknown: the chain is broken there (a committed record was lost or
 * damaged), so what follows cannot be replayed. `records` are those that may follow the base (journal.jsonl after a
 * checkpoint, both segments without one); those in journal.jsonl up to the base itself (a rotation interrupted
 * before the journal was renamed) come before it and do not count.
 */
function detachedRecords(records: readonly JournalRecord[], aborted: ReadonlySet<string>, base: Base): JournalRecord[] {
  const known = new Set<string | null>([null, base.txn, ...records.map((r) => r.txn), ...aborted]);
  const basePos = records.findIndex((r) => r.txn === base.txn);
  return records.slice(basePos + 1).filter((r) => !aborted.has(r.txn) && !known.has(r.prev));
}

function checkAgainstJournal(
  a: Analysis,
  state: StateFile,
  base: Base,
  records: JournalRecord[],
  aborted: Set<string>,
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
    if (ahead < 2) offChain(a, records, aborted, base, chain);
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

function planRebuild(
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
 * before its rename, or fenced out): information. A record based on another off-chain record means that record did
 * commit (a writer read it as the state) and was later overwritten: a change that reported success is missing.
 */
function offChain(a: Analysis, records: JournalRecord[], aborted: Set<string>, base: Base, chain: JournalRecord[]): void {
  const onChain = new Set(chain.map((r) => r.txn));
  const depth = depthsFrom(records, aborted, base.txn);
  const off = records.filter((r) => !onChain.has(r.txn) && !aborted.has(r.txn) && depth.has(r.txn) && r.txn !== base.txn);
  const offTxns = new Set(off.map((r) => r.txn));
  const overwritten = off.filter((r) => off.some((child) => child.prev === r.txn));
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
        "two writers held the lock at once and one replaced the other's state: a command that reported success lost its change (a version before the seq+txn fence could do this)",
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

// --- files and lines

function readLinesFile(dir: string, name: string, check: (json: unknown) => boolean): LinesFile | undefined {
  let raw: string;
  try {
    if (lstatSync(join(dir, name)).isSymbolicLink()) return undefined; // reported as a link
    raw = readFileSync(join(dir, name), "utf8");
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
      file.badLines.push(i + 1);
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

const journalLine = (json: unknown) => journalRecordSchema.safeParse(json).success || abortRecordSchema.safeParse(json).success;

const archivedTaskSchema = z.object({ v: z.literal(1), task: taskSchema, audit: z.array(z.unknown()) });
const summarySchema = z.object({ id: z.string().min(1), status: z.string(), agent: z.string(), createdAt: z.string() });

function archiveLine(file: string): (json: unknown) => boolean {
  return file.endsWith(".tasks.jsonl")
    ? (json) => archivedTaskSchema.safeParse(json).success
    : (json) => summarySchema.safeParse(json).success;
}

function readArchivedIds(dir: string, archiveEntries: string[]): string[] {
  const ids: string[] = [];
  for (const f of archiveEntries.filter((name) => /^\d{4}-\d{2}\.index\.jsonl$/.test(name))) {
    for (const line of readLinesFile(dir, join(ARCHIVE_DIR, f), (json) => summarySchema.safeParse(json).success)?.good ?? []) {
      ids.push((JSON.parse(line) as { id: string }).id);
    }
  }
  return ids;
}

function listArchive(dir: string): string[] {
  try {
    if (!lstatSync(join(dir, ARCHIVE_DIR)).isDirectory()) return []; // a link or a file: reported by scanEntries
    return readdirSync(join(dir, ARCHIVE_DIR));
  } catch {
    return [];
  }
}

/** Links, temporary files, the lock, permissions, damaged copies and unknown files, in the store and archive/. */
function scanEntries(dir: string, entries: string[], archiveEntries: string[], a: Analysis, clock: () => number): void {
  const add = (f: Finding) => a.report.findings.push(f);
  const perms: string[] = [];
  const damaged: string[] = [];
  const unknown: string[] = [];
  checkMode(dir, "", true, perms);
  const visit = (rel: string, inArchive: boolean) => {
    const name = rel.slice(rel.lastIndexOf("/") + 1);
    let st: Stats;
    try {
      st = lstatSync(join(dir, rel));
    } catch {
      return; // gone meanwhile
    }
    if (DAMAGED.test(name)) {
      damaged.push(rel); // a copy kept by a repair (possibly a link it moved aside): never touched again
      return;
    }
    if (st.isSymbolicLink()) {
      a.links.push(rel);
      add({
        code: "link",
        severity: "warning",
        file: rel,
        message: `${rel} is a symbolic link`,
        meaning: "taskpulse never writes through links in its store: a commit replaces it, or refuses to append through it (exit 6)",
        action:
          "run `taskpulse doctor --repair`: it renames the link aside (the file it points to is not touched) and rebuilds what it stood for",
      });
      return;
    }
    const temp = TEMP.exec(name);
    if (temp) {
      const pid = Number(temp[2]);
      const age = clock() - st.mtimeMs;
      const stale = !alive(pid) || age > STALE_MS;
      a.temps.push({ file: rel, stale });
      add({
        code: "temp-file",
        severity: stale ? "warning" : "info",
        file: rel,
        message: `temporary file ${rel} (pid ${pid}, ${Math.round(age / 1000)} s old)`,
        meaning: stale
          ? "a writer was killed before it could rename this file into place; its change never committed, so nothing is lost"
          : "a writer is committing right now",
        action: stale ? "run `taskpulse doctor --repair` to delete it" : "nothing",
      });
      return;
    }
    if (!inArchive && name === "state.lock") {
      const age = clock() - st.mtimeMs;
      if (age > STALE_MS) {
        a.staleLock = true;
        add({
          code: "lock-stale",
          severity: "warning",
          file: rel,
          message: `the store lock is ${Math.round(age / 1000)} s old`,
          meaning: "its holder was killed; the next writer takes it over automatically (after about 10 s)",
          action: "nothing is required; `taskpulse doctor --repair` removes it now",
        });
      } else {
        add({
          code: "lock-held",
          severity: "info",
          file: rel,
          message: "the store lock is held",
          meaning: "another taskpulse is writing right now (or was killed less than 10 s ago)",
          action: "nothing",
        });
      }
      return;
    }
    if (inArchive ? !MONTH_FILE.test(name) : !KNOWN_FILES.has(name)) unknown.push(rel);
    if (st.isFile() || st.isDirectory()) checkMode(join(dir, rel), rel, st.isDirectory(), perms, st);
  };
  for (const name of entries) visit(name, false);
  for (const name of archiveEntries) visit(join(ARCHIVE_DIR, name), true);
  if (perms.length > 0) {
    a.perms.push(...perms);
    add({
      code: "permissions",
      severity: "warning",
      file: perms[0] || ".",
      message: `${perms.length} path(s) are readable or writable by others: ${perms
        .slice(0, 5)
        .map((p) => p || ".")
        .join(", ")}${perms.length > 5 ? ", …" : ""}`,
      meaning: "store files should be the owner's only (files 0600, directories 0700): tasks carry names, messages and chat targets",
      action: "run `taskpulse doctor --repair` to set them",
    });
  }
  if (damaged.length > 0) {
    add({
      code: "damaged-copy",
      severity: "info",
      message: `${damaged.length} damaged file(s) kept by an earlier repair: ${damaged.slice(0, 5).join(", ")}${damaged.length > 5 ? ", …" : ""}`,
      meaning: "copies of files a repair replaced, kept for you to inspect; taskpulse does not read them",
      action: "delete them when you no longer need them",
    });
  }
  if (unknown.length > 0) {
    add({
      code: "unknown-file",
      severity: "info",
      message: `${unknown.length} file(s) taskpulse does not know: ${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ", …" : ""}`,
      meaning: "not written by this version of taskpulse; left alone",
      action: "nothing, unless you did not expect them",
    });
  }
}

function checkMode(path: string, rel: string, isDir: boolean, out: string[], st?: Stats): void {
  const mode = (st ?? lstatSync(path)).mode & 0o777;
  if (isDir ? mode !== 0o700 : mode !== 0o600) out.push(rel);
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

// ---------------------------------------------------------------------------------------------------------------
// repair

/**
 * Examines, then (unless a file of a newer version forbids it) fixes under the store lock what can be fixed, and
 * examines again. See the file comment for what it may and may not do.
 */
export async function repair(dir: string, options: RepairOptions, clock: () => number = Date.now): Promise<RepairResult> {
  const first = analyse(dir, clock);
  const actions: string[] = [];
  if (!first.report.exists || first.blocked || first.report.healthy) {
    if (first.blocked) actions.push("nothing changed: the store has a file of a newer version, or one doctor cannot handle");
    return { before: first.report, actions, after: first.report };
  }
  const stamp = new Date(clock()).toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  const aside = (rel: string, why: string) => {
    const to = freeName(dir, `${rel}.damaged-${stamp}`);
    renameSync(join(dir, rel), join(dir, to));
    actions.push(`${why}: kept ${rel} aside as ${to}`);
  };
  // A link planted as the lock would make the lock fail; moving a link aside is safe without holding the lock.
  if (first.links.includes("state.lock")) aside("state.lock", "symbolic link");
  const held = await acquireLock(dir, {
    waitMs: options.lockWaitMs,
    owner: JSON.stringify({ pid: process.pid, ...options.owner, since: new Date(clock()).toISOString() }),
  });
  if (first.staleLock) actions.push("took over the stale store lock");
  try {
    // 1. Files: links, stale temporary files, unreadable lines.
    let a = analyse(dir, clock);
    for (const rel of a.links) if (rel !== "state.lock") aside(rel, "symbolic link");
    for (const t of a.temps) {
      if (!t.stale) continue;
      unlinkSync(join(dir, t.file));
      actions.push(`deleted the stale temporary file ${t.file}`);
    }
    for (const file of a.lineFiles) {
      const content = file.good.map((l) => `${l}\n`).join("");
      aside(file.name, `${file.badLines.length} unreadable line(s)`);
      writeFileDurably(join(dir, file.name), content);
      actions.push(`rewrote ${file.name} with its ${file.good.length} valid line(s)`);
    }
    // 2. The state, from what the files say now.
    a = analyse(dir, clock);
    if (a.blocked) {
      actions.push("stopped: a file of a newer version, or one doctor cannot handle");
    } else {
      let current: StateFile | undefined;
      if (a.rebuild && (a.rebuild.lossless || options.force)) {
        if (existsSync(join(dir, STATE_FILE))) aside(STATE_FILE, "state file replaced");
        writeFileDurably(join(dir, STATE_FILE), JSON.stringify(a.rebuild.state));
        current = a.rebuild.state;
        actions.push(`rebuilt ${STATE_FILE} from ${a.rebuild.from}: ${Object.keys(a.rebuild.state.tasks).length} hot task(s)`);
      } else if (a.rebuild) {
        actions.push(`did not rebuild ${STATE_FILE}: it cannot be done without loss (use --force to rebuild what the journal holds)`);
      } else if (a.counterFloor !== undefined) {
        const state = parseStateWith(readFileSync(join(dir, STATE_FILE), "utf8"), STATE_FILE, stateFileSchema);
        current = { ...state, counter: a.counterFloor };
        writeFileDurably(join(dir, STATE_FILE), JSON.stringify(current));
        actions.push(`raised the id counter to ${a.counterFloor} (ids already in the archive)`);
      }
      if (a.reanchor) {
        current ??= readGoodState(dir);
        if (current) {
          const checkpoint = anchor(dir, current);
          if (existsSync(join(dir, CHECKPOINT_FILE)))
            aside(CHECKPOINT_FILE, a.checkpointBad ? "damaged checkpoint" : "checkpoint replaced");
          writeFileDurably(join(dir, CHECKPOINT_FILE), JSON.stringify(checkpoint));
          // As a rotation does: the journal starts afresh after the checkpoint (nothing is deleted: the older
          // segment is kept aside instead of being dropped).
          if (existsSync(join(dir, JOURNAL_FILE))) {
            if (existsSync(join(dir, PREVIOUS_JOURNAL_FILE))) aside(PREVIOUS_JOURNAL_FILE, "journal rotated by the repair");
            renameSync(join(dir, JOURNAL_FILE), join(dir, PREVIOUS_JOURNAL_FILE));
          }
          actions.push(`wrote a new ${CHECKPOINT_FILE} from the state at seq ${current.seq}; the journal starts again from it`);
        }
      }
    }
    // 3. Permissions, last (files written above are 0600 already).
    a = analyse(dir, clock);
    for (const rel of a.perms) {
      fixMode(dir, rel);
      actions.push(`set the permissions of ${rel || "the store directory"} to ${rel === "" || rel === ARCHIVE_DIR ? "0700" : "0600"}`);
    }
    fsyncDir(dir);
  } finally {
    await held.release();
  }
  return { before: first.report, actions, after: analyse(dir, clock).report };
}

function readGoodState(dir: string): StateFile | undefined {
  try {
    return parseStateWith(readFileSync(join(dir, STATE_FILE), "utf8"), STATE_FILE, stateFileSchema);
  } catch {
    return undefined;
  }
}

/** A checkpoint of `state`, with the audit trails of its hot tasks as far as the old checkpoint and journal hold them. */
function anchor(dir: string, state: StateFile): Checkpoint {
  let old: Checkpoint | undefined;
  try {
    old = parseCheckpoint(readFileSync(join(dir, CHECKPOINT_FILE), "utf8"), CHECKPOINT_FILE);
  } catch {
    old = undefined;
  }
  const records: JournalRecord[] = [];
  const aborted = new Set<string>();
  for (const name of [PREVIOUS_JOURNAL_FILE, JOURNAL_FILE]) {
    for (const line of readLinesFile(dir, name, journalLine)?.good ?? []) {
      const rec = JSON.parse(line) as JournalRecord | { abort: string };
      if ("abort" in rec) aborted.add(rec.abort);
      else records.push(rec);
    }
  }
  const audit: Checkpoint["audit"] = {};
  for (const id of Object.keys(state.tasks)) audit[id] = [...(old?.audit[id] ?? [])];
  for (const r of committedRecords(records, aborted, state.txn, old?.txn ?? null)) {
    for (const entry of r.audit) audit[entry.task]?.push(entry);
  }
  return { v: 1, seq: state.seq, txn: state.txn, state, audit };
}

function freeName(dir: string, name: string): string {
  let candidate = name;
  for (let i = 2; existsSync(join(dir, candidate)); i++) candidate = `${name}-${i}`;
  return candidate;
}

/** chmod without following a link: open the path itself (O_NOFOLLOW) and fchmod the descriptor. */
function fixMode(dir: string, rel: string): void {
  const path = rel === "" ? dir : join(dir, rel);
  const isDir = lstatSync(path).isDirectory();
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | (isDir ? constants.O_DIRECTORY : 0));
  try {
    fchmodSync(fd, isDir ? 0o700 : 0o600);
  } finally {
    closeSync(fd);
  }
}
