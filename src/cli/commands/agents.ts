import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { allSummaries } from "../../app/summaries.ts";
import { byName } from "../../core/names.ts";
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

export async function agents(ctx: Ctx): Promise<Outcome> {
  const { snapshot, summaries } = await allSummaries(ctx, "agents");
  const rows = new Map<
    string,
    { agent: string; current: number; pending: number; done: number; failed: number; cancelled: number; lastActivity: string }
  >();
  for (const s of summaries) {
    const row = rows.get(s.agent) ?? {
      agent: s.agent,
      current: 0,
      pending: 0,
      done: 0,
      failed: 0,
      cancelled: 0,
      lastActivity: s.createdAt,
    };
    if (s.status === "running") row.current++;
    else row[s.status]++;
    // A hot task's last sign of life (heartbeat, step, progress) is activity too, not only its start and finish.
    const last = [
      s.createdAt,
      s.startedAt,
      s.finishedAt,
      // (a hot task's last sign of life: a heartbeat, a step, a retry; read from its bucket)
      s.archived ? undefined : snapshot.get(s.id)?.lastSeenAt,
    ]
      .filter((x): x is string => x !== undefined)
      .sort()
      .pop() as string;
    if (last > row.lastActivity) row.lastActivity = last;
    rows.set(s.agent, row);
  }
  const list = [...rows.values()].sort((a, b) => byName(a.agent, b.agent));
  const lines = list.map(
    (r) =>
      `${r.agent}: 🔄${r.current} ⏳${r.pending} ✅${r.done} ❌${r.failed}${r.cancelled ? ` ⛔${r.cancelled}` : ""} · ${t(ctx, "last activity", "最近活动")} ${ago(ctx, r.lastActivity)}`,
  );
  if (lines.length === 0) lines.push(t(ctx, "no agents yet", "还没有 Agent"));
  return { data: { agents: list }, lines, quiet: list.map((r) => r.agent).join("\n") };
}
