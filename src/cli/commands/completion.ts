import { Argument, type Command } from "commander";
import { completionScript, programSpec, SHELLS, type Shell } from "../completion.ts";
import type { Outcome } from "../outcome.ts";
import { type App, example } from "../program.ts";

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
    .action(app.action((_ctx, shell: Shell) => completion(program, shell)));
}

export function completion(program: Command, shell: Shell): Outcome {
  const script = completionScript(shell, programSpec(program));
  return { data: { shell, script }, lines: [script.trimEnd()], quiet: script.trimEnd() };
}
