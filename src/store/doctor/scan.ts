// The entries of the store directory and its subdirectories: links, temporary files, the lock, permissions, damaged
// copies and files taskpulse does not know.
import { lstatSync, readdirSync, type Stats } from "node:fs";
import { join } from "node:path";
import { isSlug } from "../../core/names.ts";
import { ARCHIVE_DIR } from "../archive.ts";
import { kindOf } from "../atomic-file.ts";
import { CHECKPOINT_FILE } from "../checkpoint.ts";
import { judge, type Liveness, STALE_MS, startedAt } from "../holder.ts";
import { JOBS_DIR, liveOutputOf } from "../job-runs.ts";
import { holderOf } from "../lock.ts";
import { PART_NAME, QUEUE_NAME, QUEUES_DIR, TASKS_DIR } from "../parts.ts";
import { DOCS_DIR } from "../state-docs.ts";
import { JOURNAL_FILE, PREVIOUS_JOURNAL_FILE, STATE_FILE } from "../state-file.ts";
import { claimIsStale, parseClaimName } from "../succession.ts";
import type { Analysis, Finding } from "./findings.ts";
import { MONTH_FILE } from "./lines.ts";

const KNOWN_FILES = new Set([
  STATE_FILE,
  JOURNAL_FILE,
  PREVIOUS_JOURNAL_FILE,
  CHECKPOINT_FILE,
  "lock-owner.json",
  "state.lock",
  ARCHIVE_DIR,
  JOBS_DIR,
  DOCS_DIR,
  TASKS_DIR,
  QUEUES_DIR,
]);
const TEMP = /^\.(.+)\.tmp-(\d+)-[a-z0-9]+$/;
const DAMAGED = /\.damaged-\d{8}T\d{6}Z(-\d+)?$/;

/** The slug `name` is made of with `suffix` (`nightly` of `nightly.jsonl`), or undefined when it is not such a name. */
export function slugBefore(name: string, suffix: string): string | undefined {
  if (!name.endsWith(suffix)) return undefined;
  const stem = name.slice(0, -suffix.length);
  return isSlug(stem) ? stem : undefined;
}

/** The subdirectories of the store, and the names taskpulse writes in each (besides temporary files and locks). */
const SUBDIRS = {
  [ARCHIVE_DIR]: (name: string) => MONTH_FILE.test(name),
  [JOBS_DIR]: (name: string) => slugBefore(name, ".jsonl") !== undefined || liveOutputOf(name) !== undefined,
  [DOCS_DIR]: (name: string) => slugBefore(name, ".json") !== undefined || slugBefore(name, ".json.owner") !== undefined,
  [TASKS_DIR]: (name: string) => PART_NAME.test(name),
  [QUEUES_DIR]: (name: string) => QUEUE_NAME.test(name),
} as const;

export type Subdir = keyof typeof SUBDIRS;

/** The entries of each subdirectory; none for one that is missing, a link or a file (a link is reported by scanEntries). */
export function listSubdirs(dir: string): Record<Subdir, string[]> {
  const list = (sub: Subdir) => {
    try {
      if (!lstatSync(join(dir, sub)).isDirectory()) return [];
      return readdirSync(join(dir, sub));
    } catch {
      return [];
    }
  };
  return {
    [ARCHIVE_DIR]: list(ARCHIVE_DIR),
    [JOBS_DIR]: list(JOBS_DIR),
    [DOCS_DIR]: list(DOCS_DIR),
    [TASKS_DIR]: list(TASKS_DIR),
    [QUEUES_DIR]: list(QUEUES_DIR),
  };
}

/** What a repair's renaming a link aside leaves, by where the link was. */
const LINK_AFTERMATH: Record<string, string> = {
  [JOBS_DIR]: "the job's run history starts again with its next run",
  [DOCS_DIR]: "the document is then absent: `taskpulse state set` saves it again",
  [TASKS_DIR]: "rebuilds the state from the journal",
  [QUEUES_DIR]: "rebuilds the state from the journal",
};

/**
 * Links, temporary files, locks, permissions, damaged copies and unknown files, in the store and its subdirectories
 * (archive/, jobs/, state/).
 */
