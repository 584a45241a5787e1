import type { Command } from "commander";
import {
  byCreation,
  type CountKey,
  type Overview,
  overviewOf,
  stallAlerts,
  statusOverview,
  taskStatus,
  watchFrame,
} from "../../app/status.ts";
import { UsageError } from "../../core/errors.ts";
import type { TaskEntry } from "../../core/insight.ts";
import { metaText } from "../../core/meta.ts";
import type { Task } from "../../core/model.ts";
import { byCodePoint, byName, oneLine, printable } from "../../core/names.ts";
import { compareQueue, dependencyState } from "../../core/queue.ts";
import { formatDuration, timerDuration } from "../../core/time.ts";
import type { Snapshot } from "../../store/store.ts";
import type { CliCtx } from "../cli-context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { paint } from "../render/color.ts";
import { ago, columnsOf, renderCardLines, renderTaskLines, shownPriority } from "../render/task-text.ts";
import { clip } from "../render/text-width.ts";
import { t } from "./common.ts";

const RECENT_MS = 24 * 3_600_000;
/**
 * Running tasks shown per agent in the overview (stalled and stop-requested first); the rest are counted, with the
 * query that lists them. An agent with hundreds of running tasks would otherwise fill the screen, and the output
 * (and its cost) would grow with the store. `--json` still has every task.
 */
const RUNNING_SHOWN = 10;

export interface StatusOptions {
  all?: boolean;
  alerts?: boolean;
  watch?: boolean;
  interval: string;
  count?: string;
}

export function registerStatus(program: Command, app: App): void {
  program
    .command("status")
    .aliases(["show", "info"])
    .description("overview of every agent's running, stalled and queued tasks and recent finishes; or one task")
    .argument("[id]", "task id or unique prefix")
    .option(
      "--alerts",
      "for an agent: only the alert for tasks newly stalled, as a push to send (recorded as sent); nothing when there is none",
    )
    .option("-a, --all", "list every finished task still in the hot state, not only the last day's first five")
    .option("-w, --watch", "redraw the overview in place until Ctrl-C (a terminal view to keep open)")
    .option("--interval <duration>", "with --watch: redraw at least this often", "2s")
    .option("--count <n>", "with --watch: stop after this many redraws (like top -n)")
    .addHelpText(
      "after",
      example(
        "taskpulse status",
        "taskpulse status k3m9xq --json",
        "taskpulse status --alerts     # in a heartbeat",
        "taskpulse status --watch --interval 5s",
      ),
    )
    .action(
      app.action((ctx, id: string | undefined, opts: StatusOptions) => {
        if (opts.alerts) {
          if (id !== undefined || opts.watch)
            throw new UsageError("--alerts checks every task: leave out the id and --watch", "taskpulse status --alerts");
          return alerts(ctx);
        }
        if (opts.all && id !== undefined) throw new UsageError("--all lists the overview; leave out the task id", "taskpulse status --all");
        if (!opts.watch) return id === undefined ? overview(ctx, opts.all === true) : one(ctx, id);
        if (id !== undefined) throw new UsageError("--watch shows the overview; leave out the task id", "taskpulse status --watch");
        if (ctx.json) throw new UsageError("--watch redraws a terminal view and prints no JSON", "use taskpulse status --json in a loop");
        const intervalMs = timerDuration(opts.interval, "--interval", 200);
        let count = Number.POSITIVE_INFINITY;
        if (opts.count !== undefined) {
          if (!/^\d{1,6}$/.test(opts.count) || Number(opts.count) < 1)
            throw new UsageError(`invalid --count '${printable(opts.count)}'`, "use a positive number", {
              detail: { key: "invalid_value", what: "--count", value: printable(opts.count) },
            });
          count = Number(opts.count);
        }
        return watch(ctx, intervalMs, count, opts.all === true);
      }),
    );
}

