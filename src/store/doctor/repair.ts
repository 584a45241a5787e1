// Repairing a store, under the store lock: see src/store/doctor.ts for what it may and may not do.
import { closeSync, constants, existsSync, fchmodSync, lstatSync, openSync, renameSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { fsyncDir, readStoreFile, writeFileDurably } from "../atomic-file.ts";
import { CHECKPOINT_FILE, type Checkpoint, parseCheckpoint } from "../checkpoint.ts";
import { committedRecords } from "../journal.ts";
import { acquireLock, removeAside } from "../lock.ts";
import { DOCS_DIR } from "../state-docs.ts";
import { JOURNAL_FILE, PREVIOUS_JOURNAL_FILE, parseStateWith, STATE_FILE, type StateFile } from "../state-file.ts";
import { stateFileSchema } from "../state-schema.ts";
import { analyse } from "./examine.ts";
import type { RepairOptions, RepairResult } from "./findings.ts";
import { docProblem } from "./jobs-docs.ts";
import { journalLine, parseRecords, readLinesFile } from "./lines.ts";

/**
 * Examines, then (unless a file of a newer version forbids it) fixes under the store lock what can be fixed, and
 * examines again. See the file comment for what it may and may not do.
 */
export async function repair(dir: string, options: RepairOptions, clock: () => number = Date.now): Promise<RepairResult> {
  const first = analyse(dir, clock);
  const actions: string[] = [];
  if (!first.report.exists || first.blocked || first.report.healthy) {
    if (first.blocked) actions.push("nothing changed: the store has a file of a newer version, or one doctor cannot handle");
    return { before: first.report, actions, after: first.report };
  }
  const stamp = new Date(clock()).toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  const aside = (rel: string, why: string) => {
    const to = freeName(dir, `${rel}.damaged-${stamp}`);
    renameSync(join(dir, rel), join(dir, to));
    actions.push(`${why}: kept ${rel} aside as ${to}`);
  };
  // A link planted as the lock would make the lock fail; moving a link aside is safe without holding the lock.
  if (first.links.includes("state.lock")) aside("state.lock", "symbolic link");
  const owner = JSON.stringify({ pid: process.pid, ...options.owner, since: new Date(clock()).toISOString() });
  const held = await acquireLock(dir, { waitMs: options.lockWaitMs, owner });
  if (first.staleLock) actions.push("took over the stale store lock");
  try {
    // 1. Files: links, stale temporary files, unreadable lines, damaged state documents.
    let a = analyse(dir, clock);
    for (const rel of a.links) if (rel !== "state.lock") aside(rel, "symbolic link");
    for (const t of a.temps) {
      if (!t.stale) continue;
      const path = join(dir, t.file);
      try {
        if (lstatSync(path).isDirectory()) removeAside(path);
        else unlinkSync(path);
      } catch (err) {
        // Removed meanwhile: a state document's writer, which does not take the store lock, steps past a stale
        // claim on its document and removes it with its own.
        if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw err;
      }
      actions.push(`deleted the stale temporary file ${t.file}`);
    }
    for (const file of a.lineFiles) {
      const content = file.good.map((l) => `${l}\n`).join("");
      aside(file.name, `${file.badLines.length} unreadable line(s)`);
      writeFileDurably(join(dir, file.name), content);
      actions.push(`rewrote ${file.name} with its ${file.good.length} valid line(s)`);
    }
    // State documents: each under its own lock, as `state set` changes it.
    const docs = join(dir, DOCS_DIR);
    for (const name of a.staleDocLocks) {
      await (await acquireLock(docs, { waitMs: options.lockWaitMs, owner, name })).release();
      actions.push(`took over and released the stale lock of state document '${name}'`);
    }
    for (const name of a.corruptDocs) {
      const docLock = await acquireLock(docs, { waitMs: options.lockWaitMs, owner, name });
      try {
        const rel = join(DOCS_DIR, `${name}.json`);
        if (docProblem(dir, rel) === undefined) continue; // fixed or replaced meanwhile
        aside(rel, `damaged state document '${name}'`);
        actions.push(`\`taskpulse state get ${name}\` now reports no document; \`taskpulse state set ${name} <json>\` saves it again`);
      } finally {
        await docLock.release();
      }
    }
    // 2. The state, from what the files say now.
    a = analyse(dir, clock);
    if (a.blocked) {
      actions.push("stopped: a file of a newer version, or one doctor cannot handle");
    } else {
      let current: StateFile | undefined;
      if (a.rebuild && (a.rebuild.lossless || options.force)) {
        if (existsSync(join(dir, STATE_FILE))) aside(STATE_FILE, "state file replaced");
        writeFileDurably(join(dir, STATE_FILE), JSON.stringify(a.rebuild.state));
        current = a.rebuild.state;
        actions.push(`rebuilt ${STATE_FILE} from ${a.rebuild.from}: ${Object.keys(a.rebuild.state.tasks).length} hot task(s)`);
      } else if (a.rebuild) {
        actions.push(`did not rebuild ${STATE_FILE}: it cannot be done without loss (use --force to rebuild what the journal holds)`);
      } else if (a.counterFloor !== undefined) {
        const state = parseStateWith(
          readStoreFile(join(dir, STATE_FILE), "a state file", { follow: false }) ?? "",
          STATE_FILE,
          stateFileSchema,
          dir,
        );
        current = { ...state, counter: a.counterFloor };
        writeFileDurably(join(dir, STATE_FILE), JSON.stringify(current));
        actions.push(`raised the id counter to ${a.counterFloor} (ids already in the archive)`);
      }
      if (a.reanchor) {
        current ??= readGoodState(dir);
        if (current) {
          const checkpoint = anchor(dir, current);
          if (existsSync(join(dir, CHECKPOINT_FILE)))
            aside(CHECKPOINT_FILE, a.checkpointBad ? "damaged checkpoint" : "checkpoint replaced");
          writeFileDurably(join(dir, CHECKPOINT_FILE), JSON.stringify(checkpoint));
          // As a rotation does: the journal starts afresh after the checkpoint (nothing is deleted: the older
          // segment is kept aside instead of being dropped).
          if (existsSync(join(dir, JOURNAL_FILE))) {
            if (existsSync(join(dir, PREVIOUS_JOURNAL_FILE))) aside(PREVIOUS_JOURNAL_FILE, "journal rotated by the repair");
            renameSync(join(dir, JOURNAL_FILE), join(dir, PREVIOUS_JOURNAL_FILE));
          }
          actions.push(`wrote a new ${CHECKPOINT_FILE} from the state at seq ${current.seq}; the journal starts again from it`);
        }
      }
    }
    // 3. Permissions, last (files written above are 0600 already).
    a = analyse(dir, clock);
    for (const rel of a.perms) {
      const mode = fixMode(dir, rel);
      actions.push(`set the permissions of ${rel || "the store directory"} to ${mode}`);
    }
    fsyncDir(dir);
  } finally {
    await held.release();
  }
  return { before: first.report, actions, after: analyse(dir, clock).report };
}

function readGoodState(dir: string): StateFile | undefined {
  try {
    return parseStateWith(readStoreFile(join(dir, STATE_FILE), "a state file", { follow: false }) ?? "", STATE_FILE, stateFileSchema, dir);
  } catch {
    return undefined;
  }
}

/** A checkpoint of `state`, with the audit trails of its hot tasks as far as the old checkpoint and journal hold them. */
function anchor(dir: string, state: StateFile): Checkpoint {
  let old: Checkpoint | undefined;
  try {
    old = parseCheckpoint(readStoreFile(join(dir, CHECKPOINT_FILE), "a checkpoint", { follow: false }) ?? "", CHECKPOINT_FILE);
  } catch {
    old = undefined;
  }
  const aborted = new Set<string>();
  const records = [PREVIOUS_JOURNAL_FILE, JOURNAL_FILE].flatMap((name) => parseRecords(readLinesFile(dir, name, journalLine), aborted));
  const audit: Checkpoint["audit"] = {};
  for (const id of Object.keys(state.tasks)) audit[id] = [...(old?.audit[id] ?? [])];
  for (const r of committedRecords(records, aborted, state.txn, old?.txn ?? null)) {
    for (const entry of r.audit) audit[entry.task]?.push(entry);
  }
  return { v: 1, seq: state.seq, txn: state.txn, state, audit };
}

function freeName(dir: string, name: string): string {
  let candidate = name;
  for (let i = 2; existsSync(join(dir, candidate)); i++) candidate = `${name}-${i}`;
  return candidate;
}

/** chmod without following a link: open the path itself (O_NOFOLLOW) and fchmod the descriptor. */
function fixMode(dir: string, rel: string): string {
  const path = rel === "" ? dir : join(dir, rel);
  const isDir = lstatSync(path).isDirectory();
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | (isDir ? constants.O_DIRECTORY : 0));
  try {
    fchmodSync(fd, isDir ? 0o700 : 0o600);
  } finally {
    closeSync(fd);
  }
  return isDir ? "0700" : "0600";
}
