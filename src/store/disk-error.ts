// Which errors mean the disk refused us (full, read-only, a link or directory in the way) rather than a bug: the
// previous state is intact, because every store write is atomic.
const DISK_CODES = new Set([
  "EACCES",
  "EPERM",
  "EROFS",
  "ENOSPC",
  "EISDIR",
  "ENOTDIR",
  "EEXIST",
  "EDQUOT",
  "ELOOP",
  "EMLINK",
  "EIO",
  "ENAMETOOLONG",
]);

export function isDiskError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" && DISK_CODES.has(code);
}
