import type { Command } from "commander";
import { agentRows } from "../../app/agents.ts";
import type { CliCtx } from "../cli-context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { ago } from "../render/task-text.ts";
import { t } from "./common.ts";

export function registerAgents(program: Command, app: App): void {
  program
    .command("agents")
    .description("one line per agent: current, pending, done and failed counts, last activity")
    .addHelpText("after", example("taskpulse agents", "taskpulse agents --json"))
    .action(app.action((ctx) => agents(ctx)));
}

async function agents(ctx: CliCtx): Promise<Outcome> {
  const list = await agentRows(ctx);
  const lines = list.map(
    (r) =>
      `${r.agent}: 🔄${r.current} ⏳${r.pending} ✅${r.done} ❌${r.failed}${r.cancelled ? ` ⛔${r.cancelled}` : ""} · ${t(ctx, "last activity", "最近活动")} ${ago(ctx, r.lastActivity)}`,
  );
  if (lines.length === 0) lines.push(t(ctx, "no agents yet", "还没有 Agent"));
  return { data: { agents: list }, lines, quiet: list.map((r) => r.agent).join("\n") };
}
