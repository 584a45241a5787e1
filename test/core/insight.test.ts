// Core units of the read side and the queue: summaries, filters, ordering, statistics, dependency states and the
// claim decision. Pure functions, fixed times, tasks built through the real state machine.
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.ts";
import { compareBy, computeStats, durationStats, matches, type Query, runQuery, type Summary, summarize } from "../../src/core/insight.ts";
import { type Change, cancelTask, completeTask, createTask, failTask, retryTask, startTask } from "../../src/core/lifecycle.ts";
import type { Task } from "../../src/core/model.ts";
import { parsePriority, parseTypedPriority, priorityText } from "../../src/core/priority.ts";
import { compareQueue, decideClaim, dependencyState } from "../../src/core/queue.ts";
import { formatShortDuration, isoMs, parseInstant } from "../../src/core/time.ts";

const T0 = Date.UTC(2026, 4, 1, 10, 0, 0);
const MIN = 60_000;
const actor = (minute: number, agent = "main") => ({ agent, now: new Date(T0 + minute * MIN) });
const iso = (minute: number) => new Date(T0 + minute * MIN).toISOString();

interface Make {
  id: string;
  agent?: string;
  name?: string;
  description?: string;
  priority?: number;
  tags?: string[];
  group?: string;
  after?: string[];
  at?: number;
}

function make(m: Make): Task {
  return createTask(
    {
      id: m.id,
      agent: m.agent ?? "main",
      name: m.name ?? `task ${m.id}`,
      description: m.description,
      priority: m.priority ?? 5,
      steps: [],
      tags: m.tags ?? [],
      after: m.after ?? [],
      group: m.group,
      meta: {},
      maxRetries: 3,
      start: false,
    },
    actor(m.at ?? 0),
  ).task;
}

/** Runs transitions in order, each at its minute. */
function then(task: Task, ...steps: [number, (t: Task, a: ReturnType<typeof actor>) => Change][]): Task {
  return steps.reduce((t, [minute, fn]) => fn(t, actor(minute, t.agent)).task, task);
}
const start = (t: Task, a: ReturnType<typeof actor>) => startTask(t, a);
const done = (t: Task, a: ReturnType<typeof actor>) => completeTask(t, "ok", a);
const fail = (t: Task, a: ReturnType<typeof actor>) => failTask(t, "boom", true, a);
const retry = (t: Task, a: ReturnType<typeof actor>) => retryTask(t, a);
const cancel = (t: Task, a: ReturnType<typeof actor>) => cancelTask(t, undefined, a);

const query = (q: Partial<Query>): Query => ({ by: "created", sort: "created", descending: false, limit: 50, ...q });

describe("summarize", () => {
  it("keeps only the fields valid in each state", () => {
    const pending = make({ id: "p1", description: "about it", tags: ["x"], group: "g", after: ["d1"] });
    expect(summarize(pending)).toEqual({
      id: "p1",
      agent: "main",
      name: "task p1",
      description: "about it",
      status: "pending",
      priority: 5,
      tags: ["x"],
      group: "g",
      createdAt: iso(0),
      retries: 0,
      after: ["d1"],
    });
    const running = summarize(then(make({ id: "r1" }), [5, start]));
    expect(running).toMatchObject({ status: "running", startedAt: iso(5) });
    expect(running).not.toHaveProperty("finishedAt");
    expect(running).not.toHaveProperty("after");
    const failed = then(make({ id: "f1" }), [1, start], [2, (t, a) => failTask(t, "x".repeat(500), true, a)]);
    expect(summarize(failed)).toMatchObject({ status: "failed", startedAt: iso(1), finishedAt: iso(2), error: "x".repeat(200) });
    // a retried task is pending again: no stale start time in its summary
    const retried = summarize(then(make({ id: "f2" }), [1, start], [2, fail], [3, retry]));
    expect(retried).toMatchObject({ status: "pending", retries: 1 });
    expect(retried).not.toHaveProperty("startedAt");
    expect(summarize(then(make({ id: "c1" }), [4, cancel]))).toMatchObject({ status: "cancelled", finishedAt: iso(4) });
  });
});

