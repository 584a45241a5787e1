// The hot state of a JSON store as a transaction and a reader see it: the head (seq, txn, counter, agents, jobs)
// at once, tasks and queue entries part by part as they are asked for (parts.ts). Changes are kept in memory with
// the parts they touch marked, so a commit writes those parts only.

import { StoreCorruptError } from "../core/errors.ts";
import type { Job } from "../core/job-model.ts";
import type { AgentConfig, Task } from "../core/model.ts";
import { SCHEMA_VERSION } from "../core/model-constants.ts";
import { addToHint, type ClaimHint, hintOf, hintsJson, removeFromHint } from "./claim-hints.ts";
import {
  bucketOf,
  chunkFile,
  chunkOf,
  entryOf,
  PART_VERSION,
  packEntry,
  partFile,
  QUEUES_DIR,
  type QueueEntry,
  queueEntries,
  readPart,
  retire,
  sameEntry,
  syncPartDirs,
  TASKS_DIR,
  txnOfFile,
  writePart,
} from "./parts.ts";
import { NOT_ACCEPTED, parseStateFast } from "./state-check.gen.ts";
import type { StateFile } from "./state-schema.ts";
import type { QueueHead } from "./store.ts";

export interface Head {
  seq: number;
  txn: string | null;
  counter: number;
  agents: Record<string, AgentConfig>;
  jobs: Record<string, Job>;
  parts: Map<string, string>;
  queues: Map<string, string>;
  /** The head of each agent's queue (claim-hints.ts); an agent missing is answered from its whole queue. */
  claims: Map<string, ClaimHint>;
}

export class HotState {
  seq: number;
  txn: string | null;
  counter: number;
  readonly agents: Record<string, AgentConfig>;
  readonly jobs: Record<string, Job>;
  /** Bucket → the file holding it; queue chunk (`<agent>/<h>`) → its file. What the head names (a commit updates them). */
  readonly parts: Map<string, string>;
  readonly queues: Map<string, string>;
  readonly claims: Map<string, ClaimHint>;
  /** Parts in memory: as read (shared with `pristine`) until a change copies one (writable()). */
  private readonly buckets = new Map<string, ReadonlyMap<string, Task>>();
  private readonly queueCache = new Map<string, ReadonlyMap<string, QueueEntry>>();
  /** The maps above that this state made (and may change); the others are shared with `pristine`. */
  private readonly owned = new Set<ReadonlyMap<string, unknown>>();
  readonly dirtyBuckets = new Set<string>();
  readonly dirtyQueues = new Set<string>();
  /** Every bucket is in memory (all() ran, or the state file held the tasks inline). */
  private allLoaded = false;
  /** Every queue is in memory (the state file held the tasks inline, so they were made from them). */
  private readonly queuesMade: boolean;
  /**
   * Parts as read from disk, by `<dir>/<file>`, before any change. Parts never change once written, so a later
   * state of the same process takes over those its own head still names (see `reuse`) instead of parsing them
   * again: taking the next task reads the agent's queue once, not once to look and once under the lock.
   */
  readonly pristine = new Map<string, ReadonlyMap<string, Task> | ReadonlyMap<string, QueueEntry>>();

