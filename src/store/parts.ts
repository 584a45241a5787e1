// The hot state split into parts (state.json schemaVersion 2), so that a commit writes what it changed and a read
// parses what it needs, whatever the number of tasks (issue 16):
//   state.json                 the head: seq, txn, counter, agents, jobs, and the name of each part below
//   tasks/<bucket>.<txn>.json  the tasks whose id hashes to <bucket> (one of 256), written by commit <txn>
//   queues/<agent>.<h>.<txn>.json  a small entry per hot task of <agent> whose bucket starts with <h> (16 chunks
//                              per agent): what claiming and id prefixes need
// Parts are never changed after they are written: a commit writes new parts under new names (its txn), fsyncs
// them, and then renames the head in, so the head always names complete parts, and the head's rename stays the one
// moment a commit lands. Parts no head names any more are deleted later (collect()), once no reader can still be
// reading an older head. A whole state.json (tasks inline, as schemaVersion 1 wrote it, and as doctor's repair
// writes it) is still read; the next commit writes it as parts.
import { closeSync, fsyncSync, lstatSync, openSync, readdirSync, unlinkSync, utimesSync, writeSync } from "node:fs";
import { join } from "node:path";
import { StoreBusyError, StoreCorruptError } from "../core/errors.ts";
import { entryOf, type TaskEntry } from "../core/insight.ts";
import { liveOf } from "../core/liveness.ts";
import type { Task } from "../core/model.ts";
import { SCHEMA_VERSION } from "../core/model-constants.ts";
import { PRIORITY_LABELS } from "../core/priority.ts";
import { fsyncDir, readStoreFile } from "./atomic-file.ts";
import { NOT_ACCEPTED, parseStateFast } from "./state-check.gen.ts";
import { readHead } from "./state-file.ts";
import { subdirForWriting } from "./store-dirs.ts";

export const TASKS_DIR = "tasks";
export const QUEUES_DIR = "queues";
/**
 * 2: a running task's queue entry holds its LiveFields (`live`) instead of the whole task (1), which status and query
 * read for every running task: a fifth of the size. Version 1 parts are still read (tasks parts are the same).
 */
export const PART_VERSION = 2;

/** What a queue chunk keeps of a task (core/insight.ts, TaskEntry). */
export type QueueEntry = TaskEntry;

/** The bucket of a task id: FNV-1a over its characters, 256 buckets, as two hex digits. */
export function bucketOf(id: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h & 0xff).toString(16).padStart(2, "0");
}

/**
 * The queue chunk of a task: its agent and the first hex digit of its bucket (`anna/3`). An agent's entries are
 * split in 16 chunks so that a change rewrites a sixteenth of them; claiming reads all of the agent's chunks.
 */
export function chunkOf(agent: string, id: string): string {
  return `${agent}/${bucketOf(id)[0]}`;
}

export { entryOf };

/** Whether two entries say the same (whatever their keys' order: one read from a chunk has its own). */
export function sameEntry(a: QueueEntry | undefined, b: QueueEntry | undefined): boolean {
  // (the agent too: packEntry leaves it out, the chunk says it, and `edit --assign` changes only it)
  return a?.agent === b?.agent && JSON.stringify(a && packEntry(a)) === JSON.stringify(b && packEntry(b));
}

export const PART_NAME = /^[0-9a-f]{2}\.[0-9a-z]{1,40}\.json$/;
export const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\.[0-9a-f]\.[0-9a-z]{1,40}\.json$/;
const CHUNK_KEY = /^([A-Za-z0-9][A-Za-z0-9._-]{0,63})\/([0-9a-f])$/;

const TXN = /^[0-9a-z]{1,40}$/;
const BUCKET = /^[0-9a-f]{2}$/;

/** The file of a bucket's part, and of a queue chunk's, written by commit `txn`. */
export const partFile = (bucket: string, txn: string) => `${bucket}.${txn}.json`;
export const chunkFile = (chunk: string, txn: string) => `${chunk.replace("/", ".")}.${txn}.json`;

/**
 * The parts a head names (`"parts": {"<bucket>": "<txn>"}`, `"queues": {"<agent>/<h>": "<txn>"}`), as file names,
 * checked: they become paths. Throws StoreCorruptError.
 */
