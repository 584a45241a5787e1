// Shell completion scripts, generated from the commander program itself (its commands, aliases, options and the
// choices declared on them), so a new command or option completes without anyone editing a script.
import type { Command, Option } from "commander";

export type Shell = "bash" | "zsh" | "fish";
export const SHELLS: readonly Shell[] = ["bash", "zsh", "fish"];

interface OptionSpec {
  short?: string;
  long?: string;
  description: string;
  takesValue: boolean;
  choices?: readonly string[];
  /** Completes with directory names (store and workspace paths). */
  directory: boolean;
}

interface CommandSpec {
  name: string;
  aliases: string[];
  description: string;
  options: OptionSpec[];
  /** Choices of the first positional argument, when declared. */
  argChoices?: readonly string[];
  /** Its first positional argument is a task id: completed with the ids of the hot tasks (IDS_COMMAND). */
  takesId?: boolean;
}

/** What a completion script runs for task ids: queued and running tasks (the ones commands act on), newest first. */
const IDS_COMMAND = "query --status pending,running --limit 200 -q";

export interface ProgramSpec {
  name: string;
  globals: OptionSpec[];
  commands: CommandSpec[];
}

const DIRECTORY_OPTIONS = new Set(["--store", "--dir"]);

function optionSpec(o: Option): OptionSpec {
  const spec: OptionSpec = {
    description: o.description ?? "",
    takesValue: o.required || o.optional,
    directory: o.long !== undefined && DIRECTORY_OPTIONS.has(o.long),
  };
  if (o.short) spec.short = o.short;
  if (o.long) spec.long = o.long;
  if (o.argChoices) spec.choices = o.argChoices;
  return spec;
}

export function programSpec(program: Command): ProgramSpec {
  const visible = (o: Option) => !o.hidden;
  const globals = program.options.filter(visible).map(optionSpec);
  globals.push({ short: "-h", long: "--help", description: "display help", takesValue: false, directory: false });
  const commands = program.commands.map((cmd) => {
    const spec: CommandSpec = {
      name: cmd.name(),
      aliases: cmd.aliases(),
      description: cmd.description(),
      options: [
        ...cmd.options.filter(visible).map(optionSpec),
        { long: "--help", description: "display help", takesValue: false, directory: false },
      ],
    };
    const first = cmd.registeredArguments[0];
    if (first?.argChoices) spec.argChoices = first.argChoices;
    if (first?.name() === "id") spec.takesId = true;
    return spec;
  });
  return { name: program.name(), globals, commands };
}

export function completionScript(shell: Shell, spec: ProgramSpec): string {
  switch (shell) {
    case "bash":
      return bash(spec);
    case "zsh":
      return zsh(spec);
    case "fish":
      return fish(spec);
  }
}

const flagsOf = (options: readonly OptionSpec[]) => options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined));
const valueFlags = (options: readonly OptionSpec[]) =>
  flagsOf(options.filter((o) => o.takesValue)).filter((f, i, all) => all.indexOf(f) === i);
const unique = (list: readonly string[]) => list.filter((x, i) => list.indexOf(x) === i);
/** Global options that make sense after a command (not --version). */
const commandGlobals = (spec: ProgramSpec) => spec.globals.filter((g) => g.long !== "--version" && g.long !== "--help");
/** A word safe inside single quotes in every shell here. */
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const fn = (spec: ProgramSpec) => `_${spec.name.replace(/[^A-Za-z0-9_]/g, "_")}`;

function bash(spec: ProgramSpec): string {
  const names = spec.commands.flatMap((c) => [c.name, ...c.aliases]);
  const allValue = valueFlags([...spec.globals, ...spec.commands.flatMap((c) => c.options)]);
  const valueCases: string[] = [];
  for (const o of [...spec.globals, ...spec.commands.flatMap((c) => c.options)]) {
    if (!o.takesValue || (!o.choices && !o.directory)) continue;
    const flags = [o.long, o.short].filter(Boolean).join("|");
    const body = o.directory
      ? `COMPREPLY=($(compgen -d -- "$cur"))`
      : `COMPREPLY=($(compgen -W ${sq(o.choices?.join(" ") ?? "")} -- "$cur"))`;
    const line = `    ${flags}) ${body}; return ;;`;
    if (!valueCases.includes(line)) valueCases.push(line);
  }
  const commandCases = spec.commands.map((c) => {
    const words = unique([...(c.argChoices ?? []), ...flagsOf(c.options), ...flagsOf(commandGlobals(spec))]);
    const ids = c.takesId ? '; [[ $cur != -* ]] && words="$words $(__ids)"' : "";
    return `    ${[c.name, ...c.aliases].join("|")}) words=${sq(words.join(" "))}${ids} ;;`;
  });
  return `# ${spec.name} completion for bash. Load it with:  source <(${spec.name} completion bash)
# or save it:  ${spec.name} completion bash > ~/.local/share/bash-completion/completions/${spec.name}
${fn(spec)}() {
  local cur prev cmd words i store=""
  # task ids from the store the command line names (--store), else the default one
  __ids() { ${spec.name} \${store:+--store "$store"} ${IDS_COMMAND} 2>/dev/null; }
  for ((i = 1; i < COMP_CWORD; i++)); do [[ \${COMP_WORDS[i]} == --store ]] && store="\${COMP_WORDS[i+1]}"; done
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
${valueCases.join("\n")}
    ${allValue.join("|")}) return ;;
  esac
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${allValue.join("|")}) ((i++)) ;;
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$cmd" in
    "") words=${sq([...names, ...flagsOf(spec.globals)].join(" "))} ;;
${commandCases.join("\n")}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F ${fn(spec)} ${spec.name}
`;
}