  /**
   * `whole`: the tasks of a state file that holds them inline (schemaVersion 1, or a repair's rebuild): they are all
   * here, and the next commit writes every part.
   */
  constructor(
    private readonly dir: string,
    head: Head,
    whole?: Record<string, Task>,
    /** Read without the lock: a part gone missing may have been replaced meanwhile (parts.ts, readPart). */
    private readonly lockFree = false,
    /** An earlier state read by this process: its parts that this head names too are used as read there. */
    reuse?: HotState,
  ) {
    this.seq = head.seq;
    this.txn = head.txn;
    this.counter = head.counter;
    this.agents = head.agents;
    this.jobs = head.jobs;
    this.parts = head.parts;
    this.queues = head.queues;
    this.claims = head.claims;
    if (whole) {
      for (const task of Object.values(whole)) {
        const b = bucketOf(task.id);
        this.writable(this.buckets, b, this.bucketMap(b, false)).set(task.id, task);
        this.dirtyBuckets.add(b);
        const chunk = chunkOf(task.agent, task.id);
        this.writable(this.queueCache, chunk, this.queueMap(chunk, false)).set(task.id, entryOf(task));
        this.dirtyQueues.add(chunk);
      }
      // the parts the head named (none, for a whole file) are replaced: every bucket is here
      this.allLoaded = true;
      this.claims.clear();
      const byAgent = new Map<string, QueueEntry[]>();
      for (const [chunk, queue] of this.queueCache) {
        const agent = chunk.slice(0, chunk.lastIndexOf("/"));
        byAgent.set(agent, [...(byAgent.get(agent) ?? []), ...queue.values()]);
      }
      for (const [agent, entries] of byAgent) this.claims.set(agent, hintOf(entries));
    }
    this.queuesMade = whole !== undefined;
    if (reuse && !whole) {
      // only what this head names: a chain of states never holds more than one state's parts
      const named = new Set([
        ...[...this.parts.values()].map((f) => `${TASKS_DIR}/${f}`),
        ...[...this.queues.values()].map((f) => `${QUEUES_DIR}/${f}`),
      ]);
      for (const [key, map] of reuse.pristine) if (named.has(key)) this.pristine.set(key, map);
    }
  }

  get(id: string): Task | undefined {
    return this.bucketMap(bucketOf(id), true).get(id);
  }

  /** Every hot task (reads every part). */
  all(): Task[] {
    if (!this.allLoaded) {
      for (const b of this.parts.keys()) this.bucketMap(b, true);
      this.allLoaded = true;
    }
    const out: Task[] = [];
    for (const bucket of this.buckets.values()) for (const task of bucket.values()) out.push(task);
    return out;
  }

  /** The queue entries of one agent's hot tasks (reads that agent's queue chunks only). */
  queue(agent: string): QueueEntry[] {
    const out: QueueEntry[] = [];
    for (const chunk of this.chunks()) if (chunk.startsWith(`${agent}/`)) out.push(...this.queueMap(chunk, true).values());
    // Read whole anyway: the head of its queue is known from here on (and written with this commit, if any).
    if (!this.claims.has(agent)) this.claims.set(agent, hintOf(out));
    return out;
  }

  /** The head of one agent's queue: from its hint when there is one (reads nothing more), else from its queue. */
  queueHead(agent: string): QueueHead<QueueEntry> {
    if (!this.claims.has(agent)) this.queue(agent); // makes it
    const hint = this.claims.get(agent) as ClaimHint;
    return {
      running: hint.running,
      runningIds: hint.runningIds && [...hint.runningIds],
      next: [...hint.next],
      complete: hint.next.length === hint.pending,
      entry: (id, status) => {
        const e = this.queueMap(chunkOf(agent, id), true).get(id);
        if (e?.status !== status) {
          throw new StoreCorruptError(
            `${this.dir}/state.json names task ${id} as ${status} in agent ${agent}'s queue, but it is not`,
            "run `taskpulse doctor --repair`; nothing was changed",
          );
        }
        return e;
      },
    };
  }

  private hasChunks(agent: string): boolean {
    for (const chunk of this.chunks()) if (chunk.startsWith(`${agent}/`)) return true;
    return false;
  }

  /** Every hot task id (reads the queue chunks, which are far smaller than the tasks). */
  ids(): string[] {
    const out: string[] = [];
    for (const chunk of this.chunks()) for (const id of this.queueMap(chunk, true).keys()) out.push(id);
    return out;
  }

  /** Every hot task's entry (reads the queue chunks). */
  entries(): QueueEntry[] {
    const out: QueueEntry[] = [];
    for (const chunk of this.chunks()) out.push(...this.queueMap(chunk, true).values());
    return out;
  }

  private chunks(): Set<string> {
    return new Set([...this.queues.keys(), ...this.queueCache.keys()]);
  }

