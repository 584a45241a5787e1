// Reading and validating the hot state file. A file that does not parse or validate is never overwritten: the
// caller gets StoreCorruptError (exit 6) and the file stays byte for byte where it is for `taskpulse doctor`.
// Every read is validated against stateFileSchema (state-schema.ts): first by the zod-free parser generated from it,
// which accepts what taskpulse writes at a fraction of the cost; whatever it does not accept goes through the zod
// schema itself (loaded only then), which has the last word and the error message.
// A file of an older schemaVersion is upgraded in memory on read (migrate) and written in the current version by the
// next commit; a file of a newer one is refused (exit 6) and never rewritten.
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { StoreCorruptError } from "../core/errors.ts";
import type { Task } from "../core/model.ts";
import { SCHEMA_VERSION } from "../core/model-constants.ts";
import { kindOf } from "./atomic-file.ts";
import { hintMatches, readHints } from "./claim-hints.ts";
import { type Head, HotState } from "./hot-state.ts";
import { bucketOf, checkPartNames, chunkOf, entryOf, QUEUES_DIR, queueEntries, readPart, sameEntry, TASKS_DIR } from "./parts.ts";
import { NOT_ACCEPTED, parseStateFast } from "./state-check.gen.ts";
import type { StateFile } from "./state-schema.ts";

export type { StateFile } from "./state-schema.ts";

export function emptyState(): StateFile {
  return { schemaVersion: SCHEMA_VERSION, seq: 0, txn: null, counter: 0, tasks: {}, agents: {}, jobs: {} };
}

export interface LoadedState {
  state: HotState;
  /** Identity of the file read ("" when there was none): the commit fence compares it before renaming. */
  fingerprint: string;
}

export const STATE_FILE = "state.json";
export const JOURNAL_FILE = "journal.jsonl";
export const PREVIOUS_JOURNAL_FILE = "journal.prev.jsonl";
/** Written at each journal rotation; its presence means the store has history even when journal.jsonl is absent. */
export const CHECKPOINT_FILE = "checkpoint.json";

/** The whole hot state, every part read (for checkpoints, exports, doctor). */
export async function loadState(dir: string, options: { lockFree?: boolean } = {}): Promise<{ state: StateFile; fingerprint: string }> {
  const { state, fingerprint } = await openState(dir, options);
  return { state: state.toStateFile(), fingerprint };
}

/** The hot state with its head read and validated; its parts are read as they are asked for (hot-state.ts). */
export async function openState(dir: string, options: { lockFree?: boolean; reuse?: HotState | undefined } = {}): Promise<LoadedState> {
  const path = join(dir, STATE_FILE);
  let raw: string;
  let fingerprint: string;
  try {
    // Content and identity from one open file: the fence compares this identity, so it must be the file read.
    // Non-blocking, and regular files only: a FIFO or a device (/dev/zero) in its place would hang every command.
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const st = fstatSync(fd, { bigint: true });
      if (!st.isFile()) {
        throw new StoreCorruptError(
          `${path} is ${kindOf(st)}, not a state file: taskpulse reads and writes regular files only`,
          "run `taskpulse doctor`: it reports the file without reading it; nothing was changed",
        );
      }
      fingerprint = fingerprintOf(st);
      raw = readFileSync(fd, "utf8");
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { state: wholeState(dir, missingState(dir)), fingerprint: "" };
    if (code === "EACCES") throw new StoreCorruptError(`cannot read ${path}: permission denied`, "check the store's owner and permissions");
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new StoreCorruptError(`${path} is not valid JSON`, "the file was kept as it is; run `taskpulse doctor`", { cause: err });
  }
  if (isHead(json)) {
    const { parts, queues, claims, ...rest } = json;
    const head = await validateState({ ...rest, tasks: {} }, path);
    const named = { ...checkPartNames(json, path), claims: readHints(claims, path) };
    return { state: new HotState(dir, { ...head, ...named }, undefined, options.lockFree, options.reuse), fingerprint };
  }
  return { state: wholeState(dir, await validateState(json, path)), fingerprint };
}

/** A state file in the parted form (schemaVersion 2 and later): a head naming its parts, no tasks inline. */
function isHead(json: unknown): json is Record<string, unknown> {
  return json !== null && typeof json === "object" && !Array.isArray(json) && "parts" in json && !("tasks" in json);
}

