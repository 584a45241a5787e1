import { join } from "node:path";
import { type Command, Option } from "commander";
import type { Ctx } from "../../app/context.ts";
import { agentWorkspace, currentWorkspace, resolveAgent } from "../../app/identity.ts";
import { UsageError } from "../../core/errors.ts";
import { printable } from "../../core/names.ts";
import { listOpenclawAgents } from "../../jobs/openclaw-agents-list.ts";
import { configuredWorkspaces } from "../../store/openclaw-agents.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

export type Era = "md" | "scratch";

export interface HeartbeatLineOptions {
  era?: Era;
  job?: string;
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
    .option(
      "--job <id>",
      "with --era scratch: the cron job's id or name (default: the agent's heartbeat job, found by OpenClaw's declaration key)",
    )
    .option("--file <path>", "with --era md: the checklist file (default: HEARTBEAT.md of the agent's workspace)")
    .addHelpText(
      "after",
      example(
        "taskpulse heartbeat-line --agent main",
        "taskpulse heartbeat-line --era md | sh        # OpenClaw up to 2026.7",
        "taskpulse heartbeat-line --era scratch | sh   # 2026.8+, needs openclaw",
      ),
    )
    .action(app.action((ctx, opts: HeartbeatLineOptions) => heartbeatLine(ctx, opts)));
}

/**
 * The checklist entries: quiet cleanup, the stall check (alerts for tasks that stopped moving), then the
 * pending-work check of OpenTask's heartbeat. How a heartbeat says
 * "nothing to report" depends on the release: HEARTBEAT_OK up to 2026.7 (HEARTBEAT.md), NO_REPLY or the
 * heartbeat_respond tool from 2026.8 (the heartbeat cron job's prompt asks for those).
 */
export function heartbeatEntries(agent: string, era: Era = "scratch"): string[] {
  const idle = era === "md" ? "reply HEARTBEAT_OK" : "reply NO_REPLY (or call heartbeat_respond with notify=false)";
  return [
    "- taskpulse: run `taskpulse cleanup -q` (quiet; archives finished tasks, closes abandoned ones)",
    '- taskpulse: run `taskpulse status --alerts`; if it prints a push, a task stopped moving: send the push as after any taskpulse command (the skill\'s "Send the push"); nothing printed: no new stall',
    `- taskpulse: run \`taskpulse start --agent ${agent} -q\`; if it prints a task id, work on that task now; if it prints nothing, there is no queued work; when nothing else needs attention, ${idle}`,
  ];
}

/** HEARTBEAT.md of the agent's workspace: the one we are in, else OpenClaw's default for that agent. */
export function heartbeatFile(ctx: Ctx): string {
  const agents = configuredWorkspaces(ctx.deps.env, ctx.deps.home, listOpenclawAgents);
  const here = currentWorkspace(ctx.deps.cwd, agents);
  // the workspace we are in, when it is this agent's; else the agent's own
  const mine = here !== undefined && resolveAgent(undefined, {}, ctx.deps.cwd, agents) === ctx.agent;
  return join(mine ? here : agentWorkspace(ctx.agent, ctx.deps.env, ctx.deps.home, agents), "HEARTBEAT.md");
}

/** A cron job's id (a UUID) or name, as `openclaw cron list` shows it: one line of printable text. */
function validateJobRef(input: string): string {
  const job = input.trim();
  if (job === "" || job.length > 200 || /\p{Cc}/u.test(job)) {
    throw new UsageError("--job takes a cron job's id or name, as `openclaw cron list --all` shows it");
  }
  return job;
}

