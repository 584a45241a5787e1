// Guarantee: every change is read-modify-write under one lock, on state read after the lock was taken; the journal
// record is on disk before the state file is replaced; the state file is replaced atomically (temp, fsync, rename,
// fsync dir). A commit is fenced: if the state file is no longer the one read under the lock (its seq and txn
// changed: two waiters both took a stale lock, lock.ts), it is not renamed in, an abort record
// is journalled, and the transaction is run again on fresh state. An update that returned is therefore never lost.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { StoreBusyError } from "../core/errors.ts";
import type { Job, RunRecord } from "../core/job-model.ts";
import type { AgentConfig, AuditEntry, Task } from "../core/model.ts";
import {
  ARCHIVE_DIR,
  type ArchivedTask,
  appendToArchive,
  indexSummaries,
  pruneArchive,
  readArchived,
  type SummaryIndex,
  type TaskSummary,
} from "./archive.ts";
import { appendDurably, appendLightly, writeFileDurably } from "./atomic-file.ts";
import { DirectoryFeed } from "./directory-feed.ts";
import type { ExportDoc, ImportSummary } from "./export-format.ts";
import type { HotState } from "./hot-state.ts";
import { committedRecords, formatRecord, type JournalOp, type JournalRecord, readJournal, refuseNewerLine } from "./journal.ts";
import { collect, type QueueEntry } from "./parts.ts";
import type { StateDoc } from "./state-docs.ts";
import { CHECKPOINT_FILE, fileFingerprint, JOURNAL_FILE, loadState, openState, readHead, STATE_FILE } from "./state-file.ts";
import type { ChangeFeed, LiveOutputStore, MigrateResult, PruneRunsResult, QueueHead, Snapshot, Store, StoreTx } from "./store.ts";
import { makeStoreDir } from "./store-dirs.ts";
import { type Claim, ClaimedError, claimSuccession, dropClaim } from "./succession.ts";

class FencedError extends Error {}

const DEFAULT_ROTATE_BYTES = 8 * 1024 * 1024;
/** Every this many commits, parts no head names are deleted (parts.ts, collect). */
const COLLECT_EVERY = 16;

export interface JsonStoreOptions {
  lockWaitMs: number;
  /** Rotate the journal once it grows past this many bytes (default 8 MiB). */
  rotateBytes?: number;
  /** Who we are, for the lock-owner note. */
  owner: { agent: string; command: string };
  /** Told how long each transaction waited for the lock (for the benchmark's contention figures). */
  onLockWait?: ((ms: number) => void) | undefined;
}

function snapshotOf(state: HotState): Snapshot {
  let tasks: Task[] | undefined;
  return {
    get tasks() {
      tasks ??= state.all();
      return tasks;
    },
    agents: state.agents,
    get: (id) => state.get(id),
    ids: () => state.ids(),
    queue: (agent) => state.queue(agent),
    queueHead: (agent) => state.queueHead(agent),
    entries: () => state.entries(),
    agent: (name) => state.agents[name],
    jobs: state.jobs,
    job: (id) => state.jobs[id],
  };
}

export class JsonTx implements StoreTx {
  readonly ops = new Map<string, JournalOp>();
  readonly audits: AuditEntry[] = [];
  readonly archived: Task[] = [];
  counterUsed = false;
  readonly runs = new Map<string, RunRecord[]>();
  /** Written by an import as they are: archive records with their trails, and run records (never compacted). */
  readonly importedArchive: ArchivedTask[] = [];
  readonly importedRuns = new Map<string, RunRecord[]>();
  constructor(readonly state: HotState) {}

  /** For an import: the counter goes up to `n` (never down), so no id in the imported data is handed out again. */
  raiseCounter(n: number): void {
    if (n <= this.state.counter) return;
    this.state.counter = n;
    this.counterUsed = true;
  }

  nextCounter(): number {
    this.state.counter += 1;
    this.counterUsed = true;
    return this.state.counter;
  }
  archive(task: Task): void {
    this.state.remove(task.id);
    this.ops.set(`task:${task.id}`, { k: "task", id: task.id, v: null });
    this.archived.push(task);
  }