async function one(ctx: CliCtx, id: string): Promise<Outcome> {
  const { task, archived, push, warnings, ...info } = await taskStatus(ctx, id, agentFacing(ctx, false));
  const c = paint(ctx.color);
  const lines = renderTaskLines(ctx, task);
  lines.push(
    c.dim(
      `   id ${task.id} · agent ${task.agent} · ${shownPriority(ctx, task)} · ${t(ctx, "created", "创建于")} ${ago(ctx, task.createdAt)}`,
    ),
  );
  // parameters, one per line: text as it is, other values as JSON
  for (const [key, value] of Object.entries(task.meta)) lines.push(`   ${key} = ${oneLine(metaText(value), 120)}`);
  for (const step of task.steps) {
    const icon = { pending: "⏳", running: "🔄", done: "✅", failed: "❌", skipped: "⏭" }[step.status];
    const dur = step.startedAt
      ? ` (${formatDuration((step.finishedAt ? Date.parse(step.finishedAt) : ctx.now.getTime()) - Date.parse(step.startedAt))})`
      : "";
    lines.push(`   ${icon} ${oneLine(step.name, Number.POSITIVE_INFINITY)}${dur}${step.message ? ` — ${oneLine(step.message, 80)}` : ""}`);
  }
  if (task.status === "done" && task.result) lines.push(`   ${t(ctx, "result", "结果")}: ${oneLine(task.result)}`);
  if (task.status === "cancelled" && task.reason) lines.push(`   ${t(ctx, "reason", "原因")}: ${oneLine(task.reason)}`);
  if (info.dependencies && info.dependencies.state !== "ready") {
    const word = info.dependencies.state === "blocked" ? t(ctx, "blocked by", "被阻塞于") : t(ctx, "waits for", "等待");
    lines.push(`   ${word}: ${info.dependencies.on.join(", ")}`);
  }
  const state = info.liveness.stalled ? "stalled" : info.dependencies?.state === "blocked" ? "blocked" : task.status;
  return { data: { task, ...info, archived }, lines, quiet: state, push, warnings };
}

/**
 * The overview as lines: one section per agent (main first), running and stalled tasks, the queue, recent finishes.
 * It is drawn from entries (the store's small form of a task, with what a running task's card needs: the JSON store
 * keeps them apart from the tasks, so thousands cost little); stalled tasks and the few recent finishes shown are
 * read in full. `full`: every task is read and described in the data, as --json prints it.
 */
export function renderOverview(
  ctx: CliCtx,
  snapshot: Snapshot,
  lookup: (id: string) => Pick<Task, "status"> | undefined = (id) => snapshot.get(id),
  full = true,
  /** Every finished task still in the hot state, however old (`--all`), instead of the last day's first five. */
  allFinished = false,
): Overview & { lines: string[] } {
  const view = overviewOf(ctx, snapshot, lookup, full);
  return { ...view, lines: overviewLines(ctx, view, lookup, allFinished) };
}

