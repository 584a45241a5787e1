// The findings doctor reports and what examine hands to a repair. Every code is explained in
// references/troubleshooting.md (test/docs/store.test.ts checks it).
import type { StateFile } from "../state-file.ts";

type Severity = "error" | "warning" | "info";

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
  "job-runs-invalid-lines",
  "doc-corrupt",
  "temp-file",
  "lock-stale",
  "lock-held",
  "permissions",
  "link",
  "special-file",
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

/** A file of JSON lines, checked line by line. */
export interface LinesFile {
  name: string;
  /** The lines that validate, as written (what a repair keeps). */
  good: string[];
  /** 1-based numbers of the lines that do not parse or validate. */
  badLines: number[];
  newer?: { line: number; version: number };
}

/** What examine found, with what a repair would do about it. */
export interface Analysis {
  report: Report;
  /** A file of a newer version, or ops of an unknown kind: a repair must not touch anything. */
  blocked: boolean;
  links: string[];
  temps: { file: string; stale: boolean }[];
  staleLock: boolean;
  /** State documents whose lock is stale. */
  staleDocLocks: string[];
  /** State documents that cannot be read (not JSON, a directory): a repair keeps them aside. */
  corruptDocs: string[];
  perms: string[];
  lineFiles: LinesFile[];
  /** The state a repair writes (rebuilt from the journal), and whether that loses nothing. */
  rebuild?: { state: StateFile; from: string; lossless: boolean };
  /** Write a new checkpoint from the (good or rebuilt) state: the old one is damaged or the journal no longer leads to it. */
  reanchor: boolean;
  counterFloor?: number;
  checkpointBad: boolean;
}

export function finish(a: Analysis): Analysis {
  a.report.healthy = !a.report.findings.some((f) => f.severity !== "info");
  return a;
}

export function newerFinding(file: string, message: string): Finding {
  return {
    code: "newer-version",
    severity: "error",
    file,
    message,
    meaning: "a newer taskpulse wrote this store; this version cannot read it and will not change it",
    action: "upgrade taskpulse (doctor --repair refuses to touch a store with files of a newer version)",
  };
}
