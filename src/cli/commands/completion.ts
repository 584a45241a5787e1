import { Argument, type Command } from "commander";
import type { CliCtx } from "../cli-context.ts";
import { completionScript, programSpec, SHELLS, type Shell } from "../completion.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import { type App, buildProgram } from "../program.ts";

export function registerCompletion(program: Command, app: App): void {
  program
    .command("completion")
    .description("print a shell completion script (commands, options, values)")
    .addArgument(new Argument("<shell>", "bash, zsh or fish").choices(SHELLS))
    .addHelpText(
      "after",
      example(
        "taskpulse completion bash > ~/.local/share/bash-completion/completions/taskpulse",
        "source <(taskpulse completion zsh)       # in ~/.zshrc",
        "taskpulse completion fish > ~/.config/fish/completions/taskpulse.fish",
      ),
    )
    .action(app.action((ctx, shell: Shell) => completion(ctx, shell)));
}

export async function completion(ctx: CliCtx, shell: Shell): Promise<Outcome> {
  // A run registers only the command it runs; the script describes every command, so build the whole program.
  const sink = { writeOut() {}, writeErr() {}, outputError() {} };
  const full = await buildProgram(ctx.deps, () => {}, sink);
  const script = completionScript(shell, programSpec(full));
  return { data: { shell, script }, lines: [script.trimEnd()], quiet: script.trimEnd() };
}
