// Shared pieces of the command layer: bilingual one-liners, id resolution against a snapshot, and the one
// read-change-write path every state-changing command goes through.
import { checkIdInput, resolveId } from "../../core/ids.ts";
import type { Actor, Change } from "../../core/lifecycle.ts";
import type { Task } from "../../core/model.ts";
import type { Push } from "../../core/push.ts";
import type { Snapshot, StoreTx } from "../../store/store.ts";
import type { Ctx } from "../context.ts";
import { decideForChange } from "../push.ts";

export function t(ctx: Ctx, en: string, zh: string): string {
  return ctx.lang === "zh" ? zh : en;
}

export function actorOf(ctx: Ctx): Actor {
  return { agent: ctx.agent, now: ctx.now };
}

/** The hot task an id or unique prefix names: an exact id is looked up directly, a prefix among all hot ids. */
export function findTask(snapshot: Snapshot, input: string): Task {
  const exact = snapshot.get(checkIdInput(input));
  if (exact) return exact;
  return snapshot.get(resolveId(input, snapshot.ids())) as Task;
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
    return commitChange(ctx, tx, task, transition(task, tx));
  });
}

export function commitChange(ctx: Ctx, tx: StoreTx, before: Task | undefined, change: Change): Applied {
  if (change.task === before) return { change, push: null }; // a no-op (e.g. a repeated stop): nothing to write
  const { task, push } = decideForChange(ctx, before, change);
  tx.put(task, change.audit);
  return { change: { ...change, task }, push };
}
