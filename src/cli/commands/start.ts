import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { dependencyLookup } from "../../app/summaries.ts";
import { actorOf, commitChange, findTask } from "../../app/tasks.ts";
import { InvalidTransitionError } from "../../core/errors.ts";
import { startTask } from "../../core/lifecycle.ts";
import type { Task } from "../../core/model.ts";
import { byCodePoint } from "../../core/names.ts";
import { type ClaimDecision, DEFAULT_AGENT_LIMIT, decideClaim, dependencyState, type QueueTask } from "../../core/queue.ts";
import type { Snapshot } from "../../store/store.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { renderTaskLines } from "../render/task-text.ts";
import { t } from "./common.ts";

export function registerStart(program: Command, app: App): void {
  program
    .command("start")
    .description("start a task by id, or take the agent's next queued task (highest priority, then oldest)")
    .argument("[id]", "task id or unique prefix; without it, take the next task of --agent")
    .addHelpText("after", example("taskpulse start --agent anna -q     # the next task's id, or nothing", "taskpulse start k3m9xq"))
    .action(app.action((ctx, id: string | undefined) => (id === undefined ? claimNext(ctx) : startById(ctx, id))));
}

export async function startById(ctx: Ctx, id: string): Promise<Outcome> {
  const store = ctx.store("start");
  const applied = await store.transaction(async (tx) => {
    const task = findTask(tx, id);
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
  const task = applied.change.task;
  return { data: { task, claimed: true }, lines: renderTaskLines(ctx, task), quiet: task.id, push: applied.push };
}

export async function claimNext(ctx: Ctx): Promise<Outcome> {
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
  switch (d.kind) {
    case "claim":
      return { data: { task: d.task, claimed: true }, lines: renderTaskLines(ctx, d.task), quiet: d.task.id, push: decision.push };
    case "busy": {
      // in creation order, whichever way they were found
      d.running.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0) || byCodePoint(a.id, b.id));
      const names = d.running.map((r) => `${r.id} ${r.name}`).join(", ");
      return {
        data: { task: null, claimed: false, busy: true, running: d.running.map((r) => r.id), limit: d.limit },
        lines: [
          t(ctx, `agent ${agent} is busy: running ${names} (limit ${d.limit})`, `Agent ${agent} 已有当前任务：${names}（上限 ${d.limit}）`),
        ],
      };
    }
    case "empty":
      return {
        data: { task: null, claimed: false, busy: false, waiting: d.waiting },
        lines: [
          d.waiting > 0
            ? t(
                ctx,
                `no task of ${agent} is ready (${d.waiting} wait for dependencies)`,
                `Agent ${agent} 没有可执行的任务（${d.waiting} 个在等待依赖）`,
              )
            : t(ctx, `no pending tasks for ${agent}`, `Agent ${agent} 没有待办任务`),
        ],
      };
  }
}
