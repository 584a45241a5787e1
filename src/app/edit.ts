// `edit`: change a queued task before it runs (OpenTask's update): its name, priority, description, dependencies,
// or the agent whose queue it is in. Every edit is one audit entry saying what changed.
import { UsageError } from "../core/errors.ts";
import { editTask, type TaskEdit } from "../core/lifecycle.ts";
import type { Task } from "../core/model.ts";
import { LIMITS } from "../core/model-constants.ts";
import { cleanName, cleanText, validateAgent } from "../core/names.ts";
import { parseTypedPriority } from "../core/priority.ts";
import type { StoreTx } from "../store/store.ts";
import type { Ctx } from "./context.ts";
import { actorOf, commitChange, findTask } from "./tasks.ts";

export interface EditOptions {
  name?: string;
  priority?: string;
  description?: string;
  assign?: string;
  after: string[];
  noAfter?: boolean;
}

/** The task as written; `said`: what the audit entry says changed (undefined: nothing did). */
export interface EditResult {
  task: Task;
  said: string | undefined;
}

export async function editQueuedTask(ctx: Ctx, id: string, opts: EditOptions): Promise<EditResult> {
  const input: TaskEdit = {};
  if (opts.name !== undefined) input.name = cleanName(opts.name, "--name");
  if (opts.priority !== undefined) input.priority = parseTypedPriority(opts.priority);
  if (opts.description !== undefined) input.description = cleanText(opts.description, "--description");
  if (opts.assign !== undefined) input.agent = validateAgent(opts.assign);
  if (opts.after.length > LIMITS.after) throw new UsageError(`too many --after (at most ${LIMITS.after})`);
  if (Object.keys(input).length === 0 && opts.after.length === 0 && !opts.noAfter) {
    throw new UsageError("nothing to change", "give --name, --priority, --description, --assign, --after or --no-after");
  }
  const store = ctx.store("edit");
  const applied = await store.transaction((tx) => {
    const task = findTask(tx, id);
    const change: TaskEdit = { ...input };
    if (opts.noAfter) change.after = [];
    else if (opts.after.length > 0) change.after = dependenciesOf(tx, task, opts.after);
    return commitChange(ctx, tx, task, editTask(task, change, actorOf(ctx)));
  });
  return { task: applied.change.task, said: applied.change.audit?.message };
}

/**
 * The new dependencies as full ids (each a hot task, as for `create --after`), refused when one is the task itself or
 * depends on it, directly or through others: the two would wait for each other for ever.
 */
function dependenciesOf(tx: StoreTx, task: Task, inputs: readonly string[]): string[] {
  const ids = [...new Set(inputs.map((input) => findTask(tx, input).id))];
  const seen = new Set<string>();
  const stack = [...ids];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (id === task.id) {
      throw new UsageError(`task ${task.id} cannot wait for ${ids.length === 1 ? ids[0] : "those tasks"}: they would wait for each other`);
    }
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(tx.get(id)?.after ?? []));
  }
  return ids;
}