function wholeState(dir: string, state: StateFile): HotState {
  const head: Head = { ...state, parts: new Map(), queues: new Map(), claims: new Map() };
  return new HotState(dir, head, state.tasks as Record<string, Task>);
}

/**
 * Inode, change time (ns) and size of a file. Inode numbers alone are reused at once on this kind of file system
 * (a renamed-in file often gets the number just freed); a file renamed in later also has a later ctime.
 */
export function fileFingerprint(path: string): string {
  return fingerprintOf(statSync(path, { bigint: true }));
}

function fingerprintOf(st: { ino: bigint; ctimeNs: bigint; size: bigint }): string {
  return `${st.ino}:${st.ctimeNs}:${st.size}`;
}

/**
 * The seq and txn of the state file on disk now (undefined when there is none), for the commit fence. Inode numbers
 * alone cannot tell whether the file was replaced: file systems hand a freed inode number to the next file (ext4
 * alternates between two for a file renamed over and over), so a replaced state can carry the inode that was read.
 * The txn cannot repeat. Reads only the head of the file where taskpulse wrote it (`{"schemaVersion":…,"seq":…,
 * "txn":…`), else parses the whole file; a file that does not parse gives null, which never matches.
 */
export function readHead(dir: string): { seq: number; txn: string | null } | null | undefined {
  const path = join(dir, STATE_FILE);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    if (!fstatSync(fd).isFile()) return null;
    const buf = Buffer.alloc(256);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const m = /^\{"schemaVersion":\d+,"seq":(\d+),"txn":(null|"([^"\\]*)")/.exec(buf.toString("utf8", 0, n));
    if (m) return { seq: Number(m[1]), txn: m[3] ?? null };
    const json = JSON.parse(readFileSync(fd, "utf8")) as { seq?: unknown; txn?: unknown };
    return typeof json.seq === "number" && (typeof json.txn === "string" || json.txn === null) ? { seq: json.seq, txn: json.txn } : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

function missingState(dir: string): StateFile {
  // A store with history (journal entries, or a checkpoint and older journal left by a rotation) whose state file is
  // gone lost its state: refuse rather than start empty (which would also restart the id counter).
  for (const file of [JOURNAL_FILE, CHECKPOINT_FILE, PREVIOUS_JOURNAL_FILE]) {
    if (sizeOf(join(dir, file)) > 0) {
      throw new StoreCorruptError(
        `${join(dir, STATE_FILE)} is missing but the store has history (${file})`,
        "run `taskpulse doctor --repair` to rebuild it from the last good copy and the journal",
      );
    }
  }
  return emptyState();
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export async function parseState(raw: string, path: string): Promise<StateFile> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new StoreCorruptError(`${path} is not valid JSON`, "the file was kept as it is; run `taskpulse doctor`", { cause: err });
  }
  return await validateState(json, path);
}

/** One upgrade step per released schemaVersion, keyed by the version it upgrades from (n -> n + 1). */
export type Migration = (json: Record<string, unknown>) => Record<string, unknown>;

/**
 * 1 → 2: the same state; what changed is that state.json may hold a head whose tasks are in parts (parts.ts), which
 * a taskpulse that knows only 1 must refuse rather than read as a store without tasks.
 */
export const MIGRATIONS: Readonly<Record<number, Migration>> = { 1: (v1) => ({ ...v1, schemaVersion: 2 }) };

/**
 * Brings a parsed state file up to `target` by running the steps from its version on. Throws StoreCorruptError for a
 * version newer than `target` (never rewritten) or one no step knows. Anything that is not a versioned object is
 * returned as it is, for the schema to reject.
 */
export function migrate(
  json: unknown,
  path = STATE_FILE,
  steps: Readonly<Record<number, Migration>> = MIGRATIONS,
  target: number = SCHEMA_VERSION,
): unknown {
  if (json === null || typeof json !== "object" || Array.isArray(json)) return json;
  let doc = json as Record<string, unknown>;
  let version = doc.schemaVersion;
  if (typeof version !== "number" || !Number.isInteger(version)) return doc;
  if (version > target) {
    throw new StoreCorruptError(
      `${path} has schemaVersion ${version}, newer than this taskpulse understands (${target})`,
      "upgrade taskpulse; the file was not changed",
    );
  }
  while (version < target) {
    const step = steps[version];
    if (!step) throw new StoreCorruptError(`${path} has schemaVersion ${version}, which this taskpulse cannot upgrade`);
    doc = step(doc);
    version += 1;
    if (doc.schemaVersion !== version) throw new Error(`the migration to schemaVersion ${version} did not set it`);
  }
  return doc;
}

