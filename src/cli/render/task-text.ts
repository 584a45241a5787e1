// Human text for tasks, in the Live Task Pulse layout: icon, name, [done/total], a 10-cell bar, label, duration;
// then the current step (with its message) or the error.

import { stepCounts } from "../../core/lifecycle.ts";
import { type LiveFields, type Liveness, livenessOf, liveOf } from "../../core/liveness.ts";
import type { Task } from "../../core/model.ts";
import { oneLine } from "../../core/names.ts";
import { DEFAULT_PRIORITY } from "../../core/priority.ts";
import { formatDuration, formatShortDuration } from "../../core/time.ts";
import type { CliCtx } from "../cli-context.ts";
import { paint } from "./color.ts";
import { clip, width } from "./text-width.ts";

export function progressBar(done: number, total: number): string {
  const filled = total > 0 ? Math.floor((10 * done) / total) : 0;
  return "█".repeat(filled) + "░".repeat(10 - filled);
}

const ICON = { running: "🔄", stalled: "⚠️", done: "✅", failed: "❌", pending: "⏳", cancelled: "⛔" } as const;

function label(ctx: CliCtx, state: keyof typeof ICON): string {
  const zh = { running: "执行中", stalled: "卡住", done: "完成", failed: "失败", pending: "排队中", cancelled: "已取消" };
  const en = { running: "running", stalled: "STALLED", done: "done", failed: "failed", pending: "queued", cancelled: "cancelled" };
  return (ctx.lang === "zh" ? zh : en)[state];
}

function displayState(task: Pick<Task, "status">, live: Liveness): keyof typeof ICON {
  return live.stalled ? "stalled" : task.status;
}

type Timed = { status: Task["status"]; startedAt?: string | undefined; finishedAt?: string | undefined };

export function taskDuration(task: Timed, now: Date): string {
  if (task.status === "pending") return "";
  if (task.status === "cancelled" && !task.startedAt) return "";
  const start = Date.parse(task.startedAt as string);
  const end = task.status === "running" ? now.getTime() : Date.parse(task.finishedAt as string);
  return formatDuration(end - start);
}

export function ago(ctx: CliCtx, iso: string): string {
  const ms = ctx.now.getTime() - Date.parse(iso);
  if (ms < 0) return ctx.lang === "zh" ? "刚刚" : "just now";
  const s = formatShortDuration(ms);
  return ctx.lang === "zh" ? `${s}前` : `${s} ago`;
}

/** Columns available for one line: the terminal's width (80 in pipes), never less than 40. */
export function columnsOf(ctx: CliCtx): number {
  return Math.max(40, ctx.deps.columns || 80);
}

/** The Live Task Pulse main line, plus the current-step or error line; shortened to fit the terminal. */
/** The first line of a task: icon, name (clipped to what the tail leaves of the width), then the tail. */
function headLine(ctx: CliCtx, indent: string, state: keyof typeof ICON, rawName: string, tail: [string, string][]): string {
  const c = paint(ctx.color);
  const fixed = width(indent) + width(ICON[state]) + 1 + tail.reduce((sum, [plain]) => sum + 1 + width(plain), 0);
  const name = clip(oneLine(rawName, Number.POSITIVE_INFINITY), Math.max(8, columnsOf(ctx) - fixed));
  return `${indent}${ICON[state]} ${state === "stalled" ? c.bold(name) : name} ${tail.map(([, col]) => col).join(" ")}`;
}

/**
 * What a task's card shows: a task's entry (core/insight.ts) holds it, so the overview draws thousands of tasks
 * without reading them whole; cardOf() makes it from a task.
 */
export interface Card extends Timed {
  id: string;
  name: string;
  priority: number;
  priorityLabel?: string | undefined;
  queuedAt: string;
  steps?: { done: number; total: number } | undefined;
  error?: string | undefined;
  /** A running task's (and only a running task's). */
  live?: LiveFields | undefined;
}

function cardOf(task: Task): Card {
  const card: Card = { id: task.id, name: task.name, status: task.status, priority: task.priority, queuedAt: task.queuedAt };
  if (task.priorityLabel) card.priorityLabel = task.priorityLabel;
  if (task.status !== "pending") card.startedAt = task.startedAt;
  if (task.status !== "pending" && task.status !== "running") card.finishedAt = task.finishedAt;
  card.steps = stepCounts(task);
  if (task.status === "failed") card.error = task.error;
  card.live = liveOf(task);
  return card;
}

