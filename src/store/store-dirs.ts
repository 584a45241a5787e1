// Guarantee: a subdirectory (archive/, jobs/,
// state/) is used only when it is a real directory: never a symbolic link, so nothing is read or written outside
// the store through one.
import { lstatSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { StoreCorruptError } from "../core/errors.ts";

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
      mkdirSync(storeDir, { recursive: true, mode: 0o700 });
      return subdirForWriting(storeDir, name);
    }
    if (code !== "EEXIST") throw err;
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
