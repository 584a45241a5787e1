// Guarantee: the store's directories are made one level at a time (mode 0700), so a failure names its real cause
// (EROFS, EACCES, ENOTDIR, a file system that makes nothing) and never loops: Node's `recursive` mkdir reports
// ENOENT on a read-only file system, and spins forever on a path under /proc. A subdirectory (archive/, jobs/,
// state/) is used only when it is a real directory: never a symbolic link, so nothing is read or written outside
// the store through one.
import { lstatSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { StoreCorruptError, StoreIoError } from "../core/errors.ts";

/** Makes `path` and the missing directories above it, one level at a time. */
export function makeStoreDir(path: string): void {
  makeDir(resolve(path), resolve(path));
}

function makeDir(dir: string, store: string): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      requireDirectory(dir, store);
      return;
    }
    if (code !== "ENOENT" || dirname(dir) === dir) throw cannotMake(dir, store, code);
  }
  makeDir(dirname(dir), store);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      requireDirectory(dir, store);
      return;
    }
    // ENOENT again, with the parent there: a file system that makes nothing (/proc, /sys)
    throw cannotMake(dir, store, code);
  }
}

function requireDirectory(dir: string, store: string): void {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // a dangling link: not a directory either
  }
  if (!isDir) throw cannotMake(dir, store, "ENOTDIR");
}

const REASONS: Record<string, [string, string]> = {
  EROFS: ["the file system is read-only", "remount it read-write, or point --store / TASKPULSE_HOME elsewhere"],
  EACCES: ["permission denied", "fix the permissions of the directory above it, or point --store / TASKPULSE_HOME elsewhere"],
  EPERM: ["operation not permitted", "fix the permissions of the directory above it, or point --store / TASKPULSE_HOME elsewhere"],
  ENOTDIR: ["it, or a path above it, is not a directory", "point --store / TASKPULSE_HOME at a directory"],
  ENOENT: ["this file system does not allow making it (/proc, /sys?)", "point --store / TASKPULSE_HOME at an ordinary directory"],
  ENOSPC: ["the disk is full", "free space, then retry"],
  EDQUOT: ["the disk quota is full", "free space, then retry"],
};

function cannotMake(dir: string, store: string, code: string | undefined): StoreIoError {
  const [reason, hint] = REASONS[code ?? ""] ?? [
    `the file system refused (${code ?? "unknown error"})`,
    "check the path and its permissions",
  ];
  const where = dir === store ? dir : `${dir} (for the store ${store})`;
  return new StoreIoError(`cannot create the store directory ${where}: ${code ?? "error"}, ${reason}`, `nothing was changed; ${hint}`);
}

/**
 * The store's subdirectory `name`, made when missing (the store itself too). Refused (exit 6) when it is a symbolic
 * link or not a directory: nothing is written through it.
 */
export function subdirForWriting(storeDir: string, name: string): string {
  const dir = join(storeDir, name);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      makeStoreDir(storeDir);
      return subdirForWriting(storeDir, name);
    }
    if (code !== "EEXIST") throw cannotMake(resolve(dir), resolve(storeDir), code);
  }
  checkSubdir(dir, lstatSync(dir));
  return dir;
}

/** The store's subdirectory `name` for reading, undefined when there is none; refused (exit 6) when it is a link. */
export function subdirForReading(storeDir: string, name: string): string | undefined {
  const dir = join(storeDir, name);
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw err;
  }
  checkSubdir(dir, st);
  return dir;
}

function checkSubdir(dir: string, st: { isDirectory(): boolean; isSymbolicLink(): boolean }): void {
  if (st.isSymbolicLink()) {
    throw new StoreCorruptError(
      `${dir} is a symbolic link: taskpulse does not write through links (nor read through them)`,
      "run `taskpulse doctor --repair` to move the link aside (what it points to is not touched); to keep the store elsewhere, point TASKPULSE_HOME there",
    );
  }
  if (!st.isDirectory()) throw new StoreCorruptError(`${dir} is not a directory`, "run `taskpulse doctor`");
}
