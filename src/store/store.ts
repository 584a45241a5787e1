// The store interface the commands program against. Narrow on purpose: a snapshot to read, a transaction to
// change, the audit trail to list; for cron jobs, their run history; and named state documents. A database backend
// implements the same.

import type { TaskEntry } from "../core/insight.ts";
import type { Job, RunRecord } from "../core/job-model.ts";
import type { AgentConfig, AuditEntry, Task } from "../core/model.ts";
import type { QueueKey, QueueTask } from "../core/queue.ts";
import type { TaskSummary } from "./archive.ts";
import type { ExportDoc, ImportSummary } from "./export-format.ts";
import type { StateDoc } from "./state-docs.ts";

export interface Snapshot {
  /** Every hot task. The JSON store reads all of its parts for it: prefer get, ids and queue where they do. */
  readonly tasks: readonly Task[];
  get(id: string): Task | undefined;
  /** Every hot task id. */
  ids(): readonly string[];
  /** One agent's hot tasks, as much of each as claiming needs. */
  queue(agent: string): readonly QueueTask[];
  /**
   * The head of one agent's queue, where a backend keeps it apart (the JSON store, in state.json): taking the next
   * task then reads the task it takes rather than the agent's whole queue. Absent: use queue().
   */
  queueHead?(agent: string): QueueHead;
  /** An entry per hot task (its summary and queue fields): what the JSON store reads instead of every task. */
  entries(): readonly TaskEntry[];
  agent(name: string): AgentConfig | undefined;
  readonly agents: Readonly<Record<string, AgentConfig>>;
  /** Cron-job summaries by job id. */
  readonly jobs: Readonly<Record<string, Job>>;
  job(id: string): Job | undefined;
}

/** The head of an agent's queue: enough to take its next task in the common case. */
export interface QueueHead<T extends QueueTask = QueueTask> {
  running: number;
  /** The running tasks' ids, where the backend keeps them (absent: read queue() to name them). */
  runningIds?: readonly string[] | undefined;
  /** The first queued tasks in queue order (every one when `complete`). */
  next: readonly QueueKey[];
  complete: boolean;
  /** The entry of a task of `next` (status pending) or of `runningIds` (running). */
  entry(id: string, status: "pending" | "running"): T;
}

export interface StoreTx extends Snapshot {
  /** Stages a task write; `audit` is appended to the journal in the same commit. */
  put(task: Task, audit?: AuditEntry): void;
  setAgent(name: string, config: AgentConfig): void;
  /** Moves a finished task out of the hot state into the archive (with its audit trail), in this commit. */
  archive(task: Task): void;
  /** A number never handed out before in this store (for ids). */
  nextCounter(): number;
  /** Stages a job-summary write (journal op kind "job"). */
  putJob(job: Job): void;
  /** Stages a record for the job's run history; written durably after the state commit, under the same lock. */
  appendRun(jobId: string, record: RunRecord): void;
}

/**
 * A hint that a transaction only concerns one agent's queue (taking its next task). A backend may then lock and
 * read only that agent's tasks (and the tasks they depend on) and its config, so claims of different agents run in
 * parallel; `fn` must then touch nothing else (no other task, job or counter). A backend may ignore the hint.
 */
export interface TxScope {
  agent: string;
}

export interface MigrateResult {
  backend: "json" | "postgres";
  /** The schema version found (null: nothing there yet). */
  from: number | null;
  to: number;
}

export interface PruneRunsResult {
  jobs: number;
  removedRuns: number;
}

