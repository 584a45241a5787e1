// Retention: cleanup moves exactly the tasks finished more than --days ago into archive/YYYY-MM.*.jsonl, is
// idempotent and safe to run concurrently, closes abandoned running tasks, deletes old archive months; archived
// tasks stay visible to every reader. The journal is rotated with a checkpoint and audit trails survive it.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids.ts";
import { advanceStep, type Change, cancelTask, completeTask, createTask, failTask, startTask } from "../../src/core/lifecycle.ts";
import type { Task } from "../../src/core/model.ts";
import { CHECKPOINT_FILE } from "../../src/store/checkpoint.ts";
import { JsonStore } from "../../src/store/json-store.ts";
import { PREVIOUS_JOURNAL_FILE } from "../../src/store/state-file.ts";
import { cli, spawnCli, tempDir } from "../support/helpers.ts";
import { readState } from "../support/store-fixture.ts";

const NOW = "2026-05-20T12:00:00.000Z";
const DAY = 86_400_000;
/** NOW minus `days` days (fractions allowed). */
const ago = (days: number) => new Date(Date.parse(NOW) - days * DAY).toISOString();

async function ok(store: string, now: string, ...argv: string[]): Promise<string> {
  const r = await cli({ store, now }, ...argv);
  if (r.code !== 0) throw new Error(`${argv.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

type End = "done" | "fail" | "cancel";

/**
 * Writes finished tasks straight through the store in one transaction (the CLI path is covered elsewhere; this
 * keeps fixtures fast): each is created and started at `from` and ended at `to`, with the same audit entries the
 * CLI would write. Returns the ids in order.
 */
interface Spec {
  name: string;
  from: string;
  to: string;
  how?: End;
}

async function seed<const S extends readonly Spec[]>(dir: string, specs: S): Promise<{ [K in keyof S]: string }> {
  const store = new JsonStore(dir, { lockWaitMs: 5000, owner: { agent: "test", command: "seed" } });
  return store.transaction((tx) => {
    const ids: string[] = [];
    for (const spec of specs) {
      const from = { agent: "coder", now: new Date(spec.from) };
      const to = { agent: "coder", now: new Date(spec.to) };
      const base = { agent: "coder", name: spec.name, priority: 5, steps: [], tags: [], after: [], meta: {}, maxRetries: 3 };
      const created = createTask({ ...base, id: newId(tx.nextCounter(), Math.random), start: true }, from);
      const how = spec.how ?? "done";
      const end =
        how === "done"
          ? completeTask(created.task, "ok", to)
          : how === "fail"
            ? failTask(created.task, "boom", true, to)
            : cancelTask(created.task, "dropped", to);
      tx.put(created.task, created.audit);
      tx.put(end.task, end.audit);
      ids.push(created.task.id);
    }
    return ids as { [K in keyof S]: string };
  });
}

function hotIds(store: string): string[] {
  return Object.keys(readState(store).tasks).sort();
}

/** Ids per archive line, in file order (duplicates kept: the test checks there are none). */
function archiveLines(store: string, kind: "index" | "tasks"): string[] {
  const dir = join(store, "archive");
  if (!existsSync(dir)) return [];
  const ids: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(`.${kind}.jsonl`))) {
    for (const line of readFileSync(join(dir, file), "utf8").split("\n").filter(Boolean)) {
      const rec = JSON.parse(line);
      ids.push(kind === "index" ? rec.id : rec.task.id);
    }
  }
  return ids;
}

function storeBytes(store: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "lock-owner.json" || entry.name.endsWith(".lock")) continue;
      if (entry.isDirectory()) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else out[`${prefix}${entry.name}`] = readFileSync(join(dir, entry.name), "utf8");
    }
  };
  walk(store, "");
  return out;
}

const sorted = (list: string[]) => [...list].sort();

describe("cleanup moves exactly the tasks finished more than --days ago", () => {
  it("keeps the boundary, archives past it, never touches unfinished tasks", async () => {
    const store = tempDir();
    const [exact, over, recent, failed, cancelled] = await seed(store, [
      { name: "exactly 7 days", from: ago(8), to: ago(7) },
      { name: "7 days and a minute", from: ago(8), to: new Date(Date.parse(ago(7)) - 60_000).toISOString() },
      { name: "yesterday", from: ago(2), to: ago(1) },
      { name: "failed long ago", from: ago(11), to: ago(10), how: "fail" },
      { name: "cancelled long ago", from: ago(20), to: ago(19), how: "cancel" },
    ]);
    const pending = await ok(store, ago(30), "create", "-q", "--agent", "coder", "--name", "old but pending");
    const running = await ok(store, ago(0.1), "create", "-q", "--agent", "coder", "--name", "running", "--start");

    const r = await cli({ store, now: NOW }, "cleanup", "--json");
    expect(r.code).toBe(0);
    expect(r.json.data).toMatchObject({ archived: 3, abandoned: [], prunedMonths: [], prunedTasks: 0 });
    expect(r.json.push).toBeNull();
    expect(hotIds(store)).toEqual(sorted([exact, recent, pending, running]));
    expect(sorted(archiveLines(store, "index"))).toEqual(sorted([over, failed, cancelled]));
    expect(sorted(archiveLines(store, "tasks"))).toEqual(sorted([over, failed, cancelled]));
    // one file pair per month of finishing, owner-only
    expect(readdirSync(join(store, "archive")).sort()).toEqual(["2026-05.index.jsonl", "2026-05.tasks.jsonl"]);
    expect(statSync(join(store, "archive")).mode & 0o777).toBe(0o700);
    expect(statSync(join(store, "archive", "2026-05.tasks.jsonl")).mode & 0o777).toBe(0o600);

    // --days 3: the 7-day-old one goes too, yesterday's stays
    const r3 = await cli({ store, now: NOW }, "cleanup", "--days", "3", "--json");
    expect(r3.json.data.archived).toBe(1);
    expect(hotIds(store)).toEqual(sorted([recent, pending, running]));
  });

  it("is idempotent: a second run archives 0 and changes no file", async () => {
    const store = tempDir();
    await seed(store, [
      { name: "old", from: ago(10), to: ago(9) },
      { name: "new", from: ago(1), to: ago(0.5) },
    ]);
    expect((await cli({ store, now: NOW }, "cleanup", "--json")).json.data.archived).toBe(1);
    const before = storeBytes(store);
    const again = await cli({ store, now: NOW }, "cleanup", "--json");
    expect(again.json.data).toMatchObject({ archived: 0, abandoned: [], prunedMonths: [] });
    const plain = await cli({ store, now: NOW }, "cleanup");
    expect(plain.stdout).toBe("🧹 cleaned up 0 expired task(s) (>7 days)\n");
    expect(storeBytes(store)).toEqual(before);
  });

  it("plain output is one short line (Live Task Pulse wording in Chinese); -q prints nothing", async () => {
    const store = tempDir();
    await seed(store, [
      { name: "a", from: ago(10), to: ago(9) },
      { name: "b", from: ago(10), to: ago(8) },
    ]);
    const before = storeBytes(store);
    expect((await cli({ store, now: NOW }, "cleanup", "-q")).stdout).toBe("");
    expect(storeBytes(store)).not.toEqual(before);
    await seed(store, [
      { name: "c", from: ago(10), to: ago(9) },
      { name: "d", from: ago(10), to: ago(9) },
    ]);
    const zh = await cli({ store, now: NOW }, "cleanup", "--lang", "zh");
    expect(zh).toMatchObject({ code: 0, stdout: "🧹 清理 2 个过期任务（>7天）\n", stderr: "" });
    const none = await cli({ store, now: NOW }, "cleanup", "--lang", "zh", "--days", "3");
    expect(none.stdout).toBe("🧹 清理 0 个过期任务（>3天）\n");
  });

  it("on a missing store creates nothing", async () => {
    const store = join(tempDir(), "never-used");
    const r = await cli({ store, now: NOW }, "cleanup");
    expect(r).toMatchObject({ code: 0, stdout: "🧹 cleaned up 0 expired task(s) (>7 days)\n", stderr: "" });
    expect(existsSync(store)).toBe(false);
  });

  it.each([
    ["--days", "seven"],
    ["--days", "-1"],
    ["--archive-days", "x"],
    ["--abandon-after", "soon"],
  ])("rejects %s %s with exit 2 and changes nothing", async (flag, value) => {
    const store = tempDir();
    await seed(store, [{ name: "old", from: ago(10), to: ago(9) }]);
    const before = storeBytes(store);
    const r = await cli({ store, now: NOW }, "cleanup", `${flag}=${value}`);
    expect(r.code).toBe(2);
    expect(storeBytes(store)).toEqual(before);
  });
});

describe("archived tasks stay visible", () => {
  it("status, log (full audit trail), query, history and stats find them; prefixes resolve", async () => {
    const store = tempDir();
    const id = await ok(store, ago(12), "create", "-q", "--agent", "coder", "--name", "flaky job");
    await ok(store, ago(11.9), "start", id);
    await ok(store, ago(11.8), "fail", id, "timeout");
    await ok(store, ago(11.7), "retry", id);
    await ok(store, ago(11.6), "start", id);
    await ok(store, ago(11.5), "done", id, "shipped");
    const logBefore = (await cli({ store, now: NOW }, "log", id, "--json")).json.data.entries;
    expect(await ok(store, NOW, "cleanup", "-q")).toBe("");
    expect(hotIds(store)).toEqual([]);

    const log = await cli({ store, now: NOW }, "log", id, "--json");
    expect(log.json.data.archived).toBe(true);
    expect(log.json.data.entries).toEqual(logBefore);
    expect(log.json.data.entries.map((e: { action: string; from: string | null; to: string }) => `${e.action}:${e.from}>${e.to}`)).toEqual([
      "done:running>done",
      "start:pending>running",
      "retry:failed>pending",
      "fail:running>failed",
      "start:pending>running",
      "create:null>pending",
    ]);
    const logText = await cli({ store, now: NOW }, "log", id);
    expect(logText.stdout.split("\n")[0]).toBe(`${id} flaky job (archived)`);

    const status = await cli({ store, now: NOW }, "status", id.slice(0, 5), "--json");
    expect(status.code).toBe(0);
    expect(status.json.data).toMatchObject({ archived: true, task: { id, status: "done", result: "shipped", retries: 1 } });
    expect((await cli({ store, now: NOW }, "status", id, "-q")).stdout).toBe("done\n");

    const found = await cli({ store, now: NOW }, "query", "--text", "flaky", "--json");
    expect(found.json.data.tasks.map((s: { id: string }) => s.id)).toEqual([id]);
    expect((await cli({ store, now: NOW }, "history", "-q")).stdout).toBe(`${id}\n`);
    const stats = await cli({ store, now: NOW }, "stats", "--json");
    expect(stats.json.data.overall).toMatchObject({ counts: { done: 1, total: 1 }, retries: 1, archived: 1, successRate: 1 });

    // the archive fallback does not make unknown ids resolve
    const unknown = await cli({ store, now: NOW }, "log", "zzzz9");
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain("task 'zzzz9' not found");
  });

  it("archive months older than --archive-days are deleted, the rest kept", async () => {
    const store = tempDir();
    const [jan, feb, mar, apr] = await seed(store, [
      { name: "january", from: "2026-01-15T10:00:00Z", to: "2026-01-15T11:00:00Z" },
      { name: "february", from: "2026-02-15T10:00:00Z", to: "2026-02-15T11:00:00Z" },
      { name: "march", from: "2026-03-15T10:00:00Z", to: "2026-03-15T11:00:00Z" },
      { name: "april", from: "2026-04-20T10:00:00Z", to: "2026-04-20T11:00:00Z" },
    ]);
    const now = "2026-05-01T10:00:00Z";
    // default --archive-days 90: the cutoff (2026-01-31) falls inside January, so January is kept
    const first = await cli({ store, now }, "cleanup", "--json");
    expect(first.json.data).toMatchObject({ archived: 4, prunedMonths: [], prunedTasks: 0 });
    expect(
      readdirSync(join(store, "archive"))
        .filter((f) => f.endsWith(".index.jsonl"))
        .sort(),
    ).toEqual(["2026-01.index.jsonl", "2026-02.index.jsonl", "2026-03.index.jsonl", "2026-04.index.jsonl"]);

    // 60 days before 2026-05-01 is 2026-03-02: January and February ended before it
    const pruned = await cli({ store, now }, "cleanup", "--archive-days", "60");
    expect(pruned.stdout).toBe("🧹 cleaned up 0 expired task(s) (>7 days)\n🗑 deleted archives of 2026-01, 2026-02\n");
    expect(readdirSync(join(store, "archive")).sort()).toEqual([
      "2026-03.index.jsonl",
      "2026-03.tasks.jsonl",
      "2026-04.index.jsonl",
      "2026-04.tasks.jsonl",
    ]);
    expect((await cli({ store, now }, "query", "-q", "--sort", "created")).stdout).toBe(`${mar}\n${apr}\n`);
    expect((await cli({ store, now }, "log", jan)).code).toBe(3);
    expect((await cli({ store, now }, "status", feb)).code).toBe(3);
    const again = await cli({ store, now }, "cleanup", "--archive-days", "60", "--json");
    expect(again.json.data).toMatchObject({ prunedMonths: [], prunedTasks: 0 });
  });
});

describe("--abandon-after", () => {
  it("closes a silent running task as failed 'abandoned', with an audit entry and a push", async () => {
    const store = tempDir();
    const silent = await ok(store, ago(3), "create", "-q", "--agent", "coder", "--name", "数据迁移", "抓取", "写入", "--start");
    const alive = await ok(store, ago(3), "create", "-q", "--agent", "coder", "--name", "long job", "--start");
    await ok(store, ago(1), "heartbeat", alive, "still here");
    const waiting = await ok(store, ago(3), "create", "-q", "--agent", "coder", "--name", "waits on CI", "--start");
    await ok(store, ago(2.5), "heartbeat", waiting, "--waiting", "CI pipeline", "--for", "3d");

    const r = await cli({ store, now: NOW }, "cleanup", "--json");
    expect(r.code).toBe(0);
    expect(r.json.data.abandoned).toEqual([silent]);
    expect(r.json.data.archived).toBe(0);
    expect(r.json.push).not.toBeNull();
    expect(r.json.push.tool.message).toContain("数据迁移");
    expect(r.json.push.tool.message).toContain("Error: abandoned (no sign of life for 72h)");
    expect(r.json.data.pushes).toHaveLength(1);

    const task = (await cli({ store, now: NOW }, "status", silent, "--json")).json.data.task;
    expect(task).toMatchObject({ status: "failed", error: "abandoned (no sign of life for 72h)", finishedAt: NOW, retryable: true });
    expect(task.steps.map((s: { status: string }) => s.status)).toEqual(["failed", "pending"]);
    const log = (await cli({ store, now: NOW }, "log", silent, "--json")).json.data.entries;
    expect(log[0]).toMatchObject({ action: "abandon", from: "running", to: "failed", message: "abandoned (no sign of life for 72h)" });
    expect(log).toHaveLength(2);
    for (const id of [alive, waiting])
      expect((await cli({ store, now: NOW }, "status", id, "--json")).json.data.task.status).toBe("running");

    // a shorter --abandon-after closes the one silent for a day; plain output names it
    const plain = await cli({ store, now: NOW }, "cleanup", "--abandon-after", "12h");
    expect(plain.stdout.split("\n").slice(0, 2)).toEqual([
      "🧹 cleaned up 0 expired task(s) (>7 days)",
      `⏹ closed abandoned task ${alive} long job`,
    ]);
    expect((await cli({ store, now: NOW }, "status", alive, "-q")).stdout).toBe("failed\n");
    // closed now, so not archived in the same run; a later cleanup past --days archives it
    expect(hotIds(store)).toContain(silent);
    const later = new Date(Date.parse(NOW) + 8 * DAY).toISOString();
    const archived = await cli({ store, now: later }, "cleanup", "--abandon-after", "30d", "--json");
    expect(archived.json.data.archived).toBe(2);
    expect((await cli({ store, now: later }, "log", silent, "--json")).json.data.entries[0].action).toBe("abandon");
  });
});

describe("concurrent cleanups", () => {
  it("several cleanup processes racing with creates lose nothing and duplicate nothing", async () => {
    const store = tempDir();
    const old = await seed(
      store,
      Array.from({ length: 12 }, (_, i) => ({
        name: `old ${i}`,
        from: ago(20 - i * 0.1),
        to: ago(19 - i * 0.1),
        how: (i % 3 === 0 ? "fail" : i % 3 === 1 ? "done" : "cancel") as End,
      })),
    );
    const hot = [
      ...(await seed(store, [{ name: "recent", from: ago(2), to: ago(1) }])),
      await ok(store, ago(0.01), "create", "-q", "--agent", "q", "--name", "queued"),
    ];

    const runs = await Promise.all([
      ...Array.from({ length: 4 }, () => spawnCli(store, ["cleanup", "--json", "--now", NOW])),
      ...Array.from({ length: 4 }, (_, i) => spawnCli(store, ["create", "-q", "--agent", "q", "--name", `new ${i}`, "--now", NOW])),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const cleanups = runs.slice(0, 4).map((r) => JSON.parse(r.stdout).data.archived as number);
    const created = runs.slice(4).map((r) => r.stdout.trim());
    // each old task archived by exactly one of the cleanups
    expect(cleanups.reduce((a, b) => a + b, 0)).toBe(12);

    const expectedHot = sorted([...hot, ...created]);
    expect(hotIds(store)).toEqual(expectedHot);
    expect(sorted(archiveLines(store, "index"))).toEqual(sorted(old));
    expect(sorted(archiveLines(store, "tasks"))).toEqual(sorted(old));
    const all = await cli({ store, now: NOW }, "query", "--limit", "1000", "--json");
    const ids = all.json.data.tasks.map((s: { id: string }) => s.id);
    expect(sorted(ids)).toEqual(sorted([...old, ...expectedHot]));
    expect(all.json.data.total).toBe(18);
    // every archived task still has its whole trail
    for (const id of old) {
      const entries = (await cli({ store, now: NOW }, "log", id, "--json")).json.data.entries;
      expect(entries.map((e: { action: string }) => e.action).at(-1), id).toBe("create");
      expect(entries).toHaveLength(2);
    }
  });
});

describe("journal rotation", () => {
  const actor = (minute: number) => ({ agent: "main", now: new Date(Date.parse("2026-05-01T10:00:00Z") + minute * 60_000) });

  function open(dir: string): JsonStore {
    return new JsonStore(dir, { lockWaitMs: 5000, rotateBytes: 2000, owner: { agent: "test", command: "test" } });
  }

  const spec = (id: string, steps: string[]) => ({
    id,
    agent: "main",
    name: `task ${id}`,
    priority: 5,
    steps: steps.map((name) => ({ name })),
    tags: [],
    after: [],
    meta: {},
    maxRetries: 3,
  });

  async function create(store: JsonStore, id: string, steps: string[], minute: number): Promise<void> {
    await store.transaction((tx) => {
      const c = createTask({ ...spec(id, steps), start: false }, actor(minute));
      tx.put(c.task, c.audit);
    });
  }

  async function change(store: JsonStore, id: string, fn: (task: Task) => Change): Promise<void> {
    await store.transaction((tx) => {
      const c = fn(tx.get(id) as Task);
      tx.put(c.task, c.audit);
    });
  }

  /** `count` transactions, each creating, starting and finishing three tasks: each one outgrows rotateBytes. */
  async function filler(store: JsonStore, count: number, from: number): Promise<void> {
    for (let n = 0; n < count; n++) {
      await store.transaction((tx) => {
        for (let k = 0; k < 3; k++) {
          const minute = from + n * 3 + k;
          const created = createTask({ ...spec(`f${minute}`, []), start: false }, actor(minute));
          const started = startTask(created.task, actor(minute));
          const done = completeTask(started.task, "ok", actor(minute));
          for (const c of [created, started, done]) tx.put(c.task, c.audit);
        }
      });
    }
  }

  const actions = (entries: { action: string }[]) => entries.map((e) => e.action);

  it("log shows the full trail of a hot task whose early entries were rotated out, and of a task archived after rotation", async () => {
    const dir = tempDir();
    const store = open(dir);
    await create(store, "hot1", ["a", "b", "c"], 0);
    await change(store, "hot1", (t) => startTask(t, actor(1)));
    await create(store, "arch1", [], 2);
    await change(store, "arch1", (t) => startTask(t, actor(3)));
    await filler(store, 2, 10);

    // rotated: the early entries are no longer in the journal, a checkpoint holds them
    expect(existsSync(join(dir, CHECKPOINT_FILE))).toBe(true);
    expect(existsSync(join(dir, PREVIOUS_JOURNAL_FILE))).toBe(true);
    const journal = () => (existsSync(join(dir, "journal.jsonl")) ? readFileSync(join(dir, "journal.jsonl"), "utf8") : "");
    expect(journal()).not.toContain('"task":"hot1","action":"create"');

    await change(store, "hot1", (t) => advanceStep(t, "a done", actor(30)));
    await change(store, "arch1", (t) => completeTask(t, "ok", actor(31)));
    await filler(store, 2, 40); // more rotations: the trail must survive checkpoint to checkpoint
    expect(journal()).not.toContain('"task":"hot1","action":"step"');
    await change(store, "hot1", (t) => advanceStep(t, "b done", actor(60)));
    await store.transaction((tx) => tx.archive(tx.get("arch1") as Task));

    const hot = await cli({ store: dir, now: "2026-05-01T12:00:00Z" }, "log", "hot1", "--json");
    expect(hot.json.data.archived).toBe(false);
    expect(actions(hot.json.data.entries)).toEqual(["step", "step", "start", "create"]);
    expect(hot.json.data.entries.map((e: { message?: string }) => e.message)).toEqual(["b: b done", "a: a done", undefined, "task hot1"]);

    const archived = await cli({ store: dir, now: "2026-05-01T12:00:00Z" }, "log", "arch1", "--json");
    expect(archived.json.data.archived).toBe(true);
    expect(actions(archived.json.data.entries)).toEqual(["done", "start", "create"]);
    expect(await store.auditTrail("f10")).toHaveLength(3);

    // the journal stays bounded: never much more than rotateBytes
    expect(statSync(join(dir, "journal.jsonl")).size).toBeLessThan(4000);
  });

  it("a task archived by cleanup after rotations keeps its full trail (CLI over a rotating store)", async () => {
    const dir = tempDir();
    const store = open(dir);
    await create(store, "keep1", [], 0);
    await change(store, "keep1", (t) => startTask(t, actor(1)));
    await filler(store, 2, 10);
    await change(store, "keep1", (t) => completeTask(t, "done at last", actor(30)));
    await filler(store, 2, 40);
    expect(existsSync(join(dir, "journal.jsonl")) ? readFileSync(join(dir, "journal.jsonl"), "utf8") : "").not.toContain('"task":"keep1"');

    const r = await cli({ store: dir, now: "2026-05-10T12:00:00Z" }, "cleanup", "--json");
    expect(r.json.data.archived).toBe(13);
    const log = await cli({ store: dir, now: "2026-05-10T12:00:00Z" }, "log", "keep1", "--json");
    expect(log.json.data.archived).toBe(true);
    expect(log.json.data.entries.map((e: { action: string; at: string }) => `${e.action}@${e.at.slice(11, 16)}`)).toEqual([
      "done@10:30",
      "start@10:01",
      "create@10:00",
    ]);
  });
});
