// Guarantee: one holder at a time per store (or per named resource), across processes. A lock is a directory made
// with mkdir, which exactly one process can do, holding its holder's token. A lock is never taken from a holder that
// is alive on this host, however long it has been paused (holder.ts judges its token from /proc): a commit that
// passed its fence therefore lands before anyone else reads the state. A lock left by a process that is gone is
// taken over at once; so is one whose holder cannot be judged (another PID namespace or host, an older taskpulse)
// once it is older than STALE_MS, the one case that still rests on time (references/store-format.md, "Locks"). A
// holder refreshes its lock's mtime while it holds it, and removes its locks when the process ends (exit-hook.ts).
import {
  accessSync,
  closeSync,
  constants,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { StoreBusyError } from "../core/errors.ts";
import { onExit } from "./exit-hook.ts";
import { judge, type Liveness, newToken, STALE_MS } from "./holder.ts";

/**
 * Waits between attempts on a held lock, with jitter: a newcomer tries every MAX_RETRY_DELAY_MS, and the longer a
 * waiter has waited, the more often it tries, down to MIN_RETRY_DELAY_MS after AGING_MS. So the lock goes, roughly,
 * to whoever has waited longest. (Delays that grew with each attempt gave it to newcomers, which poll most often:
 * with 16 writers, some waited 4 to 14 s while the median wait was 50 ms.)
 */
const MIN_RETRY_DELAY_MS = 2;
const MAX_RETRY_DELAY_MS = 40;
const AGING_MS = 1000;

/** How often a holder refreshes its lock's mtime, which tells waiters that cannot judge the holder that it is in use. */
const REFRESH_MS = STALE_MS / 4;

/**
 * The holder's token, a file inside the lock directory, written right after the directory is made. It tells a
 * holder at its commit fence that the lock directory is still its own (see `compromised`), and a release never
 * removes a directory that holds another's token.
 */
const HOLDER = "holder";

/**
 * The locks this process holds, each with its token (null: taken, but the token could not be written, e.g. on a
 * full disk), removed when the process ends.
 */
const holding = new Set<{ dir: string; token: string | null }>();
let exitHooked = false;

function inodeOf(path: string): number | undefined {
  try {
    return lstatSync(path).ino;
  } catch {
    return undefined;
  }
}

/**
 * After this process's own fresh lock directory vanished before its token was in it (a waiter judging a dead holder
 * captured it by renaming it aside, to judge it again, and put it back as in use): the directory at the path, if it
 * is that one (same inode, no token yet), is nobody's, and is removed, so that neither this process nor the others
 * wait for it to go stale.
 */
function dropOwnOrphan(dir: string, ino: number | undefined): void {
  if (ino === undefined || holderOf(dir) !== undefined || inodeOf(dir) !== ino) return;
  const aside = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  try {
    renameSync(dir, aside);
  } catch {
    return; // gone meanwhile
  }
  if (holderOf(aside) !== undefined || inodeOf(aside) !== ino) {
    // not ours after all (replaced in between): put it back, as takeOverStale does
    try {
      renameSync(aside, dir);
      return;
    } catch {
      // the name holds a newer lock: what was captured is left to remove
    }
  }
  removeAside(aside);
}

function releaseDir(dir: string, token: string | null): void {
  const holder = holderOf(dir);
  // A lock that was taken over: the directory (and the token in it) is the new holder's, and stays.
  if (holder !== (token ?? undefined)) return;
  if (holder !== undefined) unlinkSync(join(dir, HOLDER));
  rmdirSync(dir);
}

/**
 * Whether a lock directory still belongs to someone: its holder is alive on this host (whatever the directory's
 * age: a paused holder's mtime is not refreshed), or, where the holder cannot be judged, the directory is younger
 * than STALE_MS. A lock whose holder is known to be gone is free at once.
 */
function inUse(dir: string): boolean {
  const holder = holderLiveness(dir);
  if (holder) return holder.alive;
  try {
    return statSync(dir).mtimeMs >= Date.now() - STALE_MS;
  } catch {
    return false; // removed meanwhile
  }
}

/** A lock that turned out to be in use after all: the waiter waits and tries again. */
function heldError(dir: string): Error {
  return Object.assign(new Error(`${dir} is held by a live process`), { code: "ELOCKED" });
}

/** Whether the holder a lock directory names is alive; undefined when there is none or it cannot be judged. */
function holderLiveness(dir: string): Liveness | undefined {
  const token = holderOf(dir);
  return token === undefined ? undefined : judge(token);
}

/**
 * Called for a lock that a waiter found not in use: its holder is gone, or cannot be judged and the lock is older
 * than STALE_MS. A holder that is alive keeps it: it may be stopped (SIGSTOP, a debugger, a frozen container)
 * between its commit fence and its rename, and resumes to finish that commit; taking its lock would let another
 * commit land first and be overwritten. Else the directory is removed, but between the judgement and a removal
 * other waiters may already have removed the stale directory and made a live one in its place, and a plain rmdir
 * would remove the live one: two holders at once (proper-lockfile, which taskpulse once used, has this as its issue
 * #121). So the directory is first captured by renaming it aside, which exactly one process can do to any one
 * directory, and judged again: a stale one is removed; a live one is put back.
 */
export function takeOverStale(dir: string): void {
  if (inUse(dir)) throw heldError(dir);
  const aside = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  renameSync(dir, aside); // ENOENT: removed meanwhile, and the waiter tries its mkdir again
  if (inUse(aside)) {
    let back = false;
    try {
      // A lock that another waiter has made in the meantime is empty until its token is written: putting the live
      // one back replaces it, and that waiter sees at its token (EEXIST) that it holds nothing.
      renameSync(aside, dir);
      back = true;
    } catch {
      // The name holds a newer lock with its token: the live holder's token is gone from the path, so its fence
      // fails and its commit runs again. Removing what was captured is all that is left to do.
    }
    if (back) throw heldError(dir);
  }
  removeAside(aside);
}

/** Takes over a lock not in use; whether the path is free now (false: it turned out to be in use after all). */
function freed(dir: string): boolean {
  try {
    takeOverStale(dir);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT"; // another waiter removed it first
  }
}

/** Removes a lock directory renamed aside (also what doctor --repair calls for one left by a killed process). */
export function removeAside(path: string): void {
  try {
    unlinkSync(join(path, HOLDER));
  } catch {
    // no token in it
  }
  try {
    rmdirSync(path);
  } catch {
    // removed meanwhile
  }
}

/** The token in a lock directory, or undefined when it has none (or is gone). */
export function holderOf(lockDir: string): string | undefined {
  try {
    return readFileSync(join(lockDir, HOLDER), "utf8");
  } catch {
    return undefined;
  }
}

export interface Held {
  readonly compromised: Error | undefined;
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long to keep trying; must exceed STALE_MS so a dead holder's lock is taken over. */
  waitMs: number;
  owner: string;
  /**
   * What is locked: by default the store's state file (`state.lock`, owner note `lock-owner.json`); a name locks
   * `<dir>/<name>.json` through `<name>.json.lock` (owner note `<name>.json.owner`), e.g. one state document.
   */
  name?: string;
}

interface LockPaths {
  lock: string;
  owner: string;
  what: string;
}

function lockPaths(dir: string, name: string | undefined): LockPaths {
  if (name === undefined) {
    return { lock: join(dir, "state.lock"), owner: join(dir, "lock-owner.json"), what: "store" };
  }
  const target = join(dir, `${name}.json`);
  return { lock: `${target}.lock`, owner: `${target}.owner`, what: `'${name}'` };
}

export async function acquireLock(dir: string, options: LockOptions): Promise<Held> {
  const paths = lockPaths(dir, options.name);
  // A store that cannot be written at all (read-only file system, no write permission) fails at once, naming the
  // store directory rather than the lock inside it.
  accessSync(dir, constants.W_OK);
  // The longer a waiter has waited, the more often it tries (see MIN_RETRY_DELAY_MS).
  const started = Date.now();
  const deadline = started + options.waitMs;
  let token: string | null;
  for (;;) {
    const taken = take(paths.lock);
    if (taken !== undefined) {
      token = taken;
      break;
    }
    // Held by someone else. A lock whose holder is gone (killed) is free at once, without waiting for it to go stale.
    if (!inUse(paths.lock) && freed(paths.lock)) continue;
    const left = deadline - Date.now();
    if (left <= 0) throw busy(paths, options.waitMs);
    const aged = Math.min(1, (Date.now() - started) / AGING_MS);
    const delay = MAX_RETRY_DELAY_MS - (MAX_RETRY_DELAY_MS - MIN_RETRY_DELAY_MS) * aged;
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, delay * (0.5 + Math.random()))));
  }
  const entry = { dir: paths.lock, token };
  holding.add(entry);
  if (!exitHooked) {
    exitHooked = true;
    onExit(() => {
      for (const { dir, token } of holding) {
        try {
          releaseDir(dir, token);
        } catch {
          // removed meanwhile
        }
      }
    });
  }
  // Informational only: who holds the lock, for the busy message. Not fsynced, not trusted for correctness.
  try {
    writeOwnerNote(paths.owner, options.owner);
  } catch {
    // best effort
  }
  const takenOver = () => token !== null && holderOf(paths.lock) !== token;
  // Keeps the lock's time fresh while it is held (waiters that cannot judge the holder go by it). A refresh can only
  // run while the holder waits on something, so the timer is made only then: the tick below runs once the holder's
  // promise chain yields to the event loop. A CLI call never yields while it holds the lock (its file work is
  // synchronous), and so never pays for its process's first timer, which Node 20 sets up at some cost.
  let released = false;
  let refresh: NodeJS.Timeout | undefined;
  process.nextTick(() => {
    if (released) return;
    refresh = setInterval(() => {
      if (takenOver()) return clearInterval(refresh);
      try {
        const now = new Date();
        utimesSync(paths.lock, now, now);
      } catch {
        // gone: the fence sees it
      }
    }, REFRESH_MS).unref();
  });
  return {
    // Read at the commit fence: the token in the lock directory is not this holder's any more.
    get compromised() {
      return takenOver() ? new Error(`the ${paths.what} lock was taken over`) : undefined;
    },
    release: async () => {
      released = true;
      clearInterval(refresh);
      holding.delete(entry);
      try {
        releaseDir(paths.lock, token);
      } catch {
        // removed meanwhile
      }
    },
  };
}

