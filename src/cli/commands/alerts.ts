// `taskpulse alerts`: the open alert episodes (jobs failing at least alert-after times in a row), and jobs whose
// last notification could not be delivered; or "no alerts" (exit 0: an empty result is ok).
import type { Command } from "commander";
import { jobAlerts } from "../../app/job-views.ts";
import { JOB_LIMITS } from "../../core/job-model.ts";
import { describeFailure } from "../../core/jobs.ts";
import { oneLine } from "../../core/names.ts";
import type { CliCtx } from "../cli-context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { ago } from "../render/task-text.ts";
import { t } from "./common.ts";

export function registerAlerts(program: Command, app: App): void {
  program
    .command("alerts")
    .description("open cron-job alerts (failure streaks) and failed deliveries, or `no alerts`")
    .addHelpText("after", example("taskpulse alerts", "taskpulse alerts --json"))
    .action(app.action((ctx) => alerts(ctx)));
}

async function alerts(ctx: CliCtx): Promise<Outcome> {
  const { data, open, undelivered, reaped } = await jobAlerts(ctx);
  if (open.length === 0 && undelivered.length === 0) {
    return { data, lines: [t(ctx, "no alerts", "无告警")], quiet: "", push: reaped.push };
  }
  const lines: string[] = [];
  for (const job of open) {
    const alert = job.alert;
    if (!alert) continue;
    const error = oneLine(describeFailure(alert.lastFailure, ctx.lang), 160);
    lines.push(
      t(
        ctx,
        `🚨 [${job.id}] failed ${alert.failures} times in a row (since ${ago(ctx, alert.openedAt)}) · last error: ${error}`,
        `🚨 【${job.id}】连续失败 ${alert.failures} 次（始于 ${ago(ctx, alert.openedAt)}）· 最后错误: ${error}`,
      ),
    );
    if (alert.failures >= JOB_LIMITS.disableAfter) {
      lines.push(
        t(
          ctx,
          `   💡 ${JOB_LIMITS.disableAfter}+ failures in a row: consider disabling this job`,
          `   💡 连续失败已达 ${JOB_LIMITS.disableAfter} 次以上，建议停用此任务`,
        ),
      );
    }
  }
  for (const job of undelivered) {
    const d = job.delivery;
    if (!d) continue;
    const err = d.error ? ` · ${oneLine(d.error, 120)}` : "";
    lines.push(
      t(
        ctx,
        `📭 [${job.id}] delivery failed ${d.failures} time(s) in a row (message ${d.messageId}, ${ago(ctx, d.at)})${err}`,
        `📭 【${job.id}】连续送达失败 ${d.failures} 次（消息 ${d.messageId}，${ago(ctx, d.at)}）${err}`,
      ),
    );
  }
  return { data, lines, quiet: open.map((job) => job.id).join("\n"), push: reaped.push };
}
