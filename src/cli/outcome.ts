// What a command returns: data for --json, lines for people, the one essential value for -q, the push payload,
// and the exit code. Commands never print; run.ts renders the outcome in the mode asked for.
import type { Push } from "../core/push.ts";

export interface Outcome {
  data: unknown;
  lines: string[];
  quiet?: string | undefined;
  push?: Push | null | undefined;
  exitCode?: number | undefined;
  warnings?: string[] | undefined;
  /** Human lines for stderr, for commands whose stdout belongs to something else (`run` passes a job's output). */
  notes?: string[] | undefined;
  /** "none": nothing on stderr, not even warnings (`run --announce`, whose stderr OpenClaw would announce). */
  stderr?: "none" | undefined;
}
