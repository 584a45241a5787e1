// One entry, one exit: parse, run the command, render its outcome, and map every error to a message and an exit
// code. Nothing else in the program catches errors to print them, and nothing calls process.exit().
import { CommanderError } from "commander";
import { EXIT, TaskpulseError } from "../core/errors.ts";
import type { Deps } from "./deps.ts";
import type { Outcome } from "./outcome.ts";
import { buildProgram } from "./program.ts";
import { renderPushText } from "./render/push-text.ts";

const SCHEMA = 1;

export interface RunOptions {
  /** Register every command up front instead of only the one argv runs (tests check both print the same). */
  allCommands?: boolean;
}

export async function run(argv: readonly string[], deps: Deps, options: RunOptions = {}): Promise<number> {
  const flags = preScan(argv);
  const state: { outcome?: Outcome; commanderMessage?: string; shown: string } = { shown: "" };
  const program = await buildProgram(
    deps,
    (outcome) => {
      state.outcome = outcome;
    },
    {
      // With --json, help and version text go inside the one JSON document instead of around it.
      writeOut: (s) => {
        if (flags.json) state.shown += s;
        else deps.stdout(s);
      },
      writeErr: (s) => {
        if (!flags.json) deps.stderr(s);
      },
      outputError: (s) => {
        state.commanderMessage = s.replace(/^error: /, "").trim();
        if (!flags.json) deps.stderr(s);
      },
    },
    options.allCommands ? undefined : argv,
  );
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") {
        if (flags.json) deps.stdout(`${JSON.stringify({ schemaVersion: SCHEMA, ok: true, data: { text: state.shown }, push: null })}\n`);
        return EXIT.ok;
      }
      if (flags.json) writeError(deps, "usage", state.commanderMessage ?? err.message, "see taskpulse --help");
      return EXIT.usage;
    }
    return reportError(err, deps, flags);
  }
  const outcome = state.outcome;
  if (!outcome) return EXIT.ok;
  for (const w of outcome.warnings ?? []) deps.stderr(`warning: ${w}\n`);
  if (!flags.json && !flags.quiet) for (const note of outcome.notes ?? []) deps.stderr(`${note}\n`);
  if (flags.json) {
    deps.stdout(`${JSON.stringify({ schemaVersion: SCHEMA, ok: true, data: outcome.data, push: outcome.push ?? null })}\n`);
  } else if (flags.quiet) {
    if (outcome.quiet !== undefined && outcome.quiet !== "") deps.stdout(`${outcome.quiet}\n`);
  } else {
    for (const line of outcome.lines) deps.stdout(`${line}\n`);
    if (outcome.push) deps.stdout(renderPushText(outcome.push));
  }
  return outcome.exitCode ?? EXIT.ok;
}

function reportError(err: unknown, deps: Deps, flags: Flags): number {
  if (err instanceof TaskpulseError) {
    if (flags.json) writeError(deps, err.code, err.message, err.hint);
    else deps.stderr(`error: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ""}`);
    return err.exitCode;
  }
  const e = err as NodeJS.ErrnoException;
  // Disk trouble (read-only directory, full disk, a directory where a file should be, a link planted in the store):
  // the previous state is intact because writes are atomic. Not a bug in taskpulse, so not exit 1: exit 6, the
  // store's own code, with one line that says what happened.
  const disk = typeof e?.code === "string" && DISK_CODES.has(e.code);
  const message = disk ? `cannot use the store: ${e.message}` : `internal error: ${e?.message ?? String(err)}`;
  const hint = disk
    ? "the previous state is intact; check the store directory's permissions and free space, then run `taskpulse doctor`"
    : "run again with --debug for details";
  if (flags.json) writeError(deps, disk ? "io_error" : "internal", message, hint);
  else deps.stderr(`error: ${message}\nhint: ${hint}\n`);
  if (flags.debug && e?.stack) deps.stderr(`${e.stack}\n`);
  return disk ? EXIT.corrupt : EXIT.internal;
}

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

function writeError(deps: Deps, code: string, message: string, hint: string | undefined): void {
  const error: Record<string, string> = { code, message };
  if (hint) error.hint = hint;
  deps.stdout(`${JSON.stringify({ schemaVersion: SCHEMA, ok: false, error })}\n`);
}

interface Flags {
  json: boolean;
  quiet: boolean;
  debug: boolean;
}

/** Output flags are needed before commander has parsed (to render its own errors), so they are looked up first. */
function preScan(argv: readonly string[]): Flags {
  const end = argv.indexOf("--");
  const head = end < 0 ? argv : argv.slice(0, end);
  return {
    json: head.includes("--json"),
    quiet: head.includes("-q") || head.includes("--quiet"),
    debug: head.includes("--debug"),
  };
}
