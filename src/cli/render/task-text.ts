// Human text for tasks, in the Live Task Pulse layout: icon, name, [done/total], a 10-cell bar, label, duration;
// then the current step (with its message) or the error.

import type { TaskEntry } from "../../core/insight.ts";
import { stepCounts } from "../../core/lifecycle.ts";
import { type Liveness, liveness } from "../../core/liveness.ts";
import type { Task } from "../../core/model.ts";
import { stripInvisible } from "../../core/names.ts";
import { formatDuration, formatShortDuration } from "../../core/time.ts";
import type { Ctx } from "../context.ts";
import { paint } from "./color.ts";
import { clip, width } from "./text-width.ts";

export function progressBar(done: number, total: number): string {
  const filled = total > 0 ? Math.floor((10 * done) / total) : 0;
  return "█".repeat(filled) + "░".repeat(10 - filled);
}

const ICON = { running: "🔄", stalled: "⚠️", done: "✅", failed: "❌", pending: "⏳", cancelled: "⛔" } as const;

export function label(ctx: Ctx, state: keyof typeof ICON): string {
  const zh = { running: "执行中", stalled: "STALLED", done: "完成", failed: "失败", pending: "排队中", cancelled: "已取消" };
  const en = { running: "running", stalled: "STALLED", done: "done", failed: "failed", pending: "queued", cancelled: "cancelled" };
  return (ctx.lang === "zh" ? zh : en)[state];
}

export function displayState(task: Task, live: Liveness): keyof typeof ICON {
  return live.stalled ? "stalled" : task.status;
}

export function taskDuration(task: Task, now: Date): string {
  if (task.status === "pending") return "";
  if (task.status === "cancelled" && !task.startedAt) return "";
  const start = Date.parse(task.startedAt as string);
  const end = task.status === "running" ? now.getTime() : Date.parse(task.finishedAt);
  return formatDuration(end - start);
}

export function ago(ctx: Ctx, iso: string): string {
  const ms = ctx.now.getTime() - Date.parse(iso);
  if (ms < 0) return ctx.lang === "zh" ? "刚刚" : "just now";
  const s = formatShortDuration(ms);
  return ctx.lang === "zh" ? `${s}前` : `${s} ago`;
}

/** Columns available for one line: the terminal's width (80 in pipes), never less than 40. */
export function columnsOf(ctx: Ctx): number {
  return Math.max(40, ctx.deps.columns || 80);
}

/** The Live Task Pulse main line, plus the current-step or error line; shortened to fit the terminal. */
/** The first line of a task: icon, name (clipped to what the tail leaves of the width), then the tail. */
function headLine(ctx: Ctx, indent: string, state: keyof typeof ICON, rawName: string, tail: [string, string][]): string {
  const c = paint(ctx.color);
  const fixed = width(indent) + width(ICON[state]) + 1 + tail.reduce((sum, [plain]) => sum + 1 + width(plain), 0);
  const name = clip(oneLine(rawName, Number.POSITIVE_INFINITY), Math.max(8, columnsOf(ctx) - fixed));
  return `${indent}${ICON[state]} ${state === "stalled" ? c.bold(name) : name} ${tail.map(([, col]) => col).join(" ")}`;
}

/**
 * A queued task's line from its entry (the store's small form of it), as renderTaskLines prints the task itself:
 * the overview lists queues without reading every queued task.
 */
export function renderQueuedLine(ctx: Ctx, entry: TaskEntry, indent = ""): string {
  const c = paint(ctx.color);
  const tail: [string, string][] = [];
  const steps = entry.steps;
  if (steps && steps.total > 0)
    tail.push(
      [`[${steps.done}/${steps.total}]`, `[${steps.done}/${steps.total}]`],
      [progressBar(steps.done, steps.total), progressBar(steps.done, steps.total)],
    );
  const lab = label(ctx, "pending");
  tail.push([lab, c.dim(lab)], [`P${entry.priority}`, c.dim(`P${entry.priority}`)]);
  const idPart = `${ago(ctx, entry.queuedAt)} · ${entry.id}`;
  tail.push([idPart, c.dim(idPart)]);
  return headLine(ctx, indent, "pending", entry.name, tail);
}

