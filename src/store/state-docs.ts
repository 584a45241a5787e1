// Guarantee: a state document (`state/<name>.json` under the store) is only changed read-modify-write under its own
// lock (`state/<name>.json.lock`, the same lock code as the store), on content read after the lock was taken, and
// replaced atomically (temp, fsync, rename, fsync dir): a reader sees the old or the new document, never a torn one,
// and no concurrent update is lost. The rename is fenced like the store's commit: if the lock was taken over or
// the file replaced meanwhile, the update runs again on fresh content. Reads take no lock and create nothing.
// File format 1: {"schemaVersion":1,"name":…,"rev":N,"updatedAt":ISO,"value":<any JSON>}; a plain JSON file
// (e.g. copied from Cron State Manager's state/*.json) is read as the value of revision 0 and upgraded on write.

import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { StoreBusyError, StoreCorruptError } from "../core/errors.ts";
import { validateSlug } from "../core/names.ts";
import { readStoreFile, writeFileDurably } from "./atomic-file.ts";
import { DOC_VERSION, docText, UNCHANGED } from "./doc-format.ts";
import { acquireLock } from "./lock.ts";
import { fileFingerprint } from "./state-file.ts";
import { subdirForReading, subdirForWriting } from "./store-dirs.ts";
import { type Claim, ClaimedError, claimSuccession, dropClaim } from "./succession.ts";

export const DOCS_DIR = "state";
export { DOC_VERSION } from "./doc-format.ts";

export interface StateDoc {
  name: string;
  rev: number;
  updatedAt: string | null;
  value: unknown;
}

export interface DocSummary {
  name: string;
  bytes: number;
  rev: number;
  updatedAt: string | null;
}

function docPath(storeDir: string, name: string): string {
  return join(storeDir, DOCS_DIR, `${validateSlug(name, "state name")}.json`);
}

/** The document, or undefined when there is none. A file that is not JSON is an error (exit 6), never replaced. */
export function readDoc(storeDir: string, name: string): StateDoc | undefined {
  const path = docPath(storeDir, name);
  if (subdirForReading(storeDir, DOCS_DIR) === undefined) return undefined;
  const raw = readStoreFile(path, "a state document", { follow: false });
  if (raw === undefined) return undefined;
  return parseDoc(raw, name, path);
}

function parseDoc(raw: string, name: string, path: string): StateDoc {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new StoreCorruptError(
      `${path} is not valid JSON`,
      `the file was kept as it is; fix it by hand, or replace it with \`taskpulse state set ${name} <json>\``,
      { cause: err },
    );
  }
  if (isEnvelope(json)) {
    if (json.schemaVersion > DOC_VERSION) {
      throw new StoreCorruptError(
        `${path} has schemaVersion ${json.schemaVersion}, newer than this taskpulse understands`,
        "upgrade taskpulse",
      );
    }
    return { name, rev: json.rev, updatedAt: typeof json.updatedAt === "string" ? json.updatedAt : null, value: json.value };
  }
  return { name, rev: 0, updatedAt: null, value: json };
}

/** The format version a document's JSON declares; undefined for a plain JSON value (read as revision 0). */
export function docVersion(json: unknown): number | undefined {
  return isEnvelope(json) ? json.schemaVersion : undefined;
}

interface Envelope {
  schemaVersion: number;
  rev: number;
  updatedAt?: unknown;
  value: unknown;
}

function isEnvelope(json: unknown): json is Envelope {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return false;
  const o = json as Record<string, unknown>;
  return typeof o.schemaVersion === "number" && Number.isInteger(o.rev) && "value" in o;
}

export interface DocLockOptions {
  waitMs: number;
  owner: string;
  /** Recorded as the document's updatedAt. */
  now: Date;
  /** For an import: the revision and time to record instead of the next revision and `now`. */
  exact?: { rev: number; updatedAt: string | null };
}

class FencedError extends Error {}

/** How many times a fenced write is run again on fresh content before giving up (exit 5). */
const FENCED_ATTEMPTS = 5;

/**
 * Locks the document, reads it, and writes what `fn` returns as the next revision. `fn` may run more than once (a
 * fenced write is retried on fresh content), so it must only compute.
 */
export async function updateDoc(
  storeDir: string,
  name: string,
  fn: (current: StateDoc | undefined) => unknown,
  options: DocLockOptions,
): Promise<{ doc: StateDoc; changed: boolean }> {
  const path = docPath(storeDir, name);
  const dir = subdirForWriting(storeDir, DOCS_DIR);
  for (let attempt = 1; ; attempt++) {
    const held = await acquireLock(dir, { waitMs: options.waitMs, owner: options.owner, name });
    try {
      const ino = inode(path);
      const current = readDoc(storeDir, name);
      const value = fn(current);
      if (value === UNCHANGED) {
        if (!current) throw new Error("an update of a missing document must produce a value");
        return { doc: current, changed: false };
      }
      const doc: StateDoc = options.exact
        ? { name, ...options.exact, value }
        : { name, rev: (current?.rev ?? 0) + 1, updatedAt: options.now.toISOString(), value };
      const text = docText(doc);
      let claim: Claim | undefined;
      try {
        writeFileDurably(path, text, () => {
          // As the store's commit (succession.ts): the claim on the revision read first, then the checks, which
          // then hold until the rename. The revision is compared too: an inode can come back, a revision cannot.
          try {
            claim = claimSuccession(path, current ? String(current.rev) : "");
          } catch (err) {
            if (err instanceof ClaimedError) throw new FencedError(err.message);
            throw err;
          }
          if (held.compromised || inode(path) !== ino || readDoc(storeDir, name)?.rev !== current?.rev) throw new FencedError("fenced");
        });
      } finally {
        dropClaim(claim);
      }
      return { doc, changed: true };
    } catch (err) {
      if (err instanceof FencedError) {
        if (attempt < FENCED_ATTEMPTS) continue;
        // Not a bug and not damage: the file kept being replaced or the lock taken over (something writes the
        // document without its lock, or an overloaded machine). Nothing was written: safe to retry.
        throw new StoreBusyError(
          `state document '${name}' changed under its lock during each of ${FENCED_ATTEMPTS} write attempts; nothing was changed`,
          "something else writes the file without taskpulse's lock (a script, a sync tool?); safe to retry",
        );
      }
      throw err;
    } finally {
      await held.release();
    }
  }
}

export function listDocs(storeDir: string): DocSummary[] {
  const dir = subdirForReading(storeDir, DOCS_DIR);
  if (dir === undefined) return [];
  const files = readdirSync(dir);
  const out: DocSummary[] = [];
  for (const file of files.sort()) {
    if (!file.endsWith(".json") || file.startsWith(".")) continue;
    const name = file.slice(0, -".json".length);
    try {
      const bytes = lstatSync(join(dir, file)).size;
      const doc = readDoc(storeDir, name);
      if (doc) out.push({ name, bytes, rev: doc.rev, updatedAt: doc.updatedAt });
    } catch {
      // an unreadable or invalid document is listed by `state get`, which explains it
    }
  }
  return out;
}

/** The file's identity for the commit fence (see fileFingerprint), "" when it does not exist. */
function inode(path: string): string {
  try {
    return fileFingerprint(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw err;
  }
}