  get tasks(): readonly Task[] {
    return this.state.all();
  }
  ids(): readonly string[] {
    return this.state.ids();
  }
  queue(agent: string): readonly QueueEntry[] {
    return this.state.queue(agent);
  }
  queueHead(agent: string): QueueHead<QueueEntry> {
    return this.state.queueHead(agent);
  }
  entries(): readonly QueueEntry[] {
    return this.state.entries();
  }
  get agents(): Readonly<Record<string, AgentConfig>> {
    return this.state.agents;
  }
  get(id: string): Task | undefined {
    return this.state.get(id);
  }
  agent(name: string): AgentConfig | undefined {
    return this.state.agents[name];
  }
  put(task: Task, audit?: AuditEntry): void {
    this.state.put(task);
    this.ops.set(`task:${task.id}`, { k: "task", id: task.id, v: task });
    if (audit) this.audits.push(audit);
  }
  setAgent(name: string, config: AgentConfig): void {
    this.state.agents[name] = config;
    this.ops.set(`agent:${name}`, { k: "agent", id: name, v: config });
  }
  get jobs(): Readonly<Record<string, Job>> {
    return this.state.jobs;
  }
  job(id: string): Job | undefined {
    return this.state.jobs[id];
  }
  putJob(job: Job): void {
    this.state.jobs[job.id] = job;
    this.ops.set(`job:${job.id}`, { k: "job", id: job.id, v: job });
  }
  appendRun(jobId: string, record: RunRecord): void {
    const list = this.runs.get(jobId) ?? [];
    list.push(record);
    this.runs.set(jobId, list);
  }
}

export class JsonStore implements Store {
  private readonly rotateBytes: number;
  private checkpoints: typeof import("./checkpoint.ts") | undefined;
  /** The state this store read last: the next read takes over the parts both heads name (hot-state.ts, pristine). */
  private lastState: HotState | undefined;

  constructor(
    readonly location: string,
    private readonly options: JsonStoreOptions,
  ) {
    this.rotateBytes = options.rotateBytes ?? DEFAULT_ROTATE_BYTES;
  }

  async read(): Promise<Snapshot> {
    const { state } = await openState(this.location, { lockFree: true, reuse: this.lastState });
    this.lastState = state;
    return snapshotOf(state);
  }

  /** (A scope changes nothing here: the one lock already makes every transaction exclusive.) */
  async transaction<T>(fn: (tx: StoreTx) => T | Promise<T>): Promise<T> {
    return this.run((tx) => fn(tx));
  }

  /** The transaction loop, with the JSON store's own tx type (imports use its extra staging). */
  private async run<T>(fn: (tx: JsonTx) => T | Promise<T>): Promise<T> {
    makeStoreDir(this.location);
    for (let attempt = 1; ; attempt++) {
      let rotationDue = false;
      let done: { result: T } | undefined;
      const asked = process.hrtime.bigint();
      // Imported here, not at the top, so that reads never load the lock code (and its exit hook).
      const { acquireLock } = await import("./lock.ts");
      const held = await acquireLock(this.location, {
        waitMs: this.options.lockWaitMs,
        owner: JSON.stringify({ pid: process.pid, ...this.options.owner, since: new Date().toISOString() }),
      });
      this.options.onLockWait?.(Number(process.hrtime.bigint() - asked) / 1e6);
      try {
        const { state, fingerprint } = await openState(this.location, { reuse: this.lastState });
        this.lastState = state;
        const tx = new JsonTx(state);
        const result = await fn(tx);
        // checkpoint.ts validates with zod: loaded only when this commit archives tasks (their trails go along).
        if (tx.archived.length > 0 || tx.importedArchive.length > 0) this.checkpoints ??= await import("./checkpoint.ts");
        // (job-runs.ts loads zod for its record schema: imported only when there are runs to write.)
        const runs = tx.runs.size > 0 || tx.importedRuns.size > 0 ? await import("./job-runs.ts") : undefined;
        // Where the runs go is checked before the commit, so a run that cannot be recorded changes nothing.
        runs?.checkRunFilesWritable(this.location, [...tx.runs.keys(), ...tx.importedRuns.keys()]);
        if (tx.ops.size > 0 || tx.counterUsed || tx.importedArchive.length > 0) {
          rotationDue = this.commit(state, fingerprint, tx, () => held.compromised);
        }
        // Run history follows the committed state, still under the lock, so its order matches the state's.
        if (runs) {
          for (const [jobId, records] of tx.runs) {
            const finished = records.filter((r) => r.kind === "finished" && !r.late).length;
            const total = state.jobs[jobId]?.totals.runs ?? 0;
            const compact = finished > 0 && total % runs.COMPACT_EVERY < finished;
            runs.appendRunRecords(this.location, jobId, records, compact);
          }
          for (const [jobId, records] of tx.importedRuns) runs.appendRunRecords(this.location, jobId, records, false);
        }
        done = { result };
      } catch (err) {
        if (err instanceof FencedError) {
          if (attempt < 5) continue;
          // Not a bug and not damage: the lock kept being taken over (an overloaded machine). Nothing was written.
          throw new StoreBusyError("the store lock was taken over during each of 5 commit attempts; nothing was changed");
        }
        throw err;
      } finally {
        await held.release();
      }
      if (done) {
        if (rotationDue) await this.rotate();
        return done.result;
      }
    }
  }

