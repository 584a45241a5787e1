// Push decisions through the CLI: dedupe, the heartbeat throttle across separate invocations (in-process with a
// shared store and different clocks, and spawned processes with --now), policies, routing precedence, the hint,
// -q, edit-in-place after `pushed`, argv round-trips, stall alerts once per episode, and queue tasks.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CliResult, cli, spawnCliSync, tempDir } from "../support/helpers.ts";

const T0 = Date.parse("2026-05-01T10:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

/** A store and a runner with a clock in seconds from T0, Chinese texts and JSON output. */
function session(env: Record<string, string> = {}) {
  const store = tempDir();
  const c = (seconds: number, ...argv: string[]) => cli({ store, now: at(seconds), env }, "--json", "--lang", "zh", ...argv);
  return { store, c };
}

async function createLive(c: (s: number, ...a: string[]) => Promise<CliResult>, ...extra: string[]): Promise<string> {
  const r = await c(0, "create", "日报发布", "抓取", "写稿", "发布", "--start", ...extra);
  expect(r.code).toBe(0);
  return r.json.data.task.id as string;
}

const text = (r: CliResult): string | undefined => r.json.push?.tool.message;

/** The value of `flag` in an argv array: the next element, or attached as `flag=value`. */
function flagValue(argv: string[], flag: string): string | undefined {
  const attached = argv.find((a) => a.startsWith(`${flag}=`));
  if (attached !== undefined) return attached.slice(flag.length + 1);
  const i = argv.indexOf(flag);
  return i < 0 ? undefined : argv[i + 1];
}

describe("dedupe and the heartbeat throttle", () => {
  it("two heartbeats with the same message 40 s apart: the second has push null", async () => {
    const { c } = session();
    const id = await createLive(c);
    const first = await c(40, "heartbeat", id, "已处理60%");
    expect(text(first)).toBe("💓 【日报发布】进行中\n🔄 当前: 抓取 [0/3] — 已处理60%");
    const second = await c(80, "heartbeat", id, "已处理60%");
    expect(second.code).toBe(0);
    expect(second.json.push).toBeNull();
    const third = await c(120, "heartbeat", id, "已处理80%");
    expect(text(third)).toBe("💓 【日报发布】进行中\n🔄 当前: 抓取 [0/3] — 已处理80%");
  });

  it("a heartbeat pushes only when meaningful: a message or a changed progress", async () => {
    const { c } = session();
    const id = await createLive(c);
    expect((await c(40, "heartbeat", id)).json.push).toBeNull();
    const p50 = await c(80, "heartbeat", id, "--progress", "50");
    expect(text(p50)).toBe("💓 【日报发布】进行中 50%\n🔄 当前: 抓取 [0/3]");
    expect(p50.json.push.reason).toBe("heartbeat");
    expect((await c(120, "heartbeat", id, "--progress", "50")).json.push).toBeNull();
    expect((await c(160, "heartbeat", id, "--waiting", "CI")).json.push).toBeNull();
    expect(text(await c(200, "heartbeat", id, "--progress", "60"))).toBe("💓 【日报发布】进行中 60%\n🔄 当前: 抓取 [0/3]");
    const noSteps = (await c(0, "create", "单步", "--start")).json.data.task.id;
    expect(text(await c(40, "heartbeat", noSteps, "--progress", "10"))).toBe("💓 【单步】进行中 10%");
  });

  it("at most one heartbeat push per 30 s per task, counted from the last push; other tasks are independent", async () => {
    const { c } = session();
    const id = await createLive(c); // start pushed at 0
    expect((await c(10, "heartbeat", id, "a")).json.push).toBeNull(); // 10 s after the start push
    expect((await c(29, "heartbeat", id, "b")).json.push).toBeNull();
    expect(text(await c(30, "heartbeat", id, "c"))).toBe("💓 【日报发布】进行中\n🔄 当前: 抓取 [0/3] — c");
    // another task has its own clock: its start was pushed at 20, so at 35 it is throttled and at 50 it is not
    const other = (await c(20, "create", "周报", "--start")).json.data.task.id;
    expect((await c(35, "heartbeat", other, "a")).json.push).toBeNull();
    expect(text(await c(50, "heartbeat", other, "a"))).toBe("💓 【周报】进行中\n🔄 当前: a");
    expect((await c(59, "heartbeat", id, "d")).json.push).toBeNull();
    // a step change is not throttled, and the heartbeat after it waits 30 s from that push
    expect(text(await c(61, "next", id))).toBe("✅ [1/3] 抓取完成\n🔄 → 写稿");
    expect((await c(80, "heartbeat", id, "e")).json.push).toBeNull();
    expect(text(await c(91, "heartbeat", id, "e"))).toBe("💓 【日报发布】进行中\n🔄 当前: 写稿 [1/3] — e");
  });

  it("the throttle and dedupe hold across separate spawned processes (--now)", () => {
    const store = tempDir();
    const run = (seconds: number, ...args: string[]) => {
      const r = spawnCliSync(store, ["--json", "--lang", "zh", "--now", at(seconds), ...args]);
      return { ...r, json: JSON.parse(r.stdout) };
    };
    const created = run(0, "create", "日报发布", "抓取", "写稿", "--start");
    expect(created.code).toBe(0);
    const id = created.json.data.task.id as string;
    expect(run(10, "heartbeat", id, "x").json.push).toBeNull();
    const pushed = run(40, "heartbeat", id, "x");
    expect(pushed.json.push.tool.message).toBe("💓 【日报发布】进行中\n🔄 当前: 抓取 [0/2] — x");
    expect(run(80, "heartbeat", id, "x").json.push).toBeNull(); // same text again, 40 s later
    expect(run(90, "heartbeat", id, "y").json.push.tool.message).toBe("💓 【日报发布】进行中\n🔄 当前: 抓取 [0/2] — y");
    expect(run(119, "heartbeat", id, "z").json.push).toBeNull(); // within 30 s of the last push
    expect(run(120, "heartbeat", id, "z").json.push.tool.message).toBe("💓 【日报发布】进行中\n🔄 当前: 抓取 [0/2] — z");
  });
});

describe("policies", () => {
  it("silent never pushes", async () => {
    const { c } = session();
    const id = await createLive(c, "--notify", "silent");
    const all = [await c(0, "status", id), await c(40, "heartbeat", id, "x"), await c(50, "next", id), await c(60, "done", id, "ok")];
    for (const r of all) expect(r.json.push).toBeNull();
    const id2 = await createLive(c, "--notify", "silent");
    expect((await c(1000, "status", id2)).json.push).toBeNull(); // stalled, but silent
    expect((await c(1000, "fail", id2, "boom")).json.push).toBeNull();
  });

  it("final pushes only done, failed and stalled", async () => {
    const { c } = session();
    const created = await c(0, "create", "日报发布", "抓取", "写稿", "--start", "--notify", "final");
    expect(created.json.push).toBeNull();
    const id = created.json.data.task.id;
    expect((await c(40, "heartbeat", id, "x")).json.push).toBeNull();
    expect((await c(50, "next", id, "ok")).json.push).toBeNull();
    expect(text(await c(300, "status", id))).toBe("⚠️ 【日报发布】可能卡住了（4分钟无更新）\n当前步骤: 写稿 [1/2]");
    expect(text(await c(310, "done", id))).toBe("🎉 【日报发布】完成！(5m10s)");
    const id2 = (await c(0, "create", "b", "--start", "--notify", "final")).json.data.task.id;
    expect(text(await c(5, "fail", id2, "boom"))).toBe("❌ 【b】失败\n错误: boom");
  });

  it("steps pushes start, steps and the end, but no heartbeats", async () => {
    const { c } = session();
    const id = await createLive(c, "--notify", "steps");
    expect((await c(40, "heartbeat", id, "x", "--progress", "10")).json.push).toBeNull();
    expect(text(await c(50, "next", id))).toBe("✅ [1/3] 抓取完成\n🔄 → 写稿");
    expect(text(await c(60, "done", id))).toBe("🎉 【日报发布】完成！(1m0s)");
  });

  it("TASKPULSE_NOTIFY sets the default; a task's own --notify wins; a bad value is a usage error", async () => {
    const { c } = session({ TASKPULSE_NOTIFY: "final" });
    const quiet = await c(0, "create", "a", "x", "y", "--start");
    expect(quiet.json.push).toBeNull();
    expect((await c(10, "next", quiet.json.data.task.id)).json.push).toBeNull();
    const loud = await c(0, "create", "b", "x", "y", "--start", "--notify", "all");
    expect(text(loud)).toBe("🚀 开始【b】\n📋 x → y\n🔄 当前: x");
    expect(text(await c(10, "next", loud.json.data.task.id))).toBe("✅ [1/2] x完成\n🔄 → y");
    const bad = await cli({ store: tempDir(), env: { TASKPULSE_NOTIFY: "loud" } }, "--json", "create", "c");
    expect(bad.code).toBe(2);
    expect(bad.json.error.message).toContain("TASKPULSE_NOTIFY");
    const badFlag = await cli({ store: tempDir() }, "--json", "create", "c", "--notify", "loud");
    expect(badFlag.code).toBe(2);
  });
});

describe("routing, hint, argv and -q", () => {
  it("per call, per task, then env; fields are resolved one by one", async () => {
    const env = { TASKPULSE_CHANNEL: "slack", TASKPULSE_TARGET: "C999", TASKPULSE_ACCOUNT: "envbot", TASKPULSE_THREAD: "t-env" };
    const { c } = session(env);
    // env only
    const plain = await c(0, "create", "a", "x", "y", "--start");
    expect(plain.json.push.tool).toEqual({
      action: "send",
      message: "🚀 开始【a】\n📋 x → y\n🔄 当前: x",
      channel: "slack",
      target: "C999",
      accountId: "envbot",
      threadId: "t-env",
    });
    expect(plain.json.push.hint).toBeUndefined();
    // the task's own route beats env; what it leaves out still comes from env
    const own = await c(0, "create", "b", "x", "y", "--start", "--channel", "telegram", "--target", "123");
    const id = own.json.data.task.id;
    expect(own.json.data.task.route).toEqual({ channel: "telegram", target: "123" });
    const step = await c(10, "next", id);
    expect(step.json.push.tool).toMatchObject({ channel: "telegram", target: "123", accountId: "envbot", threadId: "t-env" });
    // this call's flags beat both
    const call = await c(20, "next", id, "--channel", "discord", "--target", "channel:42", "--account", "a2", "--thread", "th2");
    expect(call.json.push.tool).toMatchObject({ channel: "discord", target: "channel:42", accountId: "a2", threadId: "th2" });
  });

  it("per task routing with all four flags, and argv round-trips the tool fields", async () => {
    const { c } = session();
    const created = await c(
      0,
      "create",
      "日报",
      "抓取",
      "--start",
      "--channel",
      "telegram",
      "--target",
      "-100123",
      "--account",
      "bot2",
      "--thread",
      "77",
    );
    const push = created.json.push;
    expect(push.tool).toEqual({
      action: "send",
      message: "🚀 开始【日报】\n📋 抓取\n🔄 当前: 抓取",
      channel: "telegram",
      target: "-100123",
      accountId: "bot2",
      threadId: "77",
    });
    expect(push.argv.slice(0, 3)).toEqual(["openclaw", "message", "send"]);
    expect(flagValue(push.argv, "--message")).toBe(push.tool.message);
    expect(flagValue(push.argv, "--channel")).toBe("telegram");
    expect(flagValue(push.argv, "--target")).toBe("-100123");
    expect(flagValue(push.argv, "--account")).toBe("bot2");
    expect(flagValue(push.argv, "--thread-id")).toBe("77");
    // A value starting with "-" is attached, so it can never be read as an option; the output is always JSON.
    expect(push.argv).toContain("--target=-100123");
    expect(push.argv.at(-1)).toBe("--json");
    expect(push.argv).toHaveLength(3 + 2 * 4 + 1 + 1);
  });

  it("argv round-trips for every kind of push, and leaves out routing flags that are not configured", async () => {
    const { c } = session();
    const id = await createLive(c, "--target", "123");
    const results = [
      await c(0, "status", id),
      await c(40, "heartbeat", id, "多行\n消息", "--progress", "5"),
      await c(50, "next", id, "抓了 25 条 \"quoted\" 'x' $HOME"),
      await c(400, "status", id),
      await c(410, "stop", id, "换分支"),
      await c(420, "ack", id, "写到一半"),
    ];
    const pushes = results.map((r) => r.json.push).filter((p) => p !== null);
    expect(pushes.map((p) => p.reason)).toEqual(["heartbeat", "step", "stalled", "stopping", "stopped"]);
    for (const p of pushes) {
      expect(flagValue(p.argv, "--message")).toBe(p.tool.message);
      expect(flagValue(p.argv, "--target")).toBe("123");
      expect(p.argv).not.toContain("--channel");
      expect(p.argv).not.toContain("--account");
      expect(p.tool).not.toHaveProperty("channel");
      expect(p.tool.target).toBe("123");
    }
  });

  it("without a target argv is null (openclaw message requires --target) and the hint says so", async () => {
    const { c } = session();
    const id = await createLive(c);
    const step = await c(10, "next", id);
    expect(step.json.push.tool).not.toHaveProperty("target");
    expect(step.json.push.argv).toBeNull();
    expect(step.json.push.hint).toMatch(/push\.argv is null: `openclaw message` needs --target/);
  });

  it("a route value that looks like an option is attached to its flag", async () => {
    const { c } = session({ TASKPULSE_TARGET: "--exec=rm -rf /", TASKPULSE_ACCOUNT: "-x" });
    const created = await c(0, "create", "a", "x", "--start");
    expect(created.json.push.argv).toEqual([
      "openclaw",
      "message",
      "send",
      "--target=--exec=rm -rf /",
      "--account=-x",
      "--message",
      "🚀 开始【a】\n📋 x\n🔄 当前: x",
      "--json",
    ]);
  });

  it("without a target the JSON push carries a hint; plain output prints the message between markers, without the hint", async () => {
    const store = tempDir();
    const json = await cli({ store }, "--json", "--lang", "zh", "create", "日报", "--start");
    expect(json.json.push.hint).toMatch(/no target configured/);
    expect(json.json.push.hint).toMatch(/--channel\/--target/);
    const withTarget = await cli({ store }, "--json", "create", "b", "--start", "--channel", "telegram", "--target", "1");
    expect(withTarget.json.push.hint).toBeUndefined();
    const plain = await cli({ store }, "--lang", "zh", "create", "日报2", "--start");
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain("--- push ---\n🚀 开始【日报2】\n--- end push ---\n");
    expect(plain.stdout).not.toContain("no target");
  });

  it("-q prints no push and records none", async () => {
    const { store, c } = session();
    const id = await createLive(c);
    const q = await cli({ store, now: at(40) }, "-q", "--lang", "zh", "next", id, "抓取了25条数据");
    expect(q.code).toBe(0);
    expect(q.stdout).toBe("");
    const state = (await c(41, "status", id)).json.data.task;
    expect(state.steps[0].status).toBe("done"); // the change itself was made
    expect(state.push.lastText).toBe("🚀 开始【日报发布】\n📋 抓取 → 写稿 → 发布\n🔄 当前: 抓取");
    expect(state.push.count).toBe(1);
    // nothing recorded, so a heartbeat right after is not throttled by a push that never happened…
    const hb = await cli({ store, now: at(45) }, "-q", "heartbeat", id, "x");
    expect(hb.stdout).toBe("");
    expect((await c(46, "status", id)).json.data.task.push.lastAt).toBe(at(0));
    // …and a stall seen with -q is not recorded as alerted
    expect((await cli({ store, now: at(500) }, "-q", "status", id)).stdout).toBe("stalled\n");
    expect(text(await c(501, "status", id))).toBe("⚠️ 【日报发布】可能卡住了（7分钟无更新）\n当前步骤: 写稿 [1/3]");
  });
});

describe("edit in place after `pushed`", () => {
  it("progress on telegram becomes an edit of the recorded message; done is a new message", async () => {
    const { c } = session();
    const id = await createLive(c);
    const rec = await c(1, "pushed", id, "4711", "--channel", "telegram");
    expect(rec.code).toBe(0);
    expect(rec.json.data).toEqual({ task: id, messageId: "4711", channel: "telegram" });
    const step = await c(10, "next", id, "25条");
    // the edit carries the whole card: name, count and bar, plan, current step with the latest news
    const card = "🚀 【日报发布】 [1/3] ▓▓▓░░░░░░░ 33%\n📋 抓取 → 写稿 → 发布\n🔄 当前: 写稿 — ✅ 抓取完成（25条）";
    expect(step.json.push.tool).toEqual({ action: "edit", messageId: "4711", message: card });
    expect(step.json.push.argv).toBeNull(); // no target: the message tool edits in the current conversation
    const hb = await c(45, "heartbeat", id, "写到一半", "--progress", "50");
    expect(hb.json.push.tool).toEqual({
      action: "edit",
      messageId: "4711",
      message: "🚀 【日报发布】 [1/3] ▓▓▓▓▓░░░░░ 50%\n📋 抓取 → 写稿 → 发布\n🔄 当前: 写稿 — 写到一半",
    });
    const done = await c(60, "done", id, "https://example.com/r");
    expect(done.json.push.tool).toEqual({ action: "send", message: "🎉 【日报发布】完成！(1m0s)\n结果: https://example.com/r" });
  });

  it("failed and stalled are new messages; the route of the task decides the channel when pushed has none", async () => {
    const { c } = session();
    const id = await createLive(c, "--channel", "discord", "--target", "channel:9");
    await c(1, "pushed", id, "m-1");
    const step = await c(10, "next", id);
    expect(step.json.push.tool).toMatchObject({ action: "edit", messageId: "m-1", channel: "discord", target: "channel:9" });
    expect(flagValue(step.json.push.argv, "--message-id")).toBe("m-1");
    const stalled = await c(300, "status", id);
    expect(stalled.json.push.reason).toBe("stalled");
    expect(stalled.json.push.tool.action).toBe("send");
    expect(stalled.json.push.tool).not.toHaveProperty("messageId");
    const failed = await c(310, "fail", id, "boom");
    expect(failed.json.push.tool).toEqual({
      action: "send",
      channel: "discord",
      target: "channel:9",
      message: "❌ 【日报发布】失败\n错误: boom\n当前步骤: 写稿 [1/3]",
    });
  });

  it("the step that finishes the task is a new message; English cards; a task without steps", async () => {
    const { c } = session();
    const id = await createLive(c, "--lang", "en", "--channel", "telegram", "--target", "1");
    await c(1, "pushed", id, "9");
    expect(text(await c(10, "--lang", "en", "next", id))).toBe(
      "🚀 [日报发布] [1/3] ▓▓▓░░░░░░░ 33%\n📋 抓取 → 写稿 → 发布\n🔄 Current: 写稿 — ✅ 抓取 done",
    );
    await c(20, "next", id);
    const last = await c(30, "next", id, "ok");
    expect(last.json.push.tool.action).toBe("send");
    expect(last.json.push.tool).not.toHaveProperty("messageId");
    const plain = (await c(40, "create", "sync", "--start", "--channel", "telegram", "--target", "1")).json.data.task.id as string;
    await c(41, "pushed", plain, "10");
    expect(text(await c(80, "--lang", "en", "heartbeat", plain, "halfway", "--progress", "40"))).toBe(
      "🚀 [sync] ▓▓▓▓░░░░░░ 40%\n🔄 Current: halfway",
    );
  });

  it("a provider-prefixed target (telegram:123) is edited like --channel telegram", async () => {
    const { c } = session();
    const id = await createLive(c, "--target", "telegram:123");
    await c(1, "pushed", id, "4242");
    const step = await c(10, "next", id);
    expect(step.json.push.tool).toMatchObject({ action: "edit", messageId: "4242", target: "telegram:123" });
    const other = await createLive(c, "--target", "channel:9");
    await c(1, "pushed", other, "4243");
    expect((await c(10, "next", other)).json.push.tool.action).toBe("send");
  });

  it("a channel that cannot edit keeps getting sends", async () => {
    const { c } = session();
    const id = await createLive(c, "--channel", "whatsapp", "--target", "+8613800000000");
    await c(1, "pushed", id, "wamid.1");
    const step = await c(10, "next", id);
    expect(step.json.push.tool.action).toBe("send");
    expect(step.json.push.tool).not.toHaveProperty("messageId");
    const noChannel = await createLive(c);
    await c(1, "pushed", noChannel, "77"); // no channel known: an edit cannot be assumed
    expect((await c(10, "next", noChannel)).json.push.tool.action).toBe("send");
  });

  it("pushed accepts the JSON reply of the message tool or of `openclaw message send --json`", async () => {
    const { c } = session();
    const id = await createLive(c);
    const rec = await c(1, "pushed", id, '{"ok":true,"result":{"messageId":"42"}}', "--channel", "telegram");
    expect(rec.json.data.messageId).toBe("42");
    expect((await c(10, "next", id)).json.push.tool).toMatchObject({ action: "edit", messageId: "42" });
    const snake = await c(11, "pushed", id, '{"result":{"message_id":99}}', "--channel", "telegram");
    expect(snake.json.data.messageId).toBe("99");
    const bad = await c(12, "pushed", id, '{"ok":false}');
    expect(bad.code).toBe(2);
  });

  it("pushed reads openclaw's own output: the --json reply, the text line, a bare id", async () => {
    const { c } = session();
    const id = await createLive(c, "--target", "123");
    // `openclaw message send --json` (src/commands/message.ts, buildMessageCliJson): the channel comes with it.
    const json = '{"action":"send","channel":"telegram","dryRun":false,"handledBy":"core","messageId":"4242","payload":{}}';
    const rec = await c(1, "pushed", id, json);
    expect(rec.code).toBe(0);
    expect(rec.json.data).toEqual({ task: id, messageId: "4242", channel: "telegram" });
    expect((await c(10, "next", id)).json.push.tool).toMatchObject({ action: "edit", messageId: "4242" });
    // without --json: one line (src/commands/message-format.ts)
    const line = await c(11, "pushed", id, "✅ Sent via Telegram. Message ID: 4243 (chat 123)");
    expect(line.json.data).toEqual({ task: id, messageId: "4243", channel: "telegram" });
    const gateway = await c(12, "pushed", id, "✅ Sent via gateway (telegram). Message ID: 4244");
    expect(gateway.json.data.messageId).toBe("4244");
    expect((await c(13, "pushed", id, " 4245\n")).json.data.messageId).toBe("4245");
  });

  it("pushed refuses an id the channel cannot edit with, and replies that carry none (exit 2)", async () => {
    const { c } = session();
    const id = await createLive(c, "--channel", "telegram", "--target", "123");
    const refused = [
      "abc", // Telegram ids are positive integers
      "0",
      "-5",
      "Sent 4242", // a line of text is never an id, on any channel
      "✅ Sent via Telegram. Message ID: unknown",
      '{"ok":false,"error":{"message":"chat not found"}}',
      '{"action":"send","channel":"telegram","dryRun":true,"handledBy":"core","payload":{}}',
    ];
    for (const input of refused) {
      const r = await c(1, "pushed", id, input);
      expect(r.code, input).toBe(2);
      expect(r.json.error.code, input).toBe("usage");
    }
    expect((await c(2, "status", id)).json.data.task.push).not.toHaveProperty("messageId");
    // The text line names the channel: a non-numeric id from Telegram is refused even when the task has no channel.
    const other = await createLive(c, "--target", "123");
    expect((await c(3, "pushed", other, "✅ Sent via Telegram. Message ID: x1")).code).toBe(2);
    // Other channels keep their own id formats.
    const slack = await createLive(c, "--channel", "slack", "--target", "C1");
    expect((await c(4, "pushed", slack, "1712345678.000100")).code).toBe(0);
  });

  it("never an edit that does not change the card's text, also after a stall alert was sent in between", async () => {
    const { c } = session();
    const id = await createLive(c, "--channel", "telegram", "--target", "1");
    await c(1, "pushed", id, "500");
    const hb = await c(40, "heartbeat", id, "等待接口", "--progress", "50");
    expect(hb.json.push.tool.action).toBe("edit");
    const card = hb.json.push.tool.message;
    const stall = await c(400, "status", id); // a new message; the card (message 500) still shows `card`
    expect(stall.json.push.tool.action).toBe("send");
    // the same heartbeat again: it would edit message 500 to the text it already has (Telegram rejects that)
    const again = await c(440, "heartbeat", id, "等待接口", "--progress", "50");
    expect(again.json.push).toBeNull();
    // a real change is still an edit of the card
    const changed = await c(480, "heartbeat", id, "等待接口", "--progress", "60");
    expect(changed.json.push.tool).toMatchObject({ action: "edit", messageId: "500" });
    expect(changed.json.push.tool.message).not.toBe(card);
  });
});

describe("stall alerts from status", () => {
  it("once per episode with a stable id, from status <id> and from the overview", async () => {
    const { c } = session();
    const id = await createLive(c);
    expect((await c(180, "status", id)).json.push).toBeNull(); // 180 s is not more than 180 s
    const first = await c(181, "status", id);
    expect(first.json.push.id).toBe(`${id}:no_heartbeat:${at(0)}`);
    expect(first.json.push.tool.message).toBe("⚠️ 【日报发布】可能卡住了（3分钟无更新）\n当前步骤: 抓取 [0/3]");
    expect((await c(240, "status", id)).json.push).toBeNull();
    expect((await c(300, "status")).json.push).toBeNull(); // the overview knows the episode was alerted
    const stored = (await c(301, "status", id)).json.data.task;
    expect(stored.push.stallEpisode).toBe(first.json.push.id);
    expect(stored.stallsSeen).toBe(1);
  });

  it("a new alert after the task moved (a heartbeat) and went silent again, even with the same text", async () => {
    const { c } = session();
    const id = await createLive(c);
    const first = await c(200, "status", id);
    expect(first.json.push.tool.message).toBe("⚠️ 【日报发布】可能卡住了（3分钟无更新）\n当前步骤: 抓取 [0/3]");
    expect((await c(220, "heartbeat", id)).json.push).toBeNull(); // proof of life, nothing to say
    expect((await c(300, "status", id)).json.push).toBeNull(); // alive again
    const second = await c(420, "status", id);
    expect(second.json.push).not.toBeNull();
    expect(second.json.push.id).toBe(`${id}:no_heartbeat:${at(220)}`);
    expect(second.json.push.id).not.toBe(first.json.push.id);
    expect(second.json.push.tool.message).toBe(first.json.push.tool.message);
    expect((await c(500, "status", id)).json.push).toBeNull();
  });

  it("one check alerts every new stall at once, oldest silence first, as one message", async () => {
    const { store, c } = session();
    const a = (await c(0, "create", "甲", "--start")).json.data.task.id;
    const b = (await c(30, "create", "乙", "--start")).json.data.task.id;
    // a person's status in a terminal shows the stalls and uses up no alert
    const person = await cli({ store, now: at(399) }, "--lang", "zh", "status");
    expect(person.stdout).toContain("卡住");
    expect(person.stdout).not.toContain("--- push ---");
    const first = await c(400, "status");
    expect(first.json.push.id).toBe(`${a}:no_heartbeat:${at(0)}+${b}:no_heartbeat:${at(30)}`);
    expect(first.json.push.tool.message).toBe("⚠️ 【甲】可能卡住了（6分钟无更新）\n\n⚠️ 【乙】可能卡住了（6分钟无更新）");
    expect(first.json.push.tool.action).toBe("send");
    expect(first.json.data.counts.stalled).toBe(2);
    expect((await c(401, "status")).json.push).toBeNull();
    // the heartbeat's check: nothing new, nothing printed
    const quiet = await cli({ store, now: at(402) }, "status", "--alerts");
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe("");
    // a third stall later: --alerts prints its push alone, and --json says which tasks it reports
    const c3 = (await c(500, "create", "丙", "--start")).json.data.task.id;
    const third = await c(900, "status", "--alerts");
    expect(third.json.data).toEqual({ stalled: [a, b, c3].sort(), alerted: [c3] });
    expect(third.json.push.tool.message).toBe("⚠️ 【丙】可能卡住了（6分钟无更新）");
    expect((await cli({ store, now: at(901) }, "status", "--alerts")).stdout).toBe("");
  });

  it("one alert for several stalls, delivered with --send, is recorded with each task it reports", async () => {
    // A stand-in for `openclaw` (no chat network here) that records what it was asked and answers as it does.
    const bin = tempDir();
    const asked = join(bin, "asked.txt");
    writeFileSync(
      join(bin, "openclaw"),
      `#!/bin/sh\necho "$*" >> ${asked}\necho '{"ok":true,"payload":{"ok":true,"messageId":"77","chatId":"123"}}'\n`,
      { mode: 0o755 },
    );
    const { c } = session({ PATH: `${bin}:${process.env.PATH}` });
    const a = (await c(0, "create", "甲", "--start", "--channel", "telegram", "--target", "123")).json.data.task.id;
    const b = (await c(30, "create", "乙", "--start", "--channel", "telegram", "--target", "123")).json.data.task.id;
    const alert = await c(400, "status", "--alerts", "--send");
    expect(alert.json.data.alerted).toEqual([a, b]);
    expect(alert.json.push.delivery).toMatchObject({ status: "sent" });
    expect(readFileSync(asked, "utf8").match(/^message send /gm)).toHaveLength(1); // one message for both
    for (const id of [a, b]) {
      const task = (await c(401, "status", id)).json.data.task;
      expect(task.push.lastDelivery, id).toEqual({ at: at(400), status: "sent" });
    }
  });

  it("alerts bound for another chat come with the next check (one message goes to one chat)", async () => {
    const { c } = session();
    const a = (await c(0, "create", "甲", "--start", "--channel", "telegram", "--target", "111")).json.data.task.id;
    const b = (await c(10, "create", "乙", "--start", "--channel", "telegram", "--target", "222")).json.data.task.id;
    const first = await c(400, "status", "--alerts");
    expect(first.json.data.alerted).toEqual([a]);
    expect(first.json.push.tool).toMatchObject({ target: "111" });
    const second = await c(401, "status", "--alerts");
    expect(second.json.data.alerted).toEqual([b]);
    expect(second.json.push.tool).toMatchObject({ target: "222" });
    expect((await c(402, "status", "--alerts")).json.push).toBeNull();
  });

  it("a stalled task whose policy is silent does not hide another task's alert", async () => {
    const { c } = session();
    const quiet = (await c(0, "create", "静默", "--start", "--notify", "silent")).json.data.task.id;
    const loud = (await c(10, "create", "乙", "--start")).json.data.task.id;
    const r = await c(400, "status");
    expect(r.json.data.counts.stalled).toBe(2);
    expect(r.json.push.id).toBe(`${loud}:no_heartbeat:${at(10)}`);
    expect((await c(401, "status")).json.push).toBeNull();
    expect((await c(402, "status", quiet)).json.data.task.stallsSeen).toBe(1); // its episode was still seen
  });
});

describe("queue tasks use the same templates", () => {
  it("create (no push), start <id>, complete", async () => {
    const { c } = session();
    const created = await c(0, "create", "周报", "汇总", "发送", "--agent", "anna");
    expect(created.json.push).toBeNull();
    const id = created.json.data.task.id;
    const started = await c(60, "start", id);
    expect(text(started)).toBe("🚀 开始【周报】\n📋 汇总 → 发送\n🔄 当前: 汇总");
    const done = await c(105, "complete", id, "已发送");
    expect(text(done)).toBe("🎉 【周报】完成！(45s)\n结果: 已发送");
  });

  it("in English too: a queued task started by id and completed", async () => {
    const store = tempDir();
    const e = (seconds: number, ...argv: string[]) => cli({ store, now: at(seconds) }, "--json", "--lang", "en", ...argv);
    const id = (await e(0, "create", "weekly", "sum up", "send", "--agent", "bob")).json.data.task.id;
    expect(text(await e(10, "start", id))).toBe("🚀 Started [weekly]\n📋 sum up → send\n🔄 Current: sum up");
    expect(text(await e(3730, "complete", id))).toBe("🎉 [weekly] done! (1h2m)");
  });

  it("start without an id takes the next task and pushes its start; fail pushes the failure", async () => {
    const { c } = session();
    await c(0, "create", "低优先", "--agent", "anna", "--priority", "2");
    const high = (await c(1, "create", "高优先", "--agent", "anna", "--priority", "9")).json.data.task.id;
    const claimed = await c(10, "start", "--agent", "anna");
    expect(claimed.json.data.task.id).toBe(high);
    expect(text(claimed)).toBe("🚀 开始【高优先】");
    const failed = await c(20, "fail", high, "磁盘满了");
    expect(text(failed)).toBe("❌ 【高优先】失败\n错误: 磁盘满了");
  });
});
