import type { Command } from "commander";
import { taskStats } from "../../app/history.ts";
import type { AgentStats } from "../../core/insight.ts";
import type { CliCtx } from "../cli-context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

export function registerStats(program: Command, app: App): void {
  program
    .command("stats")
    .description(
      "per agent and overall: counts, success rate, durations (avg, p50, p95), today's counts, retries, stalls; archived tasks count",
    )
    .option("--since <time>", "only tasks created since: ISO date/time or a relative age like 7d")
    .addHelpText("after", example("taskpulse stats", "taskpulse stats --agent agent-coder --since 7d --json"))
    .action(app.action((ctx, opts: { since?: string }) => stats(ctx, opts)));
}

async function stats(ctx: CliCtx, opts: { since?: string }): Promise<Outcome> {
  const result = await taskStats(ctx, opts.since);
  const lines: string[] = [];
  const render = (label: string, s: AgentStats) => {
    const c = s.counts;
    const tasks = t(ctx, c.total === 1 ? "task" : "tasks", "个任务");
    // done of the tasks that ended done or failed, as a percentage; "—" before any has
    const success = c.done + c.failed === 0 ? "—" : `${Math.round(s.successRate * 1000) / 10}%`;
    lines.push(
      `${label}: ${c.total} ${tasks} · ⏳${c.pending} 🔄${c.running} ✅${c.done} ❌${c.failed} ⛔${c.cancelled} · ${t(ctx, "success", "成功率")} ${success}`,
    );
    const d = s.durations;
    if (d.count > 0) lines.push(`   ${t(ctx, "duration", "耗时")}: avg ${d.avg} · p50 ${d.p50} · p95 ${d.p95} (${d.count})`);
    lines.push(
      `   ${t(ctx, "today", "今日")}: +${s.today.created} ✅${s.today.done} ❌${s.today.failed} ⛔${s.today.cancelled} · ${t(ctx, "retries", "重试")} ${s.retries} · ${t(ctx, "stalls seen", "卡住次数")} ${s.stallsSeen} · ${t(ctx, "archived", "已归档")} ${s.archived}`,
    );
  };
  for (const [agent, s] of Object.entries(result.agents)) render(agent, s);
  if (Object.keys(result.agents).length !== 1) render(t(ctx, "all", "全部"), result.overall);
  if (result.overall.counts.total === 0) lines.splice(0, lines.length, t(ctx, "no tasks", "没有任务"));
  return { data: result, lines, quiet: result.overall.successRate.toFixed(2) };
}
