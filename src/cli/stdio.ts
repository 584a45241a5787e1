// Output without process.stdout in the common case. Touching process.stdout builds a stream object, and for a pipe
// (how agents call us) that loads net and streams, a noticeable share of a short call. On Linux, process.stdout writes to
// files, pipes and terminals synchronously anyway, so writing to the file descriptor directly keeps the order and
// the timing. A reader that went away (EPIPE) ends the output quietly; a full disk or an I/O error becomes one
// OutputError (exit 6); a non-blocking pipe that is full or a closed descriptor hands the rest to the stream, which
// then behaves exactly as before.
import { fstatSync, statSync, writeSync } from "node:fs";
import { OutputError } from "../core/errors.ts";

export function fdWriter(fd: number, stream: () => Pick<NodeJS.WriteStream, "write">): (text: string) => void {
  let useStream = false;
  let gone = false;
  return (text) => {
    if (gone) return;
    if (useStream) {
      stream().write(text);
      return;
    }
    const buffer = Buffer.from(text, "utf8");
    let written = 0;
    try {
      while (written < buffer.length) written += writeSync(fd, buffer, written, buffer.length - written);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // The reader went away (`| head -1`): the rest has nowhere to go, which is not an error.
      if (code === "EPIPE") {
        gone = true;
        return;
      }
      // A full disk or an I/O error: one clear message (exit 6), not a stream error with a stack trace.
      if (code !== "EAGAIN" && code !== "EBADF") throw new OutputError((err as Error).message);
      useStream = true;
      stream().write(buffer.subarray(written));
    }
  };
}

/** Same answer as `process.stdout.isTTY === true`, without building the stream unless fd 1 could be a terminal. */
export function stdoutIsTTY(): boolean {
  try {
    // A terminal is a character device; a pipe, socket or regular file is certainly not one, nor is /dev/null
    // (`>/dev/null` is a common way to call us).
    const out = fstatSync(1);
    if (!out.isCharacterDevice() || out.rdev === statSync("/dev/null").rdev) return false;
  } catch {
    // fall through to the stream's own answer
  }
  return process.stdout.isTTY === true;
}
