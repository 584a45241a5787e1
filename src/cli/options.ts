// The options of the whole program and of the hot commands, declared once. The full program gives them to commander
// (program.ts, commands/heartbeat.ts) and the lean entry to node:util's parseArgs (src/hot.ts, through
// parseArgsConfig), so the two cannot disagree on a name, a short flag or whether an option takes a value. Each is
// commander's flags string: `-s, --long`, `--long <value>`, or `--no-long` (sets `long` to false).

export interface OptionSpec {
  readonly flags: string;
  readonly description: string;
}

export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { flags: "--json", description: "print one JSON document on stdout" },
  { flags: "-q, --quiet", description: "print only the essential value (the id for create)" },
  { flags: "--now <iso>", description: "fix the clock for this call" },
  {
    flags: "--store <dir|url>",
    description: "store directory or postgres:// URL (default: $TASKPULSE_STORE, $TASKPULSE_HOME or ~/.openclaw/taskpulse)",
  },
  { flags: "--agent <name>", description: "agent (default: $TASKPULSE_AGENT, the workspace folder, or main)" },
  { flags: "--lang <lang>", description: "language of messages: zh or en" },
  { flags: "--channel <channel>", description: "push route: channel (telegram, discord, slack, …)" },
  { flags: "--target <target>", description: "push route: chat or user id" },
  { flags: "--account <id>", description: "push route: account id" },
  { flags: "--thread <id>", description: "push route: thread id" },
  { flags: "--send", description: "deliver a due push through `openclaw message` (also TASKPULSE_SEND=1)" },
  { flags: "--no-color", description: "never colour output" },
  { flags: "--debug", description: "show stack traces of internal errors" },
];

export const HEARTBEAT_OPTIONS: readonly OptionSpec[] = [
  { flags: "--progress <n>", description: "progress: percent 0-100 (60 or 60%), a fraction (0.6) or a count (3/5)" },
  { flags: "--waiting <reason>", description: "waiting on something external: do not call the task stalled meanwhile" },
  { flags: "--for <duration>", description: "with --waiting: for at most this long (e.g. 30m)" },
];

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

const FLAGS = /^(?:-([a-zA-Z]), )?--([a-z][a-z-]*)(?: <[^>]+>)?$/;

export function parseSpec(spec: OptionSpec): ParsedOption {
  const match = FLAGS.exec(spec.flags);
  if (!match) throw new Error(`option flags not understood: ${spec.flags}`);
  const [, short, name = ""] = match;
  const negated = name.startsWith("no-");
  const key = (negated ? name.slice(3) : name).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return { name, ...(short ? { short } : {}), takesValue: spec.flags.includes("<"), key, flagValue: !negated };
}
