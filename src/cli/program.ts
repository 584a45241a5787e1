// Builds a fresh commander program per run (tests run many in one process). Each command lives in its own file
// under commands/ and is listed in COMMANDS below; a run loads only the command it runs.
import { Command } from "commander";
import type { GlobalOptions } from "../app/context.ts";
import type { Deps } from "../app/deps.ts";
import type { CliCtx } from "./cli-context.ts";
import { runInContext } from "./in-context.ts";
import { flagsOf, GLOBAL_OPTIONS } from "./options.ts";
import type { Outcome } from "./outcome.ts";

export interface App {
  /** Wraps a command body into a commander action: builds the context from the global options, keeps the outcome. */
  action<A extends unknown[]>(body: (ctx: CliCtx, ...args: A) => Promise<Outcome> | Outcome): (...args: unknown[]) => Promise<void>;
}

const EXIT_CODES = `
Exit codes:
  0   ok (an empty result is ok)
  1   internal error
  2   usage or invalid input
  3   not found, or ambiguous id prefix
  4   invalid state transition, or conflict (lost a race)
  5   store busy or unavailable (lock not obtained in time, PostgreSQL
      unreachable or lost); safe to retry
  6   store unreadable, unwritable or corrupt (taskpulse doctor explains);
      PostgreSQL: login refused, newer schema
  7   (wait) the task failed; (jobs --follow) the run failed
  8   (wait) the task was cancelled
  9   (wait) timed out
  20  stop requested (check, heartbeat, wait --stop)
  run exits with the job's own status instead: its exit code, 124 timed out,
      128+n killed by signal n, 127/126 could not be started (0 with --announce
      once recorded; see taskpulse run --help)`;

export interface OutputConfig {
  writeOut(str: string): void;
  writeErr(str: string): void;
  outputError(str: string, write: (str: string) => void): void;
}

type Register = (program: Command, app: App) => void;

/** The line commander adds after each of its usage errors. */
const HELP_AFTER_ERROR = "(run with --help for usage)";

export interface CommandEntry {
  /** The name and aliases the command registers (test/cli/program.test.ts checks them against the program). */
  names: readonly string[];
  load(): Promise<Register>;
}

/**
 * Every command, in the order `--help` lists them. A run imports only the module of the command it runs (all of
 * them for help or an unknown command), so what a command imports costs only the calls that run it, and a new
 * command slows no other. To add one: write commands/<verb>.ts exporting registerVerb(program, app), and add a line
 * here with the names it registers.
 */