describe("matches", () => {
  const s: Summary = {
    ...summarize(
      then(make({ id: "a1", name: "Deploy API", description: "blue/green", priority: 8, tags: ["ops", "api"], group: "rel" }), [10, start]),
    ),
    state: "stalled",
  };

  it.each<[string, Partial<Query>, boolean]>([
    ["no filter", {}, true],
    ["agent in list", { agents: ["x", "main"] }, true],
    ["agent not in list", { agents: ["x"] }, false],
    ["status", { statuses: ["running"] }, true],
    ["derived state", { statuses: ["stalled"] }, true],
    ["other status", { statuses: ["pending", "done"] }, false],
    ["min priority equal", { minPriority: 8 }, true],
    ["min priority above", { minPriority: 9 }, false],
    ["max priority equal", { maxPriority: 8 }, true],
    ["max priority below", { maxPriority: 7 }, false],
    ["every tag", { tags: ["api", "ops"] }, true],
    ["a missing tag", { tags: ["api", "web"] }, false],
    ["group", { group: "rel" }, true],
    ["other group", { group: "dev" }, false],
    ["text in name, any case", { text: "deploy" }, true],
    ["text in description", { text: "GREEN" }, true],
    ["text nowhere", { text: "database" }, false],
    ["from, inclusive", { from: new Date(T0) }, true],
    ["from after", { from: new Date(T0 + 1) }, false],
    ["to, inclusive", { to: new Date(T0) }, true],
    ["to before", { to: new Date(T0 - 1) }, false],
    ["by started", { by: "started", from: new Date(T0 + 10 * MIN), to: new Date(T0 + 10 * MIN) }, true],
    ["by finished: not finished yet", { by: "finished", from: new Date(0) }, false],
  ])("%s", (_label, q, expected) => {
    expect(matches(s, query(q))).toBe(expected);
  });
});

describe("ordering", () => {
  const a = summarize(make({ id: "aaa", agent: "zed", name: "beta", priority: 5, at: 0 }));
  const b = summarize(make({ id: "bbb", agent: "amy", name: "alpha", priority: 5, at: 1 }));
  const c = summarize(make({ id: "ccc", agent: "amy", name: "gamma", priority: 9, at: 2 }));
  const d = summarize(make({ id: "ddd", agent: "zed", name: "delta", priority: 1, at: 2 }));
  const ids = (list: Summary[]) => list.map((x) => x.id);

  it("sorts by each key; descending priority is queue order (oldest first on ties)", () => {
    const all = [d, c, b, a];
    expect(ids(runQuery(all, query({ sort: "created" })).tasks)).toEqual(["aaa", "bbb", "ccc", "ddd"]);
    expect(ids(runQuery(all, query({ sort: "created", descending: true })).tasks)).toEqual(["ddd", "ccc", "bbb", "aaa"]);
    expect(ids(runQuery(all, query({ sort: "priority", descending: true })).tasks)).toEqual(["ccc", "aaa", "bbb", "ddd"]);
    expect(ids(runQuery(all, query({ sort: "priority" })).tasks)).toEqual(["ddd", "bbb", "aaa", "ccc"]);
    expect(ids(runQuery(all, query({ sort: "name" })).tasks)).toEqual(["bbb", "aaa", "ddd", "ccc"]);
    expect(ids(runQuery(all, query({ sort: "agent" })).tasks)).toEqual(["bbb", "ccc", "aaa", "ddd"]);
    expect(compareBy("created")(c, d)).toBeLessThan(0); // same time: by id
  });

  it("limit cuts the rows, total counts every match", () => {
    const r = runQuery([a, b, c, d], query({ agents: ["amy", "zed"], limit: 1, sort: "created", descending: true }));
    expect(r.total).toBe(4);
    expect(ids(r.tasks)).toEqual(["ddd"]);
    expect(runQuery([a, b, c, d], query({ agents: ["amy"] })).total).toBe(2);
  });
});