  put(task: Task): void {
    const before = this.get(task.id);
    const b = bucketOf(task.id);
    this.writable(this.buckets, b, this.bucketMap(b, true)).set(task.id, task);
    this.dirtyBuckets.add(b);
    this.updateQueue(before, task);
  }

  remove(id: string): void {
    const before = this.get(id);
    if (!before) return;
    const b = bucketOf(id);
    this.writable(this.buckets, b, this.bucketMap(b, true)).delete(id);
    this.dirtyBuckets.add(b);
    this.updateQueue(before, undefined);
  }

  private updateQueue(before: Task | undefined, after: Task | undefined): void {
    const old = before && entryOf(before);
    const next = after && entryOf(after);
    if (sameEntry(old, next)) return;
    // The head of the agent's queue first (an agent with no queue chunk yet starts one here: it has no tasks).
    if (old) {
      const h = this.claims.get(old.agent);
      if (h && !removeFromHint(h, old)) this.claims.delete(old.agent);
    }
    if (next) {
      if (!this.claims.has(next.agent) && !this.hasChunks(next.agent)) this.claims.set(next.agent, { running: 0, pending: 0, next: [] });
      const h = this.claims.get(next.agent);
      if (h) addToHint(h, next);
    }
    if (old) {
      const chunk = chunkOf(old.agent, old.id);
      this.writable(this.queueCache, chunk, this.queueMap(chunk, true)).delete(old.id);
      this.dirtyQueues.add(chunk);
    }
    if (next) {
      const chunk = chunkOf(next.agent, next.id);
      this.writable(this.queueCache, chunk, this.queueMap(chunk, true)).set(next.id, next);
      this.dirtyQueues.add(chunk);
    }
  }

  /**
   * Writes the changed parts under names made from `txn` and fsyncs them, and updates which files the head names.
   * Before the head is renamed in: until then the new parts are named by nothing.
   */
  writeParts(txn: string): void {
    const subs = new Set<string>();
    for (const b of this.dirtyBuckets) {
      const bucket = this.buckets.get(b);
      const old = this.parts.get(b);
      if (old !== undefined) retire(this.dir, TASKS_DIR, old);
      if (!bucket || bucket.size === 0) {
        this.parts.delete(b);
        continue;
      }
      const file = partFile(b, txn);
      writePart(this.dir, TASKS_DIR, file, { v: PART_VERSION, tasks: Object.fromEntries(bucket) });
      this.parts.set(b, file);
      subs.add(TASKS_DIR);
    }
    for (const chunk of this.dirtyQueues) {
      const queue = this.queueCache.get(chunk);
      const old = this.queues.get(chunk);
      if (old !== undefined) retire(this.dir, QUEUES_DIR, old);
      if (!queue || queue.size === 0) {
        this.queues.delete(chunk);
        continue;
      }
      const [agent, h] = chunk.split("/") as [string, string];
      const file = chunkFile(chunk, txn);
      writePart(this.dir, QUEUES_DIR, file, { v: PART_VERSION, agent, chunk: h, tasks: [...queue.values()].map(packEntry) });
      this.queues.set(chunk, file);
      subs.add(QUEUES_DIR);
    }
    syncPartDirs(this.dir, subs);
    this.dirtyBuckets.clear();
    this.dirtyQueues.clear();
  }

