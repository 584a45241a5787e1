// Examining a store: reads only (it creates nothing, takes no lock, follows no link for anything but reading the
// files taskpulse itself reads). What it finds, and what a repair would do about it, is an Analysis.
import { existsSync, lstatSync, readdirSync, type Stats } from "node:fs";
import { join } from "node:path";
import { ARCHIVE_DIR } from "../archive.ts";
import { readStoreFile } from "../atomic-file.ts";
import { CHECKPOINT_FILE, type Checkpoint, parseCheckpoint } from "../checkpoint.ts";
import { JOBS_DIR } from "../job-runs.ts";
import { type Base, emptyBase, highestCounter } from "../replay.ts";
import { DOCS_DIR } from "../state-docs.ts";
import { fileFingerprint, JOURNAL_FILE, PREVIOUS_JOURNAL_FILE, STATE_FILE } from "../state-file.ts";
import { type Analysis, type Finding, finish, newerFinding, type Report } from "./findings.ts";
import { checkAgainstJournal, detachedRecords, planRebuild, readState } from "./history.ts";
import { checkDocs, checkRunFiles } from "./jobs-docs.ts";
import { archiveLine, checkLinesFiles, journalLine, MONTH_FILE, parseRecords, readArchivedIds, readLinesFile } from "./lines.ts";
import { listSubdirs, scanEntries } from "./scan.ts";

export function examine(dir: string, clock: () => number = Date.now): Report {
  return analyse(dir, clock).report;
}

/**
 * A consistent reading without the lock: doctor reads the state, then the journal, while others may be committing.
 * When a commit renamed a new state in meanwhile (the journal read then has records the state read lacks), the
 * files are read again, a few times at most.
 */
export function analyse(dir: string, clock: () => number): Analysis {
  for (let attempt = 1; ; attempt++) {
    const before = stateMark(dir);
    const a = analyseOnce(dir, clock);
    if (attempt >= 5 || stateMark(dir) === before) return a;
  }
}

function stateMark(dir: string): string {
  try {
    return fileFingerprint(join(dir, STATE_FILE));
  } catch {
    return "none";
  }
}

function analyseOnce(dir: string, clock: () => number): Analysis {
  const findings: Finding[] = [];
  const a: Analysis = {
    report: { store: dir, exists: true, healthy: true, findings },
    blocked: false,
    links: [],
    temps: [],
    staleLock: false,
    staleDocLocks: [],
    corruptDocs: [],
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
  const subs = listSubdirs(dir);
  const archiveEntries = subs[ARCHIVE_DIR];
  scanEntries(dir, entries, subs, a, clock);
  // The state before the journal: a commit appends its record before renaming the state in, so a writer working
  // meanwhile cannot make the state name a record the journal read afterwards lacks.
  const state = readState(dir, a.links.includes(STATE_FILE));

  // --- the files of JSON lines: journal segments and archive months
  const journal = readLinesFile(dir, JOURNAL_FILE, journalLine, clock());
  const previous = readLinesFile(dir, PREVIOUS_JOURNAL_FILE, journalLine, clock());
  const months = archiveEntries
    .filter((f) => MONTH_FILE.test(f))
    .map((f) => readLinesFile(dir, join(ARCHIVE_DIR, f), archiveLine(f), clock()));
  checkLinesFiles(a, [previous, journal, ...months]);
  // --- what cron jobs keep: run files and state documents
  checkRunFiles(dir, a, subs[JOBS_DIR], clock());
  checkDocs(dir, a, subs[DOCS_DIR]);
  const aborted = new Set<string>();
  const landed = new Set<string>();
  const older = parseRecords(previous, aborted, landed);
  const current = parseRecords(journal, aborted, landed);
  const records = [...older, ...current];

  // --- the last good copy
  let base: Base = emptyBase();
  let checkpoint: Checkpoint | undefined;
  if (!a.links.includes(CHECKPOINT_FILE) && existsSync(join(dir, CHECKPOINT_FILE))) {
    try {
      checkpoint = parseCheckpoint(readStoreFile(join(dir, CHECKPOINT_FILE), "a checkpoint", { follow: false }) ?? "", CHECKPOINT_FILE);
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
    checkAgainstJournal(a, state.state, base, { records, aborted, landed }, detached, floor);
  } else if (state.kind === "bad" || hasHistory) {
    planRebuild(a, state, base, records, aborted, detached, floor, hasHistory);
  }
  return finish(a);
}
