// Hot and archived tasks as one list of summaries, with the derived states (stalled, blocked) filled in, and
// lookups that fall back to the archive, for the read-side commands.
import { NotFoundError } from "../core/errors.ts";
import { checkIdInput, resolveId } from "../core/ids.ts";
import { type Summary, summaryOf } from "../core/insight.ts";
import { livenessOf } from "../core/liveness.ts";
import type { Task } from "../core/model.ts";
import { dependencyState } from "../core/queue.ts";
import type { Snapshot, Store } from "../store/store.ts";
import type { Ctx } from "./context.ts";

export interface SummaryOptions {
  /** false: hot tasks only. */
  archive?: boolean;
  /** Only archive months that can hold tasks finished in this range. */
  range?: { from?: string; to?: string };
  /**
   * Only this agent's archived tasks are needed (hot tasks all come, as always): the others are passed over without
   * being parsed. A filter the caller applies anyway, never one that changes what it sees.
   */
  agent?: string | undefined;
}

/** Hot and archived tasks as summaries (hot first, then archived in index order), as one array. */
export async function allSummaries(ctx: Ctx, command: string, options: SummaryOptions = {}) {
  const { snapshot, summaries } = await summaryStream(ctx, command, options);
  return { snapshot, summaries: [...summaries] };
}

/**
 * The same, read as it is iterated (once): archived summaries are parsed one by one and not kept, so that stats
 * and query over 100 000 archived tasks hold only what they keep (totals, matches).
 */
export async function summaryStream(ctx: Ctx, command: string, options: SummaryOptions = {}) {
  const store = ctx.store(command);
  const snapshot = await store.read();
  const index = options.archive === false ? undefined : await store.archiveIndex(options.range);
  // From the entries, not the tasks: the JSON store keeps them apart, far smaller. A running task's entry holds what
  // its stall state needs.
  const entries = snapshot.entries();
  const byId = new Map(entries.map((e) => [e.id, e]));
  const isHot = (id: string) => byId.has(id);
  const hot: Summary[] = entries.map((entry) => {
    const s = summaryOf(entry);
    if (entry.live && livenessOf(entry.live, ctx.now, ctx.stallMs).stalled) s.state = "stalled";
    if (entry.status === "pending" && entry.after.length > 0) {
      const deps = dependencyState(entry, (id) => byId.get(id) ?? archivedAsTask(index?.get(id)));
      if (deps.state === "blocked") s.state = "blocked";
    }
    return s;
  });
  function* summaries(): Generator<Summary> {
    yield* hot;
    if (!index) return;
    for (const s of index.summaries({ agent: options.agent, skip: isHot })) {
      // fresh objects from the index: marked in place rather than copied
      s.archived = true;
      yield s;
    }
  }
  return { snapshot, summaries: summaries() };
}

/**
 * Finds dependencies in the hot state, then in the archive: a dependency that finished and was then archived by
 * cleanup still counts (done: ready; failed or cancelled: blocked). The archive index is read only when a pending
 * task among `tasks` depends on a task that is not hot.
 */
export async function dependencyLookup(
  store: Store,
  hot: Snapshot,
  tasks: readonly Pick<Task, "status" | "after">[],
): Promise<(id: string) => Task | undefined> {
  const needsArchive = tasks.some((t) => t.status === "pending" && t.after.some((id) => hot.get(id) === undefined));
  if (!needsArchive) return (id) => hot.get(id);
  const archived = await store.archiveIndex();
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
  const exact = snapshot.get(input.trim().toLowerCase());
  if (exact) return { task: exact, archived: false, snapshot };
  const hotIds = snapshot.ids();
  const isHot = new Set(hotIds);
  // A prefix must be unique over hot and archived tasks alike. Only the archived ids it could name are parsed
  // (to leave out a torn line), not the whole archive.
  const wanted = checkIdInput(input);
  const index = await store.archiveIndex();
  const archivedIds = [...index.ids()].filter((id) => id.startsWith(wanted) && !isHot.has(id) && index.get(id) !== undefined);
  const id = resolveId(input, [...hotIds, ...archivedIds]);
  const hot = snapshot.get(id);
  if (hot) return { task: hot, archived: false, snapshot };
  const task = await store.archivedTask(id);
  if (!task) throw new NotFoundError(`task ${id} is listed in the archive index but its record is missing`, "run `taskpulse doctor`");
  return { task, archived: true, snapshot };
}
