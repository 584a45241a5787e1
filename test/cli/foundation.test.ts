import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agentFromWorkspace, resolveAgent } from "../../src/app/identity.ts";
import { cli, spawnCliSync, tempDir } from "../support/helpers.ts";

function snapshotFiles(store: string): string {
  const read = (f: string) => (existsSync(join(store, f)) ? readFileSync(join(store, f), "utf8") : "<none>");
  return `${read("state.json")}\n---\n${read("journal.jsonl")}`;
}

describe("create, both forms", () => {
  it("Live Task Pulse form: positional steps, --start, -q prints only the id", async () => {
    const store = tempDir();
    const r = await cli({ store }, "create", "-q", "日报发布", "抓取", "写稿", "发布", "--start");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[a-z][a-z2-9]{5}\n$/);
    const id = r.stdout.trim();
    const s = await cli({ store }, "status", id, "--json");
    expect(s.json.data.task).toMatchObject({ name: "日报发布", status: "running", agent: "main" });
    expect(s.json.data.task.steps.map((x: { name: string; status: string }) => `${x.name}:${x.status}`)).toEqual([
      "抓取:running",
      "写稿:pending",
      "发布:pending",
    ]);
  });

  it("agent-task-list / OpenTask form: --agent --name --priority (both scales)", async () => {
    const store = tempDir();
    const a = await cli({ store }, "create", "--agent", "agent-coder", "--name", "实现登录", "--priority", "8", "--json");
    expect(a.code).toBe(0);
    expect(a.json.data.task).toMatchObject({ agent: "agent-coder", name: "实现登录", priority: 8, status: "pending" });
    const b = await cli({ store }, "create", "--agent", "anna", "--name", "发送消息", "-p", "P0", "--json");
    expect(b.json.data.task.priority).toBe(10);
    const c = await cli({ store }, "create", "--agent", "anna", "--name", "x", "--json");
    expect(c.json.data.task.priority).toBe(5);
  });

  it("ids are unique, shell-safe and never start with '-'", async () => {
    const store = tempDir();
    const ids = new Set<string>();
    for (let i = 0; i < 30; i++) ids.add((await cli({ store }, "create", "-q", "!!! ---", "--agent", "x")).stdout.trim());
    expect(ids.size).toBe(30);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9]+$/);
  });
});

describe("lifecycle from the CLI", () => {
  it("runs the queue flow: create, start (next task), complete; fail, retry, cancel", async () => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "--agent", "coder", "--name", "t1")).stdout.trim();
    const start = await cli({ store }, "start", "--agent", "coder", "-q");
    expect(start.stdout.trim()).toBe(id);
    expect((await cli({ store }, "complete", id, "ok")).code).toBe(0);
    const id2 = (await cli({ store }, "create", "-q", "--agent", "coder", "--name", "t2")).stdout.trim();
    await cli({ store }, "start", id2);
    expect((await cli({ store }, "fail", id2, "boom")).code).toBe(0);
    const retry = await cli({ store }, "retry", id2, "--json");
    expect(retry.json.data.task).toMatchObject({ status: "pending", retries: 1 });
    const cancel = await cli({ store }, "cancel", id2, "no longer needed", "--json");
    expect(cancel.json.data.task).toMatchObject({ status: "cancelled", reason: "no longer needed" });
    const log = await cli({ store }, "log", id2, "--json");
    expect(log.json.data.entries.map((e: { action: string }) => e.action)).toEqual(["cancel", "retry", "fail", "start", "create"]);
  });

  it("error without a message is a usage error (exit 2), as in the original, and changes nothing", async () => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "x", "a", "--start")).stdout.trim();
    const before = snapshotFiles(store);
    for (const argv of [
      ["error", id],
      ["fail", id],
      ["error", id, "   "],
      ["error", id, "--json"],
    ]) {
      const r = await cli({ store }, ...argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stdout + r.stderr, argv.join(" ")).toMatch(/message/);
    }
    expect(snapshotFiles(store)).toEqual(before);
    expect((await cli({ store }, "error", id, "disk", "full")).code).toBe(0);
  });

  it("an invalid transition exits 4, names the state, and changes nothing", async () => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "x", "a", "--start")).stdout.trim();
    await cli({ store }, "done", id);
    const before = snapshotFiles(store);
    for (const argv of [
      ["heartbeat", id],
      ["next", id],
      ["done", id],
      ["fail", id, "x"],
      ["retry", id],
      ["cancel", id],
      ["start", id],
    ]) {
      const r = await cli({ store }, ...argv);
      expect(r.code, argv.join(" ")).toBe(4);
      expect(r.stderr).toContain("is done");
      expect(r.stderr).toContain("hint:");
    }
    expect(snapshotFiles(store)).toBe(before);
  });

  it("start without an id on an empty queue prints nothing with -q, exits 0 and creates no store", async () => {
    const store = join(tempDir(), "never-created");
    const r = await cli({ store }, "start", "--agent", "anna", "-q");
    expect(r).toMatchObject({ code: 0, stdout: "", stderr: "" });
    expect(existsSync(store)).toBe(false);
  });

  it("one running task per agent by default; the answer names the running task", async () => {
    const store = tempDir();
    // Created a second apart: at the same instant the FIFO tie is broken by the (random) id, and this test flaked.
    const a = (await cli({ store, now: "2026-05-01T09:59:59Z" }, "create", "-q", "--agent", "anna", "--name", "first")).stdout.trim();
    await cli({ store }, "create", "-q", "--agent", "anna", "--name", "second");
    await cli({ store }, "start", "--agent", "anna");
    const busy = await cli({ store }, "start", "--agent", "anna", "--json");
    expect(busy.code).toBe(0);
    expect(busy.json.data).toMatchObject({ claimed: false, busy: true, running: [a] });
    await cli({ store }, "limit", "2", "--agent", "anna");
    const second = await cli({ store }, "start", "--agent", "anna", "--json");
    expect(second.json.data.task.name).toBe("second");
  });
});

