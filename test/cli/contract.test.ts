// One contract, both backends: the same commands on a JSON directory and on PostgreSQL (a fresh database on the
// shared test server) give the same results, exit codes and pushes. Every call spawns the built CLI, as agents do;
// races run real processes at once.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { ROOT, until, watching } from "../support/helpers.ts";
import { type Backend, newStore, pgWaitListening, type Ran, tp, tpAsync } from "../support/pg-helpers.ts";

const BACKENDS: Backend[] = ["json", "postgres"];
const NOW = "2026-05-01T10:00:00Z";
const at = (s: number) => new Date(Date.parse(NOW) + s * 1000).toISOString();

/** Task ids and run ids are random: replaced by their order of appearance, so outputs compare across stores. */
function normalize(text: string, ids: string[]): string {
  let out = text;
  ids.forEach((id, i) => {
    out = out.split(id).join(`<task${i}>`);
  });
  return out.replace(/r[0-9a-z]{8,}[2-9a-z]{4}/g, "<run>");
}

describe.each(BACKENDS)("the store contract on %s", (backend) => {
  it("walks a task's lifecycle; an invalid transition changes nothing and writes no audit entry", async () => {
    const store = await newStore(backend);
    const id = tp(store, ["create", "-q", "report", "fetch", "write", "send", "--start", "--now", at(0)]).stdout.trim();
    expect(id).toMatch(/^[a-z][2-9a-z]{5,}$/);
    expect(tp(store, ["next", id, "25 rows", "--now", at(10)]).code).toBe(0);
    expect(tp(store, ["heartbeat", id, "half", "--progress", "50", "--now", at(20)]).code).toBe(0);
    expect(tp(store, ["retry", id]).code).toBe(4); // running, not failed
    expect(tp(store, ["next", id, "--now", at(30)]).code).toBe(0);
    const done = tp(store, ["next", id, "sent", "--json", "--now", at(40)]);
    expect(done.json.data).toMatchObject({ finished: true, task: { status: "done" } });
    const again = tp(store, ["done", id, "--json"]);
    expect(again.code).toBe(4);
    expect(again.json.error.code).toBe("invalid_transition");
    const log = tp(store, ["log", id, "--json"]).json.data.entries.map((e: { action: string }) => e.action);
    expect(log).toEqual(["done", "step", "step", "create"]);
    expect(tp(store, ["status", id, "--json"]).json.data.task.steps.map((s: { status: string }) => s.status)).toEqual([
      "done",
      "done",
      "done",
    ]);
  });

  it("takes queued tasks by priority, then oldest first, and waits for dependencies", async () => {
    const store = await newStore(backend);
    const make = (name: string, ...more: string[]) => tp(store, ["create", "-q", "--agent", "anna", "--name", name, ...more]).stdout.trim();
    const low = make("low", "-p", "P3");
    const first = make("first", "-p", "P0");
    const second = make("second", "-p", "P0");
    const blocked = make("blocked", "-p", "P0", "--after", low);
    expect(tp(store, ["limit", "5", "--agent", "anna"]).code).toBe(0);
    const order = [1, 2, 3, 4].map(() => tp(store, ["start", "-q", "--agent", "anna"]).stdout.trim());
    expect(order).toEqual([first, second, low, ""]);
    expect(tp(store, ["done", low]).code).toBe(0);
    expect(tp(store, ["start", "-q", "--agent", "anna"]).stdout.trim()).toBe(blocked);
  });

  it("hands one task to exactly one of 8 concurrent starters", async () => {
    const store = await newStore(backend);
    tp(store, ["limit", "8", "--agent", "anna"]);
    const id = tp(store, ["create", "-q", "--agent", "anna", "only one"]).stdout.trim();
    const results = await Promise.all(Array.from({ length: 8 }, () => tpAsync(store, ["start", "-q", "--agent", "anna"])));
    expect(results.map((r) => r.code)).toEqual(Array(8).fill(0));
    expect(results.filter((r) => r.stdout.trim() === id)).toHaveLength(1);
    expect(tp(store, ["log", id, "--json"]).json.data.entries.filter((e: { action: string }) => e.action === "start")).toHaveLength(1);
    // by id: one wins, the others lost the race (exit 4)
    const other = tp(store, ["create", "-q", "--agent", "bob", "by id"]).stdout.trim();
    const byId = await Promise.all(Array.from({ length: 8 }, () => tpAsync(store, ["start", other, "-q"])));
    expect(byId.map((r) => r.code).sort()).toEqual([0, 4, 4, 4, 4, 4, 4, 4]);
  });

  it("N tasks, 2N concurrent starters: every task is taken exactly once", async () => {
    const store = await newStore(backend);
    const n = 4;
    tp(store, ["limit", String(2 * n), "--agent", "anna"]);
    const ids = Array.from({ length: n }, (_, i) => tp(store, ["create", "-q", "--agent", "anna", `t${i}`]).stdout.trim());
    const results = await Promise.all(Array.from({ length: 2 * n }, () => tpAsync(store, ["start", "-q", "--agent", "anna"])));
    const taken = results.map((r) => r.stdout.trim()).filter(Boolean);
    expect(results.every((r) => r.code === 0)).toBe(true);
    expect(taken.sort()).toEqual([...ids].sort());
  });

  it("loses no step under 8 concurrent `next` calls", async () => {
    const store = await newStore(backend);
    const steps = Array.from({ length: 20 }, (_, i) => `s${i}`);
    const id = tp(store, ["create", "-q", "long", ...steps, "--start"]).stdout.trim();
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => tpAsync(store, ["next", id, `m${i}`, "-q"])));
    expect(results.map((r) => r.code)).toEqual(Array(16).fill(0));
    const task = tp(store, ["status", id, "--json"]).json.data.task;
    expect(task.steps.filter((s: { status: string }) => s.status === "done")).toHaveLength(16);
    expect(task.steps[16].status).toBe("running");
    expect(tp(store, ["log", id, "--json"]).json.data.entries.filter((e: { action: string }) => e.action === "step")).toHaveLength(16);
  });

  it("stop, check and ack; wait is woken by the change, not by its polling interval", async () => {
    const store = await newStore(backend);
    const id = tp(store, ["create", "-q", "job", "a", "b", "--start"]).stdout.trim();
    expect(tp(store, ["check", id]).code).toBe(0);
    expect(tp(store, ["stop", id, "enough"]).code).toBe(0);
    expect(tp(store, ["check", id]).code).toBe(20);
    expect(tp(store, ["heartbeat", id, "-q"]).code).toBe(20);
    expect(tp(store, ["ack", id, "stopped", "--json"]).json.data.task.status).toBe("cancelled");
    const other = tp(store, ["create", "-q", "watched", "--start"]).stdout.trim();
    // wait re-reads only every hour and times out after two, longer than this test may run: coming back at all, with
    // "done", can only be the change feed's doing (without it, the test fails by its timeout). The change is made
    // once it listens (an inotify watch in /proc; a LISTEN in pg_stat_activity), not after a sleep.
    const waiting = tpAsync(store, ["wait", other, "--interval", "1h", "--timeout", "2h", "--json"]);
    onTestFinished(() => {
      try {
        process.kill(waiting.pid, "SIGKILL"); // a wait the feed never woke
      } catch {
        // exited
      }
    });
    await until("wait listens for changes", () => (backend === "json" ? watching(waiting.pid) : pgWaitListening(store)));
    expect(tp(store, ["done", other, "ok"]).code).toBe(0);
    const waited = await waiting;
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.json.data.reason).toBe("done");
  });

  it("cron runs: failure streak, one alert at 3, one recovery", async () => {
    const store = await newStore(backend);
    const run = (cmd: string) => tp(store, ["run", "--job", "backup", "--json", "--", cmd]);
    const pushes = [run("false"), run("false"), run("false"), run("false"), run("true")].map((r) => r.json.push?.reason ?? null);
    expect(pushes).toEqual([null, null, "job-alert", null, "job-recovery"]);
    const jobs = tp(store, ["jobs", "backup", "--json"]).json.data;
    expect(jobs.job.totals).toMatchObject({ runs: 5, failed: 4, succeeded: 1 });
    expect(jobs.runs).toHaveLength(5);
    expect(tp(store, ["alerts", "-q"]).stdout.trim()).toBe("");
  });

  it("state documents: set, concurrent updates lose nothing, list", async () => {
    const store = await newStore(backend);
    expect(tp(store, ["state", "get", "water"]).code).toBe(3);
    expect(tp(store, ["state", "set", "water", '{"total":0,"b":1,"a":2}']).code).toBe(0);
    const updates = await Promise.all(Array.from({ length: 8 }, () => tpAsync(store, ["state", "update", "water", "--incr", "total=1"])));
    expect(updates.map((r) => r.code)).toEqual(Array(8).fill(0));
    const got = tp(store, ["state", "get", "water"]);
    expect(got.stdout).toBe('{\n  "total": 8,\n  "b": 1,\n  "a": 2\n}\n');
    expect(tp(store, ["state", "list", "--json"]).json.data.documents).toMatchObject([{ name: "water", rev: 9, bytes: 156 }]);
    expect(tp(store, ["state", "get", "../x"]).code).toBe(2);
  });

  it("two shells with different --agent share the queues", async () => {
    const store = await newStore(backend);
    // shell 1 is anna; she queues work for bob and for herself
    const anna = (...args: string[]) => tp(store, [...args], { TASKPULSE_AGENT: "anna" });
    const bob = (...args: string[]) => tp(store, [...args], { TASKPULSE_AGENT: "bob" });
    const forBob = anna("create", "-q", "review PR", "--agent", "bob").stdout.trim();
    const mine = anna("create", "-q", "write docs").stdout.trim();
    // shell 2 is bob: his queue holds what anna queued, not her own work
    expect(bob("start", "-q").stdout.trim()).toBe(forBob);
    expect(bob("start", "--json").json.data).toMatchObject({ claimed: false, busy: true });
    expect(anna("start", "-q").stdout.trim()).toBe(mine);
    // each sees the other's progress
    expect(bob("done", forBob, "looked").code).toBe(0);
    expect(anna("status", forBob, "--json").json.data.task).toMatchObject({ agent: "bob", status: "done" });
    const agents = anna("agents", "--json").json.data.agents.map((a: { agent: string; current: number }) => [a.agent, a.current]);
    expect(agents.sort()).toEqual([
      ["anna", 1],
      ["bob", 0],
    ]);
  });
});