export function scanEntries(dir: string, entries: string[], subs: Record<Subdir, string[]>, a: Analysis, clock: () => number): void {
  const add = (f: Finding) => a.report.findings.push(f);
  const perms: string[] = [];
  const damaged: string[] = [];
  const unknown: string[] = [];
  checkMode(dir, "", true, perms);
  const visit = (rel: string, sub: Subdir | undefined) => {
    const name = rel.slice(rel.lastIndexOf("/") + 1);
    let st: Stats;
    try {
      st = lstatSync(join(dir, rel));
    } catch {
      return; // gone meanwhile
    }
    if (DAMAGED.test(name)) {
      damaged.push(rel); // a copy kept by a repair (possibly a link it moved aside): never touched again
      return;
    }
    if (st.isSymbolicLink()) {
      a.links.push(rel);
      add({
        code: "link",
        severity: "warning",
        file: rel,
        message: `${rel} is a symbolic link`,
        meaning: "taskpulse never writes through links in its store: a commit replaces it, or refuses to append through it (exit 6)",
        action: `run \`taskpulse doctor --repair\`: it renames the link aside (the file it points to is not touched) and ${LINK_AFTERMATH[sub ?? ""] ?? "rebuilds what it stood for"}`,
      });
      return;
    }
    if ((st.isFIFO() || st.isCharacterDevice() || st.isBlockDevice() || st.isSocket()) && rel !== STATE_FILE) {
      // (state.json is reported as state-corrupt, which a repair can fix: it keeps the file aside and rebuilds)
      a.blocked = true;
      add({
        code: "special-file",
        severity: "error",
        file: rel,
        message: `${rel} is ${kindOf(st)}, not a regular file`,
        meaning: "taskpulse reads and writes regular files only: commands that need it refuse it (exit 6) rather than block on it",
        action: "move it out of the store yourself (a repair does not touch a store that has one), then run `taskpulse doctor` again",
      });
      return;
    }
    const claim = sub === undefined || sub === DOCS_DIR ? parseClaimName(name) : undefined;
    if (claim && st.isFile()) {
      // A commit's claim on the state it read (succession.ts): its writer is committing, or was killed before it
      // removed the claim (before or after its rename); either way it holds no change of its own.
      const stale = claimIsStale(join(dir, rel));
      // Its writer removes it just before it exits: a claim seen while its writer lived may be judged after the
      // writer exited, and one gone by then is no finding.
      if (!stillThere(join(dir, rel), st)) return;
      a.temps.push({ file: rel, stale });
      add({
        code: "temp-file",
        severity: stale ? "warning" : "info",
        file: rel,
        message: `commit claim ${rel} on state ${claim.base} (${Math.round((clock() - st.mtimeMs) / 1000)} s old)`,
        meaning: stale
          ? "a writer was killed between claiming the next state and removing its claim; nothing is lost"
          : "a writer is committing right now",
        action: stale ? "run `taskpulse doctor --repair` to delete it" : "nothing",
      });
      return;
    }
    const temp = TEMP.exec(name);
    if (temp) {
      const pid = Number(temp[2]);
      const age = clock() - st.mtimeMs;
      // A writer that is alive may be paused mid-commit, however old its file: only a file whose writer is gone is
      // stale (its pid not running, or running a process that started after the file was written: pids are reused).
      const stale = !alive(pid) || (startedAt(pid) ?? 0) > st.mtimeMs + 2000;
      // Its writer renames it in (or removes it) just before it exits: a file seen while its writer lived may be
      // judged after the writer exited, and only one still there after the judgement was left behind.
      if (!stillThere(join(dir, rel), st)) return;
      a.temps.push({ file: rel, stale });
      const lockAside = st.isDirectory();
      add({
        code: "temp-file",
        severity: stale ? "warning" : "info",
        file: rel,
        message: `temporary ${lockAside ? "lock directory" : "file"} ${rel} (pid ${pid}, ${Math.round(age / 1000)} s old)`,
        meaning: lockAside
          ? stale
            ? "a lock a writer had renamed aside to take over a stale lock; the writer was killed before removing it, and nothing is lost"
            : "a writer is taking over a stale lock right now"
          : stale
            ? "a writer was killed before it could rename this file into place; its change never committed, so nothing is lost"
            : "a writer is committing right now",
        action: stale ? "run `taskpulse doctor --repair` to delete it" : "nothing",
      });
      return;
    }
    const docLock = sub === DOCS_DIR ? slugBefore(name, ".json.lock") : undefined;
    if ((sub === undefined && name === "state.lock") || docLock !== undefined) {
      const lock = join(dir, rel);
      const token = holderOf(lock);
      const holder = token === undefined ? undefined : judge(token);
      // Released meanwhile: its holder removed it (and exited) after the lstat above, or between the reading of its
      // token and the judgement.
      if (token === undefined ? !stillThere(lock, st) : holder?.alive === false && holderOf(lock) !== token) return;
      checkLock(a, rel, docLock, clock() - st.mtimeMs, holder);
      return;
    }
    if (sub === undefined ? !KNOWN_FILES.has(name) : !SUBDIRS[sub](name)) unknown.push(rel);
    if (st.isFile() || st.isDirectory()) checkMode(join(dir, rel), rel, st.isDirectory(), perms, st);
  };
  for (const name of entries) visit(name, undefined);
  for (const sub of Object.keys(SUBDIRS) as Subdir[]) for (const name of subs[sub]) visit(join(sub, name), sub);
  if (perms.length > 0) {
    a.perms.push(...perms);
    add({
      code: "permissions",
      severity: "warning",
      file: perms[0] || ".",
      message: `${perms.length} path(s) are readable or writable by others: ${perms
        .slice(0, 5)
        .map((p) => p || ".")
        .join(", ")}${perms.length > 5 ? ", …" : ""}`,
      meaning: "store files should be the owner's only (files 0600, directories 0700): tasks carry names, messages and chat targets",
      action: "run `taskpulse doctor --repair` to set them",
    });
  }
  if (damaged.length > 0) {
    add({
      code: "damaged-copy",
      severity: "info",
      message: `${damaged.length} damaged file(s) kept by an earlier repair: ${damaged.slice(0, 5).join(", ")}${damaged.length > 5 ? ", …" : ""}`,
      meaning: "copies of files a repair replaced, kept for you to inspect; taskpulse does not read them",
      action: "delete them when you no longer need them",
    });
  }
  if (unknown.length > 0) {
    add({
      code: "unknown-file",
      severity: "info",
      message: `${unknown.length} file(s) taskpulse does not know: ${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ", …" : ""}`,
      meaning: "not written by this version of taskpulse; left alone",
      action: "nothing, unless you did not expect them",
    });
  }
}

