// Hot and archived tasks as one list of summaries, with the derived states (stalled, blocked) filled in, and
// lookups that fall back to the archive, for the read-side commands.
import { NotFoundError } from "../core/errors.ts";
import { resolveId } from "../core/ids.ts";
import { type Summary, summarize } from "../core/insight.ts";
import { liveness } from "../core/liveness.ts";
import type { Task } from "../core/model.ts";
import { dependencyState } from "../core/queue.ts";
import type { Snapshot, Store } from "../store/store.ts";
import type { Ctx } from "./context.ts";

export async function allSummaries(ctx: Ctx, command: string, options: { archive?: boolean; range?: { from?: string; to?: string } } = {}) {
  const store = ctx.store(command);
  const snapshot = await store.read();
  const archived = options.archive === false ? [] : await store.archivedSummaries(options.range);
  const byId = new Map<string, Summary>();
  for (const s of archived) byId.set(s.id, { ...s, archived: true });
  const hot: Summary[] = snapshot.tasks.map((task) => {
    const s = summarize(task);
    if (liveness(task, ctx.now, ctx.stallMs).stalled) s.state = "stalled";
    else if (task.status === "pending" && task.after.length > 0) {
      const deps = dependencyState(task, (id) => snapshot.get(id) ?? archivedAsTask(byId.get(id)));
      if (deps.state === "blocked") s.state = "blocked";
    }
    return s;
  });
  return { snapshot, summaries: [...hot, ...byId.values()] };
}

/**
 * Finds dependencies in the hot state, then in the archive: a dependency that finished and was then archived by
 * cleanup still counts (done: ready; failed or cancelled: blocked). The archive index is read only when a pending
 * task among `tasks` depends on a task that is not hot.
 */
export async function dependencyLookup(store: Store, hot: Snapshot, tasks: readonly Task[]): Promise<(id: string) => Task | undefined> {
  const needsArchive = tasks.some((t) => t.status === "pending" && t.after.some((id) => hot.get(id) === undefined));
  if (!needsArchive) return (id) => hot.get(id);
  const archived = new Map((await store.archivedSummaries()).map((s) => [s.id, s]));
  return (id) => hot.get(id) ?? archivedAsTask(archived.get(id));
}

/** Enough of an archived task for dependency checks (only its status matters). */
function archivedAsTask(s: Summary | undefined): Task | undefined {
  return s ? ({ id: s.id, status: s.status } as Task) : undefined;
}

/** A task by id or unique prefix, hot first, then archived. */
export async function findAnyTask(
  ctx: Ctx,
  command: string,
  input: string,
): Promise<{ task: Task; archived: boolean; snapshot: Snapshot }> {
  const store = ctx.store(command);
  const snapshot = await store.read();
  const hotIds = snapshot.tasks.map((t) => t.id);
  const exact = snapshot.get(input.trim().toLowerCase());
  if (exact) return { task: exact, archived: false, snapshot };
  // A prefix must be unique over hot and archived tasks alike.
  const archivedIds = (await store.archivedSummaries()).map((s) => s.id);
  const id = resolveId(input, [...hotIds, ...archivedIds]);
  const hot = snapshot.get(id);
  if (hot) return { task: hot, archived: false, snapshot };
  const task = await store.archivedTask(id);
  if (!task) throw new NotFoundError(`task ${id} is listed in the archive index but its record is missing`, "run `taskpulse doctor`");
  return { task, archived: true, snapshot };
}
