// The read side from entries (core/insight.ts, TaskEntry): the JSON store keeps an entry per hot task beside the
// task, and status, query, stats and history read the entries instead of every task (running tasks excepted). So an
// entry must say exactly what its task says: its summary is summarize(task), and the overview drawn from entries is
// the overview drawn from the tasks, line for line.
import { describe, expect, it } from "vitest";
import { createContext } from "../../src/app/context.ts";
import type { Deps } from "../../src/app/deps.ts";
import { withDisplay } from "../../src/cli/cli-context.ts";
import { renderOverview } from "../../src/cli/commands/status.ts";
import { entryOf, summarize, summaryOf } from "../../src/core/insight.ts";
import { JsonStore } from "../../src/store/json-store.ts";
import { appDeps, cli, tempDir } from "../support/helpers.ts";

const NOW = "2026-05-01T10:00:00.000Z";
const at = (min: number) => new Date(Date.parse(NOW) + min * 60_000).toISOString();

function deps(store: string, nowIso: string, lang = "C"): Deps {
  return appDeps(store, new Date(nowIso), { lang, columns: 100 });
}

/** Every kind of hot task the overview draws: running (many, stalled, stop-requested, waiting), queued (with steps, blocked, waiting on deps, many), finished. */
async function variedStore(): Promise<string> {
  const store = tempDir();
  const ok = async (min: number, ...argv: string[]) => {
    const r = await cli({ store, now: at(min) }, ...argv);
    if (r.code !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
    return r.stdout.trim();
  };
  await ok(0, "limit", "20", "--agent", "main");
  const running: string[] = [];
  for (let i = 0; i < 13; i++) running.push(await ok(i, "create", "-q", `run ${i}`, "a", "b", "--start", "--agent", "main"));
  await ok(20, "heartbeat", running[0] as string, "half", "--progress", "50");
  await ok(21, "stop", running[1] as string, "enough");
  await ok(22, "heartbeat", running[2] as string, "--waiting", "CI", "--for", "2h");
  await ok(23, "next", running[3] as string, "step one done");
  // a step with a budget (over it two minutes later), and a task with its own stall threshold
  await ok(24, "create", "-q", "budgeted", "quick:2m", "slow", "--start", "--agent", "dora");
  await ok(24, "create", "-q", "patient", "--stall-after", "3h", "--start", "--agent", "dora");
  const dep = await ok(24, "create", "-q", "dependency", "--agent", "bob");
  const failed = await ok(25, "create", "-q", "will fail", "x", "--start", "--agent", "bob");
  await ok(26, "error", failed, "it broke: 断了");
  for (let i = 0; i < 7; i++)
    await ok(30 + i, "create", "-q", `queued ${i}`, "s1", "s2", "s3", "--agent", "bob", "--priority", String(1 + (i % 4)));
  await ok(40, "create", "-q", "waits", "--agent", "bob", "--after", dep);
  await ok(41, "create", "-q", "blocked", "--agent", "bob", "--after", failed);
  const done = await ok(42, "create", "-q", "finished", "--start", "--agent", "carol", "--tag", "t1", "--group", "g");
  await ok(43, "done", done, "result");
  const cancelled = await ok(44, "create", "-q", "dropped", "--agent", "carol", "--description", "a description");
  await ok(45, "cancel", cancelled, "no longer needed");
  return store;
}

describe("entries", () => {
  it("hold exactly the summary of their task, and what claiming needs", async () => {
    const store = await variedStore();
    const snapshot = await new JsonStore(store, { lockWaitMs: 5000, owner: { agent: "t", command: "t" } }).read();
    expect(snapshot.tasks.length).toBeGreaterThan(20);
    const entries = new Map(snapshot.entries().map((e) => [e.id, e]));
    expect(entries.size).toBe(snapshot.tasks.length);
    for (const task of snapshot.tasks) {
      const entry = entries.get(task.id);
      expect(entry).toEqual(entryOf(task));
      // byte for byte, key order included: --json prints summaries read from entries
      expect(JSON.stringify(summaryOf(entry as NonNullable<typeof entry>))).toBe(JSON.stringify(summarize(task)));
      expect(entry).toMatchObject({ after: task.after, queuedAt: task.queuedAt, priority: task.priority, status: task.status });
    }
  });

  it.each([
    ["at once", 46],
    ["hours later, stalls and all", 60 * 5],
  ])("the overview from entries is the overview from the tasks, line for line (%s)", async (_, minutes) => {
    const store = await variedStore();
    for (const lang of ["C", "zh_CN.UTF-8"]) {
      const d = deps(store, at(minutes), lang);
      const ctx = withDisplay(createContext({}, d), {}, d);
      const snapshot = await ctx.store("status").read();
      const fromTasks = renderOverview(ctx, snapshot, undefined, true);
      const fromEntries = renderOverview(ctx, await ctx.store("status").read(), undefined, false);
      expect(fromEntries.lines).toEqual(fromTasks.lines);
      expect(fromEntries.data.counts).toEqual(fromTasks.data.counts);
      expect(fromEntries.stalled.map((t) => t.id)).toEqual(fromTasks.stalled.map((t) => t.id));
      expect(fromTasks.lines.join("\n")).toMatch(/more running|还有 \d+ 个运行中/);
      expect(fromTasks.lines.join("\n")).toMatch(/more queued|个排队/);
      if (minutes > 60) expect(fromTasks.lines.join("\n")).toMatch(/step over its budget|步骤超时/);
      await ctx.close();
    }
  });
});

describe("status --all", () => {
  it("lists every finished task still hot, however old; without it, the last day's first five", async () => {
    const store = tempDir();
    const ok = async (min: number, ...argv: string[]) => {
      const r = await cli({ store, now: at(min) }, ...argv);
      if (r.code !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
      return r.stdout.trim();
    };
    for (let i = 0; i < 3; i++) await ok(i, "done", await ok(i, "create", "-q", `old ${i}`, "--start"));
    const day = 24 * 60;
    for (let i = 0; i < 7; i++) await ok(2 * day + i, "done", await ok(2 * day + i, "create", "-q", `new ${i}`, "--start"));
    const plain = await ok(2 * day + 10, "status");
    expect(plain).toContain("new 6");
    expect(plain).not.toContain("new 1");
    expect(plain).not.toContain("old");
    expect(plain).toContain("… 2 more finished today (taskpulse status --all)");
    const all = await ok(2 * day + 10, "status", "--all");
    for (let i = 0; i < 7; i++) expect(all).toContain(`new ${i}`);
    for (let i = 0; i < 3; i++) expect(all).toContain(`old ${i}`);
    expect(all).not.toContain("more finished");
    expect((await cli({ store }, "status", "--all", "x")).code).toBe(2);
  });
});
