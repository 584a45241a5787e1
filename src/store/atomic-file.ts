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
    unlinkQuietly(temp);
    throw err;
  }
  closeSync(fd);
  try {
    fence?.();
    renameSync(temp, path);
  } catch (err) {
    unlinkQuietly(temp);
    throw err;
  }
  fsyncDir(dir);
}

// O_NONBLOCK: a FIFO planted there must not hang the open; fstat then refuses anything but a regular file.
const APPEND_NOFOLLOW = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Opens a store file for an append: only a regular file (a FIFO would block, a device swallow the record). */
function openForAppend(path: string, flags: number, mode?: number): number {
  const fd = openSync(path, flags, mode);
  try {
    refuseUnlessRegular(fd, path, "a file taskpulse appends to");
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

function refuseUnlessRegular(fd: number, path: string, what: string): void {
  const st = fstatSync(fd);
  if (!st.isFile()) {
    throw new StoreCorruptError(
      `${path} is ${kindOf(st)}, not ${what}: taskpulse reads and writes regular files only`,
      "run `taskpulse doctor`; nothing was changed",
    );
  }
}

/**
 * How far back from its end a file is read to find its last complete line (one that starts earlier is not looked
 * at): first a little, which almost always holds a journal's last line (a commit's `landed` mark, or one record),
 * then at most 64 KiB. Every commit appends, so reading and decoding 64 KiB each time was a cost of every call.
 */
const TAIL_STEPS = [4 * 1024, 64 * 1024];

/**
 * Appends and fsyncs, so a record is on disk before the caller goes on. A symlink planted there is not followed.
 * Returns the file's size afterwards. If the file does not end with a newline (a writer was killed mid-append), a
 * newline is written first: the torn line stays a line of its own, and the new record is not glued onto it. An
 * append that fails (disk full) is cut back off, so it leaves no torn line of its own. `check` sees the file's last
 * complete line first (when it is within its last 64 KiB) and may refuse the append by throwing.
 */
export function appendDurably(path: string, data: string, check?: (lastLine: string) => void): number {
  const fd = openForAppend(path, APPEND_NOFOLLOW, 0o600);
  try {
    const size = fstatSync(fd).size;
    if (size > 0) {
      const { endsWithNewline, lastLine } = lastLineOf(fd, size);
      if (!endsWithNewline) data = `\n${data}`;
      if (check && lastLine !== undefined) check(lastLine);
    }
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
 * Whether a file of `size` bytes (> 0) ends with a newline, and its last complete line when that starts within the
 * file's last 64 KiB. Works on bytes (a newline byte is never part of another UTF-8 character) and decodes only that
 * line.
 */
function lastLineOf(fd: number, size: number): { endsWithNewline: boolean; lastLine?: string } {
  let found: { endsWithNewline: boolean; lastLine?: string } = { endsWithNewline: true };
  for (const step of TAIL_STEPS) {
    const length = Math.min(size, step);
    const tail = Buffer.allocUnsafe(length);
    const got = readSync(fd, tail, 0, length, size - length);
    if (got === 0) return found;
    const end = tail.lastIndexOf(10, got - 1);
    const start = end > 0 ? tail.lastIndexOf(10, end - 1) : -1;
    found = { endsWithNewline: end === got - 1 };
    // the last two newlines within this tail are the file's last two; a whole file holds its first line too
    if (end > 0 && (start >= 0 || got === size)) return { ...found, lastLine: tail.toString("utf8", start + 1, end) };
    if (length === size) return found;
  }
  return found;
}

/**
 * Appends without fsync, for a line that is evidence rather than data (a lost one loses nothing). The file must
 * exist; a symlink planted there is not followed.
 */
export function appendLightly(path: string, data: string): void {
  const fd = openForAppend(path, constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    writeAll(fd, data);
  } finally {
    closeSync(fd);
  }
}

/**
 * A small file's text, or undefined when there is none; a link is followed. Anything but a regular file where the
 * file should be (a directory, a FIFO, a device) is a corrupt store (exit 6); other errors are passed on.
 */
export function readIfExists(path: string, what: string): string | undefined {
  return readStoreFile(path, what, { follow: true });
}

/** What a store file that is not a regular file is, for messages. */
export function kindOf(st: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * A store file's text, or undefined when there is none. Only a regular file is read: it is opened without blocking
 * (a FIFO planted there would hang the read forever, a device such as /dev/zero never ends) and refused (exit 6)
 * unless fstat says it is a regular file. With `follow: false` a symbolic link is refused as well, so nothing
 * outside the store is read through one.
 */
export function readStoreFile(path: string, what: string, options: { follow: boolean }): string | undefined {
  return readStoreBytes(path, what, options)?.toString("utf8");
}

/** readStoreFile's bytes. */
export function readStoreBytes(path: string, what: string, options: { follow: boolean }): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (options.follow ? 0 : constants.O_NOFOLLOW));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP") {
      throw new StoreCorruptError(
        `${path} is a symbolic link, not ${what}: taskpulse does not read or write through links`,
        "run `taskpulse doctor --repair` to move the link aside (what it points to is not touched)",
      );
    }
    throw err;
  }
  try {
    refuseUnlessRegular(fd, path, what);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
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

/** Writes all of `data` (text as UTF-8) at the file's position: writeSync may write less than it was given. */
export function writeAll(fd: number, data: string | Uint8Array): void {
  const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/** Removes a file if it is there (a temporary one, say); gone already is fine. */
export function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