describe("durationStats", () => {
  it("is all null when there is nothing", () => {
    expect(durationStats([])).toEqual({ count: 0, avgMs: null, p50Ms: null, p95Ms: null, avg: null, p50: null, p95: null });
  });

  it("uses nearest-rank percentiles and formats like 25m", () => {
    const minutes = Array.from({ length: 20 }, (_, i) => (20 - i) * MIN); // 20m … 1m, unsorted
    expect(durationStats(minutes)).toEqual({
      count: 20,
      avgMs: 630_000,
      p50Ms: 10 * MIN,
      p95Ms: 19 * MIN,
      avg: "11m",
      p50: "10m",
      p95: "19m",
    });
    expect(durationStats([25 * MIN])).toMatchObject({ avg: "25m", p50: "25m", p95: "25m" });
    expect(durationStats([10 * MIN, 40 * MIN])).toMatchObject({ avgMs: 25 * MIN, p50Ms: 10 * MIN, p95Ms: 40 * MIN });
  });

  it("formatShortDuration rounds to one unit", () => {
    expect([44_400, 59_400, 60_000, 25 * MIN + 20_000, 89 * MIN, 90 * MIN, 47 * 60 * MIN, 48 * 60 * MIN].map(formatShortDuration)).toEqual([
      "44s",
      "59s",
      "1m",
      "25m",
      "1h",
      "2h",
      "47h",
      "2d",
    ]);
  });
});

describe("computeStats", () => {
  // The local day is injected: here a day is 24h starting at T0 - 10h (00:00 UTC of 2026-05-01).
  const dayOf = (when: string) => new Date(when).toISOString().slice(0, 10);
  const DAY = 24 * 60;

  it("counts per agent and overall; success rate over decided tasks; today by local date of each event", () => {
    const tasks: Summary[] = [
      // created yesterday, finished today: counted in today's done (OpenTask only looked at the creation day)
      summarize(then(make({ id: "d1", agent: "coder", at: -DAY }), [-DAY, start], [30, done])),
      summarize(then(make({ id: "d2", agent: "coder", at: 0 }), [0, start], [10, done])),
      summarize(then(make({ id: "f1", agent: "coder", at: 0 }), [0, start], [1, fail], [2, retry], [3, start], [4, fail])),
      summarize(then(make({ id: "p1", agent: "coder", at: 5 }))),
      { ...summarize(then(make({ id: "r1", agent: "anna", at: -DAY }), [-DAY, start])), stallsSeen: 2 },
      { ...summarize(then(make({ id: "x1", agent: "anna", at: -2 * DAY }), [-DAY, cancel])), archived: true },
      summarize(then(make({ id: "x2", agent: "anna", at: 0 }), [20, cancel])),
    ];
    const { agents, overall } = computeStats(tasks, dayOf, "2026-05-01");
    expect(Object.keys(agents)).toEqual(["anna", "coder"]);
    expect(agents.coder).toEqual({
      counts: { pending: 1, running: 0, done: 2, failed: 1, cancelled: 0, total: 4 },
      successRate: 0.6667,
      durations: durationStats([(DAY + 30) * MIN, 10 * MIN]),
      today: { created: 3, done: 2, failed: 1, cancelled: 0 },
      retries: 1,
      stallsSeen: 0,
      archived: 0,
    });
    expect(agents.anna).toEqual({
      counts: { pending: 0, running: 1, done: 0, failed: 0, cancelled: 2, total: 3 },
      successRate: 0,
      durations: durationStats([]),
      today: { created: 1, done: 0, failed: 0, cancelled: 1 },
      retries: 0,
      stallsSeen: 2,
      archived: 1,
    });
    expect(overall).toMatchObject({
      counts: { pending: 1, running: 1, done: 2, failed: 1, cancelled: 2, total: 7 },
      successRate: 0.6667,
      today: { created: 4, done: 2, failed: 1, cancelled: 1 },
      retries: 1,
      stallsSeen: 2,
      archived: 1,
    });
    expect(overall.durations.count).toBe(2);
  });

  it("an empty list gives zeros and a success rate of 0", () => {
    const { agents, overall } = computeStats([], dayOf, "2026-05-01");
    expect(agents).toEqual({});
    expect(overall).toMatchObject({ counts: { total: 0 }, successRate: 0, durations: { count: 0 } });
  });

  it("uses the injected local day, not UTC", () => {
    const late = summarize(make({ id: "late", at: 13 * 60 + 30 })); // 23:30 UTC on 05-01
    const shanghai = (when: string) => new Date(Date.parse(when) + 8 * 3_600_000).toISOString().slice(0, 10);
    expect(computeStats([late], shanghai, "2026-05-02").overall.today.created).toBe(1);
    expect(computeStats([late], dayOf, "2026-05-02").overall.today.created).toBe(0);
  });
});

