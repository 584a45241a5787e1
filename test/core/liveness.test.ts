// Liveness is derived when read, with a fixed clock: no_heartbeat after more than 180 s (or TASKPULSE_STALL, or
// --stall-after), step_overrun for a step with a budget (and no early alarm for silence shorter than the budget),
// and `heartbeat --waiting … --for …` suppressing both until it expires. Checked through `status <id> --json`.
import { describe, expect, it } from "vitest";
import { createTask, recordHeartbeat } from "../../src/core/lifecycle.ts";
import { liveness } from "../../src/core/liveness.ts";
import { cli, tempDir } from "../support/helpers.ts";

const T0 = Date.parse("2026-05-01T10:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const MIN = 60;

function session(env: Record<string, string> = {}) {
  const store = tempDir();
  const c = (seconds: number, ...argv: string[]) => cli({ store, now: at(seconds), env }, "--json", "--lang", "zh", ...argv);
  /** `status <id>` at a time: the derived liveness. */
  const live = async (seconds: number, id: string) => {
    const r = await c(seconds, "status", id);
    expect(r.code).toBe(0);
    return r.json.data.liveness;
  };
  return { store, c, live };
}

async function createId(c: (s: number, ...a: string[]) => Promise<{ json: { data: { task: { id: string } } } }>, ...args: string[]) {
  return (await c(0, "create", ...args, "--start")).json.data.task.id;
}

describe("no_heartbeat", () => {
  it("stalled only after strictly more than 180 s of silence, with reason and since", async () => {
    const { c, live } = session();
    const id = await createId(c, "日报", "抓取", "写稿");
    expect(await live(180, id)).toEqual({ stalled: false });
    const l = await live(181, id);
    expect(l).toMatchObject({ stalled: true, reason: "no_heartbeat", since: at(0) });
    expect(l.forMs).toBe(181_000);
    expect((await c(180, "status")).json.data.counts).toMatchObject({ running: 1, stalled: 0 });
    expect((await c(181, "status")).json.data.counts).toMatchObject({ running: 0, stalled: 1 });
  });

  it("any sign of life resets the clock: heartbeat, step change, progress", async () => {
    const { c, live } = session();
    const id = await createId(c, "日报", "抓取", "写稿");
    await c(100, "heartbeat", id);
    expect((await live(280, id)).stalled).toBe(false);
    expect(await live(281, id)).toMatchObject({ stalled: true, since: at(100) });
    await c(300, "next", id);
    expect((await live(480, id)).stalled).toBe(false);
    expect(await live(481, id)).toMatchObject({ stalled: true, since: at(300) });
    await c(500, "heartbeat", id, "--progress", "30");
    expect(await live(681, id)).toMatchObject({ stalled: true, since: at(500) });
  });

  it("TASKPULSE_STALL overrides the default threshold", async () => {
    const { c, live } = session({ TASKPULSE_STALL: "60s" });
    const id = await createId(c, "快任务");
    expect((await live(60, id)).stalled).toBe(false);
    expect(await live(61, id)).toMatchObject({ stalled: true, reason: "no_heartbeat" });
    const long = session({ TASKPULSE_STALL: "10m" });
    const id2 = await createId(long.c, "慢任务");
    expect((await long.live(500, id2)).stalled).toBe(false);
    expect((await long.live(601, id2)).stalled).toBe(true);
    const bad = await cli({ store: tempDir(), env: { TASKPULSE_STALL: "soon" } }, "--json", "status");
    expect(bad.code).toBe(2);
  });

  it("--stall-after sets a task's own threshold, which wins over TASKPULSE_STALL", async () => {
    const { c, live } = session({ TASKPULSE_STALL: "60s" });
    const id = await createId(c, "长任务", "--stall-after", "10m");
    expect((await live(181, id)).stalled).toBe(false);
    expect((await live(600, id)).stalled).toBe(false);
    expect(await live(601, id)).toMatchObject({ stalled: true, reason: "no_heartbeat", since: at(0) });
    expect((await c(0, "create", "x", "--stall-after", "0s")).code).toBe(2);
  });

  it("only running tasks are ever stalled", async () => {
    const { c, live } = session();
    const queued = (await c(0, "create", "排队")).json.data.task.id;
    expect(await live(10_000, queued)).toEqual({ stalled: false });
    const finished = await createId(c, "完成");
    await c(10, "done", finished);
    expect(await live(10_000, finished)).toEqual({ stalled: false });
  });
});

describe("step_overrun and step budgets", () => {
  it("a step with a budget (抓取:2m) is flagged step_overrun after its budget, since start + budget", async () => {
    const { c, live } = session();
    const created = await c(0, "create", "日报", "抓取:2m", "写稿", "--start");
    const id = created.json.data.task.id;
    expect(created.json.data.task.steps[0]).toMatchObject({ name: "抓取", budgetMs: 120_000 });
    await c(60, "heartbeat", id, "进行中");
    expect((await live(120, id)).stalled).toBe(false);
    const l = await live(121, id);
    expect(l).toMatchObject({ stalled: true, reason: "step_overrun", since: at(120) });
    expect(l.forMs).toBe(1000);
    // the next step has no budget: the silence rule applies again, from the step change
    await c(130, "next", id);
    expect((await live(310, id)).stalled).toBe(false);
    expect(await live(311, id)).toMatchObject({ stalled: true, reason: "no_heartbeat", since: at(130) });
  });

  it("a long step with a budget is not flagged early for silence shorter than its budget", async () => {
    const { c, live } = session();
    const id = (await c(0, "create", "训练", "训练模型:1h", "评估", "--start")).json.data.task.id;
    expect((await live(10 * MIN, id)).stalled).toBe(false); // 10 min of silence, well past 180 s
    expect((await live(60 * MIN, id)).stalled).toBe(false);
    expect(await live(60 * MIN + 1, id)).toMatchObject({ stalled: true, reason: "step_overrun", since: at(60 * MIN) });
  });

  it("a colon that is not followed by a duration stays in the name", async () => {
    const { c } = session();
    const steps = (await c(0, "create", "x", "步骤:一", "build:v2", "抓取:90s")).json.data.task.steps;
    expect(steps.map((s: { name: string }) => s.name)).toEqual(["步骤:一", "build:v2", "抓取"]);
    expect(steps[2].budgetMs).toBe(90_000);
    expect(steps[0].budgetMs).toBeUndefined();
  });

  it("the stall alert names the stalled step", async () => {
    const { c } = session();
    const id = (await c(0, "create", "日报", "抓取:2m", "写稿", "--start")).json.data.task.id;
    const alert = await c(4 * MIN, "status", id);
    expect(alert.json.push.id).toBe(`${id}:step_overrun:${at(120)}`);
    // 4 minutes without any update (2 of them past the budget): the text says how long it has been silent
    expect(alert.json.push.tool.message).toBe("⚠️ 【日报】可能卡住了（4分钟无更新）\n当前步骤: 抓取 [0/2]");
  });
});

describe("heartbeat --waiting", () => {
  it("--waiting x --for 30m suppresses the stall until it expires, and status shows it", async () => {
    const { c, live } = session();
    const id = await createId(c, "部署", "等CI", "发布");
    const hb = await c(60, "heartbeat", id, "--waiting", "CI pipeline", "--for", "30m");
    expect(hb.code).toBe(0);
    expect(hb.json.data.task.waiting).toEqual({ reason: "CI pipeline", since: at(60), until: at(60 + 30 * MIN) });
    expect(await live(60 + 29 * MIN, id)).toEqual({ stalled: false, waiting: { reason: "CI pipeline", until: at(60 + 30 * MIN) } });
    expect((await c(60 + 29 * MIN, "status", id)).json.push).toBeNull();
    // expired: the silence since the heartbeat counts again
    expect(await live(60 + 30 * MIN, id)).toMatchObject({ stalled: true, reason: "no_heartbeat", since: at(60) });
  });

  it("--waiting also suppresses a step overrun; the next sign of life ends the waiting", async () => {
    const { c, live } = session();
    const id = (await c(0, "create", "部署", "构建:2m", "发布", "--start")).json.data.task.id;
    await c(60, "heartbeat", id, "--waiting", "runner queue", "--for", "1h");
    expect((await live(30 * MIN, id)).stalled).toBe(false);
    await c(31 * MIN, "heartbeat", id, "构建中");
    const l = await live(31 * MIN + 1, id);
    expect(l.waiting).toBeUndefined();
    expect(l).toMatchObject({ stalled: true, reason: "step_overrun", since: at(120) });
  });

  it("--waiting without --for lasts until the next sign of life; --for without --waiting is a usage error", async () => {
    const { c, live } = session();
    const id = await createId(c, "人工审核");
    await c(10, "heartbeat", id, "--waiting", "human review");
    expect(await live(10 * 3600, id)).toEqual({ stalled: false, waiting: { reason: "human review" } });
    const bad = await c(20, "heartbeat", id, "--for", "30m");
    expect(bad.code).toBe(2);
  });
});

describe("liveness() directly", () => {
  const task = createTask(
    {
      id: "abc234",
      agent: "main",
      name: "x",
      priority: 5,
      steps: [{ name: "a" }],
      tags: [],
      after: [],
      meta: {},
      maxRetries: 3,
      start: true,
    },
    { agent: "main", now: new Date(T0) },
  ).task;

  it("uses the default passed in, and the task's own threshold first", () => {
    expect(liveness(task, new Date(T0 + 61_000), 60_000)).toMatchObject({ stalled: true, reason: "no_heartbeat", since: at(0) });
    expect(liveness(task, new Date(T0 + 60_000), 60_000).stalled).toBe(false);
    expect(liveness({ ...task, stallAfterMs: 5_000 }, new Date(T0 + 6_000), 60_000).stalled).toBe(true);
  });

  it("a waiting declaration that expired is ignored", () => {
    const waited = recordHeartbeat(task, { waiting: "x", waitForMs: 1000 }, { agent: "main", now: new Date(T0) }).task;
    expect(liveness(waited, new Date(T0 + 999), 500)).toMatchObject({ stalled: false, waiting: { reason: "x" } });
    expect(liveness(waited, new Date(T0 + 1000), 500)).toMatchObject({ stalled: true, reason: "no_heartbeat" });
  });
});