export function renderTaskLines(ctx: Ctx, task: Task, indent = ""): string[] {
  const c = paint(ctx.color);
  const cols = columnsOf(ctx);
  const live = liveness(task, ctx.now, ctx.stallMs);
  const state = displayState(task, live);
  const { done, total } = stepCounts(task);
  const dur = taskDuration(task, ctx.now);
  const lab = label(ctx, state);
  const paintLabel =
    state === "stalled"
      ? (s: string) => c.bold(c.red(s))
      : state === "failed"
        ? c.red
        : state === "done"
          ? c.green
          : state === "running"
            ? c.cyan
            : c.dim;
  // [plain text, coloured text]: widths are measured on the plain text.
  const tail: [string, string][] = [];
  if (total > 0) tail.push([`[${done}/${total}]`, `[${done}/${total}]`], [progressBar(done, total), progressBar(done, total)]);
  tail.push([dur ? `${lab} (${dur})` : lab, dur ? `${paintLabel(lab)} (${dur})` : paintLabel(lab)]);
  if (task.status === "pending") tail.push([`P${task.priority}`, c.dim(`P${task.priority}`)]);
  if (task.progress !== undefined && task.status === "running") tail.push([`${task.progress}%`, `${task.progress}%`]);
  if (task.stop && task.status === "running") tail.push(["✋", c.yellow("✋")]);
  const when = task.status === "pending" ? ago(ctx, task.queuedAt) : isFinishedTask(task) ? ago(ctx, task.finishedAt) : "";
  const idPart = when ? `${when} · ${task.id}` : task.id;
  tail.push([idPart, c.dim(idPart)]);
  const lines = [headLine(ctx, indent, state, task.name, tail)];
  const sub = `${indent}   `;
  const fitLine = (text: string) => clip(text, Math.max(10, cols - width(sub)));
  if (task.status === "running") {
    const step = task.steps.find((s) => s.status === "running");
    const msg = step ? step.message : task.lastMessage;
    const cur = ctx.lang === "zh" ? "当前" : "current";
    const seen = ago(ctx, task.lastSeenAt);
    if (step || msg) {
      const text = `${cur}: ${step ? oneLine(step.name, Number.POSITIVE_INFINITY) : "—"}${msg ? ` — ${oneLine(msg)}` : ""}`;
      const room = Math.max(10, cols - width(sub) - width(seen) - 3);
      lines.push(`${sub}${clip(text, room)} ${c.dim(`· ${seen}`)}`);
    }
    if (live.stalled) {
      const why = live.reason === "step_overrun" ? t2(ctx, "step over its budget by", "步骤超时") : t2(ctx, "no update for", "无更新");
      lines.push(`${sub}${c.bold(c.red(fitLine(`⚠️ ${why} ${formatDuration(live.forMs ?? 0)}`)))}`);
    }
    if (live.waiting) lines.push(`${sub}${c.dim(fitLine(`⏸ ${t2(ctx, "waiting", "等待中")}: ${oneLine(live.waiting.reason)}`))}`);
    if (task.stop) {
      const reason = task.stop.reason ? `: ${oneLine(task.stop.reason)}` : "";
      const by = t2(
        ctx,
        ` (by ${task.stop.by}, ${ago(ctx, task.stop.requestedAt)})`,
        `（${task.stop.by}，${ago(ctx, task.stop.requestedAt)}）`,
      );
      lines.push(`${sub}${c.bold(c.yellow(fitLine(`✋ ${t2(ctx, "stop requested", "已请求停止")}${reason}${by}`)))}`);
    }
  }
  if (task.status === "failed") lines.push(`${sub}${c.red(fitLine(`${ctx.lang === "zh" ? "错误" : "error"}: ${oneLine(task.error)}`))}`);
  return lines;
}

function isFinishedTask(task: Task): task is Task & { finishedAt: string } {
  return task.status === "done" || task.status === "failed" || task.status === "cancelled";
}

export function renderTaskLine(ctx: Ctx, task: Task): string {
  return renderTaskLines(ctx, task)[0] as string;
}

export function oneLine(text: string, max = 120): string {
  const flat = stripInvisible(text)
    .replace(/\s*\n\s*/g, " ")
    .trim();
  const chars = Array.from(flat);
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : flat;
}

function t2(ctx: Ctx, en: string, zh: string): string {
  return ctx.lang === "zh" ? zh : en;
}
