// The lean entry for the calls agents make most (`heartbeat`, `next`, `check`, `done`: hundreds per task, each a new
// process), built to dist/hot.cjs without commander. It parses the command line with node:util's parseArgs from the
// option table the full program gives commander (src/cli/options.ts), and takes only what it parses exactly: the
// command word, its words, and options it knows, each at most once, values as separate words. Anything else (--help,
// --opt=value, `--`, an unknown or repeated option, a value or a word that starts with `-`, too few or too many
// words) returns undefined, and bin/taskpulse.js runs the full program, whose commander gives the usual answer. The
// command bodies, the context and the printing are the full program's own (test/hot.test.ts runs both on the same
// command lines and compares).
import { parseArgs } from "node:util";
import type { Ctx, GlobalOptions } from "./app/context.ts";
import type { Deps } from "./app/deps.ts";
import { finishTask } from "./cli/commands/done.ts";
import { heartbeat } from "./cli/commands/heartbeat.ts";
import { nextStep } from "./cli/commands/next.ts";
import { check } from "./cli/commands/stop.ts";
import { processDeps } from "./cli/deps.ts";
import { preScan, printOutcome, reportError } from "./cli/finish.ts";
import { runInContext } from "./cli/in-context.ts";
import { GLOBAL_OPTIONS, HEARTBEAT_OPTIONS, type OptionSpec, type ParsedOption, parseSpec } from "./cli/options.ts";
import type { Outcome } from "./cli/outcome.ts";
import { isPostgresUrl } from "./store/location.ts";

/** For bin/taskpulse.js: whether it may exit as soon as main() is done (all output already written). */
export { outputStreamsUsed } from "./cli/deps.ts";

let done: string | undefined;

/**
 * For bin/taskpulse.js: the work this start did, for its code cache to name (src/loader.ts, saveCache): the command
 * word, `@pg` on a PostgreSQL store, `+send` when it delivers its push. A heartbeat on one kind of store compiles
 * code a heartbeat on the other never runs (and one that sends, code one that does not send never runs), so a cache
 * written by one must not count as covering the other.
 */
export function work(): string | undefined {
  return done;
}

interface HotCommand {
  options: readonly OptionSpec[];
  /** How many words may follow the command word without commander answering with an error. */
  words: { min: number; max: number };
  run(ctx: Ctx, words: string[], options: Record<string, string>): Promise<Outcome>;
}

const ANY = { min: 0, max: Number.POSITIVE_INFINITY };

const COMMANDS = new Map<string, HotCommand>([
  [
    "heartbeat",
    {
      options: HEARTBEAT_OPTIONS,
      words: { min: 1, max: ANY.max },
      run: (ctx, [id = "", ...message], options) => heartbeat(ctx, id, message.join(" "), options),
    },
  ],
  ["next", { options: [], words: ANY, run: nextStep }],
  ["done", { options: [], words: ANY, run: finishTask }],
  ["check", { options: [], words: { min: 1, max: 1 }, run: (ctx, [id = ""]) => check(ctx, id) }],
]);

/** The command words this entry takes (bin/taskpulse.js sends it only command lines with one of them). */
export const LEAN_COMMANDS = [...COMMANDS.keys()];

const GLOBALS = GLOBAL_OPTIONS.map(parseSpec);
/** Every option any of these commands knows, so that parseArgs knows which take a value before the command is known. */
const ALL = [...GLOBALS, ...[...COMMANDS.values()].flatMap((c) => c.options.map(parseSpec))];
const CONFIG = Object.fromEntries(
  ALL.map((o) => [o.name, { type: o.takesValue ? ("string" as const) : ("boolean" as const), ...(o.short ? { short: o.short } : {}) }]),
);

export interface HotCall {
  /** The command word. */
  name: string;
  command: HotCommand;
  globals: GlobalOptions;
  words: string[];
  options: Record<string, string>;
}

/** The call `argv` asks for, or undefined when the full program should answer it. */
export function parseHot(argv: readonly string[]): HotCall | undefined {
  let tokens: ReturnType<typeof parseArgs>["tokens"];
  try {
    ({ tokens } = parseArgs({ args: [...argv], options: CONFIG, strict: true, allowPositionals: true, tokens: true }));
  } catch {
    return undefined;
  }
  let name = "";
  let command: HotCommand | undefined;
  let own: ParsedOption[] = [];
  const globals: Record<string, string | boolean> = {};
  const options: Record<string, string> = {};
  const words: string[] = [];
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind === "option-terminator") return undefined;
    if (token.kind === "positional") {
      if (token.value.startsWith("-")) return undefined;
      if (command) {
        words.push(token.value);
        continue;
      }
      name = token.value;
      command = COMMANDS.get(name);
      if (command === undefined) return undefined;
      own = command.options.map(parseSpec);
      continue;
    }
    // `--opt=value` and grouped short flags (`-qj`) are commander's to read
    if (argv[token.index] !== token.rawName || seen.has(token.name)) return undefined;
    seen.add(token.name);
    if (token.value?.startsWith("-")) return undefined;
    const global = GLOBALS.find((o) => o.name === token.name);
    const mine = own.find((o) => o.name === token.name);
    if (global) globals[global.key] = token.value ?? global.flagValue;
    else if (mine && token.value !== undefined) options[mine.key] = token.value;
    else return undefined;
  }
  if (!command || words.length < command.words.min || words.length > command.words.max) return undefined;
  return { name, command, globals: globals as GlobalOptions, words, options };
}

/** Runs `argv` if it is a call this entry takes; undefined when the full program must. */
export async function main(argv: readonly string[], deps?: Deps): Promise<number | undefined> {
  done = undefined;
  const call = parseHot(argv);
  if (call === undefined) return undefined;
  const io = deps ?? processDeps();
  const flags = preScan(argv, io.env);
  try {
    const outcome = await runInContext(call.globals, io, (ctx) => {
      done = `${call.name}${isPostgresUrl(ctx.storeDir) ? "@pg" : ""}${ctx.send ? "+send" : ""}`;
      return call.command.run(ctx, call.words, call.options);
    });
    return printOutcome(outcome, io, flags);
  } catch (err) {
    return reportError(err, io, flags);
  }
}