export function renderTaskLines(ctx: CliCtx, task: Task, indent = ""): string[] {
  return renderCardLines(ctx, cardOf(task), indent);
}

export function renderCardLines(ctx: CliCtx, task: Card, indent = ""): string[] {
  const c = paint(ctx.color);
  const cols = columnsOf(ctx);
  const live = task.live;
  const liveState: Liveness = live ? livenessOf(live, ctx.now, ctx.stallMs) : { stalled: false };
  const state = displayState(task, liveState);
  const { done, total } = task.steps ?? { done: 0, total: 0 };
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
  // A queued task's priority as it was given (P0, or "priority 8"); the default (5, no label) is not shown.
  if (task.status === "pending" && (task.priorityLabel || task.priority !== DEFAULT_PRIORITY)) {
    const p = shownPriority(ctx, task);
    tail.push([p, c.dim(p)]);
  }
  if (live?.progress !== undefined) tail.push([`${live.progress}%`, `${live.progress}%`]);
  if (live?.stop) tail.push(["✋", c.yellow("✋")]);
  const when =
    task.status === "pending" ? ago(ctx, task.queuedAt) : task.status !== "running" && task.finishedAt ? ago(ctx, task.finishedAt) : "";
  const idPart = when ? `${when} · ${task.id}` : task.id;
  tail.push([idPart, c.dim(idPart)]);
  const lines = [headLine(ctx, indent, state, task.name, tail)];
  const sub = `${indent}   `;
  const fitLine = (text: string) => clip(text, Math.max(10, cols - width(sub)));
  if (live) {
    const { step, message: msg } = live;
    const cur = ctx.lang === "zh" ? "当前" : "current";
    const seen = ago(ctx, live.lastSeenAt);
    if (step || msg) {
      const text = `${cur}: ${step ? oneLine(step.name, Number.POSITIVE_INFINITY) : "—"}${msg ? ` — ${oneLine(msg)}` : ""}`;
      const room = Math.max(10, cols - width(sub) - width(seen) - 3);
      lines.push(`${sub}${clip(text, room)} ${c.dim(`· ${seen}`)}`);
    }
    if (liveState.stalled) {
      const why = liveState.reason === "step_overrun" ? t2(ctx, "step over its budget by", "步骤超时") : t2(ctx, "no update for", "无更新");
      lines.push(`${sub}${c.bold(c.red(fitLine(`⚠️ ${why} ${formatDuration(liveState.forMs ?? 0)}`)))}`);
    }
    if (liveState.waiting) lines.push(`${sub}${c.dim(fitLine(`⏸ ${t2(ctx, "waiting", "等待中")}: ${oneLine(liveState.waiting.reason)}`))}`);
    if (live.stop) {
      const reason = live.stop.reason ? `: ${oneLine(live.stop.reason)}` : "";
      const by = t2(
        ctx,
        ` (by ${live.stop.by}, ${ago(ctx, live.stop.requestedAt)})`,
        `（${live.stop.by}，${ago(ctx, live.stop.requestedAt)}）`,
      );
      lines.push(`${sub}${c.bold(c.yellow(fitLine(`✋ ${t2(ctx, "stop requested", "已请求停止")}${reason}${by}`)))}`);
    }
  }
  if (task.status === "failed" && task.error !== undefined)
    lines.push(`${sub}${c.red(fitLine(`${ctx.lang === "zh" ? "错误" : "error"}: ${oneLine(task.error)}`))}`);
  return lines;
}

export function renderTaskLine(ctx: CliCtx, task: Task): string {
  return renderTaskLines(ctx, task)[0] as string;
}

function t2(ctx: CliCtx, en: string, zh: string): string {
  return ctx.lang === "zh" ? zh : en;
}

/** A priority as its task was given it: the label (P0), else its number on the 1-10 scale ("priority 8"). */
export function shownPriority(ctx: CliCtx, task: { priority: number; priorityLabel?: string | undefined }): string {
  return task.priorityLabel ?? `${ctx.lang === "zh" ? "优先级" : "priority"} ${task.priority}`;
}
