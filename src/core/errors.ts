// Typed domain errors. Each carries a stable code, the process exit code it maps to, and a hint that tells the
// caller what would work instead. The CLI maps them to text or to the JSON error envelope in one place (cli/finish.ts).
// The message and hint are English; an error a person meets often also carries its `detail` (which message it is,
// and its variable parts) so that the CLI can say it in the chosen language (cli/render/error-text.ts). No language
// is known here.
import type { TaskStatus } from "./model.ts";

/** The CLI's exit codes by name (exit-codes.md): a TaskpulseError's `exitCode` is one of them. */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  busy: 5,
  corrupt: 6,
  failed: 7,
  cancelled: 8,
  timeout: 9,
  stopRequested: 20,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The variable parts of each message that carries a detail, by key. A key names one message (and, where it varies,
 * its hint); adding one here makes the CLI's Chinese table incomplete until it says it too (a type error).
 */
export interface ErrorParams {
  task_not_found: { id: string };
  ambiguous_id: { prefix: string; candidates: readonly string[] };
  invalid_task_id: { value: string };
  /** A command that needs the task in another state: `done` on a finished task. */
  wrong_state: { id: string; name: string; status: TaskStatus; command: string; allowed: readonly TaskStatus[] };
  no_current_step: { id: string; name: string; steps: number };
  retry_refused: { id: string; name: string };
  retry_limit: { id: string; name: string; retries: number; max: number };
  no_stop_request: { id: string; name: string };
  no_such_step: { id: string; name: string; step: string; left: readonly string[] };
  /** `error --step`: a step that is neither running nor still to come. */
  no_open_step: { id: string; name: string; step: string; open: readonly string[] };
  waits_for_dependencies: { id: string; name: string; blocked: boolean; on: readonly string[] };
  /** `invalid <what> '<value>'`: an option's or variable's value; its hint is a fixed text. */
  invalid_value: { what: string; value: string };
  value_too_large: { what: string; value: string };
  /** An agent, tag, group, job or state name that is not a slug. */
  invalid_name: { what: string; value: string };
  too_long: { what: string; length: number; max: number };
  empty: { what: string };
  too_many: { what: string; count?: number; max: number };
  not_positive: { what: string };
  needs_task_id: { command: string };
  no_running_task: { agent: string; command: string };
  several_running_tasks: { agent: string; command: string; count: number; tasks: string };
  store_locked: { target: string; seconds: number; holder?: { pid: string; command: string; agent: string }; stoppedPid?: number };
  output_failed: { reason: string };
}

type ErrorKey = keyof ErrorParams;
export type ErrorDetail = { [K in ErrorKey]: { key: K } & ErrorParams[K] }[ErrorKey];

export interface ErrorOptions {
  cause?: unknown;
  detail?: ErrorDetail;
}

/** Errors carry a stable code, the CLI's exit code for the same failure, and a hint. */
export class TaskpulseError extends Error {
  /** Stable and machine-readable: `not_found`, `invalid_transition`, `store_busy`, … */
  readonly code: string;
  /** The CLI's exit code for the same failure. */
  readonly exitCode: ExitCode;
  /** What would work instead, when something would. */
  readonly hint: string | undefined;
  /** Which message this is, and its variable parts (the CLI says it in Chinese from them); absent on rarer errors. */
  readonly detail: ErrorDetail | undefined;

  constructor(code: string, exitCode: ExitCode, message: string, hint?: string, options: ErrorOptions = {}) {
    super(message, "cause" in options ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.hint = hint;
    this.detail = options.detail;
  }
}

export class UsageError extends TaskpulseError {
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super("usage", EXIT.usage, message, hint, options);
  }
}

export class NotFoundError extends TaskpulseError {
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super("not_found", EXIT.notFound, message, hint, options);
  }
}

export class AmbiguousIdError extends TaskpulseError {
  readonly candidates: readonly string[];
  constructor(prefix: string, candidates: readonly string[]) {
    const shown = candidates.slice(0, 10).join(", ");
    const more = candidates.length > 10 ? ` and ${candidates.length - 10} more` : "";
    super(
      "ambiguous_id",
      EXIT.notFound,
      `id prefix '${prefix}' matches ${candidates.length} tasks: ${shown}${more}`,
      "type more characters of the id",
      { detail: { key: "ambiguous_id", prefix, candidates } },
    );
    this.candidates = candidates;
  }
}

export class InvalidTransitionError extends TaskpulseError {
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super("invalid_transition", EXIT.conflict, message, hint, options);
  }
}

export class ConflictError extends TaskpulseError {
  constructor(message: string, hint?: string) {
    super("conflict", EXIT.conflict, message, hint);
  }
}

export class StoreBusyError extends TaskpulseError {
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super("store_busy", EXIT.busy, message, hint ?? "the store is locked by another process; safe to retry", options);
  }
}

export class StoreCorruptError extends TaskpulseError {
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super("store_corrupt", EXIT.corrupt, message, hint ?? "run `taskpulse doctor` to inspect the store", options);
  }
}

/** The store's server could not be reached or went away mid-command (nothing was committed): exit 5, safe to retry. */
export class StoreUnavailableError extends TaskpulseError {
  constructor(message: string, hint?: string) {
    super("store_unavailable", EXIT.busy, message, hint ?? "nothing was changed; safe to retry when the server is back");
  }
}

/** The disk refused what the store needs (a read-only file system, no permission, a file in the way): exit 6. */
export class StoreIoError extends TaskpulseError {
  constructor(message: string, hint?: string) {
    super("io_error", EXIT.corrupt, message, hint ?? "nothing was changed; check the store directory's permissions and free space");
  }
}

/** The output could not be written (a full disk, an I/O error): the command itself was carried out. Exit 6. */
export class OutputError extends TaskpulseError {
  constructor(message: string) {
    super(
      "io_error",
      EXIT.corrupt,
      `cannot write the output: ${message}`,
      "the command itself was carried out (see `taskpulse log`); free space, or fix where the output goes",
      { detail: { key: "output_failed", reason: message } },
    );
  }
}
