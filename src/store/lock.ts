// Guarantee: one holder at a time per store (or per named resource), across processes. A lock is never taken from a
// holder that is alive on this host, however long it has been paused (holder.ts judges its token from /proc): a
// commit that passed its fence therefore lands before anyone else reads the state. A lock left by a process that is
// gone is taken over once it is older than STALE_MS; so is one whose holder cannot be judged (another PID namespace
// or host, an older taskpulse), the one case that still rests on time (references/store-format.md, "Locks").
// proper-lockfile's default onCompromised throws inside a timer and kills the process: we record it instead and
// the commit is fenced (see json-store.ts).
import {
  accessSync,
  closeSync,
  constants,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import lockfile from "proper-lockfile";
import { StoreBusyError } from "../core/errors.ts";
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

type Callback = (err: NodeJS.ErrnoException | null, result?: unknown) => void;

/** A callback-style fs method that does its work synchronously, as proper-lockfile's own lockSync has them. */
function callbackSync(method: (...args: never[]) => unknown): (...args: unknown[]) => void {
  const run = method as (...args: unknown[]) => unknown;
  return (...args) => {
    const callback = args.pop() as Callback;
    let result: unknown;
    try {
      result = run(...args);
    } catch (err) {
      callback(err as NodeJS.ErrnoException);
      return;
    }
    callback(null, result);
  };
}

/**
 * The file system proper-lockfile works through, its calls made synchronously: taking a lock is a mkdir, a utimes
 * and a stat, and through libuv's thread pool each costs a round trip (the first also starts the pool's threads),
 * ~4 ms of a heartbeat. Retries still wait on timers, so waiting for a busy lock stays asynchronous. Only the
 * methods proper-lockfile calls: copying all of node:fs would run its lazy getters (fs.promises, streams).
 */
const syncFs = {
  // 0700 whatever the umask: the lock and the token in it are the store's own.
  mkdir: callbackSync((dir: string) => {
    mkdirSync(dir, 0o700);
    made = { dir, ino: inodeOf(dir) };
  }),
  // proper-lockfile removes a lock directory to release it and to take over a stale one; a release sets `releasing`
  // for the length of its (synchronous) call.
  rmdir: callbackSync((dir: string) => (releasing ? releaseDir(dir, releasing.token) : takeOverStale(dir))),
  stat: callbackSync(statSync),
  utimes: callbackSync(utimesSync),
  realpath: callbackSync(realpathSync),
  rmdirSync: (dir: string) => releaseDir(dir, mine.get(dir) ?? null), // at exit, for a lock still held
};

/**
 * The holder's token, a file inside the lock directory, written right after the directory is made. It tells a
 * holder at its commit fence that the lock directory is still its own (see `compromised`), and a release never
 * removes a directory that holds another's token.
 */
const HOLDER = "holder";

/**
 * The tokens of the lock directories this process holds (null: taken, but the token could not be written, e.g. on
 * a full disk; "": taken, but another waiter's token was there first, so nothing is held).
 */
const mine = new Map<string, string | null>();

/** The lock directory this process made last (by mkdir), to know it again should it be captured and put back. */
let made: { dir: string; ino: number | undefined } | undefined;

/** (A function, so the type checker does not take `made` as still undefined after a call that set it.) */
function madeLast(): string | undefined {
  return made?.dir;
}

function inodeOf(path: string): number | undefined {
  try {
    return lstatSync(path).ino;
  } catch {
    return undefined;
  }
}

/**
 * After this process's own fresh lock directory vanished while proper-lockfile was still setting it up (a waiter
 * judging a dead holder captured it by renaming it aside, to judge it again, and put it back as in use): the
 * directory at the path, if it is that one (same inode, no token yet), is nobody's, and is removed, so that
 * neither this process nor the others wait for it to go stale.
 */
function dropOwnOrphan(dir: string): void {
  const mine = made;
  made = undefined;
  if (mine?.dir !== dir || mine.ino === undefined || holderOf(dir) !== undefined || inodeOf(dir) !== mine.ino) return;
  const aside = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  try {
    renameSync(dir, aside);
  } catch {
    return; // gone meanwhile
  }
  if (holderOf(aside) !== undefined || inodeOf(aside) !== mine.ino) {
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

/** The release in progress (for the length of its synchronous call), with the releasing holder's token. */
let releasing: { token: string | null } | undefined;

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

/** What proper-lockfile passes on as "held": the waiter waits and tries again. */
function heldError(dir: string): Error {
  return Object.assign(new Error(`${dir} is held by a live process`), { code: "ELOCKED" });
}

/** Whether the holder a lock directory names is alive; undefined when there is none or it cannot be judged. */
export function holderLiveness(dir: string): Liveness | undefined {
  const token = holderOf(dir);
  return token === undefined ? undefined : judge(token);
}

/**
 * Called when proper-lockfile found a lock stale (its mtime older than STALE_MS), or when its holder is known to be
 * gone. A holder that is alive keeps it:
 * it may be stopped (SIGSTOP, a debugger, a frozen container) between its commit fence and its rename, and
 * resumes to finish that commit; taking its lock would let another commit land first and be overwritten. Else the
 * directory is removed, but between the stat and a removal other waiters may already have removed the stale
 * directory and made a live one in its place (proper-lockfile's issue #121), and a plain rmdir would remove the
 * live one: two holders at once. So the directory is first captured by renaming it aside, which exactly one
 * process can do to any one directory, and judged again: a stale one is removed; a live one is put back.
 */
export function takeOverStale(dir: string): void {
  if (inUse(dir)) throw heldError(dir);
  const aside = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  renameSync(dir, aside); // ENOENT (removed meanwhile) tells proper-lockfile to try its mkdir again
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

/** Takes over a lock whose holder is gone; false when that did not happen (another waiter was first, say). */
function freed(dir: string): boolean {
  try {
    takeOverStale(dir);
    return true;
  } catch {
    return false;
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

function holderOf(lockDir: string): string | undefined {
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
  target: string;
  lock: string;
  owner: string;
  what: string;
}

function lockPaths(dir: string, name: string | undefined): LockPaths {
  if (name === undefined) {
    return { target: join(dir, "state.json"), lock: join(dir, "state.lock"), owner: join(dir, "lock-owner.json"), what: "store" };
  }
  const target = join(dir, `${name}.json`);
  return { target, lock: `${target}.lock`, owner: `${target}.owner`, what: `'${name}'` };
}

export async function acquireLock(dir: string, options: LockOptions): Promise<Held> {
  const paths = lockPaths(dir, options.name);
  let lost: Error | undefined;
  let token: string | undefined;
  const held: Held = {
    // Read at the commit fence: taken over as stale (proper-lockfile noticed), or the token is not ours any more.
    get compromised() {
      if (lost) return lost;
      if (token !== undefined && holderOf(paths.lock) !== token) return new Error(`the ${paths.what} lock was taken over`);
      return undefined;
    },
    release: async () => {},
  };
  let release: () => Promise<void>;
  // A store that cannot be written at all (read-only file system, no write permission) fails at once, naming the
  // store directory rather than the lock inside it.
  accessSync(dir, constants.W_OK);
  // One attempt per lockfile.lock call, the waiting done here, and only while the lock is held (any other error
  // fails at once): proper-lockfile's own retries (the retry library) compute and sort every delay up front, a few
  // hundred for a 15 s wait, on every call.
  const started = Date.now();
  const deadline = started + options.waitMs;
  for (;;) {
    made = undefined;
    try {
      release = await lockfile.lock(paths.target, {
        realpath: false,
        fs: syncFs,
        lockfilePath: paths.lock,
        stale: STALE_MS,
        update: STALE_MS / 4,
        retries: 0,
        onCompromised: (err: Error) => {
          lost = err;
        },
      });
      break;
    } catch (err) {
      if ((err as { code?: string }).code === "ENOENT" && madeLast() === paths.lock && Date.now() < deadline) {
        // The directory this process had just made was captured while proper-lockfile set it up: try again.
        dropOwnOrphan(paths.lock);
        continue;
      }
      if ((err as { code?: string }).code !== "ELOCKED") throw err;
      const holder = holderLiveness(paths.lock);
      // A holder known to be gone (killed) frees its lock at once, without waiting for it to go stale.
      if (holder?.alive === false && freed(paths.lock)) continue;
      const left = deadline - Date.now();
      if (left <= 0) {
        const stopped = holder?.alive && holder.stopped ? holder.pid : undefined;
        const owner = readOwner(paths.owner);
        const seconds = Math.round(options.waitMs / 1000);
        const by = owner ? ` by pid ${owner.pid} (${owner.command}, agent ${owner.agent})` : "";
        throw new StoreBusyError(
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
      const aged = Math.min(1, (Date.now() - started) / AGING_MS);
      const delay = MAX_RETRY_DELAY_MS - (MAX_RETRY_DELAY_MS - MIN_RETRY_DELAY_MS) * aged;
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, delay * (0.5 + Math.random()))));
    }
  }
  const mineToken = newToken();
  let own: string | null;
  try {
    writeFileSync(join(paths.lock, HOLDER), mineToken, { flag: "wx", mode: 0o600 });
    token = own = mineToken;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ENOENT") {
      // Another waiter's directory is at the path now (see takeOverStale): this process holds nothing. Its commit
      // is fenced and runs again; its release leaves that directory alone.
      lost = new Error(`the ${paths.what} lock was taken over`);
      own = "";
    } else {
      // No token (a full disk, say): the fence still compares the state file itself.
      own = null;
    }
  }
  mine.set(paths.lock, own);
  // Informational only: who holds the lock, for the busy message above. Not fsynced, not trusted for correctness.
  try {
    writeOwnerNote(paths.owner, options.owner);
  } catch {
    // best effort
  }
  held.release = async () => {
    // proper-lockfile's unlock runs within this call (its fs is synchronous here), so `releasing` marks exactly its
    // removal, never a takeover that another acquisition in this process makes meanwhile.
    releasing = { token: own };
    let done: Promise<void>;
    try {
      done = release();
    } finally {
      releasing = undefined;
    }
    try {
      await done;
    } catch (err) {
      // Released after being compromised: our commit was already fenced; nothing to undo. proper-lockfile counts
      // the lock as gone (someone touched its mtime), but a directory that still holds our token is ours to remove,
      // or this process's next attempt would wait on its own (live) token.
      const code = (err as { code?: string }).code;
      if (code !== "ERELEASED" && code !== "ENOTACQUIRED") throw err;
      if (own) {
        try {
          releaseDir(paths.lock, own);
        } catch {
          // removed meanwhile
        }
      }
    } finally {
      if (mine.get(paths.lock) === own) mine.delete(paths.lock);
    }
  };
  return held;
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
