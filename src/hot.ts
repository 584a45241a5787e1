// The hottest call, `taskpulse heartbeat …`, without commander: agents send hundreds per task, each a new process,
// and this entry (built to dist/hot.cjs, a third of the full bundle) starts ~8 ms sooner. It handles only the
// command lines it understands exactly: the id, message words, heartbeat's own options and the global options, each
// at most once, values as separate words. Anything else (--help, --opt=value, `--`, an unknown or repeated option,
// a value that looks like an option, no id) returns undefined, and bin/taskpulse.js runs the full program, whose
// commander gives the usual answer. The command body, the context and the printing are the full program's own
// (test/hot.test.ts runs both on the same command lines and compares).

import { createContext, type GlobalOptions } from "./app/context.ts";
import type { Deps } from "./app/deps.ts";
import type { HeartbeatOptions } from "./app/heartbeat.ts";
import { heartbeat } from "./cli/commands/heartbeat.ts";
import { processDeps } from "./cli/deps.ts";
import { preScan, printOutcome, reportError } from "./cli/finish.ts";

/** For bin/taskpulse.js: whether it may exit as soon as main() is done (all output already written). */
export { outputStreamsUsed } from "./cli/deps.ts";

type ValueOption = "now" | "store" | "agent" | "lang" | "channel" | "target" | "account" | "thread";

const GLOBAL_VALUES: Record<string, ValueOption> = {
  "--now": "now",
  "--store": "store",
  "--agent": "agent",
  "--lang": "lang",
  "--channel": "channel",
  "--target": "target",
  "--account": "account",
  "--thread": "thread",
};
const GLOBAL_FLAGS: Record<string, "json" | "quiet" | "debug" | "send"> = {
  "--json": "json",
  "-q": "quiet",
  "--quiet": "quiet",
  "--debug": "debug",
  "--send": "send",
};
const OWN_VALUES: Record<string, keyof HeartbeatOptions> = { "--progress": "progress", "--waiting": "waiting", "--for": "for" };

export interface HeartbeatCall {
  globals: GlobalOptions;
  id: string;
  message: string;
  options: HeartbeatOptions;
}

/**
 * The heartbeat `argv` asks for, or undefined when the full program should answer it. Global options may come before
 * the command word (`--store DIR heartbeat ID`), heartbeat's own only after it.
 */
export function parseHeartbeat(argv: readonly string[]): HeartbeatCall | undefined {
  const globals: GlobalOptions = {};
  const options: HeartbeatOptions = {};
  const words: string[] = [];
  const seen = new Set<string>();
  let command = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("-")) {
      if (command) words.push(arg);
      else if (arg === "heartbeat") command = true;
      else return undefined;
      continue;
    }
    const name = arg === "-q" ? "--quiet" : arg;
    if (seen.has(name)) return undefined;
    seen.add(name);
    const flag = GLOBAL_FLAGS[arg];
    if (flag !== undefined) {
      globals[flag] = true;
    } else if (arg === "--no-color") {
      globals.color = false;
    } else {
      const global = GLOBAL_VALUES[arg];
      const own = command ? OWN_VALUES[arg] : undefined;
      const value = argv[i + 1];
      if ((global === undefined && own === undefined) || value === undefined || value.startsWith("-")) return undefined;
      i++;
      if (global !== undefined) globals[global] = value;
      else options[own as keyof HeartbeatOptions] = value;
    }
  }
  const [id, ...message] = words;
  if (id === undefined) return undefined;
  return { globals, id, message: message.join(" "), options };
}

/** Runs `argv` if it is a heartbeat this entry understands; undefined when the full program must. */
export async function main(argv: readonly string[], deps: Deps = processDeps()): Promise<number | undefined> {
  const call = parseHeartbeat(argv);
  if (call === undefined) return undefined;
  const flags = preScan(argv, deps.env);
  try {
    const ctx = createContext({ ...call.globals, announce: call.globals.quiet !== true }, deps);
    try {
      let outcome = await heartbeat(ctx, call.id, call.message, call.options);
      if (ctx.send && outcome.push) outcome = await (await import("./app/send.ts")).deliver(ctx, outcome);
      return printOutcome(outcome, deps, flags);
    } finally {
      await ctx.close();
    }
  } catch (err) {
    return reportError(err, deps, flags);
  }
}
