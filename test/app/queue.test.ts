// Per-agent queues from the CLI: priority order on both scales, FIFO ties, the running limit of `start` without an
// id, dependencies (`--after`) and the blocked state. Every call runs in-process with an explicit clock.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "../support/helpers.ts";

/** 2026-05-01T10:00:00Z plus `min` minutes. */
const at = (min: number) => new Date(Date.UTC(2026, 4, 1, 10, 0, 0) + min * 60_000).toISOString();

async function create(store: string, min: number, ...argv: string[]): Promise<string> {
  const r = await cli({ store, now: at(min) }, "create", "-q", ...argv);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

/** `start --agent X -q` at minute `min`: the claimed id, or "" when nothing was taken. */
async function next(store: string, agent: string, min: number): Promise<string> {
  const r = await cli({ store, now: at(min) }, "start", "--agent", agent, "-q");
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

function files(store: string): string {
  const read = (f: string) => (existsSync(join(store, f)) ? readFileSync(join(store, f), "utf8") : "<none>");
  return `${read("state.json")}\n---\n${read("journal.jsonl")}`;
}

describe("queue order", () => {
  it("takes the highest priority first on both scales (P0=10, P1=8, P2=5, P3=3), oldest first on ties", async () => {
    const store = tempDir();
    const ids: Record<string, string> = {};
    const plan: [string, string][] = [
      ["a", "3"],
      ["b", "P0"],
      ["c", "P2"],
      ["d", "8"],
      ["e", "p1"],
      ["f", "10"],
      ["g", "P3"],
    ];
    for (const [i, [name, priority]] of plan.entries()) ids[name] = await create(store, i, "--agent", "q", "--name", name, "-p", priority);

    const stored = await cli({ store, now: at(10) }, "query", "--agent", "q", "--sort", "name", "--json");
    expect(stored.json.data.tasks.map((s: { name: string; priority: number }) => `${s.name}=${s.priority}`)).toEqual([
      "a=3",
      "b=10",
      "c=5",
      "d=8",
      "e=8",
      "f=10",
      "g=3",
    ]);

    const order: string[] = [];
    for (let i = 0; i < plan.length; i++) {
      const id = await next(store, "q", 20 + i);
      order.push(Object.keys(ids).find((name) => ids[name] === id) ?? `?${id}`);
      expect((await cli({ store, now: at(20 + i) }, "done", id)).code).toBe(0);
    }
    expect(order).toEqual(["b", "f", "d", "e", "c", "a", "g"]);
    expect(await next(store, "q", 40)).toBe("");
  });

  it("a retried task keeps its place in the queue (not sent to the back)", async () => {
    const store = tempDir();
    const a = await create(store, 0, "--agent", "q", "--name", "a");
    const b = await create(store, 1, "--agent", "q", "--name", "b");
    await create(store, 2, "--agent", "q", "--name", "c");
    expect(await next(store, "q", 3)).toBe(a);
    expect((await cli({ store, now: at(4) }, "fail", a, "flaky network")).code).toBe(0);
    expect((await cli({ store, now: at(5) }, "retry", a)).code).toBe(0);
    // a was queued before b and c, so it comes first again although it was requeued last.
    expect(await next(store, "q", 6)).toBe(a);
    await cli({ store, now: at(7) }, "done", a);
    expect(await next(store, "q", 8)).toBe(b);
  });

  it("rejects priorities 0, 11, P9 and abc with exit 2 and leaves the store byte for byte unchanged", async () => {
    const store = tempDir();
    await create(store, 0, "--agent", "q", "--name", "existing");
    const before = files(store);
    for (const bad of ["0", "11", "P9", "abc"]) {
      const r = await cli({ store, now: at(1) }, "create", "--agent", "q", "--name", "x", "--priority", bad);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain(`invalid priority '${bad}'`);
      expect(r.stderr).toContain("P0-P3");
      expect(files(store)).toBe(before);
    }
    const json = await cli({ store, now: at(1) }, "create", "--agent", "q", "--name", "x", "-p", "11", "--json");
    expect(json.json).toMatchObject({ ok: false, error: { code: "usage" } });
    expect(files(store)).toBe(before);
  });
});

describe("the running limit of `start` without an id", () => {
  it("default 1: a busy agent is told so, with the running task named, exit 0 and nothing taken", async () => {
    const store = tempDir();
    const a = await create(store, 0, "--agent", "anna", "--name", "first");
    const b = await create(store, 1, "--agent", "anna", "--name", "second");
    expect(await next(store, "anna", 2)).toBe(a);

    const busy = await cli({ store, now: at(3) }, "start", "--agent", "anna");
    expect(busy.code).toBe(0);
    expect(busy.stdout).toBe(`agent anna is busy: running ${a} first (limit 1)\n`);
    const busyJson = await cli({ store, now: at(3) }, "start", "--agent", "anna", "--json");
    expect(busyJson.json.data).toEqual({ task: null, claimed: false, busy: true, running: [a], limit: 1 });
    const zh = await cli({ store, now: at(3) }, "start", "--agent", "anna", "--lang", "zh");
    expect(zh.stdout).toBe(`Agent anna 已有当前任务：${a} first（上限 1）\n`);
    // -q: a script's TASK_ID=$(taskpulse start -q) stays empty.
    expect(await next(store, "anna", 3)).toBe("");

    const status = await cli({ store, now: at(3) }, "status", b, "--json");
    expect(status.json.data.task.status).toBe("pending");
    // Another agent is not limited by anna's running task.
    const other = await create(store, 4, "--agent", "coder", "--name", "other");
    expect(await next(store, "coder", 5)).toBe(other);
  });

  it("`limit 2 --agent X` lets two run at once; the third waits", async () => {
    const store = tempDir();
    const [a, b, c] = [
      await create(store, 0, "--agent", "anna", "--name", "a"),
      await create(store, 1, "--agent", "anna", "--name", "b"),
      await create(store, 2, "--agent", "anna", "--name", "c"),
    ];
    expect((await cli({ store, now: at(3) }, "limit", "--agent", "anna", "-q")).stdout).toBe("1\n");
    const set = await cli({ store, now: at(3) }, "limit", "2", "--agent", "anna");
    expect(set.code).toBe(0);
    expect((await cli({ store, now: at(3) }, "limit", "--agent", "anna", "-q")).stdout).toBe("2\n");
    expect(await next(store, "anna", 4)).toBe(a);
    expect(await next(store, "anna", 5)).toBe(b);
    const busy = await cli({ store, now: at(6) }, "start", "--agent", "anna", "--json");
    expect(busy.json.data).toMatchObject({ claimed: false, busy: true, limit: 2 });
    expect([...busy.json.data.running].sort()).toEqual([a, b].sort());
    await cli({ store, now: at(7) }, "done", a);
    expect(await next(store, "anna", 8)).toBe(c);
    for (const bad of ["0", "101", "x"]) expect((await cli({ store }, "limit", bad, "--agent", "anna")).code).toBe(2);
  });

  it("`create --start` and `start <id>` are not limited", async () => {
    const store = tempDir();
    const a = await create(store, 0, "--agent", "anna", "--name", "a");
    const b = await create(store, 1, "--agent", "anna", "--name", "b");
    expect(await next(store, "anna", 2)).toBe(a);
    const live = await cli({ store, now: at(3) }, "create", "--agent", "anna", "日报发布", "抓取", "写稿", "--start", "--json");
    expect(live.code).toBe(0);
    expect(live.json.data.task.status).toBe("running");
    const byId = await cli({ store, now: at(4) }, "start", b, "--json");
    expect(byId.code).toBe(0);
    expect(byId.json.data.task).toMatchObject({ id: b, status: "running" });
    const running = await cli({ store, now: at(5) }, "query", "--agent", "anna", "--status", "running", "-q");
    expect(running.stdout.trim().split("\n").sort()).toEqual([a, b, live.json.data.task.id].sort());
  });

  it("an empty queue prints nothing with -q, exits 0, and creates no store on a fresh path", async () => {
    const store = join(tempDir(), "fresh");
    const quiet = await cli({ store }, "start", "--agent", "anna", "-q");
    expect(quiet).toMatchObject({ code: 0, stdout: "", stderr: "" });
    const plain = await cli({ store }, "start", "--agent", "anna");
    expect(plain.stdout).toBe("no pending tasks for anna\n");
    const json = await cli({ store }, "start", "--agent", "anna", "--json");
    expect(json.json).toMatchObject({ ok: true, data: { task: null, claimed: false, busy: false, waiting: 0 } });
    expect(existsSync(store)).toBe(false);
  });
});

describe("dependencies (--after)", () => {
  it("`start` without id never takes a task whose dependencies are not done; `start <id>` exits 4 and says why", async () => {
    const store = tempDir();
    const a = await create(store, 0, "--agent", "q", "--name", "a");
    const b = await create(store, 1, "--agent", "q", "--name", "b");
    // c outranks a and b but runs only after both (repeatable --after).
    const c = await create(store, 2, "--agent", "q", "--name", "c", "-p", "P0", "--after", a, "--after", b);
    expect((await cli({ store }, "status", c, "--json")).json.data.task.after).toEqual([a, b]);

    const early = await cli({ store, now: at(3) }, "start", c);
    expect(early.code).toBe(4);
    expect(early.stderr).toContain(`task ${c} (c) waits for its dependencies: ${a}, ${b}`);
    expect(await next(store, "q", 3)).toBe(a);
    await cli({ store, now: at(4) }, "done", a);

    const stillWaiting = await cli({ store, now: at(5) }, "start", c, "--json");
    expect(stillWaiting.code).toBe(4);
    expect(stillWaiting.json.error.code).toBe("invalid_transition");
    expect(stillWaiting.json.error.message).toContain(`waits for its dependencies: ${b}`);
    expect(stillWaiting.json.error.message).not.toContain(a);
    const shown = await cli({ store, now: at(5) }, "status", c);
    expect(shown.stdout).toContain(`waits for: ${b}`);

    expect(await next(store, "q", 6)).toBe(b);
    await cli({ store, now: at(7) }, "done", b);
    expect(await next(store, "q", 8)).toBe(c);
  });

  it("says so when every pending task waits for a dependency (exit 0, nothing taken)", async () => {
    const store = tempDir();
    const a = await create(store, 0, "--agent", "x", "--name", "a");
    await create(store, 1, "--agent", "q", "--name", "b", "--after", a);
    const r = await cli({ store, now: at(2) }, "start", "--agent", "q");
    expect(r).toMatchObject({ code: 0, stdout: "no task of q is ready (1 wait for dependencies)\n" });
    expect(await next(store, "q", 2)).toBe("");
  });

  for (const how of ["failed", "cancelled"] as const) {
    it(`a task whose dependency ${how} is blocked in status (JSON, text, -q) and query, and cannot start`, async () => {
      const store = tempDir();
      const a = await create(store, 0, "--agent", "q", "--name", "dep");
      const c = await create(store, 1, "--agent", "q", "--name", "child", "--after", a);
      const free = await create(store, 2, "--agent", "q", "--name", "free");
      if (how === "failed") {
        await cli({ store, now: at(3) }, "start", a);
        expect((await cli({ store, now: at(4) }, "fail", a, "boom")).code).toBe(0);
      } else {
        expect((await cli({ store, now: at(4) }, "cancel", a)).code).toBe(0);
      }

      const one = await cli({ store, now: at(5) }, "status", c, "--json");
      expect(one.json.data.dependencies).toEqual({ state: "blocked", on: [a] });
      expect(one.json.data.task.status).toBe("pending");
      expect((await cli({ store, now: at(5) }, "status", c, "-q")).stdout).toBe("blocked\n");
      expect((await cli({ store, now: at(5) }, "status", c)).stdout).toContain(`blocked by: ${a}`);
      const overview = await cli({ store, now: at(5) }, "status");
      const lines = overview.stdout.split("\n");
      const at_ = lines.findIndex((l) => l.includes(c));
      expect(lines[at_]).toMatch(/⏳ child queued \d+m ago · /); // the default priority is not shown
      expect(lines[at_ + 1]).toContain(`⛓ blocked by ${a}`);

      const q = await cli({ store, now: at(5) }, "query", "--status", "blocked", "--json");
      expect(q.json.data.tasks.map((s: { id: string; state: string }) => `${s.id}:${s.state}`)).toEqual([`${c}:blocked`]);
      const table = await cli({ store, now: at(5) }, "query", "--agent", "q");
      expect(table.stdout.split("\n").find((l) => l.startsWith(c))).toMatch(/^\S+\s+q\s+5\s+blocked\s+child\s/);
      // A blocked task is still pending: `--status pending` lists it too.
      const pending = await cli({ store, now: at(5) }, "query", "--status", "pending", "-q");
      expect(pending.stdout.trim().split("\n").sort()).toEqual([c, free].sort());

      const start = await cli({ store, now: at(6) }, "start", c);
      expect(start.code).toBe(4);
      expect(start.stderr).toContain(`task ${c} (child) is blocked: its dependency failed or was cancelled: ${a}`);
      // The queue skips it and takes the next ready task.
      expect(await next(store, "q", 6)).toBe(free);
    });
  }

  it("a failed dependency that is retried and done unblocks the task", async () => {
    const store = tempDir();
    const a = await create(store, 0, "--agent", "q", "--name", "dep");
    const c = await create(store, 1, "--agent", "q", "--name", "child", "--after", a);
    await cli({ store, now: at(2) }, "start", a);
    await cli({ store, now: at(3) }, "fail", a, "boom");
    expect((await cli({ store, now: at(4) }, "status", c, "-q")).stdout).toBe("blocked\n");
    await cli({ store, now: at(5) }, "retry", a);
    expect((await cli({ store, now: at(5) }, "status", c, "--json")).json.data.dependencies.state).toBe("waiting");
    expect(await next(store, "q", 6)).toBe(a);
    await cli({ store, now: at(7) }, "done", a);
    expect(await next(store, "q", 8)).toBe(c);
  });

  it("--after with an unknown id exits 3 and creates nothing", async () => {
    const store = tempDir();
    await create(store, 0, "--agent", "q", "--name", "a");
    const before = files(store);
    const r = await cli({ store, now: at(1) }, "create", "--agent", "q", "--name", "b", "--after", "zzz999");
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("task 'zzz999' not found");
    expect(files(store)).toBe(before);
  });

  it("a dependency that was done and then archived by cleanup still counts as done", async () => {
    const store = tempDir();
    const a = await create(store, 0, "--agent", "q", "--name", "dep");
    const c = await create(store, 1, "--agent", "q", "--name", "child", "--after", a);
    await cli({ store, now: at(2) }, "start", a);
    await cli({ store, now: at(3) }, "done", a);
    const later = new Date(Date.parse(at(3)) + 8 * 86_400_000).toISOString();
    const cleaned = await cli({ store, now: later }, "cleanup", "--json");
    expect(cleaned.json.data.archived).toBe(1);
    expect((await cli({ store, now: later }, "status", a, "--json")).json.data.archived).toBe(true);

    const shown = await cli({ store, now: later }, "status", c, "--json");
    expect(shown.json.data.dependencies).toEqual({ state: "ready", on: [] });
    const started = await cli({ store, now: later }, "start", "--agent", "q", "-q");
    expect(started).toMatchObject({ code: 0, stdout: `${c}\n` });
  });

  it("a dependency that was cancelled and then archived keeps the task blocked", async () => {
    const store = tempDir();
    const a = await create(store, 0, "--agent", "q", "--name", "dep");
    const c = await create(store, 1, "--agent", "q", "--name", "child", "--after", a);
    await cli({ store, now: at(2) }, "cancel", a);
    const later = new Date(Date.parse(at(2)) + 8 * 86_400_000).toISOString();
    expect((await cli({ store, now: later }, "cleanup", "--json")).json.data.archived).toBe(1);
    expect((await cli({ store, now: later }, "status", c, "-q")).stdout).toBe("blocked\n");
    expect((await cli({ store, now: later }, "query", "--status", "blocked", "-q")).stdout).toBe(`${c}\n`);
    const overview = await cli({ store, now: later }, "status");
    const lines = overview.stdout.split("\n");
    expect(lines[lines.findIndex((l) => l.includes(c)) + 1]).toContain(`⛓ blocked by ${a}`);
    const start = await cli({ store, now: later }, "start", c);
    expect(start.code).toBe(4);
    expect(start.stderr).toContain("is blocked");
  });
});

describe("the pending list, as OpenTask's /api/tasks/pending gave it (references/migrating.md)", () => {
  it("query --status pending --sort -priority lists an agent's queue in the order start takes it", async () => {
    const store = tempDir();
    for (const [min, name, p] of [
      [0, "low old", "2"],
      [1, "high", "9"],
      [2, "low new", "2"],
      [3, "mid", "5"],
      [4, "high later", "9"],
    ] as const)
      await create(store, min, name, "--agent", "anna", "-p", p);
    const listed = await cli({ store, now: at(10) }, "query", "--agent", "anna", "--status", "pending", "--sort", "-priority", "--json");
    const order = (listed.json.data.tasks as { name: string }[]).map((t) => t.name);
    expect(order).toEqual(["high", "high later", "mid", "low old", "low new"]);
    expect((await cli({ store }, "limit", "10", "--agent", "anna")).code).toBe(0);
    const taken: string[] = [];
    for (let i = 0; i < 5; i++) taken.push(await next(store, "anna", 20 + i));
    const names = await Promise.all(taken.map(async (id) => (await cli({ store }, "status", id, "--json")).json.data.task.name));
    expect(names).toEqual(order);
  });
});

describe("priorities as they were typed (P0-P3 or 1-10)", () => {
  it("shows a label as a label and a number as a number, in text, --json and the audit log", async () => {
    const store = tempDir();
    const p0 = await create(store, 0, "--agent", "q", "--name", "urgent", "--priority", "p0");
    const eight = await create(store, 1, "--agent", "q", "--name", "numbered", "--priority", "8");
    const plain = await create(store, 2, "--agent", "q", "--name", "plain");

    const lines = (await cli({ store, now: at(3) }, "status")).stdout.split("\n");
    expect(lines.find((l) => l.includes(p0))).toMatch(/⏳ urgent queued P0 3m ago · /);
    expect(lines.find((l) => l.includes(eight))).toMatch(/⏳ numbered queued priority 8 2m ago · /);
    expect(lines.find((l) => l.includes(plain))).toMatch(/⏳ plain queued 1m ago · /);
    const zh = (await cli({ store, now: at(3), env: { TASKPULSE_LANG: "zh" } }, "status")).stdout;
    expect(zh).toMatch(/numbered 排队中 优先级 8 /);
    expect((await cli({ store, now: at(3) }, "status", p0)).stdout).toContain(`id ${p0} · agent q · P0 · created`);
    expect((await cli({ store, now: at(3) }, "status", plain)).stdout).toContain(`id ${plain} · agent q · priority 5 · created`);

    const table = (await cli({ store, now: at(3) }, "query", "--sort", "-priority")).stdout.split("\n");
    expect(table.slice(1, 4).map((l) => l.split(/\s+/).slice(0, 3).join(" "))).toEqual([`${p0} q P0`, `${eight} q 8`, `${plain} q 5`]);
    const json = (await cli({ store, now: at(3) }, "query", "--json", "--sort", "-priority")).json.data.tasks;
    expect(json.map((s: { priority: number; priorityLabel?: string }) => [s.priority, s.priorityLabel])).toEqual([
      [10, "P0"],
      [8, undefined],
      [5, undefined],
    ]);
    expect((await cli({ store }, "status", p0, "--json")).json.data.task).toMatchObject({ priority: 10, priorityLabel: "P0" });

    // An edit keeps the scale it is given; the audit log says it as typed.
    expect((await cli({ store, now: at(4) }, "edit", p0, "--priority", "7")).stdout).toContain("priority: P0 → 7");
    expect((await cli({ store, now: at(4) }, "edit", eight, "--priority", "P1")).stdout).toContain("priority: 8 → P1");
    // the same priority in another form is a change (P2 is 5, shown otherwise)
    expect((await cli({ store, now: at(4) }, "edit", plain, "--priority", "P2")).stdout).toContain("priority: 5 → P2");
    const after = (await cli({ store }, "query", "--json")).json.data.tasks;
    const byId = Object.fromEntries(
      after.map((s: { id: string; priority: number; priorityLabel?: string }) => [s.id, [s.priority, s.priorityLabel]]),
    );
    expect(byId).toEqual({ [p0]: [7, undefined], [eight]: [8, "P1"], [plain]: [5, "P2"] });
    expect((await cli({ store }, "log", p0)).stdout).toContain("priority: P0 → 7");
    // The queue order is the scale's: P1 (8) before 7 before P2 (5).
    expect(await next(store, "q", 5)).toBe(eight);
    expect((await cli({ store }, "doctor")).code).toBe(0);
  });
});
