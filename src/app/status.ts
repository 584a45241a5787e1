// What a task's state is, beyond what is stored: its step counts, liveness (stalled or not) and, for a queued task,
// its dependencies. Reading a stalled task's status may alert its stall once (stall-push.ts).
import { stepCounts } from "../core/lifecycle.ts";
import { liveness } from "../core/liveness.ts";
import type { Task } from "../core/model.ts";
import type { Push } from "../core/push.ts";
import { dependencyState } from "../core/queue.ts";
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
  const info = describeTask(ctx, task, await dependencyLookup(ctx.store("status"), snapshot, [task]));
  const warnings: string[] = [];
  const { push }: { push: Push | null } = archived ? { push: null } : await alertNewStallsOrWarn(ctx, [task], alert, warnings);
  return { task, ...info, archived, push, warnings };
}
