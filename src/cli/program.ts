// Builds a fresh commander program per run (tests run many in one process). Each command lives in its own file
// under commands/ and registers itself here.
import { Command, Option } from "commander";
import { registerAgents } from "./commands/agents.ts";
import { registerCleanup } from "./commands/cleanup.ts";
import { registerCreate } from "./commands/create.ts";
import { registerDoctor } from "./commands/doctor.ts";
import { registerHistory } from "./commands/history.ts";
import { registerLifecycle } from "./commands/lifecycle.ts";
import { registerLimit } from "./commands/limit.ts";
import { registerLog } from "./commands/log.ts";
import { registerPushed } from "./commands/pushed.ts";
import { registerQuery } from "./commands/query.ts";
import { registerStart } from "./commands/start.ts";
import { registerStats } from "./commands/stats.ts";
import { registerStatus } from "./commands/status.ts";
import { registerStop } from "./commands/stop.ts";
import { registerWait } from "./commands/wait.ts";
import { type Ctx, createContext, type GlobalOptions } from "./context.ts";
import type { Deps } from "./deps.ts";
import type { Outcome } from "./outcome.ts";

export type Handler = (ctx: Ctx, ...args: never[]) => Promise<Outcome> | Outcome;

export interface App {
  /** Wraps a command body into a commander action: builds the context from the global options, keeps the outcome. */
  action<A extends unknown[]>(body: (ctx: Ctx, ...args: A) => Promise<Outcome> | Outcome): (...args: unknown[]) => Promise<void>;
}

const EXIT_CODES = `
Exit codes:
  0   ok (an empty result is ok)
  1   internal error
  2   usage or invalid input
  3   not found, or ambiguous id prefix
  4   invalid state transition, or conflict (lost a race)
  5   store busy (lock not obtained in time; safe to retry)
  6   store unreadable, unwritable or corrupt (taskpulse doctor explains)
  7   (wait) the task failed
  8   (wait) the task was cancelled
  9   (wait) timed out
  20  stop requested (check, heartbeat, wait --stop)`;

export function example(...lines: string[]): string {
  return `\nExample${lines.length > 1 ? "s" : ""}:\n${lines.map((l) => `  $ ${l}`).join("\n")}`;
}

export interface OutputConfig {
  writeOut(str: string): void;
  writeErr(str: string): void;
  outputError(str: string, write: (str: string) => void): void;
}

export function buildProgram(deps: Deps, done: (outcome: Outcome) => void, output: OutputConfig): Command {
  const program = new Command("taskpulse");
  program
    .configureOutput(output)
    .description("Track agent tasks, queues and cron jobs in a crash-safe store, with ready-to-send chat pushes.")
    .version("0.1.0", "-V, --version")
    .option("--json", "print one JSON document on stdout")
    .option("-q, --quiet", "print only the essential value (the id for create)")
    .option("--now <iso>", "fix the clock for this call")
    .option("--store <dir>", "store directory (default: $TASKPULSE_HOME or ~/.openclaw/taskpulse)")
    .option("--agent <name>", "agent (default: $TASKPULSE_AGENT, the workspace folder, or main)")
    .addOption(new Option("--lang <lang>", "language of messages: zh or en"))
    .option("--channel <channel>", "push route: channel (telegram, discord, slack, …)")
    .option("--target <target>", "push route: chat or user id")
    .option("--account <id>", "push route: account id")
    .option("--thread <id>", "push route: thread id")
    .option("--no-color", "never colour output")
    .option("--debug", "show stack traces of internal errors")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .showSuggestionAfterError(true)
    .addHelpText("after", `${EXIT_CODES}\n\nDocs: README.md and references/ in the package.`);

  const app: App = {
    action(body) {
      return async (...args: unknown[]) => {
        // commander passes the positional arguments, then the command's options, then the command itself
        const ctx = createContext(program.opts<GlobalOptions>(), deps);
        done(await body(ctx, ...(args as never)));
      };
    },
  };

  registerCreate(program, app);
  registerStart(program, app);
  registerLifecycle(program, app);
  registerStatus(program, app);
  registerLog(program, app);
  registerLimit(program, app);
  registerPushed(program, app);
  registerCleanup(program, app);
  registerQuery(program, app);
  registerStats(program, app);
  registerHistory(program, app);
  registerAgents(program, app);
  registerStop(program, app);
  registerWait(program, app);
  registerDoctor(program, app);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}
