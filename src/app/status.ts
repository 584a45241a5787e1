// What a task's state is, beyond what is stored: its step counts, liveness (stalled or not) and, for a queued task,
// its dependencies. Reading a stalled task's status may alert its stall once (stall-push.ts).
import { entryOf, type TaskEntry } from "../core/insight.ts";
import { stepCounts } from "../core/lifecycle.ts";
import { type LiveFields, type Liveness, liveness, livenessOf } from "../core/liveness.ts";
import type { Task } from "../core/model.ts";
import { byCodePoint } from "../core/names.ts";
import type { Push } from "../core/push.ts";
import { dependencyState } from "../core/queue.ts";
import type { Snapshot, Store } from "../store/store.ts";
import type { Ctx } from "./context.ts";
import { alertNewStallsOrWarn } from "./stall-push.ts";
import { dependencyLookup, findAnyTask } from "./summaries.ts";

/** `lookup` finds a dependency, hot or archived (see dependencyLookup). */
export function describeTask(ctx: Ctx, task: Task, lookup: (id: string) => Pick<Task, "status"> | undefined) {
  const live = liveness(task, ctx.now, ctx.stallMs);
  const deps = task.status === "pending" && task.after.length > 0 ? dependencyState(task, lookup) : undefined;
  return { ...stepCounts(task), liveness: live, dependencies: deps };
}

/**
 * One task, hot or archived, described. `alert`: the caller sends the stall alert this read may produce (its output
 * goes to an agent), so a new stall is recorded as alerted and its push returned; else nothing is recorded.
 * `warnings`: what could not be done without failing the read (a stall alert the disk refused to record).
 */
export async function taskStatus(ctx: Ctx, id: string, alert: boolean) {
  const { task, snapshot, archived } = await findAnyTask(ctx, "status", id);
  ctx.mayActOn?.(task);
  const info = describeTask(ctx, task, await dependencyLookup(ctx.store("status"), snapshot, [task]));
  const warnings: string[] = [];
  const { push }: { push: Push | null } = archived ? { push: null } : await alertNewStallsOrWarn(ctx, [task], alert, warnings);
  return { task, ...info, archived, push, warnings };
}

export type CountKey = "running" | "stalled" | "pending" | "done" | "failed" | "cancelled";

/** Creation order (the order of the data, and of the stall alerts). */
export const byCreation = (a: Pick<Task, "createdAt" | "seq" | "id">, b: Pick<Task, "createdAt" | "seq" | "id">) =>
  byCodePoint(a.createdAt, b.createdAt) || (a.seq ?? 0) - (b.seq ?? 0) || byCodePoint(a.id, b.id);

/** Every hot task at a glance, with what drawing it needs. */
export interface Overview {
  /** `tasks`: every task, described (only when read with `full`). */
  data: { tasks: (ReturnType<typeof describeTask> & { task: Task })[]; counts: Record<CountKey, number> };
  stalled: Task[];
  entries: readonly TaskEntry[];
  /** The running tasks' entries with their liveness, in creation order. */
  running: { entry: TaskEntry; liveness: Liveness }[];
  taskOf: (id: string) => Task | undefined;
  keyOf: (entry: TaskEntry) => CountKey;
}

/**
 * The overview of a snapshot, from its entries (the store's small form of a task: the JSON store keeps them apart
 * from the tasks, so thousands cost little). `full`: every task is read and described, as --json prints it.
 */
export function overviewOf(
  ctx: Ctx,
  snapshot: Snapshot,
  lookup: (id: string) => Pick<Task, "status"> | undefined = (id) => snapshot.get(id),
  full = true,
): Overview {
  const counts: Record<CountKey, number> = { running: 0, stalled: 0, pending: 0, done: 0, failed: 0, cancelled: 0 };
  const tasks = full ? snapshot.tasks : undefined;
  const entries = tasks ? tasks.map(entryOf) : snapshot.entries();
  const byId = tasks ? new Map(tasks.map((task) => [task.id, task])) : undefined;
  const taskOf = (id: string) => (byId ? byId.get(id) : snapshot.get(id));
  const described = tasks
    ? tasks.map((task) => ({ task, ...describeTask(ctx, task, lookup) })).sort((a, b) => byCreation(a.task, b.task))
    : [];
  const running = entries
    .filter((e) => e.status === "running")
    .map((entry) => ({ entry, liveness: livenessOf(entry.live as LiveFields, ctx.now, ctx.stallMs) }))
    .sort((a, b) => byCreation(a.entry, b.entry));
  const live = new Map(running.map((a) => [a.entry.id, a]));
  const keyOf = (e: TaskEntry): CountKey => (live.get(e.id)?.liveness.stalled ? "stalled" : e.status);
  for (const e of entries) counts[keyOf(e)] += 1;
  const stalled = running.flatMap((a) => (a.liveness.stalled ? (taskOf(a.entry.id) ?? []) : []));
  return { data: { tasks: described, counts }, stalled, entries, running, taskOf, keyOf };
}

/** Dependencies' states for the overview: from the entries (hot), then the archive index if a dependency is not hot. */
async function statusLookup(store: Store, snapshot: Snapshot, full: boolean): Promise<(id: string) => Pick<Task, "status"> | undefined> {
  if (full) return dependencyLookup(store, snapshot, snapshot.tasks);
  const hot = new Map(snapshot.entries().map((e) => [e.id, e]));
  const needsArchive = [...hot.values()].some((e) => e.status === "pending" && e.after.some((id) => !hot.has(id)));
  if (!needsArchive) return (id) => hot.get(id);
  const archived = await store.archiveIndex();
  return (id) => hot.get(id) ?? archived.get(id);
}

/**
 * The overview of the store now, and the alert for the new stalls in it (`alert`: as taskStatus). `full`: every
 * task described in the data; else only what the text needs is read.
 */
export async function statusOverview(ctx: Ctx, full: boolean, alert: boolean) {
  const store = ctx.store("status");
  const snapshot = await store.read();
  const lookup = await statusLookup(store, snapshot, full);
  const view = overviewOf(ctx, snapshot, lookup, full);
  const warnings: string[] = [];
  const { push }: { push: Push | null } = await alertNewStallsOrWarn(ctx, view.stalled, alert, warnings);
  return { view, lookup, push, warnings };
}

/**
 * The overview for one frame of `status --watch`, at the host's clock now (moved by the store's offset), so relative
 * times stay current. Read-only: it records no stall episode and decides no push (a person watching sends none).
 */
export async function watchFrame(ctx: Ctx) {
  const store = ctx.store("status");
  const now = new Date(ctx.deps.now().getTime() + ctx.clockOffsetMs());
  const snapshot = await store.read();
  return { now, snapshot, lookup: await statusLookup(store, snapshot, false) };
}

/**
 * `status --alerts`: the check an agent runs (the heartbeat entries): the tasks stalled now, and the alert for those
 * newly stalled as one push, recorded as sent; none when there is none.
 */
export async function stallAlerts(ctx: Ctx) {
  const snapshot = await ctx.store("status").read();
  const stalled = snapshot
    .entries()
    .filter((e) => e.live && livenessOf(e.live, ctx.now, ctx.stallMs).stalled)
    .flatMap((e) => snapshot.get(e.id) ?? []);
  const warnings: string[] = [];
  const { push, alerted } = await alertNewStallsOrWarn(ctx, stalled, true, warnings);
  return { stalled: stalled.map((task) => task.id).sort(), alerted, push, warnings };
}
