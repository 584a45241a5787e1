import { describe, expect, it } from "vitest";
import { InvalidTransitionError } from "../../src/core/errors.ts";
import {
  advanceStep,
  cancelTask,
  completeTask,
  createTask,
  failTask,
  recordHeartbeat,
  retryTask,
  startTask,
  stepCounts,
} from "../../src/core/lifecycle.ts";
import type { Task } from "../../src/core/model.ts";

const at = (s: number) => ({ agent: "main", now: new Date(Date.UTC(2026, 4, 1, 10, 0, s)) });

function make(steps: string[], start = true): Task {
  return createTask(
    {
      id: "abc234",
      agent: "main",
      name: "日报发布",
      priority: 5,
      steps: steps.map((name) => ({ name })),
      tags: [],
      after: [],
      meta: {},
      maxRetries: 3,
      start,
    },
    at(0),
  ).task;
}

describe("lifecycle", () => {
  it("create --start runs the first step and writes one audit entry", () => {
    const change = createTask(
      {
        id: "abc234",
        agent: "main",
        name: "x",
        priority: 5,
        steps: [{ name: "a" }, { name: "b" }],
        tags: [],
        after: [],
        meta: {},
        maxRetries: 3,
        start: true,
      },
      at(0),
    );
    expect(change.task.status).toBe("running");
    expect(change.task.steps.map((s) => s.status)).toEqual(["running", "pending"]);
    expect(change.audit).toMatchObject({ action: "create", from: null, to: "running" });
  });

  it("next advances and finishing the last step completes the task (no orphan)", () => {
    let task = make(["a", "b"]);
    let change = advanceStep(task, "25 items", at(10));
    task = change.task;
    expect(task.status).toBe("running");
    expect(task.steps[0]).toMatchObject({ status: "done", message: "25 items" });
    expect(task.steps[1]?.status).toBe("running");
    expect(change.event).toMatchObject({ kind: "step", next: { name: "b" } });
    change = advanceStep(task, undefined, at(20));
    expect(change.task.status).toBe("done");
    expect(change.audit).toMatchObject({ action: "done", from: "running", to: "done" });
    expect(stepCounts(change.task)).toEqual({ done: 2, total: 2 });
  });

  it("next on a task without steps is refused with a hint", () => {
    const task = make([]);
    expect(() => advanceStep(task, undefined, at(1))).toThrow(InvalidTransitionError);
  });

  it("done closes open steps so a done task never shows 1/3", () => {
    const task = make(["a", "b", "c"]);
    const done = completeTask(task, "https://x", at(5)).task;
    expect(done.status).toBe("done");
    expect(done.steps.map((s) => s.status)).toEqual(["done", "skipped", "skipped"]);
    expect(stepCounts(done)).toEqual({ done: 3, total: 3 });
  });

  it("a finished task is never revived by heartbeat or next", () => {
    const done = completeTask(make(["a"]), undefined, at(5)).task;
    expect(() => recordHeartbeat(done, { message: "hi" }, at(6))).toThrow(/is done/);
    expect(() => advanceStep(done, undefined, at(6))).toThrow(/is done/);
  });

  it("fail marks the current step failed; retry is bounded and keeps the queue position", () => {
    let task = make(["a", "b"]);
    const queuedAt = task.queuedAt;
    for (let i = 1; i <= 3; i++) {
      task = failTask(task, "login expired", true, at(10 * i)).task;
      expect(task.status).toBe("failed");
      task = retryTask(task, at(10 * i + 1)).task;
      expect(task).toMatchObject({ status: "pending", retries: i, queuedAt });
      task = startTask(task, at(10 * i + 2)).task;
    }
    task = failTask(task, "again", true, at(50)).task;
    expect(task.steps[0]).toMatchObject({ status: "failed", message: "again" });
    expect(() => retryTask(task, at(51))).toThrow(/retry limit \(3\/3\)/);
  });

  it("--no-retry failures cannot be retried", () => {
    const task = failTask(make(["a"]), "fatal", false, at(1)).task;
    expect(() => retryTask(task, at(2))).toThrow(/--no-retry/);
  });

  it("cancel works from pending and running, not from done", () => {
    expect(cancelTask(make(["a"], false), "nope", at(1)).task).toMatchObject({ status: "cancelled", reason: "nope" });
    expect(cancelTask(make(["a"]), undefined, at(1)).task.status).toBe("cancelled");
    const done = completeTask(make(["a"]), undefined, at(1)).task;
    expect(() => cancelTask(done, undefined, at(2))).toThrow(InvalidTransitionError);
  });

  it("heartbeat records progress and message on the current step, without an audit entry", () => {
    const change = recordHeartbeat(make(["a"]), { message: "60%", progress: 60 }, at(30));
    expect(change.audit).toBeUndefined();
    expect(change.task).toMatchObject({ progress: 60, lastMessage: "60%", lastSeenAt: at(30).now.toISOString() });
    expect(change.task.steps[0]?.message).toBe("60%");
  });

  it("invalid transitions name the state and what would work", () => {
    const pending = make(["a"], false);
    try {
      advanceStep(pending, undefined, at(1));
      expect.unreachable();
    } catch (err) {
      expect((err as InvalidTransitionError).message).toContain("is pending");
      expect((err as InvalidTransitionError).hint).toContain("taskpulse start abc234");
      expect((err as InvalidTransitionError).exitCode).toBe(4);
    }
  });

  it("a cancelled task's bar counts only the steps really done, not the ones cancel skipped", () => {
    const running = advanceStep(make(["抓取", "写稿", "发布"]), undefined, at(5)).task;
    const cancelled = cancelTask(running, "no longer needed", at(9)).task;
    expect(cancelled.steps.map((s) => s.status)).toEqual(["done", "skipped", "skipped"]);
    expect(stepCounts(cancelled)).toEqual({ done: 1, total: 3 });
  });
});
