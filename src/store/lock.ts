// Guarantee: one holder at a time per store (or per named resource), across processes. A lock left by a killed process goes stale after
// STALE_MS and is taken over; a waiter keeps trying longer than that, so it never gives up on a dead holder's lock.
// proper-lockfile's default onCompromised throws inside a timer and kills the process: we record it instead and
// the commit is fenced (see json-store.ts).
import {
  accessSync,
  closeSync,
  constants,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  rmdirSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import { StoreBusyError } from "../core/errors.ts";

export const STALE_MS = 10_000;

const MAX_RETRY_DELAY_MS = 40;

/**
 * Enough retries that `maxRetryTime` (the wait bound) ends the wait, not the count: once the delays reach their cap
 * every retry waits at least MAX_RETRY_DELAY_MS, and the 20 extra cover the short ones before it. Not a fixed huge
 * number: the retry library computes and sorts one delay per retry up front, and 100 000 of them cost ~30 ms a call.
 */
function retriesFor(waitMs: number): number {
  return Math.ceil(waitMs / MAX_RETRY_DELAY_MS) + 20;
}

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
  mkdir: callbackSync(mkdirSync),
  rmdir: callbackSync(removeLockDir),
  stat: callbackSync(statSync),
  utimes: callbackSync(utimesSync),
  realpath: callbackSync(realpathSync),
  rmdirSync: removeLockDir, // on exit, to remove a lock still held
};

/**
 * The holder's token, a file inside the lock directory. When a stale lock is taken over, two waiters can both take
 * it (proper-lockfile's issue #121: one removes the directory the other just made). The token tells a holder at its
 * commit fence that the lock it took is no longer its own, so its commit runs again instead of overwriting.
 */
const HOLDER = "holder";

/** The token of the holder releasing its lock right now (proper-lockfile removes it through removeLockDir). */
let releasing: string | undefined;

function removeLockDir(dir: string): void {
  // Releasing a lock that was taken over: the directory is the new holder's now, and stays.
  if (releasing !== undefined && !holds(dir, releasing)) return;
  try {
    unlinkSync(join(dir, HOLDER));
  } catch {
    // none (taken by an older taskpulse, or already removed)
  }
  rmdirSync(dir);
}

function holds(lockDir: string, token: string): boolean {
  try {
    return readFileSync(join(lockDir, HOLDER), "utf8") === token;
  } catch {
    return false;
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
      if (token !== undefined && !holds(paths.lock, token)) return new Error(`the ${paths.what} lock was taken over`);
      return undefined;
    },
    release: async () => {},
  };
  let release: () => Promise<void>;
  // proper-lockfile retries every error, not only "held": a store that cannot be written at all (read-only file
  // system, no write permission) would make each call wait the whole lock wait before failing. Fail at once instead.
  accessSync(dir, constants.W_OK);
  try {
    release = await lockfile.lock(paths.target, {
      realpath: false,
      fs: syncFs,
      lockfilePath: paths.lock,
      stale: STALE_MS,
      update: STALE_MS / 4,
      retries: {
        retries: retriesFor(options.waitMs),
        factor: 1.25,
        minTimeout: 2,
        maxTimeout: MAX_RETRY_DELAY_MS,
        randomize: true,
        maxRetryTime: options.waitMs,
      },
      onCompromised: (err: Error) => {
        lost = err;
      },
    });
  } catch (err) {
    if ((err as { code?: string }).code === "ELOCKED") {
      throw new StoreBusyError(
        `${paths.what} is locked${describeHolder(paths.owner)}; gave up after ${Math.round(options.waitMs / 1000)}s`,
      );
    }
    throw err;
  }
  // Informational only: who holds the lock, for the busy message above. Not fsynced, not trusted for correctness.
  try {
    const mine = `${process.pid}-${Math.random().toString(36).slice(2)}`;
    writeFileSync(join(paths.lock, HOLDER), mine, { flag: "wx", mode: 0o600 });
    token = mine;
  } catch {
    // without a token the fence still compares the state file itself
  }
  try {
    writeOwnerNote(paths.owner, options.owner);
  } catch {
    // best effort
  }
  held.release = async () => {
    releasing = token;
    try {
      await release();
    } catch (err) {
      // Released after being compromised (taken over as stale): our commit was already fenced; nothing to undo.
      const code = (err as { code?: string }).code;
      if (code !== "ERELEASED" && code !== "ENOTACQUIRED") throw err;
    } finally {
      releasing = undefined;
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

function describeHolder(ownerPath: string): string {
  try {
    const owner = JSON.parse(readFileSync(ownerPath, "utf8")) as { pid?: number; command?: string; agent?: string };
    return ` by pid ${owner.pid ?? "?"} (${owner.command ?? "?"}, agent ${owner.agent ?? "?"})`;
  } catch {
    return "";
  }
}
