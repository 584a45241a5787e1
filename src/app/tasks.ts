// Task lookup for the use cases: id resolution against a snapshot, and the one read-change-write path every
// state-changing use case goes through (the push is decided under the same lock and recorded in the same write).

import { NotFoundError, UsageError } from "../core/errors.ts";
import { checkIdInput, resolveId } from "../core/ids.ts";
import type { Actor, Change } from "../core/lifecycle.ts";
import type { Task } from "../core/model.ts";
import { oneLine } from "../core/names.ts";
import type { Push } from "../core/push.ts";
import type { Snapshot, StoreTx } from "../store/store.ts";
import type { Ctx } from "./context.ts";
import { decideForChange } from "./push.ts";

export function actorOf(ctx: Ctx): Actor {
  return { agent: ctx.agent, now: ctx.now };
}

/** The hot task an id or unique prefix names: an exact id is looked up directly, a prefix among all hot ids. */
export function findTask(snapshot: Snapshot, input: string): Task {
  const exact = snapshot.get(checkIdInput(input));
  if (exact) return exact;
  return snapshot.get(resolveId(input, snapshot.ids())) as Task;
}

/**
 * The task and the message words of `done`, `next` and `error`, whose id may be left out with `--agent` (as
 * agent-task-list allowed): the first word is the id; with `--agent` on the command line and no first word that is
 * exactly a hot task's id, every word is the message and the task is that agent's one running task. No running
 * task, or several: exit 3, naming them. (An id prefix is not read as an id there: a short message could be one.)
 */
export async function taskFromWords(ctx: Ctx, command: string, words: readonly string[]): Promise<{ id: string; rest: string[] }> {
  const [first, ...rest] = words;
  if (ctx.agentFlag === undefined) {
    if (first === undefined) {
      throw new UsageError(
        `${command} needs the task id`,
        `taskpulse ${command} <id> …; or --agent <name> for that agent's one running task`,
        { detail: { key: "needs_task_id", command } },
      );
    }
    return { id: first, rest };
  }
  const snapshot = await ctx.store(command).read();
  if (first !== undefined && snapshot.get(first.trim().toLowerCase())) return { id: first, rest };
  const running = snapshot.queue(ctx.agent).filter((task) => task.status === "running");
  const only = running[0];
  if (only && running.length === 1) return { id: only.id, rest: [...words] };
  if (!only) {
    throw new NotFoundError(`agent ${ctx.agent} has no running task`, `give the task id: taskpulse ${command} <id> …`, {
      detail: { key: "no_running_task", agent: ctx.agent, command },
    });
  }
  const named = running
    .sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0))
    .map((task) => `${task.id} (${oneLine(task.name, 40)})`)
    .join(", ");
  throw new NotFoundError(`agent ${ctx.agent} runs ${running.length} tasks: ${named}`, `give the task id: taskpulse ${command} <id> …`, {
    detail: { key: "several_running_tasks", agent: ctx.agent, command, count: running.length, tasks: named },
  });
}

export interface Applied {
  change: Change;
  push: Push | null;
}

/** Resolves the id under the lock, applies `transition`, decides the push, and stages it all in one write. */
export async function applyToTask(
  ctx: Ctx,
  command: string,
  idInput: string,
  transition: (task: Task, tx: StoreTx) => Change,
): Promise<Applied> {
  return ctx.store(command).transaction((tx) => {
    const task = findTask(tx, idInput);
    ctx.mayActOn?.(task);
    return commitChange(ctx, tx, task, transition(task, tx));
  });
}

export function commitChange(ctx: Ctx, tx: StoreTx, before: Task | undefined, change: Change): Applied {
  if (change.task === before) return { change, push: null }; // a no-op (e.g. a repeated stop): nothing to write
  const { task, push } = decideForChange(ctx, before, change);
  tx.put(task, change.audit);
  return { change: { ...change, task }, push };
}
