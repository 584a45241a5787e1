// Typed domain errors. Each carries a stable code, the process exit code it maps to, and a hint that tells the
// caller what would work instead. The CLI maps them to text or to the JSON error envelope in one place (cli/run.ts).

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

export class TaskpulseError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(code: string, exitCode: ExitCode, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

export class UsageError extends TaskpulseError {
  constructor(message: string, hint?: string) {
    super("usage", EXIT.usage, message, hint);
  }
}

export class NotFoundError extends TaskpulseError {
  constructor(message: string, hint?: string) {
    super("not_found", EXIT.notFound, message, hint);
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
    );
    this.candidates = candidates;
  }
}

export class InvalidTransitionError extends TaskpulseError {
  constructor(message: string, hint?: string) {
    super("invalid_transition", EXIT.conflict, message, hint);
  }
}

export class ConflictError extends TaskpulseError {
  constructor(message: string, hint?: string) {
    super("conflict", EXIT.conflict, message, hint);
  }
}

export class StoreBusyError extends TaskpulseError {
  constructor(message: string, hint?: string) {
    super("store_busy", EXIT.busy, message, hint ?? "the store is locked by another process; safe to retry");
  }
}

export class StoreCorruptError extends TaskpulseError {
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
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
    );
  }
}
