// Golden store of schemaVersion 1 / journal v1 (test/fixtures/store-v1, made once by make-store-v1.ts): the current
// code must read it as it is, without rewriting it, write to it, and rebuild it. When schemaVersion 2 comes, this
// test stays (run against the v1 fixture through migrate()) and a v2 fixture joins it.
import { createHash } from "node:crypto";
import { chmodSync, cpSync, readdirSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, ROOT, tempDir } from "../support/helpers.ts";
import { readState } from "../support/store-fixture.ts";

const FIXTURE = join(ROOT, "test", "fixtures", "store-v1");
const NOW = "2026-05-01T10:10:00+08:00";
/** Long enough that nothing is stalled at NOW: a stall alert is a (legitimate) write, and this test is about reads. */
const READ_ENV = { TASKPULSE_STALL: "1d" };

/** The released bytes: the fixture must never be regenerated (it stands for stores on users' disks). */
const PINNED: Record<string, string> = {
  "checkpoint.json": "66554c57376e767746c42d5dcdc12c943a7d8f83b4c3586fc0ff9c476de95efd",
  "journal.jsonl": "73000e0ba0c4b02f54f95db78b64da3f382e75a7314845705d5511cc0acd03ea",
  "journal.prev.jsonl": "6d3948db6f93cc8ac8e48673e7d3809c6aba3924939e7ff6d9d76f4f9859c2a1",
  "state.json": "b17921bc43b45458836cbb59e07d670c72f7e04da41775a1ebf3571af5b6a778",
  "archive/2026-04.index.jsonl": "7a2e5ee63c6fa4b713288fa36eb77e19bf0a288fde68e47089fc64c73a23ea3b",
  "archive/2026-04.tasks.jsonl": "a341afad641a6db0bea2a9b11cd4e0bcb40e3a875fc70cb0c1c82f8e60ae8228",
};

function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    if (statSync(path).isFile() && name !== "lock-owner.json") out[name] = createHash("sha256").update(readFileSync(path)).digest("hex");
  }
  return out;
}

/** A private copy with the modes a store has (a git checkout gives 0644 / 0755). */
function copyFixture(): string {
  const store = join(tempDir(), "store");
  cpSync(FIXTURE, store, { recursive: true });
  chmodSync(store, 0o700);
  chmodSync(join(store, "archive"), 0o700);
  for (const name of readdirSync(store, { recursive: true }) as string[]) {
    if (statSync(join(store, name)).isFile()) chmodSync(join(store, name), 0o600);
  }
  return store;
}

const tp = (store: string, ...argv: string[]) => cli({ store, now: NOW, env: READ_ENV }, ...argv);

describe("golden store v1", () => {
  it("is the released fixture: schemaVersion 1, journal, checkpoint and archive lines v1, bytes unchanged", () => {
    expect(hashes(FIXTURE)).toEqual(PINNED);
    expect(JSON.parse(readFileSync(join(FIXTURE, "state.json"), "utf8")).schemaVersion).toBe(1);
    expect(JSON.parse(readFileSync(join(FIXTURE, "checkpoint.json"), "utf8"))).toMatchObject({ v: 1, state: { schemaVersion: 1 } });
    for (const file of ["journal.prev.jsonl", "journal.jsonl", "archive/2026-04.tasks.jsonl"]) {
      for (const line of readFileSync(join(FIXTURE, file), "utf8").trimEnd().split("\n")) expect(JSON.parse(line).v).toBe(1);
    }
  });

  it("is read by the current code (status, query, stats, history, agents, log) without rewriting any file", async () => {
    const store = copyFixture();
    const before = hashes(store);

    const overview = await tp(store, "status");
    expect(overview.code).toBe(0);
    for (const name of ["日报发布", "部署 v2.3 🚀", "季度报告", "实现登录", "Write login tests", "清理缓存", "同步数据"]) {
      expect(overview.stdout).toContain(name);
    }
    expect(overview.stdout).toContain("stop requested: priorities changed");

    const daily = (await tp(store, "status", "h225ss", "--json")).json.data.task;
    expect(daily).toMatchObject({ name: "日报发布", status: "running", tags: ["daily"] });
    expect(daily.steps.map((s: { status: string }) => s.status)).toEqual(["done", "done", "running"]);
    expect(daily.steps[1]).toMatchObject({ name: "写稿", budgetMs: 1_200_000, message: "初稿完成" });

    const failed = (await tp(store, "query", "--status", "failed", "--json")).json.data;
    expect(failed.tasks.map((r: { id: string }) => r.id).sort()).toEqual(["e224rj", "v22a5h"]);
    const anna = (await tp(store, "query", "--agent", "anna", "--json")).json.data;
    expect(anna.tasks.map((r: { name: string }) => r.name).sort()).toEqual(["Write login tests", "实现登录", "迁移旧数据"]);

    expect((await tp(store, "stats")).code).toBe(0);
    expect((await tp(store, "history")).stdout).toContain("周报整理");
    expect((await tp(store, "agents")).code).toBe(0);
    expect((await tp(store, "limit", "--agent", "anna", "-q")).stdout).toBe("2\n");

    // the audit trail of a hot task spans the rotation (checkpoint + journal); an archived one comes from the archive
    const live = (await tp(store, "log", "h225ss", "--json")).json.data;
    expect(live.entries.map((e: { action: string }) => e.action)).toEqual(["step", "step", "create"]);
    const archived = (await tp(store, "log", "a223xa", "--json")).json.data;
    expect(archived).toMatchObject({ archived: true });
    expect(archived.entries.map((e: { action: string }) => e.action)).toEqual(["done", "step", "create"]);

    expect((await tp(store, "doctor", "--json")).json.data).toMatchObject({ healthy: true, findings: [] });
    expect(hashes(store)).toEqual(before);
  });

  it("takes writes from the current code (which writes it as schemaVersion 2, in parts), and stays healthy", async () => {
    const store = copyFixture();
    expect((await tp(store, "next", "h225ss", "已发布")).code).toBe(0);
    expect((await tp(store, "start", "--agent", "anna", "-q")).stdout).toBe("p226qn\n");
    const created = await tp(store, "create", "-q", "new task");
    expect(created.stdout.trim()).not.toMatch(/^(a223xa|e224rj|h225ss|p226qn|v2279d|t228q3|s229gx|v22a5h|y22bqn)$/);
    expect(JSON.parse(readFileSync(join(store, "state.json"), "utf8"))).toMatchObject({ schemaVersion: 2, seq: 26, counter: 10 });
    expect(Object.keys(readState(store).tasks).sort()).toEqual(
      [...Object.keys(JSON.parse(readFileSync(join(FIXTURE, "state.json"), "utf8")).tasks), created.stdout.trim()].sort(),
    );
    expect((await tp(store, "doctor")).code).toBe(0);
  });

  it("can be rebuilt by doctor from its checkpoint and journal", async () => {
    const store = copyFixture();
    const state = readFileSync(join(store, "state.json"), "utf8");
    unlinkSync(join(store, "state.json"));
    expect((await tp(store, "status")).code).toBe(6);
    expect((await tp(store, "doctor", "--repair")).code).toBe(0);
    // The v1 fixture predates cron jobs: the rebuilt state has the (empty) jobs collection the schema defaults; it
    // is written whole (tasks inline) in the current version, and the next commit writes it as parts.
    expect(JSON.parse(readFileSync(join(store, "state.json"), "utf8"))).toEqual({ ...JSON.parse(state), schemaVersion: 2, jobs: {} });
  });
});
