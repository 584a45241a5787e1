import { join } from "node:path";
import { type Command, Option } from "commander";
import { validateSlug } from "../../core/names.ts";
import type { Ctx } from "../context.ts";
import { example } from "../help-text.ts";
import { workspaceDir } from "../identity.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

export type Era = "md" | "scratch";

export interface HeartbeatLineOptions {
  era?: Era;
  job: string;
  file?: string;
}

export function registerHeartbeatLine(program: Command, app: App): void {
  program
    .command("heartbeat-line")
    .description("print the heartbeat checklist entries for an agent, or (--era) a command that adds them once")
    .addOption(
      new Option(
        "--era <era>",
        "md: HEARTBEAT.md (OpenClaw up to 2026.7); scratch: the heartbeat cron job's scratch text (2026.8+)",
      ).choices(["md", "scratch"]),
    )
    .option("--job <id>", "with --era scratch: the heartbeat cron job", "heartbeat-main")
    .option("--file <path>", "with --era md: the checklist file (default: HEARTBEAT.md of the agent's workspace)")
    .addHelpText(
      "after",
      example(
        "taskpulse heartbeat-line --agent main",
        "taskpulse heartbeat-line --era md | sh          # OpenClaw up to 2026.7",
        "taskpulse heartbeat-line --era scratch | sh     # OpenClaw 2026.8+, needs the openclaw CLI",
      ),
    )
    .action(app.action((ctx, opts: HeartbeatLineOptions) => heartbeatLine(ctx, opts)));
}

/** The checklist entries: quiet cleanup, then the pending-work check of OpenTask's heartbeat. */
export function heartbeatEntries(agent: string): string[] {
  return [
    "- taskpulse: run `taskpulse cleanup -q` (quiet; archives finished tasks, closes abandoned ones)",
    `- taskpulse: run \`taskpulse start --agent ${agent} -q\`; if it prints a task id, work on that task now; if it prints nothing, there is no queued work (reply HEARTBEAT_OK when nothing else needs attention)`,
  ];
}

/** HEARTBEAT.md of the agent's workspace: the one we are in, else OpenClaw's default for that agent. */
export function heartbeatFile(ctx: Ctx): string {
  const ws = workspaceDir(ctx.deps.cwd);
  if (ws) return join(ws, "HEARTBEAT.md");
  return join(ctx.deps.home, ".openclaw", ctx.agent === "main" ? "workspace" : `workspace-${ctx.agent}`, "HEARTBEAT.md");
}

const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A POSIX sh script that appends the entries missing from HEARTBEAT.md; running it twice changes nothing. */
export function mdRecipe(file: string, entries: readonly string[]): string {
  return `# Adds the taskpulse entries to ${file} (OpenClaw up to 2026.7); entries already there are left alone.
(
  set -eu
  file=${sq(file)}
  mkdir -p "$(dirname "$file")"
  touch "$file"
  if [ -s "$file" ] && [ -n "$(tail -c 1 "$file")" ]; then echo >> "$file"; fi
  while IFS= read -r line; do
    grep -qxF -- "$line" "$file" || printf '%s\\n' "$line" >> "$file"
  done <<'TASKPULSE_ENTRIES'
${entries.join("\n")}
TASKPULSE_ENTRIES
)
`;
}

/**
 * A POSIX sh script for OpenClaw 2026.8+: reads the job's scratch text, appends the missing entries and writes the
 * whole text back (`--set` replaces it all). If the read fails, nothing is written, so the rest is never lost.
 */
export function scratchRecipe(job: string, entries: readonly string[]): string {
  return `# Adds the taskpulse entries to the scratch text of the cron job ${job} (OpenClaw 2026.8+), keeping the rest
# of the text; entries already there are left alone, and nothing is written if the text cannot be read.
(
  set -eu
  job=${sq(job)}
  current=$(openclaw cron scratch "$job")
  next=$current
  while IFS= read -r line; do
    printf '%s\\n' "$current" | grep -qxF -- "$line" || next="\${next:+$next
}$line"
  done <<'TASKPULSE_ENTRIES'
${entries.join("\n")}
TASKPULSE_ENTRIES
  if [ "$next" != "$current" ]; then openclaw cron scratch "$job" --set "$next"; fi
)
`;
}

export function heartbeatLine(ctx: Ctx, opts: HeartbeatLineOptions): Outcome {
  const job = validateSlug(opts.job, "job id");
  const entries = heartbeatEntries(ctx.agent);
  const file = opts.file ?? heartbeatFile(ctx);
  const data = { agent: ctx.agent, era: opts.era ?? null, entries, file, job, recipe: null as string | null };
  if (opts.era !== undefined) {
    const recipe = opts.era === "md" ? mdRecipe(file, entries) : scratchRecipe(job, entries);
    data.recipe = recipe;
    return { data, lines: [recipe.trimEnd()], quiet: entries.join("\n") };
  }
  const me = ctx.agentExplicit ? ` --agent ${ctx.agent}` : "";
  const lines = [
    t(ctx, `Heartbeat checklist entries for agent ${ctx.agent}:`, `Agent ${ctx.agent} 的心跳清单条目：`),
    "",
    ...entries,
    "",
    t(ctx, `OpenClaw up to 2026.7: add them to ${file}`, `OpenClaw 2026.7 及以前：加到 ${file}`),
    t(
      ctx,
      `  taskpulse heartbeat-line${me} --era md | sh       (appends them once)`,
      `  taskpulse heartbeat-line${me} --era md | sh       （只追加一次）`,
    ),
    t(
      ctx,
      `OpenClaw 2026.8 and later: add them to the scratch text of the cron job ${job}`,
      `OpenClaw 2026.8 及以后：加到 cron 任务 ${job} 的 scratch 文本`,
    ),
    t(
      ctx,
      `  taskpulse heartbeat-line${me} --era scratch | sh  (keeps the rest of the text)`,
      `  taskpulse heartbeat-line${me} --era scratch | sh  （保留其余文本）`,
    ),
  ];
  return { data, lines, quiet: entries.join("\n") };
}
