// lib/index.d.ts is written out by a generator (scripts/gen/gen-lib-types.ts) from the public types declared in
// src/lib/types.ts, which derive from the internal ones. test/lib/lib-dts.test.ts holds the file to what the generator
// writes; this holds what the generator writes to what the source says: each type and value the file declares must
// equal the one src/lib/index.ts exports, so a type the generator gets wrong (an optional field made required, an
// `| undefined` or a `readonly` lost, a member dropped) fails `npm run typecheck` (tsc checks test/; the vitest run
// itself only executes no-op assertions). The comparison is `.branded`, field by field: the file writes a type in
// another form than the source (a task as `TaskBase & { status: … }`, not `Omit<…>`), so the two are never the
// same declaration, only the same fields.
import { describe, expectTypeOf, it } from "vitest";
import type * as Generated from "../../lib/index.d.ts";
import type * as Source from "../../src/lib/index.ts";

describe("lib/index.d.ts says what the source says", () => {
  it("states, steps, stop requests, tasks", () => {
    expectTypeOf<Generated.TaskStatus>().branded.toEqualTypeOf<Source.TaskStatus>();
    expectTypeOf<Generated.StepStatus>().branded.toEqualTypeOf<Source.StepStatus>();
    expectTypeOf<Generated.NotifyPolicy>().branded.toEqualTypeOf<Source.NotifyPolicy>();
    expectTypeOf<Generated.Lang>().branded.toEqualTypeOf<Source.Lang>();
    expectTypeOf<Generated.PriorityLabel>().branded.toEqualTypeOf<Source.PriorityLabel>();
    expectTypeOf<Generated.Step>().branded.toEqualTypeOf<Source.Step>();
    expectTypeOf<Generated.StopRequest>().branded.toEqualTypeOf<Source.StopRequest>();
    expectTypeOf<Generated.Task>().branded.toEqualTypeOf<Source.Task>();
  });

  it("pushes, liveness, summaries, errors", () => {
    expectTypeOf<Generated.MessageToolArgs>().branded.toEqualTypeOf<Source.MessageToolArgs>();
    expectTypeOf<Generated.Push>().branded.toEqualTypeOf<Source.Push>();
    expectTypeOf<Generated.Liveness>().branded.toEqualTypeOf<Source.Liveness>();
    expectTypeOf<Generated.Summary>().branded.toEqualTypeOf<Source.Summary>();
    expectTypeOf<Generated.ExitCode>().branded.toEqualTypeOf<Source.ExitCode>();
    expectTypeOf<Generated.ErrorDetail>().branded.toEqualTypeOf<Source.ErrorDetail>();
  });

  it("options, inputs and results", () => {
    expectTypeOf<Generated.OpenStoreOptions>().branded.toEqualTypeOf<Source.OpenStoreOptions>();
    expectTypeOf<Generated.CreateInput>().branded.toEqualTypeOf<Source.CreateInput>();
    expectTypeOf<Generated.QueryInput>().branded.toEqualTypeOf<Source.QueryInput>();
    expectTypeOf<Generated.TaskResult>().branded.toEqualTypeOf<Source.TaskResult>();
    expectTypeOf<Generated.StartResult>().branded.toEqualTypeOf<Source.StartResult>();
    expectTypeOf<Generated.HeartbeatResult>().branded.toEqualTypeOf<Source.HeartbeatResult>();
    expectTypeOf<Generated.TaskView>().branded.toEqualTypeOf<Source.TaskView>();
    expectTypeOf<Generated.StatusOverview>().branded.toEqualTypeOf<Source.StatusOverview>();
    expectTypeOf<Generated.TaskStatusResult>().branded.toEqualTypeOf<Source.TaskStatusResult>();
    expectTypeOf<Generated.WaitResult>().branded.toEqualTypeOf<Source.WaitResult>();
    expectTypeOf<Generated.TaskpulseStore>().branded.toEqualTypeOf<Source.TaskpulseStore>();
  });

  it("the values: openStore, EXIT, TaskpulseError", () => {
    expectTypeOf<typeof Generated.openStore>().branded.toEqualTypeOf<typeof Source.openStore>();
    expectTypeOf<typeof Generated.EXIT>().branded.toEqualTypeOf<typeof Source.EXIT>();
    expectTypeOf<Generated.TaskpulseError>().branded.toEqualTypeOf<Source.TaskpulseError>();
    expectTypeOf<ConstructorParameters<typeof Generated.TaskpulseError>>().branded.toEqualTypeOf<
      ConstructorParameters<typeof Source.TaskpulseError>
    >();
  });

  it("an overloaded method keeps every overload (field by field, a function type shows only its last)", () => {
    expectTypeOf<Generated.TaskpulseStore["status"]>().toExtend<Source.TaskpulseStore["status"]>();
    expectTypeOf<Source.TaskpulseStore["status"]>().toExtend<Generated.TaskpulseStore["status"]>();
  });
});