describe("queue", () => {
  it("orders by priority, then queue time, then id; a retried task keeps its queue time", () => {
    const first = make({ id: "k1", at: 0 });
    const second = make({ id: "k2", at: 1 });
    const urgent = make({ id: "k3", at: 2, priority: parsePriority("P0") });
    const retried = then(first, [3, start], [4, fail], [5, retry]);
    expect(retried.queuedAt).toBe(iso(0));
    expect([second, retried, urgent].sort(compareQueue).map((t) => t.id)).toEqual(["k3", "k1", "k2"]);
    const twin = { ...second, id: "k0" };
    expect([second, twin].sort(compareQueue).map((t) => t.id)).toEqual(["k0", "k2"]);
  });

  it("dependency state: ready, waiting (not done or unknown), blocked (failed or cancelled wins)", () => {
    const doneDep = then(make({ id: "dd" }), [1, start], [2, done]);
    const runningDep = then(make({ id: "dr" }), [1, start]);
    const failedDep = then(make({ id: "df" }), [1, start], [2, fail]);
    const cancelledDep = then(make({ id: "dc" }), [1, cancel]);
    const all = new Map([doneDep, runningDep, failedDep, cancelledDep].map((t) => [t.id, t]));
    const lookup = (id: string) => all.get(id);
    const state = (after: string[]) => dependencyState(make({ id: "t", after }), lookup);
    expect(state([])).toEqual({ state: "ready", on: [] });
    expect(state(["dd"])).toEqual({ state: "ready", on: [] });
    expect(state(["dd", "dr", "gone"])).toEqual({ state: "waiting", on: ["dr", "gone"] });
    expect(state(["dr", "df", "dc"])).toEqual({ state: "blocked", on: ["df", "dc"] });
  });

  it("claim decision: busy at the limit, else the best ready task, else empty with the waiting count", () => {
    const running = then(make({ id: "run", agent: "anna" }), [1, start]);
    const low = make({ id: "low", agent: "anna", priority: 3, at: 0 });
    const high = make({ id: "high", agent: "anna", priority: 8, at: 1, after: ["low"] });
    const other = make({ id: "oth", agent: "bob", priority: 10 });
    const tasks = [running, low, high, other];
    const lookup = (id: string) => tasks.find((t) => t.id === id);

    expect(decideClaim(tasks, "anna", 1, lookup)).toEqual({ kind: "busy", running: [running], limit: 1 });
    // limit 2: high outranks low but waits for it, so low is claimed
    expect(decideClaim(tasks, "anna", 2, lookup)).toMatchObject({ kind: "claim", task: { id: "low" } });
    const onlyWaiting = [high];
    expect(decideClaim(onlyWaiting, "anna", 1, (id) => onlyWaiting.find((t) => t.id === id))).toEqual({ kind: "empty", waiting: 1 });
    expect(decideClaim([], "anna", 1, () => undefined)).toEqual({ kind: "empty", waiting: 0 });
    expect(decideClaim(tasks, "bob", 1, lookup)).toMatchObject({ kind: "claim", task: { id: "oth" } });
  });
});