export function checkPartNames(json: Record<string, unknown>, path: string): { parts: Map<string, string>; queues: Map<string, string> } {
  const read = (key: "parts" | "queues", keyOk: (k: string) => boolean, file: (k: string, txn: string) => string) => {
    const value = json[key];
    const out = new Map<string, string>();
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new StoreCorruptError(
        `${path} does not validate (${key}: not an object)`,
        "the file was kept as it is; run `taskpulse doctor`",
      );
    }
    for (const [k, txn] of Object.entries(value)) {
      if (typeof txn !== "string" || !TXN.test(txn) || !keyOk(k)) {
        throw new StoreCorruptError(
          `${path} does not validate (${key}.${k}: not a part)`,
          "the file was kept as it is; run `taskpulse doctor`",
        );
      }
      out.set(k, file(k, txn));
    }
    return out;
  };
  return { parts: read("parts", (k) => BUCKET.test(k), partFile), queues: read("queues", (k) => CHUNK_KEY.test(k), chunkFile) };
}

/** The txn in a part's file name (the head stores only that). */
export function txnOfFile(file: string): string {
  return file.slice(file.lastIndexOf(".", file.length - 6) + 1, -5);
}

/**
 * A part's parsed content (`{"v":1,…}`), read without following links. A part the head names must be there: under
 * the lock (`headTxn` undefined) a missing one is damage (exit 6); without it, it may have been collected after a
 * newer head replaced the one read (exit 5, run again), which is damage only if the head is still that one.
 */