  /** Commits what `tx` staged; returns whether the journal is due for a rotation (done after the lock is released). */
  private commit(state: HotState, fingerprint: string, tx: JsonTx, compromised: () => Error | undefined): boolean {
    const prev = state.txn;
    const read = { seq: state.seq, txn: state.txn, existed: fingerprint !== "" };
    const txn = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    state.seq += 1;
    state.txn = txn;
    const record: JournalRecord = {
      v: 1,
      seq: state.seq,
      txn,
      prev,
      at: new Date().toISOString(),
      counter: state.counter,
      ops: [...tx.ops.values()],
      audit: tx.audits,
    };
    const journal = join(this.location, JOURNAL_FILE);
    if (tx.archived.length > 0 || tx.importedArchive.length > 0) {
      // The archive record (with the task's whole audit trail) is on disk before the task leaves the hot state.
      const trails = this.auditTrails(new Set(tx.archived.map((t) => t.id)), prev);
      appendToArchive(this.location, [
        ...tx.importedArchive,
        ...tx.archived.map((task) => ({
          v: 1 as const,
          task,
          audit: [...(trails.get(task.id) ?? []), ...tx.audits.filter((a) => a.task === task.id)],
        })),
      ]);
    }
    const line = formatRecord(record);
    const journalSize = appendDurably(journal, line, refuseNewerLine(journal));
    const statePath = join(this.location, STATE_FILE);
    let claim: Claim | undefined;
    try {
      // The changed parts under new names, durably; named by nothing until the head below is renamed in.
      state.writeParts(txn);
      writeFileDurably(statePath, state.headJson(), () => {
        // The claim first: once it is made, no other writer that read this state can rename in a successor, so
        // what the checks below see stays true until the rename (succession.ts).
        try {
          claim = claimSuccession(statePath, read.existed ? (prev ?? "") : "");
        } catch (err) {
          if (err instanceof ClaimedError) throw new FencedError(err.message);
          throw err;
        }
        if (compromised() || currentFingerprint(statePath) !== fingerprint || !unchanged(this.location, read)) {
          throw new FencedError("fenced");
        }
      });
    } catch (err) {
      dropClaim(claim);
      if (err instanceof FencedError) appendDurably(journal, formatRecord({ v: 1, abort: txn }));
      throw err;
    }
    dropClaim(claim);
    try {
      // The record is the state now: should a later state ever not descend from it, doctor knows a change that
      // reported success was lost (and not an attempt killed before its rename).
      appendLightly(journal, formatRecord({ v: 1, landed: txn }));
    } catch {
      // evidence only: the commit stands
    }
    if (state.seq % COLLECT_EVERY === 0) {
      try {
        collect(this.location, { parts: state.parts.values(), queues: state.queues.values() }, Date.now());
      } catch {
        // housekeeping: the next collection tries again
      }
    }
    // The commit that took the journal past its limit rotates it (after releasing the lock); should that fail or its
    // process die, any commit does once the journal is twice as big.
    const before = journalSize - Buffer.byteLength(line);
    return (before <= this.rotateBytes && journalSize > this.rotateBytes) || journalSize > 2 * this.rotateBytes;
  }

