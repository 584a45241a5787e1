// Reading and validating the hot state file. A file that does not parse or validate is never overwritten: the
// caller gets StoreCorruptError (exit 6) and the file stays byte for byte where it is for `taskpulse doctor`.
// Every read is validated against stateFileSchema (state-schema.ts): first by the zod-free parser generated from it,
// which accepts what taskpulse writes at a fraction of the cost; whatever it does not accept goes through the zod
// schema itself (loaded only then), which has the last word and the error message.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { StoreCorruptError } from "../core/errors.ts";
import { SCHEMA_VERSION } from "../core/model-constants.ts";
import { NOT_ACCEPTED, parseStateFast } from "./state-check.gen.ts";
import type { StateFile } from "./state-schema.ts";

export type { StateFile } from "./state-schema.ts";

export function emptyState(): StateFile {
  return { schemaVersion: SCHEMA_VERSION, seq: 0, txn: null, counter: 0, tasks: {}, agents: {}, jobs: {} };
}

export interface LoadedState {
  state: StateFile;
  /** Identity of the file read ("" when there was none): the commit fence compares it before renaming. */
  fingerprint: string;
}

export const STATE_FILE = "state.json";
export const JOURNAL_FILE = "journal.jsonl";

export async function loadState(dir: string): Promise<LoadedState> {
  const path = join(dir, STATE_FILE);
  let raw: string;
  let fingerprint: string;
  try {
    raw = readFileSync(path, "utf8");
    fingerprint = fileFingerprint(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { state: missingState(dir), fingerprint: "" };
    if (code === "EISDIR") throw new StoreCorruptError(`${path} is a directory, not a state file`);
    if (code === "EACCES") throw new StoreCorruptError(`cannot read ${path}: permission denied`, "check the store's owner and permissions");
    throw err;
  }
  return { state: await parseState(raw, path), fingerprint };
}

/**
 * Inode, change time (ns) and size of a file. Inode numbers alone are reused at once on this kind of file system
 * (a renamed-in file often gets the number just freed); a file renamed in later also has a later ctime.
 */
export function fileFingerprint(path: string): string {
  const st = statSync(path, { bigint: true });
  return `${st.ino}:${st.ctimeNs}:${st.size}`;
}

function missingState(dir: string): StateFile {
  // A store whose journal has entries but whose state file is gone lost its state: refuse rather than start empty.
  try {
    if (statSync(join(dir, JOURNAL_FILE)).size > 0) {
      throw new StoreCorruptError(
        `${join(dir, STATE_FILE)} is missing but the journal has entries`,
        "run `taskpulse doctor --repair` to rebuild it from the journal",
      );
    }
  } catch (err) {
    if (err instanceof StoreCorruptError) throw err;
  }
  return emptyState();
}

export async function parseState(raw: string, path: string): Promise<StateFile> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new StoreCorruptError(`${path} is not valid JSON`, "the file was kept as it is; run `taskpulse doctor`", { cause: err });
  }
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === "number" && version > SCHEMA_VERSION) {
    throw new StoreCorruptError(
      `${path} has schemaVersion ${version}, newer than this taskpulse understands (${SCHEMA_VERSION})`,
      "upgrade taskpulse; the file was not changed",
    );
  }
  const fast = parseStateFast(json);
  if (fast !== NOT_ACCEPTED) return fast as StateFile;
  const { stateFileSchema } = await import("./state-schema.ts");
  const parsed = stateFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid";
    throw new StoreCorruptError(`${path} does not validate (${where})`, "the file was kept as it is; run `taskpulse doctor`");
  }
  return parsed.data as StateFile;
}