  /** The head as state.json holds it; seq and txn first (readHead reads them from the first bytes). */
  headJson(): string {
    return JSON.stringify({
      schemaVersion: SCHEMA_VERSION,
      seq: this.seq,
      txn: this.txn,
      counter: this.counter,
      agents: this.agents,
      jobs: this.jobs,
      parts: Object.fromEntries([...this.parts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, file]) => [k, txnOfFile(file)])),
      queues: Object.fromEntries([...this.queues].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, file]) => [k, txnOfFile(file)])),
      claims: hintsJson(this.claims),
    });
  }

  /** The whole state (reads every part): for checkpoints, exports and doctor. */
  toStateFile(): StateFile {
    const tasks: Record<string, Task> = {};
    for (const task of this.all()) tasks[task.id] = task;
    return {
      schemaVersion: SCHEMA_VERSION,
      seq: this.seq,
      txn: this.txn,
      counter: this.counter,
      tasks,
      agents: this.agents,
      jobs: this.jobs,
    } as StateFile;
  }

  /** A part's map that this state may change: copied the first time (a map as read is shared with `pristine`). */
  private writable<V>(cache: Map<string, ReadonlyMap<string, V>>, key: string, map: ReadonlyMap<string, V>): Map<string, V> {
    if (this.owned.has(map)) return map as Map<string, V>;
    const copy = new Map(map);
    cache.set(key, copy);
    this.owned.add(copy);
    return copy;
  }

  private bucketMap(b: string, load: boolean): ReadonlyMap<string, Task> {
    let bucket = this.buckets.get(b);
    if (bucket) return bucket;
    const file = load && !this.allLoaded ? this.parts.get(b) : undefined;
    bucket = file === undefined ? new Map() : this.readBucket(b, file);
    this.buckets.set(b, bucket);
    return bucket;
  }

  private readBucket(b: string, file: string): ReadonlyMap<string, Task> {
    return this.readPartMap(TASKS_DIR, file, (json, path) => {
      const tasks = validTasks(json.tasks, path);
      return Object.keys(tasks).map((id) => {
        const task = tasks[id] as Task;
        if (bucketOf(id) !== b || task.id !== id) throw corrupt(path, `tasks.${id}: not in this bucket`);
        return [id, task];
      });
    });
  }

  private queueMap(chunk: string, load: boolean): ReadonlyMap<string, QueueEntry> {
    let queue = this.queueCache.get(chunk);
    if (queue) return queue;
    const file = load && !this.queuesMade ? this.queues.get(chunk) : undefined;
    queue = file === undefined ? new Map() : this.readChunk(chunk, file);
    this.queueCache.set(chunk, queue);
    return queue;
  }

  private readChunk(chunk: string, file: string): ReadonlyMap<string, QueueEntry> {
    return this.readPartMap(QUEUES_DIR, file, (json, path) => queueEntries(json, chunk, path).map((e) => [e.id, e]));
  }

  /** A part as read (once per commit: kept in `pristine`), turned into a map by `decode`, which validates it. */
  private readPartMap<V extends Task | QueueEntry>(
    dirName: string,
    file: string,
    decode: (json: ReturnType<typeof readPart>, path: string) => Iterable<readonly [string, V]>,
  ): ReadonlyMap<string, V> {
    const key = `${dirName}/${file}`;
    const known = this.pristine.get(key) as ReadonlyMap<string, V> | undefined;
    if (known) return known;
    const json = readPart(this.dir, dirName, file, this.lockFree ? this.txn : undefined);
    const read = new Map<string, V>(decode(json, `${this.dir}/${key}`));
    this.pristine.set(key, read as ReadonlyMap<string, Task> | ReadonlyMap<string, QueueEntry>);
    return read;
  }
}

function corrupt(path: string, what: string): StoreCorruptError {
  return new StoreCorruptError(`${path} does not validate (${what})`, "the file was kept as it is; run `taskpulse doctor`");
}

/**
 * A part's tasks, validated by the generated parser (the same one state files go through). Synchronous, since
 * parts are read on demand inside a transaction: a part that parser does not accept is refused here (exit 6) and
 * `taskpulse doctor` gives the schema's exact complaint.
 */
function validTasks(tasks: unknown, path: string): Record<string, Task> {
  const parsed = parseStateFast({ schemaVersion: SCHEMA_VERSION, seq: 0, txn: null, counter: 0, tasks, agents: {}, jobs: {} });
  if (parsed === NOT_ACCEPTED) throw corrupt(path, "a task does not match the schema; `taskpulse doctor` says which");
  return (parsed as StateFile).tasks as Record<string, Task>;
}