describe("bad input: a clear message, the documented exit code, nothing changed", () => {
  const cases: [string, string[], number, RegExp][] = [
    ["unknown id", ["status", "zzzzzz"], 3, /not found/],
    ["priority 0", ["create", "--name", "x", "--priority", "0"], 2, /invalid priority/],
    ["priority 11", ["create", "--name", "x", "--priority", "11"], 2, /invalid priority/],
    ["priority P9", ["create", "--name", "x", "--priority", "P9"], 2, /invalid priority/],
    ["agent ../x", ["create", "--name", "x", "--agent", "../x"], 2, /invalid agent name/],
    ["agent with slash", ["start", "--agent", "a/b"], 2, /invalid agent name/],
    ["empty name", ["create", "--name", "  "], 2, /must not be empty/],
    ["no name", ["create"], 2, /needs a name/],
    ["huge name", ["create", "x".repeat(5000)], 2, /too long/],
    ["unknown command", ["frobnicate"], 2, /unknown command/],
    ["unknown flag", ["status", "--frobnicate"], 2, /unknown option/],
    ["bad --now", ["status", "--now", "yesterday"], 2, /invalid --now/],
    ["bad --progress", ["heartbeat", "abc", "--progress", "120"], 2, /invalid --progress/],
    ["bad duration", ["create", "x", "--stall-after", "soon"], 2, /invalid --stall-after/],
    ["bad lang", ["status", "--lang", "fr"], 2, /invalid language/],
    ["bad id chars", ["status", "../../etc"], 2, /invalid task id/],
    ["bad --meta", ["create", "x", "--meta", "novalue"], 2, /invalid --meta/],
  ];
  it.each(cases)("%s", async (_label, argv, code, message) => {
    const store = tempDir();
    await cli({ store }, "create", "-q", "seed");
    const before = snapshotFiles(store);
    const r = await cli({ store }, ...argv);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(snapshotFiles(store)).toBe(before);
    const j = await cli({ store }, ...argv, "--json");
    expect(j.code).toBe(code);
    expect(j.json).toMatchObject({ schemaVersion: 1, ok: false, error: { code: expect.any(String), message: expect.any(String) } });
  });

  it("a multi-line message is kept whole in the task and flattened in display", async () => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "x", "a", "b", "--start")).stdout.trim();
    const r = await cli({ store }, "next", id, "line one\nline two\n  at stack", "--json");
    expect(r.code).toBe(0);
    expect(r.json.data.task.steps[0].message).toBe("line one\nline two\n  at stack");
    expect(r.json.push.tool.message.split("\n")).toHaveLength(2);
  });

  it("an ambiguous prefix is an error listing the candidates", async () => {
    const store = tempDir();
    let n = 0;
    const random = () => [0.01, 0.5, 0.5][n++ % 3] as number; // same first letter every time
    const a = (await cli({ store, random }, "create", "-q", "one")).stdout.trim();
    const b = (await cli({ store, random }, "create", "-q", "two")).stdout.trim();
    expect(a[0]).toBe(b[0]);
    const r = await cli({ store }, "status", a.slice(0, 1));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(a);
    expect(r.stderr).toContain(b);
    expect((await cli({ store }, "status", a.slice(0, 5))).code).toBe(0);
  });
});

