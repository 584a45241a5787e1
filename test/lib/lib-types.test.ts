// lib/index.d.ts, the library's public types, is written by hand so that it reads well. This file holds it to the
// types the use cases return (src/core's model, summaries, liveness and pushes, src/app's status counts): each
// public type must equal its internal one, so a field added, removed or retyped on either side fails
// `npm run typecheck` (tsc checks test/; the vitest run itself only executes no-op assertions). Where the public
// contract deliberately shows less, the difference is named here: a task's internal `seq` (queue order) and its
// push bookkeeping (public: an opaque record), and `Push.delivery` (only with --send, which the library has not).
import { describe, expectTypeOf, it } from "vitest";
import type * as Api from "../../lib/index.d.ts";
import type { Lang } from "../../src/app/identity.ts";
import type { Overview } from "../../src/app/status.ts";
import type { Summary } from "../../src/core/insight.ts";
import type { Liveness } from "../../src/core/liveness.ts";
import type { NotifyPolicy, Step, StepStatus, StopRequest, Task, TaskStatus } from "../../src/core/model.ts";
import type { MessageToolArgs, Push } from "../../src/core/push.ts";

/** Omit over each member of a union (Task is one per status). */
type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

describe("lib/index.d.ts equals the types the use cases return", () => {
  it("states, steps, stop requests, tasks", () => {
    expectTypeOf<Api.TaskStatus>().toEqualTypeOf<TaskStatus>();
    expectTypeOf<Api.StepStatus>().toEqualTypeOf<StepStatus>();
    expectTypeOf<Api.NotifyPolicy>().toEqualTypeOf<NotifyPolicy>();
    expectTypeOf<Api.Lang>().toEqualTypeOf<Lang>();
    expectTypeOf<Api.Step>().toEqualTypeOf<Step>();
    expectTypeOf<Api.StopRequest>().toEqualTypeOf<StopRequest>();
    expectTypeOf<Without<Api.Task, "push">>().toEqualTypeOf<Without<Task, "push" | "seq">>();
    expectTypeOf<NonNullable<Task["push"]>>().toExtend<NonNullable<Api.Task["push"]>>();
  });

  it("summaries, liveness, status counts", () => {
    expectTypeOf<Api.Summary>().toEqualTypeOf<Summary>();
    expectTypeOf<Api.Liveness>().toEqualTypeOf<Liveness>();
    expectTypeOf<Api.StatusOverview["counts"]>().toEqualTypeOf<Overview["data"]["counts"]>();
  });

  it("pushes", () => {
    expectTypeOf<Api.MessageToolArgs>().toEqualTypeOf<MessageToolArgs>();
    expectTypeOf<Api.Push>().toEqualTypeOf<Omit<Push, "delivery">>();
  });
});
