// `taskpulse jobs [id]`: did it run, did it fail, why. The list comes from the small summaries in the state file;
// one job's view adds its recent runs (output tails, delivery records) from its run file. Runs whose wrapper died
// are counted here too (see job-common.ts reapAll).
import type { Command } from "commander";
import { UsageError } from "../../core/errors.ts";
import { jobHealth } from "../../core/jobs.ts";
import { byName } from "../../core/names.ts";
import type { Ctx } from "../context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { deliveryText, jobLine, runLines, runViews } from "../render/job-text.ts";
import { ago } from "../render/task-text.ts";
import { t } from "./common.ts";
import { findJob, parseCount, reapAll, validateJob } from "./job-common.ts";

export function registerJobs(program: Command, app: App): void {
  program
    .command("jobs")
    .description("cron jobs: last run, status, streaks, totals, open alerts; with an id, its recent runs and their output")
    .argument("[id]", "job name")
    .option("--runs <n>", "with an id: how many recent runs to show (default 10)")
    .option("--lines <n>", "with an id: output lines shown per stream and run (default 10; 0 hides output)")
    .option("--tail <n>", "with an id: the last run's last n lines of output, as tail -n shows a log (--runs 1 --lines n)")
    .addHelpText(
      "after",
      example(
        "taskpulse jobs",
        "taskpulse jobs daily-news --runs 3",
        "taskpulse jobs daily-news --tail 30",
        "taskpulse jobs daily-news --json",
      ),
    )
    .action(
      app.action((ctx, id: string | undefined, opts: { runs?: string; lines?: string; tail?: string }) => {
        if (opts.tail !== undefined && id === undefined)
          throw new UsageError("--tail shows one job's output: give its name", "taskpulse jobs <job> --tail 30");
        if (opts.tail !== undefined && (opts.runs !== undefined || opts.lines !== undefined))
          throw new UsageError("--tail is --runs 1 --lines n: give one or the others");
        return id === undefined ? listJobs(ctx) : showJob(ctx, id, opts.tail === undefined ? opts : { runs: "1", lines: opts.tail });
      }),
    );
}

export async function listJobs(ctx: Ctx): Promise<Outcome> {
  const { snapshot, reaped } = await reapAll(ctx, "jobs");
  const jobs = Object.values(snapshot.jobs).sort((a, b) => byName(a.id, b.id));
  const data = { jobs: jobs.map((job) => ({ ...job, health: jobHealth(job) })), lost: reaped.lost };
  if (jobs.length === 0) {
    return {
      data,
      lines: [
        t(
          ctx,
          "no jobs yet: wrap a cron command with `taskpulse run --job <id> -- <command>`",
          "还没有任务：用 `taskpulse run --job <id> -- <命令>` 包装定时任务",
        ),
      ],
      quiet: "",
    };
  }
  const lines = jobs.map((job) => jobLine(ctx, job));
  for (const l of reaped.lost)
    lines.push(t(ctx, `💀 counted lost run ${l.run} of ${l.job} as failed`, `💀 已将 ${l.job} 的中断运行 ${l.run} 记为失败`));
  return { data, lines, quiet: jobs.map((job) => job.id).join("\n"), push: reaped.push };
}

export async function showJob(ctx: Ctx, id: string, opts: { runs?: string; lines?: string }): Promise<Outcome> {
  const jobId = validateJob(id);
  const limit = parseCount(opts.runs, "--runs", 1, 200) ?? 10;
  const tailLines = parseCount(opts.lines, "--lines", 0, 1000) ?? 10;
  const { snapshot, reaped } = await reapAll(ctx, "jobs", jobId);
  const job = findJob(snapshot, jobId);
  const views = runViews(await ctx.store("jobs").runRecords(jobId)).slice(0, limit);
  const lines = [jobLine(ctx, job)];
  if (job.lastSuccessAt) lines.push(`   ${t(ctx, "last success", "上次成功")}: ${ago(ctx, job.lastSuccessAt)}`);
  if (job.alert) {
    lines.push(
      `   🚨 ${t(ctx, `alert open since ${ago(ctx, job.alert.openedAt)} (${job.alert.failures} failures)`, `告警自 ${ago(ctx, job.alert.openedAt)}（连续失败 ${job.alert.failures} 次）`)}`,
    );
  } else if (job.lastAlert) {
    lines.push(
      `   ${t(ctx, `last alert: ${job.lastAlert.failures} failures, closed ${ago(ctx, job.lastAlert.closedAt)}`, `上次告警: 连续失败 ${job.lastAlert.failures} 次，${ago(ctx, job.lastAlert.closedAt)}恢复`)}`,
    );
  }
  const delivery = deliveryText(ctx, job);
  if (delivery) lines.push(`   ${t(ctx, "delivery", "送达")}: ${delivery}`);
  const config = [`alert-after ${job.alertAfter ?? 3}`];
  if (job.remindEvery) config.push(`remind-every ${job.remindEvery}`);
  if (job.route)
    config.push(
      Object.entries(job.route)
        .map(([k, v]) => `${k} ${v}`)
        .join(", "),
    );
  lines.push(`   ${config.join(" · ")}`);
  if (views.length > 0) lines.push("", t(ctx, "Recent runs (newest first):", "最近运行（最新在前）:"));
  for (const view of views) lines.push(...runLines(ctx, view, job, tailLines));
  return {
    data: { job: { ...job, health: jobHealth(job) }, runs: views, lost: reaped.lost },
    lines,
    quiet: jobHealth(job),
    push: reaped.push,
  };
}