function overviewLines(
  ctx: CliCtx,
  view: Overview,
  lookup: (id: string) => Pick<Task, "status"> | undefined,
  allFinished: boolean,
): string[] {
  const { entries, running, taskOf, keyOf } = view;
  const counts = view.data.counts;
  if (entries.length === 0) return [t(ctx, "📭 no tasks", "📭 没有任务")];
  const live = new Map(running.map((a) => [a.entry.id, a]));
  const c = paint(ctx.color);
  const cols = columnsOf(ctx);
  const lines: string[] = [];
  const byAgent = new Map<string, TaskEntry[]>();
  for (const e of entries) {
    const list = byAgent.get(e.agent);
    if (list) list.push(e);
    else byAgent.set(e.agent, [e]);
  }
  const agents = [...byAgent.keys()].sort((a, b) => (a === "main" ? -1 : b === "main" ? 1 : byName(a, b)));
  for (const agent of agents) {
    const mine = byAgent.get(agent) as TaskEntry[];
    // Stalled and stop-requested tasks first: they are what a person has to look at.
    const urgency = (a: (typeof running)[number]) => (a.liveness.stalled ? 0 : a.entry.live?.stop ? 1 : 2);
    const runningHere = mine
      .flatMap((e) => (e.status === "running" ? (live.get(e.id) ?? []) : []))
      .sort((a, b) => urgency(a) - urgency(b) || byCreation(a.entry, b.entry))
      .map((a) => a.entry);
    const queued = mine.filter((e) => e.status === "pending").sort(compareQueue);
    const recent = mine
      .filter(
        (e): e is TaskEntry & { finishedAt: string } =>
          e.finishedAt !== undefined && e.status !== "running" && (allFinished || ctx.now.getTime() - Date.parse(e.finishedAt) < RECENT_MS),
      )
      .sort((a, b) => byCodePoint(b.finishedAt, a.finishedAt));
    if (runningHere.length + queued.length + recent.length === 0) continue;
    if (lines.length > 0) lines.push("");
    const here: Record<CountKey, number> = { running: 0, stalled: 0, pending: 0, done: 0, failed: 0, cancelled: 0 };
    for (const e of mine) here[keyOf(e)] += 1;
    const tally = (
      [
        ["running", "🔄"],
        ["stalled", "⚠️"],
        ["pending", "⏳"],
        ["done", "✅"],
        ["failed", "❌"],
      ] as const
    )
      .filter(([key]) => here[key] > 0)
      .map(([key, icon]) => `${icon}${here[key]}`)
      .join(" ");
    lines.push(`${c.bold(`● ${clip(agent, 40)}`)}  ${c.dim(tally)}`);
    for (const entry of runningHere.slice(0, RUNNING_SHOWN)) lines.push(...renderCardLines(ctx, entry, "  "));
    if (runningHere.length > RUNNING_SHOWN) {
      const more = runningHere.length - RUNNING_SHOWN;
      const how = `taskpulse query --agent ${agent} --status running`;
      lines.push(c.dim(`  … ${t(ctx, `${more} more running (${how})`, `还有 ${more} 个运行中（${how}）`)}`));
    }
    for (const entry of queued.slice(0, 5)) {
      const deps = dependencyState(entry, lookup);
      const extra =
        deps.state === "blocked"
          ? c.red(`   ⛓ ${t(ctx, "blocked by", "被阻塞于")} ${deps.on.join(", ")}`)
          : deps.state === "waiting"
            ? c.dim(`   ⛓ ${t(ctx, "waits for", "等待")} ${deps.on.join(", ")}`)
            : undefined;
      lines.push(...renderCardLines(ctx, entry, "  "));
      if (extra) lines.push(`  ${clip(extra, cols - 2)}`);
    }
    if (queued.length > 5) lines.push(c.dim(`  … ${t(ctx, `${queued.length - 5} more queued`, `还有 ${queued.length - 5} 个排队`)}`));
    const shownFinished = allFinished ? recent.length : 5;
    for (const entry of recent.slice(0, shownFinished)) {
      const task = taskOf(entry.id);
      if (task) lines.push(...renderTaskLines(ctx, task, "  "));
    }
    if (recent.length > shownFinished) {
      const more = recent.length - shownFinished;
      const how = "taskpulse status --all";
      lines.push(c.dim(`  … ${t(ctx, `${more} more finished today (${how})`, `还有 ${more} 个已结束（${how}）`)}`));
    }
  }
  const footer = `📊 🔄${counts.running} ⚠️${counts.stalled} ⏳${counts.pending} ✅${counts.done} ❌${counts.failed}${counts.cancelled ? ` ⛔${counts.cancelled}` : ""}`;
  lines.push("", counts.stalled > 0 ? c.red(footer) : footer);
  return lines;
}

/**
 * Whether this call's output goes to an agent, which sends the stall alerts it prints: --json, --alerts, or --send
 * (taskpulse delivers them). Only such a call records an alert as sent; a person's `status` leaves it for them.
 */
function agentFacing(ctx: CliCtx, alerts: boolean): boolean {
  return ctx.json || ctx.send || alerts;
}

/** `status --alerts`: the new stalls' alert as one push (src/app/status.ts stallAlerts), and nothing else. */
async function alerts(ctx: CliCtx): Promise<Outcome> {
  const { push, warnings, ...data } = await stallAlerts(ctx);
  return { data, lines: [], quiet: "", push, warnings };
}