  /** Rotation, outside the lock but for its last step (rotation.ts); housekeeping: a failure leaves it to a later commit. */
  private async rotate(): Promise<void> {
    try {
      this.checkpoints ??= await import("./checkpoint.ts");
      const { rotateJournal } = await import("./rotation.ts");
      const { acquireLock } = await import("./lock.ts");
      await rotateJournal(this.location, {
        checkpoints: this.checkpoints,
        auditTrails: (ids, head) => this.auditTrails(ids, head),
        locked: async (fn) => {
          const held = await acquireLock(this.location, {
            waitMs: this.options.lockWaitMs,
            owner: JSON.stringify({ pid: process.pid, ...this.options.owner, since: new Date().toISOString() }),
          });
          try {
            if (held.compromised) return false as never;
            return fn();
          } finally {
            await held.release();
          }
        },
      });
    } catch {
      // the commit is durable and reported as done; the next commit past the limit tries again
    }
  }

  /** Committed audit entries per task, from the checkpoint and the current journal, walking back from `head`. */
  private auditTrails(ids: ReadonlySet<string>, head: string | null): Map<string, AuditEntry[]> {
    const out = new Map<string, AuditEntry[]>();
    const hasCheckpoint = existsSync(join(this.location, CHECKPOINT_FILE));
    if (hasCheckpoint && !this.checkpoints) throw new Error("auditTrails needs checkpoint.ts loaded");
    const checkpoint = hasCheckpoint ? this.checkpoints?.readCheckpoint(this.location) : undefined;
    for (const id of ids) {
      const early = checkpoint?.audit[id];
      if (early) out.set(id, [...early]);
    }
    const { records, aborted } = readJournal(this.location);
    for (const r of committedRecords(records, aborted, head, checkpoint?.txn ?? null)) {
      for (const a of r.audit) {
        if (!ids.has(a.task)) continue;
        const list = out.get(a.task) ?? [];
        list.push(a);
        out.set(a.task, list);
      }
    }
    return out;
  }

  changes(): ChangeFeed {
    return new DirectoryFeed(this.location);
  }

  async exportData(): Promise<ExportDoc> {
    const { state } = await loadState(this.location, { lockFree: true });
    if (existsSync(join(this.location, CHECKPOINT_FILE))) this.checkpoints ??= await import("./checkpoint.ts");
    const trails = this.auditTrails(new Set(Object.keys(state.tasks)), state.txn);
    const { exportJson } = await import("./json-transfer.ts");
    return exportJson(this.location, state, trails);
  }

  async importData(doc: ExportDoc, options: { merge: boolean }): Promise<ImportSummary> {
    const { stageImport, importDocs } = await import("./json-transfer.ts");
    const summary = await this.run((tx) => stageImport(this.location, tx, doc, options));
    await importDocs(this.location, doc, {
      waitMs: this.options.lockWaitMs,
      owner: JSON.stringify({ pid: process.pid, ...this.options.owner, since: new Date().toISOString() }),
      now: new Date(),
    });
    return summary;
  }

  async migrate(): Promise<MigrateResult> {
    // A JSON store is migrated as it is read (older files are upgraded in memory and written by the next commit);
    // reading it here checks it, and refuses a newer one (exit 6).
    const { state } = await loadState(this.location, { lockFree: true });
    return { backend: "json", from: existsSync(join(this.location, STATE_FILE)) ? state.schemaVersion : null, to: state.schemaVersion };
  }

  /** The host's clock is the store's. */
  clockOffsetMs(): number {
    return 0;
  }