export const COMMANDS: readonly CommandEntry[] = [
  { names: ["create"], load: async () => (await import("./commands/create.ts")).registerCreate },
  { names: ["next"], load: async () => (await import("./commands/next.ts")).registerNext },
  { names: ["skip"], load: async () => (await import("./commands/next.ts")).registerSkip },
  { names: ["heartbeat"], load: async () => (await import("./commands/heartbeat.ts")).registerHeartbeat },
  { names: ["done", "complete", "finish"], load: async () => (await import("./commands/done.ts")).registerDone },
  { names: ["error", "fail"], load: async () => (await import("./commands/fail.ts")).registerFail },
  { names: ["cancel"], load: async () => (await import("./commands/cancel.ts")).registerCancel },
  { names: ["retry"], load: async () => (await import("./commands/retry.ts")).registerRetry },
  { names: ["pushed"], load: async () => (await import("./commands/pushed.ts")).registerPushed },
  { names: ["start"], load: async () => (await import("./commands/start.ts")).registerStart },
  { names: ["edit"], load: async () => (await import("./commands/edit.ts")).registerEdit },
  { names: ["limit"], load: async () => (await import("./commands/limit.ts")).registerLimit },
  { names: ["status", "show", "info"], load: async () => (await import("./commands/status.ts")).registerStatus },
  { names: ["query", "list", "ls"], load: async () => (await import("./commands/query.ts")).registerQuery },
  { names: ["stats"], load: async () => (await import("./commands/stats.ts")).registerStats },
  { names: ["history"], load: async () => (await import("./commands/history.ts")).registerHistory },
  { names: ["agents"], load: async () => (await import("./commands/agents.ts")).registerAgents },
  { names: ["log"], load: async () => (await import("./commands/log.ts")).registerLog },
  { names: ["stop", "check", "ack"], load: async () => (await import("./commands/stop.ts")).registerStop },
  { names: ["wait"], load: async () => (await import("./commands/wait.ts")).registerWait },
  { names: ["run"], load: async () => (await import("./commands/run-job.ts")).registerRunJob },
  { names: ["jobs"], load: async () => (await import("./commands/jobs.ts")).registerJobs },
  { names: ["alerts"], load: async () => (await import("./commands/alerts.ts")).registerAlerts },
  { names: ["delivery"], load: async () => (await import("./commands/delivery.ts")).registerDelivery },
  { names: ["state"], load: async () => (await import("./commands/state.ts")).registerState },
  { names: ["cleanup"], load: async () => (await import("./commands/cleanup.ts")).registerCleanup },
  { names: ["doctor"], load: async () => (await import("./commands/doctor.ts")).registerDoctor },
  { names: ["export", "import", "migrate"], load: async () => (await import("./commands/transfer.ts")).registerTransfer },
  { names: ["serve"], load: async () => (await import("./commands/serve.ts")).registerServe },
  { names: ["token"], load: async () => (await import("./commands/token.ts")).registerToken },
  { names: ["skill"], load: async () => (await import("./commands/skill.ts")).registerSkill },
  { names: ["heartbeat-line"], load: async () => (await import("./commands/heartbeat-line.ts")).registerHeartbeatLine },
  { names: ["completion"], load: async () => (await import("./commands/completion.ts")).registerCompletion },
];

/**
 * With `argv`, registers only the command it runs when that is certain (see commandName); without, every command.
 */
export async function buildProgram(
  deps: Deps,
  done: (outcome: Outcome) => void,
  output: OutputConfig,
  argv?: readonly string[],
): Promise<Command> {
  const program = new Command("taskpulse");
  // A mistyped command is answered with commands that only read: "step" must not suggest "stop", nor "show" "stop".
  Object.assign(program, {
    unknownCommand(this: Command) {
      const typed = this.args[0] ?? "";
      this.error(`error: unknown command '${typed}'${suggestion(typed)}`, { code: "commander.unknownCommand" });
    },
  });
  program
    .configureOutput(output)
    .configureHelp({ helpWidth: 80, showGlobalOptions: true, subcommandTerm: (cmd) => [cmd.name(), ...cmd.aliases()].join("|") })
    .description("Track agent tasks, queues and cron jobs in a crash-safe store, with ready-to-send chat pushes.")
    .version("0.1.0", "-V, --version")
    .exitOverride()
    .showHelpAfterError(HELP_AFTER_ERROR)
    .showSuggestionAfterError(true)
    .addHelpText("after", `${EXIT_CODES}\n\nDocs: README.md and references/ in the package.`);
  for (const spec of GLOBAL_OPTIONS) program.option(flagsOf(spec), spec.description);

  const app: App = {
    action(body) {
      // commander passes the positional arguments, then the command's options, then the command itself
      return async (...args: unknown[]) =>
        done(await runInContext(program.opts<GlobalOptions>(), deps, (ctx) => body(ctx, ...(args as never))));
    },
  };

  const name = argv === undefined ? undefined : commandName(program, argv);
  const one = COMMANDS.filter((entry) => name !== undefined && entry.names.includes(name));
  // `taskpulse --version` needs no command at all.
  const none = argv !== undefined && argv.length === 1 && (argv[0] === "-V" || argv[0] === "--version");
  const registers = none ? [] : await Promise.all((one.length > 0 ? one : COMMANDS).map((entry) => entry.load()));
  for (const register of registers) register(program, app);
  const groupOf = (cmd: Command) => HELP_GROUPS.findIndex(([, names]) => names.includes(cmd.name()));
  for (const cmd of program.commands) {
    cmd.exitOverride();
    const group = HELP_GROUPS[groupOf(cmd)];
    if (group) cmd.helpGroup(group[0]);
  }
  // `help` itself goes with the last group (commander adds it when help is shown)
  program.addHelpCommand(
    new Command("help")
      .argument("[command]")
      .description("help for a command")
      .helpGroup(HELP_GROUPS.at(-1)?.[0] ?? ""),
  );
  return program;
}