/** An _arguments spec for one option. */
function zshOption(o: OptionSpec): string {
  const desc = o.description.replace(/[[\]:\\]/g, "\\$&").replace(/'/g, "'\\''");
  const action = !o.takesValue ? "" : o.directory ? ":dir:_files -/" : o.choices ? `:value:(${o.choices.join(" ")})` : ":value: ";
  if (o.short && o.long) return `'(${o.short} ${o.long})'{${o.short},${o.long}}'[${desc}]${action}'`;
  return `'${o.long ?? o.short}[${desc}]${action}'`;
}

function zsh(spec: ProgramSpec): string {
  const describe = spec.commands.flatMap((c) =>
    [c.name, ...c.aliases].map((n) => sq(`${n}:${c.description.replace(/[:\\]/g, "\\$&")}`.slice(0, 200))),
  );
  const cases = spec.commands.map((c) => {
    const opts = [...c.options, ...commandGlobals(spec)].map(zshOption);
    const arg = c.argChoices
      ? [`'1:${c.name}:(${c.argChoices.join(" ")})'`]
      : c.takesId
        ? [`'1:task id:{local -a ids; ids=(\${(f)"$(${spec.name} ${IDS_COMMAND} 2>/dev/null)"}); _describe -t ids "task id" ids}'`]
        : [];
    return `    (${[c.name, ...c.aliases].join("|")})\n      _arguments -s ${[...opts, ...arg, "'*::arg:_default'"].join(" \\\n        ")} ;;`;
  });
  return `#compdef ${spec.name}
# ${spec.name} completion for zsh. Load it with:  source <(${spec.name} completion zsh)
# or save it as _${spec.name} in a directory of your $fpath.
${fn(spec)}() {
  local curcontext="$curcontext" state line ret=1
  typeset -A opt_args
  local -a commands
  commands=(
    ${describe.join("\n    ")}
  )
  _arguments -C -s ${spec.globals.map(zshOption).join(" \\\n    ")} \\
    '1:command:->command' \\
    '*::arg:->args' && ret=0
  case $state in
  (command)
    _describe -t commands '${spec.name} command' commands && ret=0 ;;
  (args)
    case $line[1] in
${cases.join("\n")}
    esac ;;
  esac
  return ret
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  ${fn(spec)} "$@"
else
  compdef ${fn(spec)} ${spec.name}
fi
`;
}

function fishOption(name: string, o: OptionSpec, condition: string): string {
  const parts = [`complete -c ${name}`];
  if (condition) parts.push(`-n ${sq(condition)}`);
  if (o.short) parts.push(`-s ${o.short.replace(/^-/, "")}`);
  if (o.long) parts.push(`-l ${o.long.replace(/^--/, "")}`);
  if (o.takesValue)
    parts.push(o.directory ? "-r -a '(__fish_complete_directories)'" : o.choices ? `-x -a ${sq(o.choices.join(" "))}` : "-x");
  parts.push(`-d ${sq(o.description)}`);
  return parts.join(" ");
}

function fish(spec: ProgramSpec): string {
  const name = spec.name;
  const all = spec.commands.flatMap((c) => [c.name, ...c.aliases]).join(" ");
  const lines = [
    `# ${name} completion for fish. Load it with:  ${name} completion fish | source`,
    `# or save it:  ${name} completion fish > ~/.config/fish/completions/${name}.fish`,
    `complete -c ${name} -f`,
  ];
  for (const o of spec.globals) lines.push(fishOption(name, o, ""));
  for (const c of spec.commands) {
    for (const n of [c.name, ...c.aliases])
      lines.push(`complete -c ${name} -n ${sq(`not __fish_seen_subcommand_from ${all}`)} -a ${n} -d ${sq(c.description)}`);
    const seen = `__fish_seen_subcommand_from ${[c.name, ...c.aliases].join(" ")}`;
    for (const o of c.options) if (o.long !== "--help") lines.push(fishOption(name, o, seen));
    if (c.argChoices) lines.push(`complete -c ${name} -n ${sq(seen)} -a ${sq(c.argChoices.join(" "))}`);
    if (c.takesId) lines.push(`complete -c ${name} -n ${sq(seen)} -a ${sq(`(${name} ${IDS_COMMAND} 2>/dev/null)`)} -d 'task id'`);
  }
  return `${lines.join("\n")}\n`;
}
