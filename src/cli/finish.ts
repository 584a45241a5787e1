// How a command's result reaches the caller: its outcome printed (one JSON envelope with --json, the essential value
// with -q, text otherwise), or its error mapped to a message and an exit code. Shared by the full program
// (run.ts) and the lean entry for the hot commands (src/hot.ts), so both print exactly the same.

import type { Deps } from "../app/deps.ts";
import { type Lang, langFromArgv } from "../app/identity.ts";
import { errorEnvelope, successEnvelope } from "../core/envelope.ts";
import { EXIT, TaskpulseError } from "../core/errors.ts";
import { isDiskError } from "../store/disk-error.ts";
import type { Outcome } from "./outcome.ts";
import { errorText, type ShownError } from "./render/error-text.ts";
import { renderPushText } from "./render/push-text.ts";

export interface Flags {
  json: boolean;
  quiet: boolean;
  debug: boolean;
  /** The language errors are shown in on stderr (the JSON envelope's message is English whatever it is). */
  lang: Lang;
}

/** Prints a command's outcome as the flags ask; returns its exit code. */
export function printOutcome(outcome: Outcome, deps: Deps, flags: Flags): number {
  const stderr = outcome.stderr !== "none";
  if (stderr) for (const w of outcome.warnings ?? []) deps.stderr(`warning: ${w}\n`);
  if (stderr && !flags.json && !flags.quiet) for (const note of outcome.notes ?? []) deps.stderr(`${note}\n`);
  if (flags.json) {
    deps.stdout(`${JSON.stringify(successEnvelope(outcome.data, outcome.push))}\n`);
  } else if (flags.quiet) {
    if (outcome.quiet !== undefined && outcome.quiet !== "") deps.stdout(`${outcome.quiet}\n`);
  } else {
    for (const line of outcome.lines) deps.stdout(`${line}\n`);
    if (outcome.push) deps.stdout(renderPushText(outcome.push));
  }
  return outcome.exitCode ?? EXIT.ok;
}

export function reportError(err: unknown, deps: Deps, flags: Flags): number {
  if (err instanceof TaskpulseError) {
    say(deps, flags, err);
    return err.exitCode;
  }
  const e = err as NodeJS.ErrnoException;
  const disk = isDiskError(err);
  // Disk trouble (read-only directory, full disk, a directory where a file should be, a link planted in the store):
  // the previous state is intact because writes are atomic. Not a bug in taskpulse, so not exit 1: exit 6, the
  // store's own code, with one line that says what happened.
  const reason = disk ? e.message : (e?.message ?? String(err));
  say(
    deps,
    flags,
    disk
      ? {
          code: "io_error",
          message: `cannot use the store: ${reason}`,
          hint: "the previous state is intact; check the store directory's permissions and free space, then run `taskpulse doctor`",
          detail: { key: "disk_error", reason },
        }
      : {
          code: "internal",
          message: `internal error: ${reason}`,
          hint: "run again with --debug for details",
          detail: { key: "internal_error", reason },
        },
  );
  if (flags.debug && e?.stack) deps.stderr(`${e.stack}\n`);
  return disk ? EXIT.corrupt : EXIT.internal;
}

/** Whether `err` is the disk refusing a write or a read (full, read-only, permissions, …), not a bug: exit 6. */

/**
 * The error as the JSON envelope on stdout (in English), or as text on stderr in the chosen language (also when
 * stdout itself is what failed).
 */
function say(deps: Deps, flags: Flags, error: ShownError): void {
  if (flags.json) {
    try {
      writeError(deps, error.code, error.message, error.hint);
      return;
    } catch {
      // stdout cannot be written: stderr still can
    }
  }
  deps.stderr(errorText(error, flags.lang));
}

export function writeError(deps: Deps, code: string, message: string, hint: string | undefined): void {
  deps.stdout(`${JSON.stringify(errorEnvelope(code, message, hint))}\n`);
}

/**
 * Output flags and the language are needed before commander has parsed (to render its own errors, and those of
 * building the context), so they are looked up first.
 */
export function preScan(argv: readonly string[], env: Deps["env"]): Flags {
  const end = argv.indexOf("--");
  const head = end < 0 ? argv : argv.slice(0, end);
  return {
    json: head.includes("--json"),
    quiet: head.includes("-q") || head.includes("--quiet"),
    debug: head.includes("--debug"),
    lang: langFromArgv(head, env),
  };
}