async function overview(ctx: CliCtx, allFinished = false): Promise<Outcome> {
  // Text needs the running tasks and the entries only; --json every task, described.
  const { view, lookup, push, warnings } = await statusOverview(ctx, ctx.json, agentFacing(ctx, false));
  // -q: the counts, as `running=1 stalled=0 …` (a shell can eval them)
  const quiet = Object.entries(view.data.counts)
    .map(([key, n]) => `${key}=${n}`)
    .join(" ");
  return { data: view.data, lines: overviewLines(ctx, view, lookup, allFinished), quiet, push, warnings };
}

/**
 * Redraws the overview in place until SIGINT or SIGTERM, then exits 0. Read-only: it records no stall episodes and
 * prints no pushes (a person watching does not send chat messages; the agent's own status call does). Redraws on
 * every store change (the store's change feed) and at least every --interval, so relative times stay current.
 */
async function watch(ctx: CliCtx, intervalMs: number, maxFrames: number, allFinished: boolean): Promise<Outcome> {
  const out = ctx.deps.stdout;
  const tty = ctx.deps.isTTY;
  const store = ctx.store("status");
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  const stopped = new Promise<void>((resolve) => stop.signal.addEventListener("abort", () => resolve(), { once: true }));
  const pause = (ms: number) => Promise.race([new Promise<void>((resolve) => setTimeout(resolve, ms)), stopped]);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const feed = store.changes();
  // A reader that went away (`… | head`) ends the watch quietly instead of crashing on EPIPE.
  process.stdout.on("error", onSignal);
  let frames = 0;
  let lastBody = "";
  let lastDrawn = 0;
  // On a terminal: the alternate screen (the shell's screen comes back as it was) and no cursor while redrawing.
  if (tty) out("\u001b[?1049h\u001b[?25l");
  try {
    while (!stop.signal.aborted && frames < maxFrames) {
      const columns = (tty && process.stdout.columns) || ctx.deps.columns || 80;
      const frame = await watchFrame(ctx);
      const frameCtx: CliCtx = { ...ctx, now: frame.now, deps: { ...ctx.deps, columns } };
      const view = renderOverview(frameCtx, frame.snapshot, frame.lookup, false, allFinished);
      const body = view.lines.join("\n");
      // One commit touches several files (lock, journal, state): a change that leaves the view as it was is not
      // drawn again until the interval is up.
      if (body !== lastBody || Date.now() - lastDrawn >= intervalMs) {
        const clock = frameCtx.now.toTimeString().slice(0, 8);
        const title = t(
          ctx,
          `taskpulse status · ${clock} · every ${formatDuration(intervalMs)} · Ctrl-C to quit`,
          `taskpulse status · ${clock} · 每 ${formatDuration(intervalMs)} 刷新 · Ctrl-C 退出`,
        );
        const all = [paint(ctx.color).dim(clip(title, columns)), "", ...view.lines];
        // Within the screen: a taller view ends with how much more there is (scrolling would break the redraw).
        const rows = tty ? process.stdout.rows || 0 : 0;
        const frame =
          rows > 2 && all.length > rows
            ? [
                ...all.slice(0, rows - 1),
                paint(ctx.color).dim(t(ctx, `… ${all.length - rows + 1} more lines`, `… 还有 ${all.length - rows + 1} 行`)),
              ]
            : all;
        // On a terminal: cursor home, each line cleared to its end, then the rest of the screen cleared (no
        // flicker). In a pipe: frames one after another, separated by a blank line, with no escape codes.
        if (tty) out(`\u001b[H${frame.map((l) => `${l}\u001b[K`).join("\n")}\n\u001b[J`);
        else out(`${frames > 0 ? "\n" : ""}${frame.join("\n")}\n`);
        frames++;
        lastBody = body;
        lastDrawn = Date.now();
        if (frames >= maxFrames) break;
      }
      await Promise.race([feed.next(Math.max(0, intervalMs - (Date.now() - lastDrawn))), stopped]);
      await pause(100); // let the rest of a burst of changes land before reading again
    }
  } finally {
    feed.close();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    process.stdout.removeListener("error", onSignal);
    if (tty) out("\u001b[?25h\u001b[?1049l");
  }
  return { data: null, lines: [], quiet: "" };
}
