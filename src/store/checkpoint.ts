// The checkpoint is the last good copy of the state, written durably at each journal rotation: the committed state
// at txn `txn` plus the audit trails of the tasks that were hot then. The journal that follows chains from `txn`.
// It is validated like every file read: a checkpoint that does not parse or validate is StoreCorruptError (exit 6)
// and stays where it is for `taskpulse doctor`; one of a newer version is refused, never rewritten.
import { join } from "node:path";
import { z } from "zod";
import { StoreCorruptError } from "../core/errors.ts";
import { auditEntrySchema } from "../core/model.ts";
import { readIfExists } from "./atomic-file.ts";
import { CHECKPOINT_FILE, validateStateWith } from "./state-file.ts";
import { stateFileSchema } from "./state-schema.ts";

export { CHECKPOINT_FILE } from "./state-file.ts";
export const CHECKPOINT_VERSION = 1;

const checkpointSchema = z.object({
  v: z.literal(CHECKPOINT_VERSION),
  seq: z.number().int().nonnegative(),
  txn: z.string().nullable(),
  state: z.unknown(),
  audit: z.record(z.string(), z.array(auditEntrySchema)),
});

export type Checkpoint = Omit<z.infer<typeof checkpointSchema>, "state"> & { state: ReturnType<typeof validateStateWith> };

/** The checkpoint, or undefined when there is none (no rotation yet). */
export function readCheckpoint(dir: string): Checkpoint | undefined {
  const path = join(dir, CHECKPOINT_FILE);
  const raw = readIfExists(path, "a checkpoint");
  if (raw === undefined) return undefined;
  return parseCheckpoint(raw, path);
}

export function parseCheckpoint(raw: string, path: string): Checkpoint {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new StoreCorruptError(`${path} is not valid JSON`, "the file was kept as it is; run `taskpulse doctor`", { cause: err });
  }
  const version = (json as { v?: unknown } | null)?.v;
  if (typeof version === "number" && version > CHECKPOINT_VERSION) {
    throw new StoreCorruptError(
      `${path} has version ${version}, newer than this taskpulse understands (${CHECKPOINT_VERSION})`,
      "upgrade taskpulse; the file was not changed",
    );
  }
  const parsed = checkpointSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid";
    throw new StoreCorruptError(`${path} does not validate (${where})`, "the file was kept as it is; run `taskpulse doctor`");
  }
  return { ...parsed.data, state: validateStateWith(parsed.data.state, `${path} (state)`, stateFileSchema) };
}