describe("output contract", () => {
  it("--json prints exactly one envelope on stdout, success or failure", async () => {
    const store = tempDir();
    const ok = await cli({ store }, "create", "x", "--json");
    expect(ok.stdout.trim().split("\n")).toHaveLength(1);
    expect(ok.json).toMatchObject({ schemaVersion: 1, ok: true, data: { task: { name: "x" } } });
    expect(ok.json).toHaveProperty("push");
    const bad = await cli({ store }, "done", "nope", "--json");
    expect(bad.stdout.trim().split("\n")).toHaveLength(1);
    expect(bad.json).toMatchObject({ ok: false, error: { code: "not_found", hint: expect.any(String) } });
  });

  it("--now fixes the clock", async () => {
    const store = tempDir();
    const r = await cli({ store }, "create", "x", "--json", "--now", "2026-06-01T08:00:00+08:00");
    expect(r.json.data.task.createdAt).toBe("2026-06-01T00:00:00.000Z");
  });

  it("--help lists exit codes, and every command's help has an example", async () => {
    const store = tempDir();
    const root = await cli({ store }, "--help");
    expect(root.code).toBe(0);
    expect(root.stdout).toContain("Exit codes:");
    // commands in groups, by name only, and the whole help within 80 columns
    const commands = root.stdout.slice(root.stdout.indexOf("\nLive tasks:"), root.stdout.indexOf("Exit codes:"));
    for (const group of ["Live tasks:", "Queues:", "Stop requests:", "Cron jobs:", "Store:", "Dashboard and OpenClaw:"])
      expect(commands).toContain(`\n${group}\n`);
    for (const line of root.stdout.split("\n")) expect(line.length, line).toBeLessThanOrEqual(80);
    const names = [...commands.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1] as string).filter((n) => n !== "help");
    expect(names.length).toBeGreaterThan(25);
    for (const name of names) {
      const h = await cli({ store }, name, "--help");
      expect(h.code, name).toBe(0);
      expect(h.stdout, name).toMatch(/Examples?:\n {2}\$ taskpulse /);
    }
  });

  it("help for a word that is no command says so, with the nearest command (exit 2)", async () => {
    const r = await cli({ store: tempDir() }, "help", "nxt");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown command 'nxt'\n(Did you mean next?)\n");
    expect((await cli({ store: tempDir() }, "help", "next")).stdout).toContain("Usage: taskpulse next");
  });

  it("a mistyped command gets a suggestion", async () => {
    const r = await cli({ store: tempDir() }, "stauts");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Did you mean .*status/i);
  });
});

describe("identity", () => {
  it("derives the agent from the OpenClaw workspace folder", () => {
    expect(agentFromWorkspace("/home/u/.openclaw/workspace")).toBe("main");
    expect(agentFromWorkspace("/home/u/.openclaw/workspace-coder/src/lib")).toBe("coder");
    expect(agentFromWorkspace("/srv/project")).toBeUndefined();
    expect(resolveAgent(undefined, { TASKPULSE_AGENT: "anna" }, "/home/u/.openclaw/workspace-coder")).toBe("anna");
    expect(resolveAgent("bob", { TASKPULSE_AGENT: "anna" }, "/x")).toBe("bob");
    expect(resolveAgent(undefined, {}, "/x")).toBe("main");
  });

  it("the workspace decides the agent of a call made from it", async () => {
    const store = tempDir();
    const r = await cli({ store, cwd: "/home/u/.openclaw/workspace-coder/sub" }, "create", "x", "--json");
    expect(r.json.data.task.agent).toBe("coder");
  });
});

describe("the real binary", () => {
  it("runs the Live Task Pulse flow end to end", () => {
    const store = tempDir();
    const id = spawnCliSync(store, ["create", "-q", "日报发布", "抓取", "写稿", "发布", "--start"]).stdout.trim();
    expect(spawnCliSync(store, ["next", id, "抓取了25条数据"]).stdout).toContain("[1/3] ███░░░░░░░ → 写稿");
    expect(spawnCliSync(store, ["heartbeat", id, "已处理60%"]).stdout).toContain("💓 ok");
    expect(spawnCliSync(store, ["next", id]).code).toBe(0);
    const done = spawnCliSync(store, ["done", id, "发布成功", "--lang", "zh"]);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/✅ 完成 \(\d+s\)/);
    const status = spawnCliSync(store, ["status", "--lang", "zh"]);
    expect(status.stdout).toContain("✅ 日报发布 [3/3] ██████████ 完成");
    expect(status.stdout).toContain("📊 🔄0 ⚠️0 ⏳0 ✅1 ❌0");
  });

  it("exits with the documented code and no stack trace on bad input", () => {
    const store = tempDir();
    const r = spawnCliSync(store, ["done", "../x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
