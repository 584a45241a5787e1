// The options of the whole program and of the hot commands, declared once. The full program gives them to commander
// (program.ts, commands/heartbeat.ts) as flags strings (flagsOf) and the lean entry to node:util's parseArgs
// (src/hot.ts, through parseSpec), so the two cannot disagree on a name, a short flag or whether an option takes a
// value. Declared by parts rather than as commander's strings: the lean entry reads them on every start, and taking a
// string apart costs more there than putting one together here.

export interface OptionSpec {
  /** The long name without dashes; `no-x` is commander's negated flag (sets `x` to false). */
  readonly long: string;
  readonly short?: string;
  /** The value's name in help (`--store <dir|url>`); absent for a flag. */
  readonly value?: string;
  readonly description: string;
}

export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { long: "json", description: "print one JSON document on stdout" },
  { long: "quiet", short: "q", description: "print only the essential value (the id for create)" },
  { long: "now", value: "iso", description: "fix the clock for this call" },
  {
    long: "store",
    value: "dir|url",
    description: "store directory or postgres:// URL (default: $TASKPULSE_STORE, $TASKPULSE_HOME or ~/.openclaw/taskpulse)",
  },
  { long: "agent", value: "name", description: "agent (default: $TASKPULSE_AGENT, the workspace folder, or main)" },
  { long: "lang", value: "lang", description: "language of messages: zh or en" },
  { long: "channel", value: "channel", description: "push route: channel (telegram, discord, slack, …)" },
  { long: "target", value: "target", description: "push route: chat or user id" },
  { long: "account", value: "id", description: "push route: account id" },
  { long: "thread", value: "id", description: "push route: thread id" },
  { long: "send", description: "deliver a due push through `openclaw message` (also TASKPULSE_SEND=1)" },
  { long: "no-color", description: "never colour output" },
  { long: "debug", description: "show stack traces of internal errors" },
];

export const HEARTBEAT_OPTIONS: readonly OptionSpec[] = [
  { long: "progress", value: "n", description: "progress: percent 0-100 (60 or 60%), a fraction (0.6) or a count (3/5)" },
  { long: "waiting", value: "reason", description: "waiting on something external: do not call the task stalled meanwhile" },
  { long: "for", value: "duration", description: "with --waiting: for at most this long (e.g. 30m)" },
];

/** commander's flags string for an option: `-q, --quiet`, `--store <dir|url>`, `--no-color`. */
export function flagsOf(spec: OptionSpec): string {
  return `${spec.short ? `-${spec.short}, ` : ""}--${spec.long}${spec.value ? ` <${spec.value}>` : ""}`;
}

/** An option as parseArgs declares it, with the property commander gives its value under and that value when set. */
export interface ParsedOption {
  /** parseArgs' name: the long name without dashes (`no-color`). */
  name: string;
  short?: string;
  takesValue: boolean;
  /** commander's property: camelCase, without `no-` (`color`). */
  key: string;
  /** commander's value for a flag: false for a `--no-` option, else true. */
  flagValue: boolean;
}

/** How parseArgs and commander see an option: parseArgs by its long name, commander by its camelCase key. */
export function parseSpec(spec: OptionSpec): ParsedOption {
  const negated = spec.long.startsWith("no-");
  const words = (negated ? spec.long.slice(3) : spec.long).split("-");
  const key =
    words[0] +
    words
      .slice(1)
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join("");
  return { name: spec.long, ...(spec.short ? { short: spec.short } : {}), takesValue: spec.value !== undefined, key, flagValue: !negated };
}
