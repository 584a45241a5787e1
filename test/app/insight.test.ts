// The read side from the CLI: query filters alone and combined, stats numbers, history and agents, on one known
// fixture built with a fixed clock. Archived tasks must answer the same as hot ones, so the fixture is also read
// after a cleanup that moves its oldest finished tasks to the archive.
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, spawnCliSync, tempDir } from "../support/helpers.ts";

/** The time zone the tests run in (a context with TASKPULSE_TZ must leave it as it was for the next). */
const hostTz = process.env.TZ;

const NOW = "2026-05-10T12:00:00.000Z";
type Name = "c1" | "c2" | "c3" | "c4" | "c5" | "a1" | "a2";

let fixture: string;
const ids = {} as Record<Name, string>;
let savedTz: string | undefined;

async function ok(store: string, now: string, ...argv: string[]): Promise<string> {
  const r = await cli({ store, now }, ...argv);
  if (r.code !== 0) throw new Error(`${argv.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * coder: c1 实现登录 P1 done 10m (05-01, tags backend+auth, group web, "OAuth login flow")
 *        c2 write docs 3 done 40m (05-05, tag docs)
 *        c3 fix crash P0 failed, retried once, failed again (05-09 12:00, tag backend)
 *        c4 refactor login 5 pending (05-10 08:00, tag backend, group web)
 *        c5 ship release 5 done 25m (05-10 10:00)
 * anna:  a1 send report 5 running since 05-10 09:00, last heartbeat 11:00 (stalled at NOW; one stall alert seen)
 *        a2 daily digest 5 cancelled (05-02)
 */
async function buildFixture(store: string): Promise<void> {
  const create = (now: string, agent: string, name: string, ...flags: string[]) =>
    ok(store, now, "create", "-q", "--agent", agent, "--name", name, ...flags);
  const c1 = ["-d", "OAuth login flow", "-p", "P1", "--tag", "backend", "--tag", "auth", "--group", "web"];
  ids.c1 = await create("2026-05-01T09:00:00Z", "coder", "实现登录", ...c1);
  await ok(store, "2026-05-01T09:00:00Z", "start", ids.c1);
  await ok(store, "2026-05-01T09:10:00Z", "done", ids.c1);
  ids.a2 = await create("2026-05-02T08:00:00Z", "anna", "daily digest");
  await ok(store, "2026-05-02T09:00:00Z", "cancel", ids.a2, "not needed");
  ids.c2 = await create("2026-05-05T10:00:00Z", "coder", "write docs", "-p", "3", "--tag", "docs");
  await ok(store, "2026-05-05T10:00:00Z", "start", ids.c2);
  await ok(store, "2026-05-05T10:40:00Z", "done", ids.c2);
  ids.c3 = await create("2026-05-09T12:00:00Z", "coder", "fix crash", "-p", "P0", "--tag", "backend");
  await ok(store, "2026-05-09T13:00:00Z", "start", ids.c3);
  await ok(store, "2026-05-09T13:10:00Z", "fail", ids.c3, "segfault");
  await ok(store, "2026-05-09T13:20:00Z", "retry", ids.c3);
  await ok(store, "2026-05-09T13:25:00Z", "start", ids.c3);
  await ok(store, "2026-05-09T13:30:00Z", "fail", ids.c3, "segfault again");
  ids.c4 = await create("2026-05-10T08:00:00Z", "coder", "refactor login", "--tag", "backend", "--group", "web");
  ids.a1 = await create("2026-05-10T09:00:00Z", "anna", "send report", "--start");
  await ok(store, "2026-05-10T11:00:00Z", "heartbeat", ids.a1, "halfway");
  ids.c5 = await create("2026-05-10T10:00:00Z", "coder", "ship release");
  await ok(store, "2026-05-10T10:00:00Z", "start", ids.c5);
  await ok(store, "2026-05-10T10:25:00Z", "done", ids.c5);
  // A status read at NOW finds a1 stalled and records the stall alert (stallsSeen 1).
  const status = await cli({ store, now: NOW }, "status", "--json");
  if (!status.json.push?.tool?.message) throw new Error("expected a stall alert for a1");
}

/** A private copy of the fixture, for tests that change it. */
function copyOfFixture(): string {
  const dir = join(tempDir(), "store");
  cpSync(fixture, dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  // "Today" is the local date: pin the zone of this process (the in-process CLI uses it). The spawned test below
  // sets its own TZ to prove the local date is used.
  savedTz = process.env.TZ;
  process.env.TZ = "UTC";
  fixture = join(mkdtempSync(join(tmpdir(), "tp-insight-")), "store");
  await buildFixture(fixture);
});

afterAll(() => {
  rmSync(join(fixture, ".."), { recursive: true, force: true });
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

/** The fixture names of the tasks a query returns, in order. */
async function q(store: string, ...argv: string[]): Promise<string[]> {
  const r = await cli({ store, now: NOW }, "query", "--json", ...argv);
  expect(r.code, r.stderr).toBe(0);
  return r.json.data.tasks.map((s: { id: string }) => (Object.keys(ids) as Name[]).find((n) => ids[n] === s.id) ?? s.id);
}

const sorted = (list: string[]) => [...list].sort();

// Each filter alone, then combinations; the expected sets follow from the fixture above.
const FILTERS: [string, string[], Name[]][] = [
  ["no filter", [], ["c1", "c2", "c3", "c4", "c5", "a1", "a2"]],
  ["--agent", ["--agent", "anna"], ["a1", "a2"]],
  ["--status done", ["--status", "done"], ["c1", "c2", "c5"]],
  ["--status completed (alias)", ["--status", "completed"], ["c1", "c2", "c5"]],
  ["--status error (alias)", ["--status", "error"], ["c3"]],
  ["--status repeated", ["--status", "failed", "--status", "cancelled"], ["c3", "a2"]],
  ["--status comma-separated", ["--status", "pending,cancelled"], ["c4", "a2"]],
  ["--status running", ["--status", "running"], ["a1"]],
  ["--status stalled", ["--status", "stalled"], ["a1"]],
  ["--min-priority P1", ["--min-priority", "P1"], ["c1", "c3"]],
  ["--min-priority 9", ["--min-priority", "9"], ["c3"]],
  ["--max-priority 5", ["--max-priority", "5"], ["c2", "c4", "c5", "a1", "a2"]],
  ["--max-priority P3", ["--max-priority", "P3"], ["c2"]],
  ["priority range, mixed scales", ["--min-priority", "5", "--max-priority", "P1"], ["c1", "c4", "c5", "a1", "a2"]],
  ["--tag", ["--tag", "backend"], ["c1", "c3", "c4"]],
  ["--tag repeated (all of them)", ["--tag", "backend", "--tag", "auth"], ["c1"]],
  ["--group", ["--group", "web"], ["c1", "c4"]],
  ["--text on name and description", ["--text", "login"], ["c1", "c4"]],
  ["--text case-insensitive", ["--text", "LOGIN"], ["c1", "c4"]],
  ["--text in Chinese", ["--text", "登录"], ["c1"]],
  ["--from 24h (created, boundary included)", ["--from", "24h"], ["c3", "c4", "c5", "a1"]],
  ["--from 7d", ["--from", "7d"], ["c2", "c3", "c4", "c5", "a1"]],
  ["--from/--to ISO dates", ["--from", "2026-05-02", "--to", "2026-05-05T23:00:00Z"], ["c2", "a2"]],
  ["--to a date includes that whole day", ["--to", "2026-05-05"], ["c1", "c2", "a2"]],
  ["--by started", ["--from", "7d", "--by", "started"], ["c2", "c3", "c5", "a1"]],
  ["--by finished", ["--from", "2026-05-02", "--to", "2026-05-09T23:59:59Z", "--by", "finished"], ["c2", "c3", "a2"]],
  ["--by finished, relative", ["--from", "24h", "--by", "finished"], ["c3", "c5"]],
  ["agent + status + tag", ["--agent", "coder", "--status", "completed", "--tag", "backend"], ["c1"]],
  ["agent + priority + text + time", ["--agent", "coder", "--min-priority", "P2", "--text", "login", "--from", "2026-05-01"], ["c1", "c4"]],
  ["status + group + --by finished", ["--status", "done", "--group", "web", "--from", "30d", "--by", "finished"], ["c1"]],
  ["nothing matches", ["--agent", "anna", "--tag", "backend"], []],
];

describe("query filters", () => {
  it.each(FILTERS)("%s", async (_label, argv, expected) => {
    expect(sorted(await q(fixture, ...argv))).toEqual(sorted(expected));
  });

  it("finds the same tasks after cleanup moved the oldest finished ones to the archive", async () => {
    const store = copyOfFixture();
    const cleaned = await cli({ store, now: NOW }, "cleanup", "--json");
    expect(cleaned.json.data.archived).toBe(2); // c1 (05-01) and a2 (05-02): finished more than 7 days before NOW
    for (const [label, argv, expected] of FILTERS) expect(sorted(await q(store, ...argv)), label).toEqual(sorted(expected));
    const all = await cli({ store, now: NOW }, "query", "--json");
    const archived = all.json.data.tasks.filter((s: { archived?: boolean }) => s.archived).map((s: { id: string }) => s.id);
    expect(sorted(archived)).toEqual(sorted([ids.c1, ids.a2]));
  });
});

describe("query output, sort and limit", () => {
  it("sorts by -created by default, and by every key either way", async () => {
    expect(await q(fixture)).toEqual(["c5", "a1", "c4", "c3", "c2", "a2", "c1"]);
    expect(await q(fixture, "--sort", "created")).toEqual(["c1", "a2", "c2", "c3", "c4", "a1", "c5"]);
    // highest first, ties oldest first (queue order); ascending is its exact reverse
    expect(await q(fixture, "--sort", "-priority")).toEqual(["c3", "c1", "a2", "c4", "a1", "c5", "c2"]);
    expect(await q(fixture, "--sort", "priority")).toEqual(["c2", "c5", "a1", "c4", "a2", "c1", "c3"]);
    expect(await q(fixture, "--sort", "-finished", "--status", "done,failed,cancelled")).toEqual(["c5", "c3", "c2", "a2", "c1"]);
    expect(await q(fixture, "--sort", "started", "--from", "2026-05-04")).toEqual(["c4", "c2", "c3", "a1", "c5"]);
    expect(await q(fixture, "--sort", "name", "--agent", "coder")).toEqual(["c3", "c4", "c5", "c2", "c1"]);
    expect((await q(fixture, "--sort", "agent")).slice(0, 2)).toEqual(["a2", "a1"]);
  });

  it("--limit caps the rows but data.total counts every match", async () => {
    const r = await cli({ store: fixture, now: NOW }, "query", "--limit", "2", "--json");
    expect(r.json).toMatchObject({ schemaVersion: 1, ok: true, push: null, data: { total: 7 } });
    expect(r.json.data.tasks.map((s: { id: string }) => s.id)).toEqual([ids.c5, ids.a1]);
    const plain = await cli({ store: fixture, now: NOW }, "query", "--limit", "2");
    expect(plain.stdout.trimEnd().split("\n").at(-1)).toBe("… 5 more (use --limit)");
    const quiet = await cli({ store: fixture, now: NOW }, "query", "--limit", "2", "-q");
    expect(quiet.stdout).toBe(`${ids.c5}\n${ids.a1}\n`);
  });

  it("the JSON rows are task summaries with the derived state", async () => {
    const r = await cli({ store: fixture, now: NOW }, "query", "--agent", "anna", "--status", "running", "--json");
    expect(r.json.data).toEqual({
      total: 1,
      tasks: [
        {
          id: ids.a1,
          agent: "anna",
          name: "send report",
          status: "running",
          state: "stalled",
          priority: 5,
          tags: [],
          createdAt: "2026-05-10T09:00:00.000Z",
          startedAt: "2026-05-10T09:00:00.000Z",
          retries: 0,
          stallsSeen: 1,
        },
      ],
    });
  });

  it("plain output is a table: ID AGENT PRI STATUS NAME AGE", async () => {
    const r = await cli({ store: fixture, now: NOW }, "query", "--sort", "created");
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID +AGENT +PRI +STATUS +NAME +AGE$/);
    expect(lines).toHaveLength(8);
    const cells = (line: string) => line.split(/ {2,}/);
    expect(cells(lines[1] as string)).toEqual([ids.c1, "coder", "P1", "done", "实现登录", "9d ago"]);
    expect(cells(lines[2] as string)).toEqual([ids.a2, "anna", "5", "cancelled", "daily digest", "8d ago"]);
    expect(cells(lines[4] as string)).toEqual([ids.c3, "coder", "P0", "failed", "fix crash", "24h ago"]);
    expect(cells(lines[6] as string)).toEqual([ids.a1, "anna", "5", "stalled", "send report", "3h ago"]);
    // columns line up on display width: every AGE cell starts under the AGE header; 实现登录 is 4 characters
    // wide 8, so its row is 4 characters shorter
    const ageColumn = (lines[0] as string).lastIndexOf("AGE");
    for (const line of lines.slice(2)) expect(line.lastIndexOf("  ") + 2, line).toBe(ageColumn);
    expect((lines[1] as string).indexOf("9d ago")).toBe(ageColumn - 4);
  });

  it("an empty result is not an error; a missing store is not created", async () => {
    const r = await cli({ store: fixture, now: NOW }, "query", "--agent", "nobody");
    expect(r).toMatchObject({ code: 0, stdout: "no matching tasks\n" });
    const fresh = join(tempDir(), "fresh");
    const empty = await cli({ store: fresh, now: NOW }, "query", "--json");
    expect(empty.json).toMatchObject({ ok: true, data: { total: 0, tasks: [] } });
    expect(existsSync(fresh)).toBe(false);
  });

  it.each([
    ["--status", "bogus", "invalid --status 'bogus'"],
    ["--by", "updated", "invalid --by 'updated'"],
    ["--sort", "size", "invalid --sort 'size'"],
    ["--sort", "-", "invalid --sort '-'"],
    ["--limit", "0", "invalid --limit '0'"],
    ["--limit", "ten", "invalid --limit 'ten'"],
    ["--from", "yesterday", "invalid --from 'yesterday'"],
    ["--to", "2026-13-45", "invalid --to '2026-13-45'"],
    ["--min-priority", "11", "invalid priority '11'"],
    ["--max-priority", "P9", "invalid priority 'P9'"],
  ])("%s %s exits 2", async (flag, value, message) => {
    const r = await cli({ store: fixture, now: NOW }, "query", flag, value);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(message);
    const json = await cli({ store: fixture, now: NOW }, "query", flag, value, "--json");
    expect(json.json).toMatchObject({ ok: false, error: { code: "usage" } });
  });
});

describe("stats", () => {
  const coder = {
    counts: { pending: 1, running: 0, done: 3, failed: 1, cancelled: 0, total: 5 },
    successRate: 0.75,
    durations: { count: 3, avgMs: 1_500_000, p50Ms: 1_500_000, p95Ms: 2_400_000, avg: "25m", p50: "25m", p95: "40m" },
    today: { created: 2, done: 1, failed: 0, cancelled: 0 },
    retries: 1,
    stallsSeen: 0,
  };
  const anna = {
    counts: { pending: 0, running: 1, done: 0, failed: 0, cancelled: 1, total: 2 },
    successRate: 0,
    durations: { count: 0, avgMs: null, p50Ms: null, p95Ms: null, avg: null, p50: null, p95: null },
    today: { created: 1, done: 0, failed: 0, cancelled: 0 },
    retries: 0,
    stallsSeen: 1,
  };
  const overall = {
    counts: { pending: 1, running: 1, done: 3, failed: 1, cancelled: 1, total: 7 },
    successRate: 0.75,
    durations: coder.durations,
    today: { created: 3, done: 1, failed: 0, cancelled: 0 },
    retries: 1,
    stallsSeen: 1,
  };

  it("exact numbers per agent and overall (JSON)", async () => {
    const r = await cli({ store: fixture, now: NOW }, "stats", "--json");
    expect(r.json.data).toEqual({
      since: null,
      agents: { anna: { ...anna, archived: 0 }, coder: { ...coder, archived: 0 } },
      overall: { ...overall, archived: 0 },
    });
  });

  it("plain output: success as a percentage, durations like 25m, today's counts", async () => {
    const r = await cli({ store: fixture, now: NOW }, "stats");
    expect(r.stdout).toBe(
      [
        "anna: 2 tasks · ⏳0 🔄1 ✅0 ❌0 ⛔1 · success —",
        "   today: +1 ✅0 ❌0 ⛔0 · retries 0 · stalls seen 1 · archived 0",
        "coder: 5 tasks · ⏳1 🔄0 ✅3 ❌1 ⛔0 · success 75%",
        "   duration: avg 25m · p50 25m · p95 40m (3)",
        "   today: +2 ✅1 ❌0 ⛔0 · retries 1 · stalls seen 0 · archived 0",
        "all: 7 tasks · ⏳1 🔄1 ✅3 ❌1 ⛔1 · success 75%",
        "   duration: avg 25m · p50 25m · p95 40m (3)",
        "   today: +3 ✅1 ❌0 ⛔0 · retries 1 · stalls seen 1 · archived 0",
        "",
      ].join("\n"),
    );
    expect((await cli({ store: fixture, now: NOW }, "stats", "-q")).stdout).toBe("0.75\n");
  });

  it("--since 7d and --agent narrow the tasks counted (2 of 3 shows as 66.7%)", async () => {
    const r = await cli({ store: fixture, now: NOW }, "stats", "--agent", "coder", "--since", "7d", "--json");
    expect(Object.keys(r.json.data.agents)).toEqual(["coder"]);
    expect(r.json.data.since).toBe("2026-05-03T12:00:00.000Z");
    expect(r.json.data.overall).toMatchObject({
      counts: { pending: 1, running: 0, done: 2, failed: 1, cancelled: 0, total: 4 },
      successRate: 0.6667,
      durations: { count: 2, avgMs: 1_950_000, avg: "33m", p50: "25m", p95: "40m" },
      retries: 1,
    });
    const plain = await cli({ store: fixture, now: NOW }, "stats", "--agent", "coder", "--since", "7d");
    expect(plain.stdout.split("\n")[0]).toBe("coder: 4 tasks · ⏳1 🔄0 ✅2 ❌1 ⛔0 · success 66.7%");
    // one agent: no separate "all" block
    expect(plain.stdout).not.toContain("all:");
    const anna = await cli({ store: fixture, now: NOW }, "stats", "--agent", "anna", "--since", "2026-05-03");
    expect(anna.stdout.split("\n")[0]).toBe("anna: 1 task · ⏳0 🔄1 ✅0 ❌0 ⛔0 · success —");
  });

  it("archived tasks still count, and are counted as archived", async () => {
    const store = copyOfFixture();
    expect((await cli({ store, now: NOW }, "cleanup", "-q")).code).toBe(0);
    const r = await cli({ store, now: NOW }, "stats", "--json");
    expect(r.json.data).toEqual({
      since: null,
      agents: { anna: { ...anna, archived: 1 }, coder: { ...coder, archived: 1 } },
      overall: { ...overall, archived: 2 },
    });
  });

  it("with nothing finished: no success rate (—), no durations; an empty store says so and creates nothing", async () => {
    const store = tempDir();
    await ok(store, NOW, "create", "-q", "--agent", "x", "--name", "waiting");
    const r = await cli({ store, now: NOW }, "stats", "--json");
    expect(r.json.data.overall).toMatchObject({ successRate: 0, durations: { count: 0, avg: null, p50: null, p95: null } });
    expect((await cli({ store, now: NOW }, "stats")).stdout).toBe(
      "x: 1 task · ⏳1 🔄0 ✅0 ❌0 ⛔0 · success —\n   today: +1 ✅0 ❌0 ⛔0 · retries 0 · stalls seen 0 · archived 0\n",
    );
    const fresh = join(tempDir(), "fresh");
    const empty = await cli({ store: fresh, now: NOW }, "stats");
    expect(empty).toMatchObject({ code: 0, stdout: "no tasks\n" });
    expect(existsSync(fresh)).toBe(false);
  });

  it("rejects a bad --since with exit 2", async () => {
    expect((await cli({ store: fixture, now: NOW }, "stats", "--since", "last week")).code).toBe(2);
  });

  it("today is the local date (spawned with TZ=Asia/Shanghai near midnight UTC)", async () => {
    const store = tempDir();
    // 15:30Z is 23:30 on 05-10 in Shanghai; 16:30Z is 00:30 on 05-11. At 17:00Z it is 01:00 on 05-11 there.
    await ok(store, "2026-05-10T15:30:00Z", "create", "-q", "--agent", "x", "--name", "yesterday in shanghai");
    await ok(store, "2026-05-10T16:30:00Z", "create", "-q", "--agent", "x", "--name", "today in shanghai");
    const at = ["stats", "--json", "--now", "2026-05-10T17:00:00Z"];
    const shanghai = spawnCliSync(store, at, { TZ: "Asia/Shanghai" });
    expect(shanghai.code, shanghai.stderr).toBe(0);
    expect(JSON.parse(shanghai.stdout).data.overall.today.created).toBe(1);
    const utc = spawnCliSync(store, at, { TZ: "UTC" });
    expect(JSON.parse(utc.stdout).data.overall.today.created).toBe(2);
  });
});

describe("history", () => {
  it("lists finished tasks newest first, with --limit and --agent", async () => {
    const all = await cli({ store: fixture, now: NOW }, "history", "--json");
    expect(all.json.data.total).toBe(5);
    expect(all.json.data.tasks.map((s: { id: string }) => s.id)).toEqual([ids.c5, ids.c3, ids.c2, ids.a2, ids.c1]);
    const two = await cli({ store: fixture, now: NOW }, "history", "--limit", "2", "-q");
    expect(two.stdout).toBe(`${ids.c5}\n${ids.c3}\n`);
    const anna = await cli({ store: fixture, now: NOW }, "history", "--agent", "anna", "-q");
    expect(anna.stdout).toBe(`${ids.a2}\n`);
    const plain = await cli({ store: fixture, now: NOW }, "history", "--agent", "coder", "--limit", "2");
    expect(plain.stdout).toBe(
      `✅ ship release (25m0s) · coder · 2h ago · ${ids.c5}\n❌ fix crash (5m0s) · coder · 23h ago · ${ids.c3} — segfault again\n`,
    );
    for (const bad of ["0", "x", "-1"]) expect((await cli({ store: fixture, now: NOW }, "history", `--limit=${bad}`)).code).toBe(2);
  });

  it("includes archived tasks, in the same order", async () => {
    const store = copyOfFixture();
    await ok(store, NOW, "cleanup");
    const r = await cli({ store, now: NOW }, "history", "--json");
    expect(r.json.data.tasks.map((s: { id: string }) => s.id)).toEqual([ids.c5, ids.c3, ids.c2, ids.a2, ids.c1]);
    expect(r.json.data.tasks.map((s: { archived?: boolean }) => s.archived === true)).toEqual([false, false, false, true, true]);
    const none = await cli({ store: tempDir(), now: NOW }, "history");
    expect(none).toMatchObject({ code: 0, stdout: "no finished tasks\n" });
  });
});

describe("agents", () => {
  it("one line per agent: current, pending, done, failed, last activity", async () => {
    const r = await cli({ store: fixture, now: NOW }, "agents");
    expect(r.stdout).toBe("anna: 🔄1 ⏳0 ✅0 ❌0 ⛔1 · last activity 1h ago\ncoder: 🔄0 ⏳1 ✅3 ❌1 · last activity 2h ago\n");
    const json = await cli({ store: fixture, now: NOW }, "agents", "--json");
    expect(json.json.data.agents).toEqual([
      { agent: "anna", current: 1, pending: 0, done: 0, failed: 0, cancelled: 1, lastActivity: "2026-05-10T11:00:00.000Z" },
      { agent: "coder", current: 0, pending: 1, done: 3, failed: 1, cancelled: 0, lastActivity: "2026-05-10T10:25:00.000Z" },
    ]);
  });

  it("counts a retry as activity (a queued task's last sign of life)", async () => {
    const store = tempDir();
    const id = await ok(store, "2026-05-10T00:00:00Z", "create", "-q", "x", "--start", "--agent", "rex");
    await ok(store, "2026-05-10T00:02:00Z", "fail", id, "boom");
    await ok(store, "2026-05-10T05:00:00Z", "retry", id);
    const json = await cli({ store, now: "2026-05-10T05:00:30Z" }, "agents", "--json");
    expect(json.json.data.agents).toEqual([
      expect.objectContaining({ agent: "rex", pending: 1, lastActivity: "2026-05-10T05:00:00.000Z" }),
    ]);
  });

  it("counts archived tasks too", async () => {
    const store = copyOfFixture();
    await ok(store, NOW, "cleanup");
    const json = await cli({ store, now: NOW }, "agents", "--json");
    expect(
      json.json.data.agents.map((a: { agent: string; done: number; cancelled: number }) => `${a.agent}:${a.done}:${a.cancelled}`),
    ).toEqual(["anna:0:1", "coder:3:0"]);
    expect((await cli({ store: tempDir(), now: NOW }, "agents")).stdout).toBe("no agents yet\n");
  });

  it("are listed as people read names: case does not come first (alice, bob, Zed), in agents and in status", async () => {
    const store = tempDir();
    for (const agent of ["Zed", "bob", "alice"]) await ok(store, NOW, "create", "-q", "x", "--start", "--agent", agent);
    const agents = await cli({ store, now: NOW }, "agents", "--json");
    expect(agents.json.data.agents.map((a: { agent: string }) => a.agent)).toEqual(["alice", "bob", "Zed"]);
    const status = (await cli({ store, now: NOW }, "status")).stdout;
    expect([...status.matchAll(/^● (\S+)/gm)].map((m) => m[1])).toEqual(["alice", "bob", "Zed"]);
  });
});

describe("TASKPULSE_TZ: the store's report time zone, whatever the host's", () => {
  it("today's counts and log times follow it; a wrong zone is exit 2; a call without it is back on the host's zone", async () => {
    const store = tempDir();
    const id = (await cli({ store, now: "2026-05-01T15:00:00Z" }, "create", "-q", "x", "--start")).stdout.trim();
    const later = "2026-05-01T17:00:00Z"; // 15:00Z is 23:00 in Shanghai, and 17:00Z the next day there
    const today = async (env: Record<string, string>) =>
      (await cli({ store, now: later, env }, "stats", "--json")).json.data.overall.today.created;
    expect(await today({ TASKPULSE_TZ: "UTC" })).toBe(1);
    expect(await today({ TASKPULSE_TZ: "Asia/Shanghai" })).toBe(0);
    expect(await today({ TASKPULSE_TZ: "America/New_York" })).toBe(1);
    expect(await today({ TASKPULSE_TZ: "asia/shanghai" })).toBe(0); // spelt as Intl accepts it
    const log = await cli({ store, env: { TASKPULSE_TZ: "Asia/Shanghai" } }, "log", id);
    expect(log.stdout).toContain("2026-05-01 23:00:00");
    const bad = await cli({ store, env: { TASKPULSE_TZ: "Mars/Olympus" } }, "stats");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("invalid TASKPULSE_TZ 'Mars/Olympus'");
    const host = await cli({ store }, "log", id);
    expect(host.stdout).toContain(new Date("2026-05-01T15:00:00Z").getHours() === 15 ? "2026-05-01 15:00:00" : "2026-05-01");
    expect(process.env.TZ).toBe(hostTz);
  });
});
