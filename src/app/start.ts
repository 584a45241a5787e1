// Starting work: a task by id, or the agent's next queued one (claimed under the lock, so two agents never take
// the same task).
import { InvalidTransitionError } from "../core/errors.ts";
import { startTask } from "../core/lifecycle.ts";
import type { Task } from "../core/model.ts";
import { byCodePoint } from "../core/names.ts";
import type { Push } from "../core/push.ts";
import { type ClaimDecision, DEFAULT_AGENT_LIMIT, decideClaim, dependencyState, type QueueTask } from "../core/queue.ts";
import type { Snapshot } from "../store/store.ts";
import type { Ctx } from "./context.ts";
import { dependencyLookup } from "./summaries.ts";
import { actorOf, commitChange, findTask } from "./tasks.ts";
import type { TaskChange } from "./transitions.ts";

/** What taking the next task gave: the task started, or why none was (busy: the running ones, in creation order). */
export type Claim = { kind: "claim"; task: Task; push: Push | null } | Exclude<ClaimDecision<QueueTask>, { kind: "claim" }>;

/** Starts the task `id` names; a queued one only once its dependencies are done. */
export async function startTaskById(ctx: Ctx, id: string): Promise<TaskChange> {
  const store = ctx.store("start");
  const applied = await store.transaction(async (tx) => {
    const task = findTask(tx, id);
    ctx.mayActOn?.(task);
    if (task.status === "pending") {
      const deps = dependencyState(task, await dependencyLookup(store, tx, [task]));
      if (deps.state !== "ready") {
        throw new InvalidTransitionError(
          `task ${task.id} (${task.name}) ${deps.state === "blocked" ? "is blocked: its dependency failed or was cancelled" : "waits for its dependencies"}: ${deps.on.join(", ")}`,
          deps.state === "blocked" ? `retry the dependency, or cancel ${task.id}` : "finish those tasks first",
          { detail: { key: "waits_for_dependencies", id: task.id, name: task.name, blocked: deps.state === "blocked", on: deps.on } },
        );
      }
    }
    return commitChange(ctx, tx, task, startTask(task, actorOf(ctx)));
  });
  return { task: applied.change.task, push: applied.push };
}

/** Takes the agent's next ready task: the highest priority, then the oldest, within the agent's limit. */
export async function claimNextTask(ctx: Ctx): Promise<Claim> {
  const agent = ctx.agent;
  const store = ctx.store("start");
  /**
   * What taking the next task does on a snapshot: from the head of the agent's queue where the store keeps one (the
   * first ready task among its first queued ones), else, or when that cannot tell, from the agent's whole queue.
   */
  const decide = async (s: Snapshot): Promise<ClaimDecision<QueueTask>> => {
    const limit = s.agent(agent)?.limit ?? DEFAULT_AGENT_LIMIT;
    const head = s.queueHead?.(agent);
    if (head && head.running >= limit && head.runningIds) {
      return { kind: "busy", running: head.runningIds.map((id) => head.entry(id, "running")), limit };
    }
    if (head && head.running < limit) {
      for (const key of head.next) {
        const task = head.entry(key.id, "pending");
        if (dependencyState(task, await dependencyLookup(store, s, [task])).state === "ready") return { kind: "claim", task };
      }
      if (head.complete) return { kind: "empty", waiting: head.next.length };
    }
    // busy (its answer names the running tasks), or none of the first ones is ready while more are queued
    const mine = s.queue(agent);
    return decideClaim(mine, agent, limit, await dependencyLookup(store, s, mine));
  };
  // Looking first without the lock keeps the common "nothing to do" answer cheap and creates nothing.
  const first = await decide(await store.read());
  const decision =
    first.kind !== "claim"
      ? { decision: first, push: null }
      : await store.transaction(
          async (tx) => {
            const d = await decide(tx);
            if (d.kind !== "claim") return { decision: d, push: null };
            const task = tx.get(d.task.id) as Task;
            const applied = commitChange(ctx, tx, task, startTask(task, actorOf(ctx)));
            return { decision: { kind: "claim" as const, task: applied.change.task }, push: applied.push };
          },
          // only this agent's queue: PostgreSQL claims it with SKIP LOCKED, in parallel with other agents' claims
          { agent },
        );
  const d = decision.decision;
  if (d.kind === "claim") return { kind: "claim", task: d.task, push: decision.push };
  // in creation order, whichever way they were found
  if (d.kind === "busy") d.running.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0) || byCodePoint(a.id, b.id));
  return d;
}