export interface Store {
  /** Where the store lives (a directory, or a URL without its password), for messages. */
  readonly location: string;
  /** A consistent snapshot, read without taking the lock. Never creates anything. */
  read(): Promise<Snapshot>;
  /**
   * Lock, re-read and validate, run `fn`, and commit what it staged durably before returning. `fn` may run more
   * than once (when a commit is fenced out), so it must not have side effects outside `tx`.
   */
  transaction<T>(fn: (tx: StoreTx) => T | Promise<T>, scope?: TxScope): Promise<T>;
  /** The committed audit entries of one task, oldest first. */
  auditTrail(taskId: string): Promise<AuditEntry[]>;
  /** The run records of one job, oldest first (bounded: the newest runs only). Never creates anything. */
  runRecords(jobId: string): Promise<RunRecord[]>;
  /**
   * The output of runs in progress, as their wrappers write it (`jobs <job> --follow`), where the backend keeps it
   * (the JSON store: a file per run beside the run file). Absent: followers see a run's output when it is recorded.
   */
  readonly liveOutput?: LiveOutputStore;
  /**
   * Retention for `cleanup`: keeps at most `keep` runs per job and drops runs last touched before `before` (the
   * newest run of a job is always kept). Takes the store lock.
   */
  pruneRuns(options: { keep: number; before?: Date }): Promise<PruneRunsResult>;
  /** A named state document, or undefined. Never creates anything. */
  readDoc(name: string): Promise<StateDoc | undefined>;
  /**
   * Read-modify-write of a named state document under its own lock; `fn` returns the new value, or UNCHANGED.
   * `fn` may run more than once.
   */
  updateDoc(name: string, fn: (current: StateDoc | undefined) => unknown, now: Date): Promise<{ doc: StateDoc; changed: boolean }>;
  listDocs(): Promise<{ name: string; bytes: number; rev: number; updatedAt: string | null }[]>;
  /** Summaries of archived tasks (not in the hot state), optionally only those finished within a month range. */
  archivedSummaries(range?: { from?: string; to?: string }): Promise<TaskSummary[]>;
  /**
   * The archive's summaries of a month range (by month of finishing; undefined = open), read lazily: for readers of
   * many archived tasks that keep few of them (stats, query, history over 100 000 tasks in bounded memory). A task
   * may also still be hot (a crash between archiving and committing): callers skip hot ids. A backend with an
   * indexed table can answer it with a cursor; the JSON store scans its index files (archive.ts).
   */
  archiveIndex(range?: { from?: string; to?: string }): Promise<SummaryIndex>;
  /** The full record of an archived task. */
  archivedTask(id: string): Promise<Task | undefined>;
  /** Deletes archived months that ended before `cutoffIso`. */
  pruneArchive(cutoffIso: string): Promise<{ months: string[]; tasks: number }>;
  /** A feed of "something may have changed" signals, for waiting without holding the lock or polling hard. */
  changes(): ChangeFeed;
  /** Everything the store holds, backend-neutral (see export-format.ts). */
  exportData(): Promise<ExportDoc>;
  /**
   * Writes an exported store into this one. Refuses (ConflictError, nothing written) when this store holds data,
   * unless `merge`; with `merge`, refuses when anything would be overwritten.
   */
  importData(doc: ExportDoc, options: { merge: boolean }): Promise<ImportSummary>;
  /** Brings the store's schema to this version of taskpulse (refusing a newer one). */
  migrate(): Promise<MigrateResult>;
  /** Releases what the store holds open (a database connection). Safe to call more than once. */
  /**
   * How far the store's clock is ahead of this host's (ms): PostgreSQL's server clock is the one authority for the
   * times it stores (references/postgres.md); the JSON store keeps the host's (0). Known once connected (0 before).
   */
  clockOffsetMs(): number;
  /** The same, connecting first where needed. */
  clock(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Archived task summaries, each id once (its newest record wins), read lazily. Added for the read side over a long
 * history (issue 5): three calls, all a backend needs to serve stats, query, history and id lookups.
 */
export interface SummaryIndex {
  /** Every archived id, without reading the summaries (may name an id whose record turns out unreadable). */
  ids(): IterableIterator<string>;
  /** One task's summary (a fresh object), or undefined. */
  get(id: string): TaskSummary | undefined;
  /**
   * Every summary (fresh objects, the caller may change them), streamed, in archive order. `agent`: only that
   * agent's are needed (a backend may filter; callers filter again); `skip`: ids to leave out.
   */
  summaries(filter?: { agent?: string | undefined; skip?: (id: string) => boolean }): Generator<TaskSummary>;
}

export interface LiveOutputStore {
  /**
   * Starts the output file of run `runId` (refused when it exists), and deletes this job's files of runs not in
   * `openRuns` (their wrappers were killed before deleting them).
   */
  create(jobId: string, runId: string, openRuns: readonly string[]): Promise<LiveOutputWriter>;
  /** The output of run `runId` so far and as it grows, or undefined when there is none (not started, or ended). */
  open(jobId: string, runId: string): Promise<LiveOutputReader | undefined>;
}

export interface LiveOutputWriter {
  /** Adds output; past the size limit, or after a write failed, nothing more (the run itself goes on). */
  write(chunk: Uint8Array): void;
  /** Stops writing and deletes the file: call once the run's result is recorded, so no follower misses its end. */
  close(): void;
}

export interface LiveOutputReader {
  /** The last `maxBytes` written so far (from a line's start, unless that is the file's start); reads go on after. */
  tail(maxBytes: number): Buffer;
  /** What was written since the last read (empty when nothing was). */
  next(): Buffer;
  /** Resolves when more may have been written (a file watch), or after `ms`. */
  wait(ms: number): Promise<void>;
  /** Stops watching; what was written stays readable until then, even after the writer deleted the file. */
  close(): void;
}

export interface ChangeFeed {
  /** Resolves at the next change signal (or at once if one arrived since the last call), or after `ms`. */
  next(ms: number): Promise<void>;
  /** Stops watching; a pending `next` resolves at once. */
  close(): void;
}
