// What a push delivered by --send is about, read from its id (the delivery is then recorded on that task or job):
// the ids decidePush, the stall alerts and the job notifications give. The delivery itself runs against a real
// gateway in test/openclaw-real/send.test.ts.
import { describe, expect, it } from "vitest";
import { subjectsOf } from "../../src/app/send.ts";
import type { Push } from "../../src/core/push.ts";

const push = (id: string): Push => ({ due: true, reason: "step", id, tool: { action: "send", message: "x" }, argv: null });

describe("subjectsOf", () => {
  it.each([
    ["k3m9xq-step-3", [{ task: "k3m9xq" }]],
    ["k3m9xq-heartbeat-12", [{ task: "k3m9xq" }]],
    ["imported-id-7-start-1", [{ task: "imported-id-7" }]],
    ["k3m9xq:silent:2026-05-01T10:00:00.000Z", [{ task: "k3m9xq" }]],
    ["k3m9xq:silent:2026-05-01T10:00:00.000Z+ab12cd:overrun:2026-05-01T10:01:00.000Z", [{ task: "k3m9xq" }, { task: "ab12cd" }]],
    ["job:daily-news:alert:3", [{ job: "daily-news" }]],
    ["job:backup:recovery:2", [{ job: "backup" }]],
  ])("%s", (id, subjects) => {
    expect(subjectsOf(push(id))).toEqual(subjects);
  });
});