/**
 * The store lock (`docLock` undefined) or the lock of a state document, `age` ms after its holder last refreshed it:
 * free when its holder is gone, held while its holder lives (however old), judged by age where the holder cannot be.
 */
function checkLock(a: Analysis, rel: string, docLock: string | undefined, age: number, holder: Liveness | undefined): void {
  const what = docLock === undefined ? "the store lock" : `the lock of state document '${docLock}'`;
  if (holder?.alive) {
    a.report.findings.push({
      code: "lock-held",
      severity: "info",
      file: rel,
      message: `${what} is held by pid ${holder.pid}${holder.stopped ? ", which is stopped" : ""}`,
      meaning: holder.stopped
        ? "its holder is stopped (SIGSTOP, a debugger, a frozen container): writers wait for it; it keeps the lock, however old, because it may be in the middle of a commit"
        : "another taskpulse is writing right now",
      action: holder.stopped ? `\`kill -CONT ${holder.pid}\` lets it finish (or end it: its lock is then free at once)` : "nothing",
    });
    return;
  }
  if (holder?.alive === false || age > STALE_MS) {
    if (docLock === undefined) a.staleLock = true;
    else a.staleDocLocks.push(docLock);
    a.report.findings.push({
      code: "lock-stale",
      severity: "warning",
      file: rel,
      message: `${what} is ${Math.round(age / 1000)} s old`,
      meaning:
        holder?.alive === false
          ? "its holder is gone (killed); the next writer takes it over at once"
          : "its holder was killed, or lives where this host cannot see it (another PID namespace or host); the next writer takes it over automatically (after about 10 s)",
      action: "nothing is required; `taskpulse doctor --repair` removes it now",
    });
  } else {
    a.report.findings.push({
      code: "lock-held",
      severity: "info",
      file: rel,
      message: `${what} is held`,
      meaning: "another taskpulse is writing right now (or was killed less than 10 s ago)",
      action: "nothing",
    });
  }
}

function checkMode(path: string, rel: string, isDir: boolean, out: string[], st?: Stats): void {
  const mode = (st ?? lstatSync(path)).mode & 0o777;
  if (isDir ? mode !== 0o700 : mode !== 0o600) out.push(rel);
}

/** Whether `path` is still the entry `st` was (not removed, nor replaced by another). */
function stillThere(path: string, st: Stats): boolean {
  try {
    const now = lstatSync(path);
    return now.ino === st.ino && now.dev === st.dev;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
