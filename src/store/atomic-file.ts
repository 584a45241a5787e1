// Guarantee: a file written through here is either entirely the old content or entirely the new one, and the new
// content is on disk before this returns: temp file in the same directory (mode 0600) -> fsync -> rename -> fsync
// of the directory. `fence` runs right before the rename and may abort it.
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { StoreCorruptError } from "../core/errors.ts";

export function writeFileDurably(path: string, data: string, fence?: () => void): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeAll(fd, data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    safeUnlink(temp);
    throw err;
  }
  closeSync(fd);
  try {
    fence?.();
    renameSync(temp, path);
  } catch (err) {
    safeUnlink(temp);
    throw err;
  }
  fsyncDir(dir);
}

const APPEND_NOFOLLOW = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

/**
 * Appends and fsyncs, so a record is on disk before the caller goes on. A symlink planted there is not followed.
 * Returns the file's size afterwards. If the file does not end with a newline (a writer was killed mid-append), a
 * newline is written first: the torn line stays a line of its own, and the new record is not glued onto it. An
 * append that fails (disk full) is cut back off, so it leaves no torn line of its own.
 */
export function appendDurably(path: string, data: string): number {
  const fd = openSync(path, APPEND_NOFOLLOW, 0o600);
  try {
    const size = fstatSync(fd).size;
    if (size > 0 && !endsWithNewline(fd, size)) data = `\n${data}`;
    try {
      writeAll(fd, data);
      fsyncSync(fd);
    } catch (err) {
      // A write that failed half-way (disk full) would leave a torn line: cut the file back to what it was.
      try {
        ftruncateSync(fd, size);
      } catch {
        // best effort: readers skip a torn line anyway
      }
      throw err;
    }
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

/**
 * A small file's text, or undefined when there is none. A directory where the file should be is a corrupt store
 * (exit 6); other errors are passed on.
 */
export function readIfExists(path: string, what: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "EISDIR") throw new StoreCorruptError(`${path} is a directory, not ${what}`);
    throw err;
  }
}

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function endsWithNewline(fd: number, size: number): boolean {
  const last = Buffer.alloc(1);
  return readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === 0x0a;
}

function writeAll(fd: number, data: string): void {
  const buf = Buffer.from(data, "utf8");
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

function safeUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