export function readPart(dir: string, sub: string, file: string, headTxn?: string | null): Record<string, unknown> {
  const path = join(dir, sub, file);
  let raw: string | undefined;
  try {
    raw = readStoreFile(path, "a part of the state", { follow: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOTDIR") raw = undefined;
    else throw err;
  }
  if (raw === undefined) {
    if (headTxn !== undefined && readHead(dir)?.txn !== headTxn) {
      // Parts are deleted PART_GRACE_MS after no head names them: this reader read an older head that long ago.
      throw new StoreBusyError(`${path} was replaced while this command read the store`, "run the command again");
    }
    throw new StoreCorruptError(
      `${path} is missing: the state file names it`,
      "run `taskpulse doctor --repair` to rebuild the state from the journal; nothing was changed",
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new StoreCorruptError(`${path} is not valid JSON`, "the file was kept as it is; run `taskpulse doctor`", { cause: err });
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new StoreCorruptError(`${path} does not validate (not an object)`, "the file was kept as it is; run `taskpulse doctor`");
  }
  const v = (json as { v?: unknown }).v;
  if (typeof v === "number" && v > PART_VERSION) {
    throw new StoreCorruptError(
      `${path} has v ${v}, newer than this taskpulse understands (${PART_VERSION})`,
      "upgrade taskpulse; the file was not changed",
    );
  }
  if (v !== PART_VERSION && v !== 1)
    throw new StoreCorruptError(`${path} does not validate (v)`, "the file was kept as it is; run `taskpulse doctor`");
  return json as Record<string, unknown>;
}

const STATUSES = new Set(["pending", "running", "done", "failed", "cancelled"]);

/** Statuses whose tasks always started (a cancelled one may not have). */
const STARTED = new Set(["running", "done", "failed"]);

/**
 * An entry as a queue chunk stores it: fields at their usual value left out (its agent: the chunk's; queued; no
 * tags, no retries, no dependencies; queued when created, started when created), which makes chunks about half as
 * large; status and query read them all.
 */
export function packEntry(entry: QueueEntry): Record<string, unknown> {
  const { agent: _agent, tags, retries, after, queuedAt, ...rest } = entry;
  const packed: Record<string, unknown> = rest;
  if (rest.status === "pending") delete packed.status;
  if (STARTED.has(rest.status) && rest.startedAt === rest.createdAt) delete packed.startedAt;
  if (tags.length > 0) packed.tags = tags;
  if (retries !== 0) packed.retries = retries;
  if (after.length > 0) packed.after = after;
  if (queuedAt !== entry.createdAt) packed.queuedAt = queuedAt;
  return packed;
}

/** One empty list for every entry read without tags or dependencies (frozen: shared). */
const NONE: readonly string[] = Object.freeze([]);

/**
 * An entry as read from a chunk of `agent`, with the fields packEntry() left out filled in (in place: chunks hold
 * thousands). Version 1 chunks left out fewer: what they hold is kept.
 */
function unpackEntry(raw: Record<string, unknown>, agent: string): Record<string, unknown> {
  raw.agent ??= agent;
  raw.status ??= "pending";
  if (raw.startedAt === undefined && STARTED.has(raw.status as string)) raw.startedAt = raw.createdAt;
  raw.tags ??= NONE;
  raw.retries ??= 0;
  raw.after ??= NONE;
  raw.queuedAt ??= raw.createdAt;
  return raw;
}

const isText = (v: unknown): boolean => typeof v === "string";
const isTexts = (v: unknown): boolean => Array.isArray(v) && v.every(isText);
const isCounts = (v: unknown): boolean =>
  isObject(v) && Number.isInteger((v as { done?: unknown }).done) && Number.isInteger((v as { total?: unknown }).total);
const optional = (v: unknown, test: (v: unknown) => boolean): boolean => v === undefined || test(v);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isCount = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;

/** A running task's LiveFields (core/liveness.ts), as displayed and judged. */
function validLive(v: unknown): boolean {
  if (!isObject(v)) return false;
  const { waiting, step, stop } = v;
  return (
    isText(v.lastSeenAt) &&
    optional(v.stallAfterMs, isCount) &&
    optional(waiting, (w) => isObject(w) && isText(w.reason) && optional(w.until, isText)) &&
    optional(step, (s) => isObject(s) && isText(s.name) && optional(s.startedAt, isText) && optional(s.budgetMs, isCount)) &&
    optional(v.message, isText) &&
    optional(v.progress, (p) => typeof p === "number" && p >= 0 && p <= 100) &&
    optional(stop, (s) => isObject(s) && isText(s.requestedAt) && isText(s.by) && optional(s.reason, isText))
  );
}

function validEntry(e: Record<string, unknown>, chunk: string): boolean {
  return (
    isText(e.id) &&
    isText(e.agent) &&
    chunkOf(e.agent as string, e.id as string) === chunk &&
    isText(e.name) &&
    STATUSES.has(e.status as string) &&
    Number.isInteger(e.priority) &&
    isTexts(e.after) &&
    isTexts(e.tags) &&
    isText(e.queuedAt) &&
    isText(e.createdAt) &&
    Number.isInteger(e.retries) &&
    optional(e.seq, Number.isInteger) &&
    optional(e.priorityLabel, (v) => (PRIORITY_LABELS as readonly unknown[]).includes(v)) &&
    optional(e.description, isText) &&
    optional(e.group, isText) &&
    optional(e.startedAt, isText) &&
    optional(e.finishedAt, isText) &&
    optional(e.error, isText) &&
    optional(e.stallsSeen, Number.isInteger) &&
    optional(e.steps, isCounts) &&
    optional(e.meta, isObject) &&
    // a running task's LiveFields, and only a running one's
    (e.status === "running" ? validLive(e.live) : e.live === undefined) &&
    e.task === undefined &&
    e.state === undefined &&
    e.archived === undefined
  );
}

/** A queue chunk's entries (`chunk`: `<agent>/<h>`), checked field by field (they decide which task is claimed). */
export function queueEntries(json: Record<string, unknown>, chunk: string, path: string): QueueEntry[] {
  if (`${json.agent}/${json.chunk}` !== chunk || !Array.isArray(json.tasks)) {
    throw new StoreCorruptError(`${path} does not validate (agent, chunk or tasks)`, "the file was kept as it is; run `taskpulse doctor`");
  }
  const raws = json.tasks as unknown[];
  if (json.v === 1) upgradeEntries(raws, path);
  const out: QueueEntry[] = [];
  for (const [i, raw] of raws.entries()) {
    const e = isObject(raw) ? unpackEntry(raw, json.agent as string) : undefined;
    if (!e || !validEntry(e, chunk)) {
      throw new StoreCorruptError(`${path} does not validate (tasks.${i})`, "the file was kept as it is; run `taskpulse doctor`");
    }
    out.push(e as unknown as QueueEntry);
  }
  return out;
}

/** Version 1 entries (a running task whole, in `task`) as version 2 ones (its LiveFields, in `live`), in place. */
function upgradeEntries(raws: unknown[], path: string): void {
  const running = Object.fromEntries(raws.flatMap((e) => (isObject(e) && isObject(e.task) ? [[e.id, e.task]] : [])));
  if (Object.keys(running).length === 0) return;
  const parsed = parseStateFast({ schemaVersion: SCHEMA_VERSION, seq: 0, txn: null, counter: 0, tasks: running, agents: {}, jobs: {} });
  if (parsed === NOT_ACCEPTED) {
    throw new StoreCorruptError(`${path} does not validate (a running task does not match the schema; \`taskpulse doctor\` says which)`);
  }
  const tasks = (parsed as { tasks: Record<string, Task> }).tasks;
  for (const e of raws) {
    if (!isObject(e) || !isObject(e.task)) continue;
    const task = tasks[e.id as string];
    // as version 1 was checked: a running entry's own task, running
    if (!task || task.id !== e.id || task.status !== "running" || e.status !== "running") {
      throw new StoreCorruptError(
        `${path} does not validate (tasks: the task kept whole in entry ${String(e.id)} is not its running task)`,
      );
    }
    e.live = liveOf(task);
    delete e.task;
  }
}

/**
 * Writes a part under a name no other file has had (its commit's txn), and fsyncs it. Created exclusively: a
 * name that exists already is not overwritten (a fenced writer's attempt cannot replace a landed part).
 */
export function writePart(dir: string, sub: string, file: string, content: unknown): void {
  const fd = openSync(join(subdirForWriting(dir, sub), file), "wx", 0o600);
  try {
    const buf = Buffer.from(JSON.stringify(content), "utf8");
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function syncPartDirs(dir: string, subs: Iterable<string>): void {
  for (const sub of subs) fsyncDir(join(dir, sub));
}

/**
 * Marks a part this commit replaces with the time it stops being current (its mtime), from which collect() counts
 * its grace period: a part written long ago and replaced just now must stay for readers of the head naming it.
 * Done before the new head is renamed in; should the commit be fenced out, the part stays named and is kept.
 */
export function retire(dir: string, sub: string, file: string): void {
  try {
    const now = new Date();
    utimesSync(join(dir, sub, file), now, now);
  } catch {
    // missing (a damaged store): nothing to keep
  }
}

/**
 * How long a part no head names is kept for readers of an older head (they read without the lock, and a whole read
 * of 100 000 tasks takes a second or two), and for a rotation building its checkpoint from one. Not longer: under
 * a stream of commits the replaced parts add up (a heartbeat replaces a bucket and a chunk, ~25 KB at 10 000 tasks:
 * ~25 MB at 35 commits a second).
 */
export const PART_GRACE_MS = 30_000;

/**
 * Deletes parts (and leftovers of attempts that never landed) that `live` does not name and that are older than
 * PART_GRACE_MS. Run by a committing writer, under the lock, now and then.
 */
export function collect(dir: string, live: { parts: Iterable<string>; queues: Iterable<string> }, nowMs: number): number {
  let removed = 0;
  for (const [sub, names] of [
    [TASKS_DIR, new Set(live.parts)],
    [QUEUES_DIR, new Set(live.queues)],
  ] as const) {
    let files: string[];
    try {
      files = readdirSync(join(dir, sub));
    } catch {
      continue;
    }
    for (const file of files) {
      if (names.has(file) || !file.endsWith(".json")) continue;
      const path = join(dir, sub, file);
      try {
        const st = lstatSync(path);
        if (!st.isFile() || nowMs - st.mtimeMs < PART_GRACE_MS) continue;
        unlinkSync(path);
        removed++;
      } catch {
        // gone already, or not ours to judge
      }
    }
  }
  return removed;
}