/**
 * The top-level help in groups, each command by its names only (its arguments are in its own --help), so that it
 * fits 80 columns (issue 18: one line was 164 wide).
 */
export const HELP_GROUPS: readonly (readonly [string, readonly string[]])[] = [
  ["Live tasks:", ["create", "next", "skip", "heartbeat", "done", "error", "cancel", "retry", "pushed"]],
  ["Queues:", ["start", "edit", "limit", "status", "query", "stats", "history", "agents", "log"]],
  ["Stop requests:", ["stop", "check", "ack", "wait"]],
  ["Cron jobs:", ["run", "jobs", "alerts", "delivery", "state"]],
  ["Store:", ["cleanup", "doctor", "export", "import", "migrate"]],
  ["Dashboard and OpenClaw:", ["serve", "token", "skill", "heartbeat-line", "completion", "help"]],
];

/**
 * The command commander will dispatch `argv` to: its first operand, found the way commander's parseOptions finds
 * it (global options and their values skipped). Anything this does not follow exactly (an unknown option, a group
 * of short flags, --help) gives undefined, and then every command is registered, as commander would need.
 */
export function commandName(program: Command, argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") return argv[i + 1];
    if (arg.length < 2 || !arg.startsWith("-")) return arg;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const option = program.options.find((o) => o.short === arg || o.long === arg);
    if (option && !option.optional) {
      if (option.required) i++;
      continue;
    }
    const withValue = eq > 2 ? program.options.find((o) => o.long === arg.slice(0, eq)) : undefined;
    if (withValue?.required) continue;
    return undefined;
  }
  return undefined;
}

/** Commands that change nothing: the only ones a mistyped command word is answered with. */
const SAFE_TO_SUGGEST = [
  "status",
  "show",
  "info",
  "log",
  "query",
  "list",
  "ls",
  "stats",
  "history",
  "agents",
  "jobs",
  "alerts",
  "check",
  "wait",
  "doctor",
  "export",
  "heartbeat-line",
  "completion",
  "help",
];

/** Edit distance with adjacent transpositions (a typo "stauts" is one step from "status"). */
function distance(a: string, b: string): number {
  const w = b.length + 1;
  const d = new Uint16Array((a.length + 1) * w);
  const at = (i: number, j: number) => d[i * w + j] as number;
  for (let i = 0; i <= a.length; i++) d[i * w] = i;
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * w + j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * " (Did you mean …?)" with the nearest of `candidates` (at most 2 edits, and under half the word), or "". For a mistyped
 * command, the read-only commands only; for `help <word>`, any (help changes nothing).
 */
export function suggestion(typed: string, candidates: readonly string[] = SAFE_TO_SUGGEST): string {
  const names = nearest(typed, candidates);
  if (names.length === 0) return "";
  return names.length === 1 ? `\n(Did you mean ${names[0]}?)` : `\n(Did you mean one of ${names.join(", ")}?)`;
}

/** The nearest of `candidates` to `typed`, as suggestion() picks them (sorted; none when nothing is near). */
export function nearest(typed: string, candidates: readonly string[] = SAFE_TO_SUGGEST): string[] {
  const scored = candidates
    .map((name) => ({ name, d: distance(typed, name) }))
    .filter(({ name, d }) => d <= 2 && d < Math.max(name.length, typed.length) / 2);
  if (scored.length === 0) return [];
  const best = Math.min(...scored.map((s) => s.d));
  return scored
    .filter((s) => s.d === best)
    .map((s) => s.name)
    .sort();
}