  async clock(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {
    // nothing held open between calls
  }

  readonly liveOutput: LiveOutputStore = {
    create: async (jobId, runId, openRuns) => (await import("./job-runs.ts")).createLiveOutput(this.location, jobId, runId, openRuns),
    open: async (jobId, runId) => (await import("./job-runs.ts")).openLiveOutput(this.location, jobId, runId),
  };

  async runRecords(jobId: string): Promise<RunRecord[]> {
    const { readRunRecords } = await import("./job-runs.ts");
    return readRunRecords(this.location, jobId);
  }

  async pruneRuns(options: { keep: number; before?: Date }): Promise<PruneRunsResult> {
    const { compactRunFile, listRunFiles } = await import("./job-runs.ts");
    const jobs = listRunFiles(this.location);
    if (jobs.length === 0) return { jobs: 0, removedRuns: 0 };
    const { acquireLock } = await import("./lock.ts");
    const held = await acquireLock(this.location, {
      waitMs: this.options.lockWaitMs,
      owner: JSON.stringify({ pid: process.pid, ...this.options.owner, since: new Date().toISOString() }),
    });
    try {
      let removedRuns = 0;
      for (const jobId of jobs) {
        try {
          removedRuns += compactRunFile(this.location, jobId, options.keep, options.before);
        } catch (err) {
          // a file whose name is not a valid job name was not written by taskpulse: leave it alone
          if ((err as { code?: string }).code !== "usage") throw err;
        }
      }
      return { jobs: jobs.length, removedRuns };
    } finally {
      await held.release();
    }
  }

  async readDoc(name: string): Promise<StateDoc | undefined> {
    const { readDoc } = await import("./state-docs.ts");
    return readDoc(this.location, name);
  }

  async updateDoc(name: string, fn: (current: StateDoc | undefined) => unknown, now: Date): Promise<{ doc: StateDoc; changed: boolean }> {
    const { updateDoc } = await import("./state-docs.ts");
    return updateDoc(this.location, name, fn, {
      waitMs: this.options.lockWaitMs,
      owner: JSON.stringify({ pid: process.pid, ...this.options.owner, since: new Date().toISOString() }),
      now,
    });
  }

  async listDocs(): Promise<{ name: string; bytes: number; rev: number; updatedAt: string | null }[]> {
    const { listDocs } = await import("./state-docs.ts");
    return listDocs(this.location);
  }

  async auditTrail(taskId: string): Promise<AuditEntry[]> {
    const { state } = await openState(this.location, { lockFree: true });
    if (!state.get(taskId)) return readArchived(this.location, taskId)?.audit ?? [];
    // checkpoint.ts loads zod: only when there is a checkpoint to read (a read must stay light).
    if (existsSync(join(this.location, CHECKPOINT_FILE))) this.checkpoints ??= await import("./checkpoint.ts");
    return this.auditTrails(new Set([taskId]), state.txn).get(taskId) ?? [];
  }

  async archivedSummaries(range?: { from?: string; to?: string }): Promise<TaskSummary[]> {
    const hot = new Set((await openState(this.location, { lockFree: true })).state.ids());
    return [...indexSummaries(this.location, range).summaries({ skip: (id) => hot.has(id) })];
  }

  async archiveIndex(range?: { from?: string; to?: string }): Promise<SummaryIndex> {
    return indexSummaries(this.location, range);
  }

  async archivedTask(id: string): Promise<Task | undefined> {
    return readArchived(this.location, id)?.task;
  }

  async pruneArchive(cutoffIso: string): Promise<{ months: string[]; tasks: number }> {
    if (!existsSync(join(this.location, ARCHIVE_DIR))) return { months: [], tasks: 0 };
    return this.transaction(() => pruneArchive(this.location, cutoffIso));
  }
}

/** The state file is still the one read under the lock: same seq and txn (see readHead for why not only the inode). */
function unchanged(dir: string, read: { seq: number; txn: string | null; existed: boolean }): boolean {
  const head = readHead(dir);
  if (head === undefined) return !read.existed;
  return head !== null && head.seq === read.seq && head.txn === read.txn;
}

function currentFingerprint(path: string): string {
  try {
    return fileFingerprint(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw err;
  }
}
