// Human text for tasks, in the Live Task Pulse layout: icon, name, [done/total], a 10-cell bar, label, duration;
// then the current step (with its message) or the error.
import { stepCounts } from "../../core/lifecycle.ts";
import { type Liveness, liveness } from "../../core/liveness.ts";
import type { Task } from "../../core/model.ts";
import { formatDuration, formatShortDuration } from "../../core/time.ts";
import type { Ctx } from "../context.ts";
import { paint } from "./color.ts";

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

/** The Live Task Pulse main line, plus the current-step or error line. */
export function renderTaskLines(ctx: Ctx, task: Task, indent = ""): string[] {
  const c = paint(ctx.color);
  const live = liveness(task, ctx.now, ctx.stallMs);
  const state = displayState(task, live);
  const { done, total } = stepCounts(task);
  const dur = taskDuration(task, ctx.now);
  const parts = [ICON[state], task.name];
  if (total > 0) parts.push(`[${done}/${total}]`, progressBar(done, total));
  const lab = label(ctx, state);
  const coloured =
    state === "stalled" || state === "failed" ? c.red(lab) : state === "done" ? c.green(lab) : state === "running" ? c.cyan(lab) : lab;
  parts.push(dur ? `${coloured} (${dur})` : coloured);
  if (task.status === "pending") parts.push(c.dim(`P${task.priority}`));
  if (task.progress !== undefined && task.status === "running") parts.push(`${task.progress}%`);
  parts.push(c.dim(task.id));
  const lines = [`${indent}${parts.join(" ")}`];
  if (task.status === "running") {
    const step = task.steps.find((s) => s.status === "running");
    const msg = step ? step.message : task.lastMessage;
    const cur = ctx.lang === "zh" ? "当前" : "current";
    if (step || msg) lines.push(`${indent}   ${cur}: ${step?.name ?? "—"}${msg ? ` — ${oneLine(msg)}` : ""}`);
    if (live.stalled) {
      const why = live.reason === "step_overrun" ? t2(ctx, "step over its budget", "步骤超时") : t2(ctx, "no heartbeat", "无心跳");
      lines.push(`${indent}   ${c.yellow(`⚠️ ${why} ${formatDuration(live.forMs ?? 0)}`)}`);
    }
    if (live.waiting) lines.push(`${indent}   ${t2(ctx, "waiting", "等待中")}: ${oneLine(live.waiting.reason)}`);
    if (task.stop)
      lines.push(
        `${indent}   ${c.yellow(`✋ ${t2(ctx, "stop requested", "已请求停止")}${task.stop.reason ? `: ${oneLine(task.stop.reason)}` : ""}`)}`,
      );
  }
  if (task.status === "failed") lines.push(`${indent}   ${ctx.lang === "zh" ? "错误" : "error"}: ${oneLine(task.error)}`);
  return lines;
}

export function renderTaskLine(ctx: Ctx, task: Task): string {
  return renderTaskLines(ctx, task)[0] as string;
}

export function oneLine(text: string, max = 120): string {
  const flat = text.replace(/\s*\n\s*/g, " ").trim();
  const chars = Array.from(flat);
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : flat;
}

function t2(ctx: Ctx, en: string, zh: string): string {
  return ctx.lang === "zh" ? zh : en;
}
