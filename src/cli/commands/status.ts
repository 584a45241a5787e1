import type { Command } from "commander";
import { stepCounts } from "../../core/lifecycle.ts";
import { liveness } from "../../core/liveness.ts";
import type { Task } from "../../core/model.ts";
import { isFinished } from "../../core/model-constants.ts";
import { compareQueue, dependencyState } from "../../core/queue.ts";
import { formatDuration } from "../../core/time.ts";
import type { Snapshot } from "../../store/store.ts";
import type { Ctx } from "../context.ts";
import type { Outcome } from "../outcome.ts";
import { type App, example } from "../program.ts";
import { paint } from "../render/color.ts";
import { ago, displayState, label, oneLine, renderTaskLines } from "../render/task-text.ts";
import { findTask, t } from "./common.ts";

const RECENT_MS = 24 * 3_600_000;

export function registerStatus(program: Command, app: App): void {
  program
    .command("status")
    .description("overview of every agent's running, stalled and queued tasks and recent finishes; or one task")
    .argument("[id]", "task id or unique prefix")
    .addHelpText("after", example("taskpulse status", "taskpulse status k3m9xq --json"))
    .action(app.action((ctx, id: string | undefined) => (id === undefined ? overview(ctx) : one(ctx, id))));
}

export function describe(ctx: Ctx, task: Task, snapshot: Snapshot) {
  const live = liveness(task, ctx.now, ctx.stallMs);
  const deps = task.status === "pending" && task.after.length > 0 ? dependencyState(task, (id) => snapshot.get(id)) : undefined;
  return { ...stepCounts(task), liveness: live, dependencies: deps };
}

async function one(ctx: Ctx, id: string): Promise<Outcome> {
  const snapshot = await ctx.store("status").read();
  const task = findTask(snapshot, id);
  const info = describe(ctx, task, snapshot);
  const c = paint(ctx.color);
  const lines = renderTaskLines(ctx, task);
  lines.push(
    c.dim(`   id ${task.id} · agent ${task.agent} · P${task.priority} · ${t(ctx, "created", "创建于")} ${ago(ctx, task.createdAt)}`),
  );
  for (const step of task.steps) {
    const icon = { pending: "⏳", running: "🔄", done: "✅", failed: "❌", skipped: "⏭" }[step.status];
    const dur = step.startedAt
      ? ` (${formatDuration((step.finishedAt ? Date.parse(step.finishedAt) : ctx.now.getTime()) - Date.parse(step.startedAt))})`
      : "";
    lines.push(`   ${icon} ${step.name}${dur}${step.message ? ` — ${oneLine(step.message, 80)}` : ""}`);
  }
  if (task.status === "done" && task.result) lines.push(`   ${t(ctx, "result", "结果")}: ${oneLine(task.result)}`);
  if (task.status === "cancelled" && task.reason) lines.push(`   ${t(ctx, "reason", "原因")}: ${oneLine(task.reason)}`);
  if (info.dependencies && info.dependencies.state !== "ready") {
    const word = info.dependencies.state === "blocked" ? t(ctx, "blocked by", "被阻塞于") : t(ctx, "waits for", "等待");
    lines.push(`   ${word}: ${info.dependencies.on.join(", ")}`);
  }
  const state = info.liveness.stalled ? "stalled" : info.dependencies?.state === "blocked" ? "blocked" : task.status;
  return { data: { task, ...info }, lines, quiet: state };
}

async function overview(ctx: Ctx): Promise<Outcome> {
  const snapshot = await ctx.store("status").read();
  const tasks = snapshot.tasks;
  const counts = { running: 0, stalled: 0, pending: 0, done: 0, failed: 0, cancelled: 0 };
  const annotated = tasks.map((task) => {
    const info = describe(ctx, task, snapshot);
    counts[displayState(task, info.liveness)] += 1;
    return { task, ...info };
  });
  if (tasks.length === 0) {
    return { data: { tasks: [], counts }, lines: [t(ctx, "📭 no tasks", "📭 没有任务")] };
  }
  const c = paint(ctx.color);
  const lines: string[] = [];
  const agents = [...new Set(tasks.map((task) => task.agent))].sort((a, b) => (a === "main" ? -1 : b === "main" ? 1 : a.localeCompare(b)));
  for (const agent of agents) {
    const mine = tasks.filter((task) => task.agent === agent);
    const running = mine.filter((task) => task.status === "running").sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const queued = mine.filter((task) => task.status === "pending").sort(compareQueue);
    const recent = mine
      .filter((task) => isFinished(task) && ctx.now.getTime() - Date.parse(task.finishedAt) < RECENT_MS)
      .sort((a, b) => (b as { finishedAt: string }).finishedAt.localeCompare((a as { finishedAt: string }).finishedAt));
    if (running.length + queued.length + recent.length === 0) continue;
    if (lines.length > 0) lines.push("");
    lines.push(c.bold(`● ${agent}`));
    for (const task of running) lines.push(...renderTaskLines(ctx, task, "  "));
    for (const task of queued.slice(0, 5)) {
      const deps = dependencyState(task, (id) => snapshot.get(id));
      const extra =
        deps.state === "blocked"
          ? c.red(` ${t(ctx, "blocked", "已阻塞")}`)
          : deps.state === "waiting"
            ? c.dim(` ${t(ctx, "waiting", "等待依赖")}`)
            : "";
      lines.push(`  ⏳ ${task.name} ${label(ctx, "pending")} P${task.priority} ${c.dim(`${ago(ctx, task.queuedAt)} ${task.id}`)}${extra}`);
    }
    if (queued.length > 5) lines.push(c.dim(`  … ${t(ctx, `${queued.length - 5} more queued`, `还有 ${queued.length - 5} 个排队`)}`));
    for (const task of recent.slice(0, 5)) lines.push(...renderTaskLines(ctx, task, "  "));
  }
  lines.push(
    "",
    `📊 🔄${counts.running} ⚠️${counts.stalled} ⏳${counts.pending} ✅${counts.done} ❌${counts.failed}${counts.cancelled ? ` ⛔${counts.cancelled}` : ""}`,
  );
  return { data: { tasks: annotated, counts }, lines, quiet: "" };
}
