// Human text for cron jobs: one line per job for `jobs`, a detail view with recent runs for `jobs <id>`, and the
// open alerts for `alerts`. Chinese and English say the same.

import type { RunView } from "../../app/job-views.ts";
import type { Job } from "../../core/job-model.ts";
import { alertAfterOf, describeFailure, type JobHealth, jobHealth } from "../../core/jobs.ts";
import { oneLine } from "../../core/names.ts";
import { formatDuration, localDateTime } from "../../core/time.ts";
import { lastLines } from "../../core/utf8.ts";
import type { CliCtx } from "../cli-context.ts";
import { paint } from "./color.ts";
import { ago } from "./task-text.ts";

const ICON: Record<JobHealth, string> = { running: "🔄", ok: "✅", failing: "❌", alert: "🚨", new: "⏳" };

function tr(ctx: CliCtx, en: string, zh: string): string {
  return ctx.lang === "zh" ? zh : en;
}

function healthLabel(ctx: CliCtx, health: JobHealth): string {
  const zh = { running: "运行中", ok: "正常", failing: "失败", alert: "告警", new: "未运行" };
  const en = { running: "running", ok: "ok", failing: "failing", alert: "alert", new: "never run" };
  return (ctx.lang === "zh" ? zh : en)[health];
}

function lastRunText(ctx: CliCtx, job: Job): string {
  const run = job.lastRun;
  if (!run) return tr(ctx, "no finished run", "没有完成的运行");
  const dur = run.durationMs !== undefined ? formatDuration(run.durationMs) : undefined;
  const what = run.outcome === "success" ? tr(ctx, "ok", "成功") : oneLine(describeFailure(run.failure ?? { cause: "exit" }, ctx.lang), 80);
  return `${tr(ctx, "last run", "上次运行")} ${ago(ctx, run.finishedAt)}${dur ? ` (${dur})` : ""}: ${what}`;
}

function streakText(ctx: CliCtx, job: Job): string {
  if (job.failures > 0) {
    const at = alertAfterOf(job);
    const note = job.alert ? "" : tr(ctx, `, alert at ${at}`, `，${at} 次告警`);
    return tr(ctx, `${job.failures} failed in a row${note}`, `连续失败 ${job.failures} 次${note}`);
  }
  if (job.successes > 0) return tr(ctx, `${job.successes} ok in a row`, `连续成功 ${job.successes} 次`);
  return "";
}

function totalsText(ctx: CliCtx, job: Job): string {
  const t = job.totals;
  const lost = t.lost > 0 ? tr(ctx, ` (${t.lost} lost)`, `（中断 ${t.lost} 次）`) : "";
  return tr(ctx, `${t.runs} runs, ${t.failed} failed${lost}`, `共 ${t.runs} 次，失败 ${t.failed} 次${lost}`);
}

export function deliveryText(ctx: CliCtx, job: Job): string | undefined {
  const d = job.delivery;
  if (!d) return undefined;
  if (d.status === "sent") return tr(ctx, `delivered ${ago(ctx, d.at)}`, `已送达 ${ago(ctx, d.at)}`);
  const err = d.error ? `: ${oneLine(d.error, 80)}` : "";
  return tr(ctx, `delivery failed ×${d.failures}${err}`, `送达失败 ×${d.failures}${err}`);
}

export function jobLine(ctx: CliCtx, job: Job): string {
  const c = paint(ctx.color);
  const health = jobHealth(job);
  const label = health === "alert" || health === "failing" ? c.red(healthLabel(ctx, health)) : healthLabel(ctx, health);
  const parts = [`${ICON[health]} ${c.bold(job.id)} ${label}`];
  if (job.open.length > 0) {
    const first = job.open[0];
    if (first) parts.push(tr(ctx, `started ${ago(ctx, first.startedAt)}`, `开始于 ${ago(ctx, first.startedAt)}`));
  }
  parts.push(lastRunText(ctx, job));
  const streak = streakText(ctx, job);
  if (streak) parts.push(streak);
  parts.push(totalsText(ctx, job));
  if (job.alert) parts.push(c.red(tr(ctx, `alert open since ${ago(ctx, job.alert.openedAt)}`, `告警自 ${ago(ctx, job.alert.openedAt)}`)));
  const delivery = deliveryText(ctx, job);
  if (delivery && job.delivery?.status === "failed") parts.push(c.yellow(delivery));
  return parts.join(" · ");
}