describe("both backends print the same", () => {
  it("the same calls give the same output, pushes and exit codes on JSON and PostgreSQL", async () => {
    const transcript = async (backend: Backend) => {
      const store = await newStore(backend);
      const ids: string[] = [];
      const lines: string[] = [];
      const call = (args: string[]): Ran => {
        const r = tp(store, [...args], { TASKPULSE_LANG: "zh", TASKPULSE_CHANNEL: "telegram", TASKPULSE_TARGET: "123" });
        for (const m of r.stdout.match(/"id":"([a-z][2-9a-z]{5,})"/g) ?? []) {
          const id = m.slice(6, -1);
          if (!ids.includes(id)) ids.push(id);
        }
        lines.push(`$ ${args.join(" ")} → ${r.code}\n${r.stdout}${r.stderr}`);
        return r;
      };
      const id = call(["create", "日报", "抓取", "写稿", "发布", "--start", "--json", "--now", at(0)]).json.data.task.id;
      call(["next", id, "抓取了25条数据", "--json", "--now", at(20)]);
      call(["heartbeat", id, "写了一半", "--progress", "50", "--json", "--now", at(60)]);
      call(["status", "--now", at(400)]);
      call(["status", "--json", "--now", at(400)]);
      call(["error", id, "磁盘已满", "--json", "--now", at(500)]);
      call(["retry", id, "--json", "--now", at(510)]);
      call(["start", "--json", "--now", at(520)]);
      call(["done", id, "完成", "--json", "--now", at(600)]);
      call(["query", "--status", "done", "--json", "--now", at(700)]);
      call(["stats", "--json", "--now", at(700)]);
      call(["cleanup", "--json", "--now", "2026-06-01T00:00:00Z"]);
      call(["history", "--json", "--now", "2026-06-01T00:00:00Z"]);
      call(["log", id, "--now", "2026-06-01T00:00:00Z"]);
      call(["done", "zzz", "--json"]);
      return normalize(lines.join("\n"), ids);
    };
    const [json, postgres] = await Promise.all([transcript("json"), transcript("postgres")]);
    expect(postgres).toBe(json);
    expect(json).toContain("🎉 【日报】完成！");
  });
});

describe("the library on PostgreSQL", () => {
  it("works through one handle, and its idle connection does not keep the script's process alive", async () => {
    const store = await newStore("postgres");
    const script = `
      const { openStore } = require(${JSON.stringify(join(ROOT, "dist", "lib.cjs"))});
      (async () => {
        const s = openStore({ home: process.argv[1], agent: "anna" });
        const { task } = await s.create({ name: "from a script", steps: ["a", "b"], start: true });
        await s.next(task.id, "one");
        const st = await s.status(task.id);
        console.log(JSON.stringify({ location: s.location, status: st.task.status, done: st.done }));
      })();`;
    const r = spawnSync(process.execPath, ["-e", script, store], { encoding: "utf8", timeout: 2 * 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ status: "running", done: 1 });
    expect(out.location).toMatch(/^postgres:\/\/taskpulse:\*\*\*@127\.0\.0\.1:\d+\//);
    expect(tp(store, ["query", "--json"]).json.data.tasks[0]).toMatchObject({ name: "from a script", agent: "anna" });
  });
});
