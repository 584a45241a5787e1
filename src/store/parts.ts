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
import type { Task } from "../core/model.ts";
import type { QueueTask } from "../core/queue.ts";
import { fsyncDir, readStoreFile } from "./atomic-file.ts";
import { readHead } from "./state-file.ts";
import { subdirForWriting } from "./store-dirs.ts";

export const TASKS_DIR = "tasks";
export const QUEUES_DIR = "queues";
export const PART_VERSION = 1;

/** What a queue part keeps of a task: enough to choose the next task to claim and to resolve an id prefix. */
export type QueueEntry = QueueTask;

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

export function entryOf(task: Task): QueueEntry {
  const entry: QueueEntry = {
    id: task.id,
    agent: task.agent,
    name: task.name,
    status: task.status,
    priority: task.priority,
    after: task.after,
    queuedAt: task.queuedAt,
  };
  if (task.seq !== undefined) entry.seq = task.seq;
  return entry;
}

export function sameEntry(a: QueueEntry | undefined, b: QueueEntry | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export const PART_NAME = /^[0-9a-f]{2}\.[0-9a-z]{1,40}\.json$/;
export const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\.[0-9a-f]\.[0-9a-z]{1,40}\.json$/;
const CHUNK_KEY = /^([A-Za-z0-9][A-Za-z0-9._-]{0,63})\/([0-9a-f])$/;

/** The part names of a head (`parts` and `queues`), checked: they become paths. Throws StoreCorruptError. */
export function checkPartNames(json: Record<string, unknown>, path: string): { parts: Map<string, string>; queues: Map<string, string> } {
  const read = (key: "parts" | "queues", pattern: RegExp, keyOk: (k: string, file: string) => boolean) => {
    const value = json[key];
    const out = new Map<string, string>();
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new StoreCorruptError(
        `${path} does not validate (${key}: not an object)`,
        "the file was kept as it is; run `taskpulse doctor`",
      );
    }
    for (const [k, file] of Object.entries(value)) {
      if (typeof file !== "string" || !pattern.test(file) || !keyOk(k, file)) {
        throw new StoreCorruptError(
          `${path} does not validate (${key}.${k}: not a part name)`,
          "the file was kept as it is; run `taskpulse doctor`",
        );
      }
      out.set(k, file);
    }
    return out;
  };
  return {
    parts: read("parts", PART_NAME, (k, file) => file.startsWith(`${k}.`) && /^[0-9a-f]{2}$/.test(k)),
    queues: read("queues", QUEUE_NAME, (k, file) => {
      const m = CHUNK_KEY.exec(k);
      return m !== null && file.startsWith(`${m[1]}.${m[2]}.`) && file.slice(k.length + 1, -5).indexOf(".") < 0;
    }),
  };
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
      // Parts are deleted a minute after no head names them: this reader read an older head that long ago.
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
  if (v !== PART_VERSION)
    throw new StoreCorruptError(`${path} does not validate (v)`, "the file was kept as it is; run `taskpulse doctor`");
  return json as Record<string, unknown>;
}

const STATUSES = new Set(["pending", "running", "done", "failed", "cancelled"]);

/** A queue chunk's entries (`chunk`: `<agent>/<h>`), checked field by field (they decide which task is claimed). */
export function queueEntries(json: Record<string, unknown>, chunk: string, path: string): QueueEntry[] {
  const list = json.tasks;
  const bad = (what: string) =>
    new StoreCorruptError(`${path} does not validate (${what})`, "the file was kept as it is; run `taskpulse doctor`");
  if (`${json.agent}/${json.chunk}` !== chunk || !Array.isArray(list)) throw bad("agent, chunk or tasks");
  for (const [i, e] of list.entries()) {
    const ok =
      e !== null &&
      typeof e === "object" &&
      typeof e.id === "string" &&
      chunkOf(e.agent, e.id) === chunk &&
      typeof e.name === "string" &&
      STATUSES.has(e.status) &&
      Number.isInteger(e.priority) &&
      Array.isArray(e.after) &&
      e.after.every((a: unknown) => typeof a === "string") &&
      typeof e.queuedAt === "string" &&
      (e.seq === undefined || Number.isInteger(e.seq));
    if (!ok) throw bad(`tasks.${i}`);
  }
  return list as QueueEntry[];
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

/** How long a part no head names is kept for readers of an older head (they read without the lock). */
export const PART_GRACE_MS = 60_000;

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