describe("parsePriority", () => {
  it("maps P0-P3 onto 1-10 and accepts 1-10", () => {
    expect(["P0", "p1", " P2 ", "P3", "1", "10", "7"].map(parsePriority)).toEqual([10, 8, 5, 3, 1, 10, 7]);
    // kept as typed: a label with its place on the scale, a number alone
    expect(["p0", "P3", "8", "5"].map(parseTypedPriority)).toEqual([
      { priority: 10, label: "P0" },
      { priority: 3, label: "P3" },
      { priority: 8 },
      { priority: 5 },
    ]);
    expect(priorityText({ priority: 10, priorityLabel: "P0" })).toBe("P0");
    expect(priorityText({ priority: 10 })).toBe("10");
  });

  it.each(["0", "11", "P9", "P4", "abc", "", "5.5", "-1", "100"])("rejects %j", (input) => {
    expect(() => parsePriority(input)).toThrow(UsageError);
  });
});

describe("parseInstant", () => {
  const now = new Date("2026-05-10T12:00:00Z");

  it("reads relative ages before now, ISO times, and bare dates as local day start or end", () => {
    expect(parseInstant("24h", now).toISOString()).toBe("2026-05-09T12:00:00.000Z");
    expect(parseInstant("7d", now).toISOString()).toBe("2026-05-03T12:00:00.000Z");
    expect(parseInstant("90m", now).toISOString()).toBe("2026-05-10T10:30:00.000Z");
    expect(parseInstant("2026-05-01T08:00:00+08:00", now).toISOString()).toBe("2026-05-01T00:00:00.000Z");
    const start = parseInstant("2026-05-05", now);
    const end = parseInstant("2026-05-05", now, "--to", { endOfDay: true });
    expect([start.getDate(), start.getHours(), start.getMinutes()]).toEqual([5, 0, 0]);
    expect([end.getDate(), end.getHours(), end.getMinutes(), end.getSeconds(), end.getMilliseconds()]).toEqual([5, 23, 59, 59, 999]);
  });

  it.each(["yesterday", "7 days", "2026-13-01", "24", "-7d", ""])("rejects %j", (input) => {
    expect(() => parseInstant(input, now, "--from")).toThrow(UsageError);
  });
});

describe("isoMs", () => {
  it("agrees with Date.parse on the store's form, on odd dates, and on anything else", () => {
    const samples = [
      "2026-05-01T10:00:00.000Z",
      "2024-02-29T23:59:59.999Z",
      "2026-02-29T00:00:00.000Z",
      "2026-04-31T00:00:00.000Z",
      "2026-13-01T00:00:00.000Z",
      "2026-00-10T00:00:00.000Z",
      "2026-05-01T24:00:00.000Z",
      "2026-05-01T10:60:00.000Z",
      "2026-05-01T10:00:60.000Z",
      "0050-05-01T10:00:00.000Z",
      "2026-05-01T10:00:00.00xZ",
      "2026-05-01T10:00:00+08:00",
      "2026-05-01",
      "",
      "not a date at all, 24 ch",
      "200x-05-01T10:00:00.000Z",
      "2x26-05-01T10:00:00.000Z",
      "x026-05-01T10:00:00.000Z",
      "2026-0x-01T10:00:00.000Z",
      "2026-05-0xT10:00:00.000Z",
      "2026-05-01T1x:00:00.000Z",
      "2026-05-01T10:0x:00.000Z",
      "2026-05-01T10:00:x0.000Z",
      "2026-05-01T10:00:00.x00Z",
      "2026-05-01T10:00:00.0x0Z",
      " 026-05-01T10:00:00.000Z",
      "1900-02-29T00:00:00.000Z",
      "2000-02-29T00:00:00.000Z",
      "2100-02-29T00:00:00.000Z",
      "2026-06-31T00:00:00.000Z",
      "2026-12-31T23:59:59.999Z",
      "2026-01-31T00:00:00.000Z",
      "2026-11-30T00:00:00.000Z",
      "1000-01-01T00:00:00.000Z",
      "0999-12-31T23:59:59.999Z",
    ];
    let t = Date.UTC(1999, 0, 1);
    for (let i = 0; i < 2000; i++) {
      t += 7_919_993_117 % (i + 1_000_003);
      samples.push(new Date(t).toISOString());
    }
    for (const s of samples) expect([s, isoMs(s)]).toEqual([s, Date.parse(s)]);
  });
});
