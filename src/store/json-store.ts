// Guarantee: every change is read-modify-write under one lock, on state read after the lock was taken; the journal
// record is on disk before the state file is replaced; the state file is replaced atomically (temp, fsync, rename,
// fsync dir). A commit is fenced: if the state file is no longer the one read under the lock (two waiters both took
// a stale lock, proper-lockfile issue #121), it is not renamed in, an abort record is journalled, and the
// transaction is run again on fresh state. An update that returned is therefore never lost.
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { AgentConfig, AuditEntry, Task } from "../core/model.ts";
import { appendDurably, writeFileDurably } from "./atomic-file.ts";
import { committedRecords, formatRecord, type JournalOp, type JournalRecord, readJournal } from "./journal.ts";
import { JOURNAL_FILE, loadState, STATE_FILE, type StateFile } from "./state-file.ts";
import type { Snapshot, Store, StoreTx } from "./store.ts";

class FencedError extends Error {}

export interface JsonStoreOptions {
  lockWaitMs: number;
  /** Who we are, for the lock-owner note. */
  owner: { agent: string; command: string };
  /** Told how long each transaction waited for the lock (for the benchmark's contention figures). */
  onLockWait?: ((ms: number) => void) | undefined;
}

function snapshotOf(state: StateFile): Snapshot {
  const tasks = Object.values(state.tasks);
  return {
    tasks,
    agents: state.agents,
    get: (id) => state.tasks[id],
    agent: (name) => state.agents[name],
  };
}

class JsonTx implements StoreTx {
  readonly ops = new Map<string, JournalOp>();
  readonly audits: AuditEntry[] = [];
  constructor(private readonly state: StateFile) {}

  get tasks(): readonly Task[] {
    return Object.values(this.state.tasks);
  }
  get agents(): Readonly<Record<string, AgentConfig>> {
    return this.state.agents;
  }
  get(id: string): Task | undefined {
    return this.state.tasks[id];
  }
  agent(name: string): AgentConfig | undefined {
    return this.state.agents[name];
  }
  put(task: Task, audit?: AuditEntry): void {
    this.state.tasks[task.id] = task;
    this.ops.set(`task:${task.id}`, { k: "task", id: task.id, v: task });
    if (audit) this.audits.push(audit);
  }
  setAgent(name: string, config: AgentConfig): void {
    this.state.agents[name] = config;
    this.ops.set(`agent:${name}`, { k: "agent", id: name, v: config });
  }
}

export class JsonStore implements Store {
  constructor(
    readonly location: string,
    private readonly options: JsonStoreOptions,
  ) {}

  async read(): Promise<Snapshot> {
    return snapshotOf((await loadState(this.location)).state);
  }

  async transaction<T>(fn: (tx: StoreTx) => T | Promise<T>): Promise<T> {
    mkdirSync(this.location, { recursive: true, mode: 0o700 });
    // Imported here, not at the top, so that reads never load the lock library (proper-lockfile, retry, signal-exit).
    const { acquireLock } = await import("./lock.ts");
    for (let attempt = 1; ; attempt++) {
      const asked = process.hrtime.bigint();
      const held = await acquireLock(this.location, {
        waitMs: this.options.lockWaitMs,
        owner: JSON.stringify({ pid: process.pid, ...this.options.owner, since: new Date().toISOString() }),
      });
      this.options.onLockWait?.(Number(process.hrtime.bigint() - asked) / 1e6);
      try {
        const { state, ino } = await loadState(this.location);
        const tx = new JsonTx(state);
        const result = await fn(tx);
        if (tx.ops.size > 0) this.commit(state, ino, tx, () => held.compromised);
        return result;
      } catch (err) {
        if (err instanceof FencedError && attempt < 5) continue;
        throw err;
      } finally {
        await held.release();
      }
    }
  }

  private commit(state: StateFile, ino: number, tx: JsonTx, compromised: () => Error | undefined): void {
    const prev = state.txn;
    const txn = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    state.seq += 1;
    state.txn = txn;
    const record: JournalRecord = {
      v: 1,
      seq: state.seq,
      txn,
      prev,
      at: new Date().toISOString(),
      ops: [...tx.ops.values()],
      audit: tx.audits,
    };
    const journal = join(this.location, JOURNAL_FILE);
    appendDurably(journal, formatRecord(record));
    try {
      writeFileDurably(join(this.location, STATE_FILE), JSON.stringify(state), () => {
        if (compromised() || currentIno(join(this.location, STATE_FILE)) !== ino) throw new FencedError("fenced");
      });
    } catch (err) {
      if (err instanceof FencedError) appendDurably(journal, formatRecord({ v: 1, abort: txn }));
      throw err;
    }
  }

  async auditTrail(taskId: string): Promise<AuditEntry[]> {
    const { state } = await loadState(this.location);
    const { records, aborted } = readJournal(this.location);
    return committedRecords(records, aborted, state.txn).flatMap((r) => r.audit.filter((a) => a.task === taskId));
  }
}

function currentIno(path: string): number {
  try {
    return statSync(path).ino;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw err;
  }
}