const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A POSIX sh script that appends the entries missing from HEARTBEAT.md; running it twice changes nothing. */
export function mdRecipe(file: string, entries: readonly string[]): string {
  return `# Adds the taskpulse entries to ${printable(file)} (OpenClaw up to 2026.7); entries already there are left alone.
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
 * Finds the cron job from `openclaw cron list --all --json` on stdin: the agent's heartbeat job by its declaration
 * key (`heartbeat:<agent>`, OpenClaw's own identity for it), or the job given by id or name. Prints its id.
 */
const FIND_JOB = `let s = "";
process.stdin.on("data", (d) => (s += d)).on("end", () => {
  const [agent, wanted] = process.argv.slice(1);
  const jobs = JSON.parse(s).jobs || [];
  const hits = wanted
    ? jobs.filter((j) => j.id === wanted || j.name === wanted)
    : jobs.filter((j) => j.declarationKey === "heartbeat:" + agent);
  if (hits.length !== 1) {
    const what = wanted ? "cron job " + wanted : "heartbeat job of agent " + agent;
    console.error((hits.length ? "more than one " : "no ") + what + " in openclaw cron list --all (is its heartbeat enabled?)");
    process.exit(1);
  }
  console.log(hits[0].id);
});`;

/**
 * Merges the entries (argv, one per line) into the scratch of \`openclaw cron scratch <id> --json\` on stdin:
 * writes the new text to the file named first and prints the revision it is based on, or prints nothing when every
 * entry is already there.
 */
const MERGE = `let s = "";
process.stdin.on("data", (d) => (s += d)).on("end", () => {
  const [file, entries] = process.argv.slice(1);
  const got = JSON.parse(s);
  const text = (got.scratch && got.scratch.content) || "";
  const lines = text.split("\\n");
  const missing = entries.split("\\n").filter((e) => e !== "" && !lines.includes(e));
  if (missing.length === 0) return;
  const sep = text === "" || text.endsWith("\\n") ? "" : "\\n";
  require("node:fs").writeFileSync(file, text + sep + missing.join("\\n") + "\\n");
  console.log(got.currentRevision);
});`;

/**
 * A POSIX sh script for OpenClaw 2026.8+: finds the heartbeat job's id (its name is not an id), reads its scratch
 * text and revision, appends the missing entries and writes the whole text back only if the scratch is still at that
 * revision (`--expected-revision`), so a change made meanwhile is never overwritten. JSON is read with `node`,
 * which every OpenClaw install has. If any step fails, nothing is written.
 */
export function scratchRecipe(agent: string, job: string | undefined, entries: readonly string[]): string {
  const target = job === undefined ? `the heartbeat job of agent ${agent}` : `the cron job ${job}`;
  return `# Adds the taskpulse entries to the scratch text of ${target} (OpenClaw 2026.8+), keeping the rest of the
# text; entries already there are left alone. Written only if nobody changed the text since it was read: if this
# says "changed concurrently", run it again.
(
  set -eu
  agent=${sq(agent)}
  job=${sq(job ?? "")}
  entries=$(cat <<'TASKPULSE_ENTRIES'
${entries.join("\n")}
TASKPULSE_ENTRIES
)
  id=$(openclaw cron list --all --json | node -e ${sq(FIND_JOB)} "$agent" "$job")
  tmp=$(mktemp)
  trap 'rm -f "$tmp"' EXIT
  rev=$(openclaw cron scratch "$id" --json | node -e ${sq(MERGE)} "$tmp" "$entries")
  if [ -n "$rev" ]; then openclaw cron scratch "$id" --file "$tmp" --expected-revision "$rev" > /dev/null; fi
)
`;
}

export function heartbeatLine(ctx: Ctx, opts: HeartbeatLineOptions): Outcome {
  const job = opts.job === undefined ? undefined : validateJobRef(opts.job);
  const entries = heartbeatEntries(ctx.agent, opts.era);
  const file = opts.file ?? heartbeatFile(ctx);
  const data = { agent: ctx.agent, era: opts.era ?? null, entries, file, job: job ?? null, recipe: null as string | null };
  if (opts.era !== undefined) {
    const recipe = opts.era === "md" ? mdRecipe(file, entries) : scratchRecipe(ctx.agent, job, entries);
    data.recipe = recipe;
    return { data, lines: [recipe.trimEnd()], quiet: entries.join("\n") };
  }
  const me = ctx.agentExplicit ? ` --agent ${ctx.agent}` : "";
  const lines = [
    t(ctx, `Heartbeat checklist entries for agent ${ctx.agent}:`, `Agent ${ctx.agent} 的心跳清单条目：`),
    "",
    ...entries,
    "",
    t(
      ctx,
      `OpenClaw up to 2026.7: add them to ${file} (where the idle reply is HEARTBEAT_OK)`,
      `OpenClaw 2026.7 及以前：加到 ${file}（空闲时回复 HEARTBEAT_OK）`,
    ),
    t(
      ctx,
      `  taskpulse heartbeat-line${me} --era md | sh       (appends them once)`,
      `  taskpulse heartbeat-line${me} --era md | sh       （只追加一次）`,
    ),
    t(
      ctx,
      `OpenClaw 2026.8 and later: add them to the scratch text of ${job === undefined ? `agent ${ctx.agent}'s heartbeat cron job` : `the cron job ${job}`}`,
      `OpenClaw 2026.8 及以后：加到${job === undefined ? ` agent ${ctx.agent} 的心跳 cron 任务` : ` cron 任务 ${job} `}的 scratch 文本`,
    ),
    t(
      ctx,
      `  taskpulse heartbeat-line${me} --era scratch | sh  (keeps the rest of the text)`,
      `  taskpulse heartbeat-line${me} --era scratch | sh  （保留其余文本）`,
    ),
  ];
  return { data, lines, quiet: entries.join("\n") };
}
