// `taskpulse jobs [id]`: did it run, did it fail, why. The list comes from the small summaries in the state file;
// one job's view adds its recent runs (output tails, delivery records) from its run file. Runs whose wrapper died
// are counted here too (src/app/jobs.ts reapAll). `--follow` streams a run in progress (src/jobs/follow.ts).
import { constants } from "node:os";
import type { Command } from "commander";
import { followJobRun, jobDetail, jobList } from "../../app/job-views.ts";
import { parseCount } from "../../app/jobs.ts";
import { UsageError } from "../../core/errors.ts";
import type { CliCtx } from "../cli-context.ts";
import { example, note } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { deliveryText, jobLine, recordTail, runLines, runResultText } from "../render/job-text.ts";
import { ago } from "../render/task-text.ts";
import { t } from "./common.ts";

export function registerJobs(program: Command, app: App): void {
  program
    .command("jobs")
    .description("cron jobs: last run, status, streaks, totals, open alerts; with an id, its recent runs and their output")
    .argument("[id]", "job name")
    .option("--runs <n>", "with an id: how many recent runs to show (default 10)")
    .option("--lines <n>", "with an id: output lines shown per stream and run (default 10; 0 hides output)")
    .option("--tail <n>", "with an id: the last run's last n lines of output, as tail -n shows a log (--runs 1 --lines n)")
    .option(
      "-f, --follow",
      "with an id: the run in progress, as tail -f shows a log: its last lines (--tail n, default 10), then its output as it comes, until it ends",
    )
    .addHelpText(
      "after",
      `
${note(`With --follow: exit 0 when the run succeeded, 7 when it failed (or its wrapper died), 130 on Ctrl-C. With no run in progress, it prints the last run's last lines and exits at once, with the same codes. A run's output is followed as it is written when the store is a directory; else it is printed when the run ends. Not with --json: a stream is not one JSON document.`)}
${example(
  "taskpulse jobs",
  "taskpulse jobs daily-news --runs 3",
  "taskpulse jobs daily-news --tail 30",
  "taskpulse jobs daily-news --follow",
  "taskpulse jobs daily-news --json",
)}`,
    )
    .action(
      app.action((ctx, id: string | undefined, opts: { runs?: string; lines?: string; tail?: string; follow?: boolean }) => {
        if (opts.follow) {
          if (id === undefined) throw new UsageError("--follow follows one job's run: give its name", "taskpulse jobs <job> --follow");
          if (ctx.json)
            throw new UsageError(
              "--follow prints a run's output as it comes, which cannot be one JSON document",
              "without --follow: taskpulse jobs <job> --json (its recent runs, with their output tails)",
            );
          if (opts.runs !== undefined || opts.lines !== undefined)
            throw new UsageError("--follow shows one run: give --tail n, not --runs or --lines", "taskpulse jobs <job> --follow --tail 30");
          return followJob(ctx, id, parseCount(opts.tail, "--tail", 0, 1000) ?? 10);
        }
        if (opts.tail !== undefined && id === undefined)
          throw new UsageError("--tail shows one job's output: give its name", "taskpulse jobs <job> --tail 30");
        if (opts.tail !== undefined && (opts.runs !== undefined || opts.lines !== undefined))
          throw new UsageError("--tail is --runs 1 --lines n: give one or the others");
        return id === undefined ? listJobs(ctx) : showJob(ctx, id, opts.tail === undefined ? opts : { runs: "1", lines: opts.tail });
      }),
    );
}

async function listJobs(ctx: CliCtx): Promise<Outcome> {
  const { jobs, lost, reaped } = await jobList(ctx);
  const data = { jobs, lost };
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

async function showJob(ctx: CliCtx, id: string, opts: { runs?: string; lines?: string }): Promise<Outcome> {
  const { job, runs: views, tailLines, reaped } = await jobDetail(ctx, id, opts);
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
  return { data: { job, runs: views, lost: reaped.lost }, lines, quiet: job.health, push: reaped.push };
}

/**
 * `jobs <id> --follow`: the newest run in progress, followed (src/jobs/follow.ts) until it ends or Ctrl-C; with none
 * in progress, the last run's last lines. The job's output goes to stdout as it comes, taskpulse's one line about
 * the run to stderr, as `run` does. Exit 0 when the run succeeded, 7 when it failed or was lost, 128+n on signal n.
 */
async function followJob(ctx: CliCtx, id: string, lines: number): Promise<Outcome> {
  let signal: NodeJS.Signals | undefined;
  const stopOnSignal = () => {
    const stop = new AbortController();
    const onSignal = (s: NodeJS.Signals) => {
      signal ??= s;
      stop.abort();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    return {
      signal: stop.signal,
      release() {
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
      },
    };
  };
  const seen = await followJobRun(ctx, id, lines, ctx.deps.stdout, stopOnSignal);
  const { push } = seen;
  if (seen.kind === "stopped")
    return { data: null, lines: [], quiet: undefined, push, exitCode: 128 + (constants.signals[signal ?? "SIGINT"] ?? 2) };
  if (seen.kind === "idle") {
    const { view, job } = seen;
    const jobId = job.id;
    const shown = view ? recordTail(view, lines) : [];
    const line = t(
      ctx,
      `taskpulse: no run of ${jobId} in progress; ${view ? `its last run ${view.id}: ${runResultText(ctx, view, job)}` : "none recorded"}`,
      `taskpulse: ${jobId} 没有正在进行的运行；${view ? `上次运行 ${view.id}: ${runResultText(ctx, view, job)}` : "没有记录"}`,
    );
    return { data: null, lines: shown, quiet: shown.join("\n"), push, exitCode: seen.exitCode, notes: [line] };
  }
  const { view, job, runId } = seen;
  // a store that kept no live output: the run's recorded tail, now that it ended
  const shown = seen.live ? [] : recordTail(view, lines);
  return {
    data: null,
    lines: shown,
    quiet: shown.join("\n"),
    push,
    exitCode: seen.exitCode,
    notes: [`taskpulse: ${t(ctx, `run ${runId} of ${job.id}`, `${job.id} 的运行 ${runId}`)}: ${runResultText(ctx, view, job)}`],
  };
}