/** Migrates and validates a parsed state document (state.json, or the state inside checkpoint.json). */
export async function validateState(input: unknown, path: string): Promise<StateFile> {
  const json = migrate(input, path);
  const fast = parseStateFast(json);
  if (fast !== NOT_ACCEPTED) return fast as StateFile;
  const { stateFileSchema } = await import("./state-schema.ts");
  return checkWithSchema(json, path, stateFileSchema);
}

type StateSchema = typeof import("./state-schema.ts").stateFileSchema;

/** The synchronous form, for callers that already loaded the zod schema (doctor, checkpoint reading). */
export function validateStateWith(input: unknown, path: string, schema: StateSchema): StateFile {
  const json = migrate(input, path);
  const fast = parseStateFast(json);
  if (fast !== NOT_ACCEPTED) return fast as StateFile;
  return checkWithSchema(json, path, schema);
}

/**
 * A state file's whole state, validated by the zod schema when the generated parser does not accept it (for doctor).
 * A head's parts are read from `dir` and checked: every task in its bucket, and the queue parts exactly what the
 * tasks say (a queue part that does not match would hand out the wrong task).
 */
export function parseStateWith(raw: string, path: string, schema: StateSchema, dir?: string): StateFile {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new StoreCorruptError(`${path} is not valid JSON`, "the file was kept as it is; run `taskpulse doctor`", { cause: err });
  }
  if (!isHead(json)) return validateStateWith(json, path, schema);
  if (dir === undefined) throw new Error("parseStateWith needs the store directory to read a parted state");
  const { parts, queues, claims, ...rest } = json;
  const head = validateStateWith({ ...rest, tasks: {} }, path, schema);
  const hints = readHints(claims, path);
  const names = checkPartNames(json, path);
  const tasks: Record<string, Task> = {};
  for (const [bucket, file] of names.parts) {
    const where = `${TASKS_DIR}/${file}`;
    const part = validateStateWith({ ...head, tasks: readPart(dir, TASKS_DIR, file).tasks }, where, schema);
    for (const [id, task] of Object.entries(part.tasks as Record<string, Task>)) {
      if (bucketOf(id) !== bucket || task.id !== id)
        throw new StoreCorruptError(`${where} does not validate (tasks.${id}: not in this bucket)`);
      tasks[id] = task;
    }
  }
  const expected = new Map<string, Map<string, string>>();
  for (const task of Object.values(tasks)) {
    const chunk = chunkOf(task.agent, task.id);
    const byId = expected.get(chunk) ?? new Map<string, string>();
    byId.set(task.id, JSON.stringify(entryOf(task)));
    expected.set(chunk, byId);
  }
  for (const chunk of new Set([...names.queues.keys(), ...expected.keys()])) {
    const file = names.queues.get(chunk);
    const want = expected.get(chunk) ?? new Map<string, string>();
    const where = `${QUEUES_DIR}/${file ?? `${chunk.replace("/", ".")}.*.json`}`;
    const have = file === undefined ? [] : queueEntries(readPart(dir, QUEUES_DIR, file), chunk, where);
    const differs = have.length !== want.size || have.some((e) => !sameEntry(JSON.parse(want.get(e.id) ?? "null"), e));
    if (differs) throw new StoreCorruptError(`${where} does not match the tasks of agent ${chunk.split("/")[0]}`);
  }
  // The head of each agent's queue that the head keeps must be what its tasks say (it decides which task is taken).
  for (const [agent, hint] of hints) {
    const entries = Object.values(tasks).flatMap((t) => (t.agent === agent ? [entryOf(t)] : []));
    if (!hintMatches(hint, entries))
      throw new StoreCorruptError(`${path} does not validate (claims.${agent}: not the head of the agent's queue)`);
  }
  return { ...head, tasks } as StateFile;
}

function checkWithSchema(json: unknown, path: string, schema: StateSchema): StateFile {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid";
    throw new StoreCorruptError(`${path} does not validate (${where})`, "the file was kept as it is; run `taskpulse doctor`");
  }
  return parsed.data as StateFile;
}