/**
 * Makes the lock directory and writes a new token into it. Returns the token; null when the lock was taken but the
 * token could not be written (a full disk, say: the commit fence then compares the state file itself); undefined
 * when the lock is someone else's.
 */
function take(lock: string): string | null | undefined {
  try {
    mkdirSync(lock, 0o700); // 0700 whatever the umask: the lock and the token in it are the store's own
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw err;
  }
  const ino = inodeOf(lock);
  const token = newToken();
  try {
    writeFileSync(join(lock, HOLDER), token, { flag: "wx", mode: 0o600 });
    return token;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A waiter judging the lock before it captured this fresh directory (see takeOverStale): it puts the directory
    // back, or another waiter's is at the path by now. Either way this process holds nothing.
    if (code === "ENOENT") {
      dropOwnOrphan(lock, ino);
      return undefined;
    }
    if (code === "EEXIST") return undefined;
    return null;
  }
}

/** The error for a wait that ran out, naming the holder and whether it is stopped. */
function busy(paths: LockPaths, waitMs: number): StoreBusyError {
  const holder = holderLiveness(paths.lock);
  const stopped = holder?.alive && holder.stopped ? holder.pid : undefined;
  const owner = readOwner(paths.owner);
  const seconds = Math.round(waitMs / 1000);
  const by = owner ? ` by pid ${owner.pid} (${owner.command}, agent ${owner.agent})` : "";
  return new StoreBusyError(
    `${paths.what} is locked${by}; gave up after ${seconds}s`,
    stopped === undefined
      ? undefined
      : `the holder, pid ${stopped}, is stopped (SIGSTOP, a debugger or a frozen container) and keeps the lock until it goes on (\`kill -CONT ${stopped}\`) or ends; safe to retry`,
    {
      detail: {
        key: "store_locked",
        target: paths.what,
        seconds,
        ...(owner ? { holder: owner } : {}),
        ...(stopped === undefined ? {} : { stoppedPid: stopped }),
      },
    },
  );
}

/**
 * Rewrites the note in place rather than truncating it first (as writeFileSync does): on ext4 truncating frees the
 * file's block and costs each transaction ~1 ms; overwriting and then cutting to length keeps the block.
 */
function writeOwnerNote(path: string, text: string): void {
  // A symlink planted there is not followed (ELOOP): the note never lands outside the store.
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  }
  try {
    const data = Buffer.from(text, "utf8");
    let written = 0;
    while (written < data.length) written += writeSync(fd, data, written, data.length - written, written);
    ftruncateSync(fd, data.length);
  } finally {
    closeSync(fd);
  }
}

/** Who holds the lock, as its owner file says ("?" for what it leaves out), or undefined when it cannot be read. */
function readOwner(ownerPath: string): { pid: string; command: string; agent: string } | undefined {
  try {
    const owner = JSON.parse(readFileSync(ownerPath, "utf8")) as { pid?: number; command?: string; agent?: string };
    return { pid: String(owner.pid ?? "?"), command: String(owner.command ?? "?"), agent: String(owner.agent ?? "?") };
  } catch {
    return undefined;
  }
}
