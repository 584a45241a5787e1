// Deciding the push for a change happens inside the transaction, so what was pushed is recorded in the same write.
import type { Change } from "../core/lifecycle.ts";
import type { Task } from "../core/model.ts";
import type { Push } from "../core/push.ts";
import type { Ctx } from "./context.ts";

export function decideForChange(_ctx: Ctx, _before: Task | undefined, change: Change): { task: Task; push: Push | null } {
  return { task: change.task, push: null };
}
