// One entry, one exit: parse, run the command, render its outcome, and map every error to a message and an exit
// code. Nothing else in the program catches errors to print them, and nothing calls process.exit().
import { CommanderError } from "commander";
import type { Deps } from "../app/deps.ts";
import { successEnvelope } from "../core/envelope.ts";
import { EXIT } from "../core/errors.ts";
import { printable } from "../core/names.ts";
import { preScan, printOutcome, reportError, writeError } from "./finish.ts";
import type { Outcome } from "./outcome.ts";
import { buildProgram, commandName, nearest, suggestion } from "./program.ts";
import { commanderDetail, errorText, translateLine } from "./render/error-text.ts";

export interface RunOptions {
  /** Register every command up front instead of only the one argv runs (tests check both print the same). */
  allCommands?: boolean;
}

export async function run(argv: readonly string[], deps: Deps, options: RunOptions = {}): Promise<number> {
  const flags = preScan(argv, deps.env);
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
        if (!flags.json) deps.stderr(translateLine(s, flags.lang));
      },
      outputError: (s) => {
        state.commanderMessage = s.replace(/^error: /, "").trim();
        if (flags.json) return;
        // English exactly as commander words it; Chinese through the same table as every other error
        if (flags.lang === "en") deps.stderr(s);
        else deps.stderr(errorText({ code: "usage", message: state.commanderMessage, detail: commanderDetail(s) }, flags.lang));
      },
    },
    options.allCommands ? undefined : argv,
  );
  // No command at all is a usage error (exit 2), as in the original tools: the help goes to stderr.
  if (argv.length === 0) {
    deps.stderr(program.helpInformation());
    return EXIT.usage;
  }
  // `help nxt`: commander would print nothing; a word that names no command is answered as a mistyped command.
  const asked = commandName(program, argv) === "help" ? argv[argv.indexOf("help") + 1] : undefined;
  if (asked !== undefined && !asked.startsWith("-") && !program.commands.some((c) => c.name() === asked || c.aliases().includes(asked))) {
    const names = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
    const message = `unknown command '${printable(asked)}'${suggestion(asked, names)}`;
    const detail = { key: "unknown_command" as const, command: printable(asked), suggestions: nearest(asked, names) };
    if (flags.json) writeError(deps, "usage", message, "see taskpulse --help");
    else deps.stderr(errorText({ code: "usage", message, detail }, flags.lang));
    return EXIT.usage;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") {
        if (flags.json) deps.stdout(`${JSON.stringify(successEnvelope({ text: state.shown }, null))}\n`);
        return EXIT.ok;
      }
      if (flags.json) writeError(deps, "usage", state.commanderMessage ?? err.message, "see taskpulse --help");
      return EXIT.usage;
    }
    return reportError(err, deps, flags);
  }
  const outcome = state.outcome;
  if (!outcome) return EXIT.ok;
  try {
    return printOutcome(outcome, deps, flags);
  } catch (err) {
    return reportError(err, deps, flags);
  }
}