function runStatus(view: RunView, job: Job): "running" | "success" | "failed" | "lost" | "unknown" {
  if (view.finished) return view.finished.outcome;
  if (view.lost) return "lost";
  if (job.open.some((run) => run.id === view.id)) return "running";
  return "unknown";
}

export function runLines(ctx: CliCtx, view: RunView, job: Job, tailLines: number): string[] {
  const c = paint(ctx.color);
  const status = runStatus(view, job);
  const icon = { running: "🔄", success: "✅", failed: "❌", lost: "💀", unknown: "❓" }[status];
  const startedAt = view.started?.at ?? view.finished?.startedAt ?? view.lost?.startedAt;
  const when = startedAt ? localDateTime(startedAt) : "?";
  const f = view.finished;
  let what: string;
  if (f) {
    what = f.outcome === "success" ? tr(ctx, "ok", "成功") : oneLine(describeFailure(f.failure ?? { cause: "exit" }, ctx.lang), 100);
    what = `${formatDuration(f.durationMs)} · ${what}${f.late ? tr(ctx, " (finished after it was counted as lost)", "（被判定中断后才结束）") : ""}`;
  } else if (status === "lost") {
    what = describeFailure({ cause: "lost" }, ctx.lang);
  } else if (status === "running") {
    what = tr(ctx, "running", "运行中");
  } else {
    what = tr(ctx, "no result recorded", "没有记录结果");
  }
  const lines = [`${icon} ${c.dim(view.id)} ${when} · ${what}`];
  if (view.started) lines.push(c.dim(`   $ ${oneLine(view.started.argv.map(quoteArg).join(" "), 160)}`));
  if (f && tailLines > 0) {
    for (const [name, stream] of [
      ["stdout", f.stdout],
      ["stderr", f.stderr],
    ] as const) {
      const text = stream.tail.replace(/\s+$/, "");
      if (text === "") continue;
      const all = text.split(/\r?\n/);
      const shown = all.slice(-tailLines);
      const more = all.length > shown.length || stream.truncated;
      lines.push(
        `   ${name}${more ? tr(ctx, ` (last ${shown.length} lines of ${stream.bytes} bytes)`, `（最后 ${shown.length} 行，共 ${stream.bytes} 字节）`) : ""}:`,
      );
      for (const line of shown) lines.push(`   │ ${line}`);
    }
  }
  for (const d of view.deliveries) {
    const err = d.error ? `: ${oneLine(d.error, 100)}` : "";
    lines.push(
      d.status === "sent"
        ? `   📨 ${tr(ctx, "delivered", "已送达")} ${d.messageId} · ${localDateTime(d.at)}`
        : `   📭 ${tr(ctx, "delivery failed", "送达失败")} ${d.messageId} · ${localDateTime(d.at)}${err}`,
    );
  }
  return lines;
}

/** How a run ended, in one line: `✅ succeeded in 3s`, `❌ failed after 2s: <why>`, `💀 run lost: …`. */
export function runResultText(ctx: CliCtx, view: RunView, job: Job): string {
  const f = view.finished;
  const last = job.lastRun?.id === view.id ? job.lastRun : undefined;
  const outcome = f?.outcome ?? last?.outcome;
  const durationMs = f?.durationMs ?? last?.durationMs;
  const took = (en: string) => (durationMs === undefined ? "" : ` ${tr(ctx, en, "用时")} ${formatDuration(durationMs)}`);
  if (outcome === "success") return `✅ ${tr(ctx, "succeeded", "成功")}${took("in")}`;
  const failure = f?.failure ?? last?.failure ?? (view.lost ? { cause: "lost" as const } : undefined);
  if (outcome === "failed" || failure) {
    const why = oneLine(describeFailure(failure ?? { cause: "exit" }, ctx.lang), 100);
    return failure?.cause === "lost" ? `💀 ${why}` : `❌ ${tr(ctx, "failed", "失败")}${took("after")}: ${why}`;
  }
  return `❓ ${tr(ctx, "no result recorded", "没有记录结果")}`;
}

/** A finished run's last `n` lines of stdout, then of stderr, from its record (for a run not followed live). */
export function recordTail(view: RunView, n: number): string[] {
  const lines: string[] = [];
  for (const stream of [view.finished?.stdout, view.finished?.stderr]) {
    const text = lastLines(stream?.tail ?? "", n).replace(/\r?\n$/, "");
    if (text !== "") lines.push(...text.split(/\r?\n/));
  }
  return lines;
}

function quoteArg(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
