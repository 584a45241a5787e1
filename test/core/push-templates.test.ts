// Exact push texts for every template, in both languages, with a fixed clock: first as pure renders of
// Notification values, then through the CLI (`--json` → push.tool.message). The Chinese texts are Live Task
// Pulse's, full-width punctuation included (shared/seeds/NOTES.md §1.5).
import { describe, expect, it } from "vitest";
import type { Notification } from "../../src/core/notify.ts";
import { channelLimit, renderNotification, shorten } from "../../src/core/templates.ts";
import { cli, tempDir } from "../support/helpers.ts";

const T0 = Date.parse("2026-05-01T10:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

const segmenter = new Intl.Segmenter("und", { granularity: "grapheme" });
const graphemes = (s: string) => Array.from(segmenter.segment(s), (g) => g.segment);

describe("renderNotification: exact texts", () => {
  const zhSteps = ["抓取", "写稿", "发布"];
  const enSteps = ["fetch", "write", "publish"];
  const cases: { title: string; zh: Notification; zhText: string; en: Notification; enText: string }[] = [
    {
      title: "start with steps",
      zh: { kind: "start", name: "日报发布", steps: zhSteps },
      zhText: "🚀 开始【日报发布】\n📋 抓取 → 写稿 → 发布\n🔄 当前: 抓取",
      en: { kind: "start", name: "Daily report", steps: enSteps },
      enText: "🚀 Started [Daily report]\n📋 fetch → write → publish\n🔄 Current: fetch",
    },
    {
      title: "failed: closed by cleanup as abandoned (the reason in the push's own language)",
      zh: {
        kind: "failed",
        name: "数据迁移",
        error: "abandoned (no sign of life for 72h)",
        step: "导出",
        done: 0,
        total: 2,
        abandonedHours: 72,
      },
      zhText: "❌ 【数据迁移】失败\n错误: 无响应，已自动关闭（72小时没有动静）\n当前步骤: 导出 [0/2]",
      en: {
        kind: "failed",
        name: "Data move",
        error: "abandoned (no sign of life for 72h)",
        step: "export",
        done: 0,
        total: 2,
        abandonedHours: 72,
      },
      enText: "❌ [Data move] failed\nError: abandoned (no sign of life for 72h)\nCurrent step: export [0/2]",
    },
    {
      title: "start without steps",
      zh: { kind: "start", name: "日报发布", steps: [] },
      zhText: "🚀 开始【日报发布】",
      en: { kind: "start", name: "Daily report", steps: [] },
      enText: "🚀 Started [Daily report]",
    },
    {
      title: "step with a message",
      zh: { kind: "step", name: "日报发布", step: "抓取", message: "抓取了25条数据", done: 1, total: 3, next: "写稿" },
      zhText: "✅ [1/3] 抓取完成（抓取了25条数据）\n🔄 → 写稿",
      en: { kind: "step", name: "Daily report", step: "fetch", message: "25 items", done: 1, total: 3, next: "write" },
      enText: "✅ [1/3] fetch done (25 items)\n🔄 → write",
    },
    {
      title: "step without a message has no （）",
      zh: { kind: "step", name: "日报发布", step: "抓取", message: undefined, done: 1, total: 3, next: "写稿" },
      zhText: "✅ [1/3] 抓取完成\n🔄 → 写稿",
      en: { kind: "step", name: "Daily report", step: "fetch", message: undefined, done: 1, total: 3, next: "write" },
      enText: "✅ [1/3] fetch done\n🔄 → write",
    },
    {
      title: "last step (no 🔄 → line), finishing the task",
      zh: {
        kind: "step",
        name: "日报发布",
        step: "发布",
        message: "已发布",
        done: 3,
        total: 3,
        next: undefined,
        completed: { duration: "2m5s" },
      },
      zhText: "✅ [3/3] 发布完成（已发布）\n🎉 【日报发布】完成！(2m5s)",
      en: {
        kind: "step",
        name: "Daily report",
        step: "publish",
        message: "published",
        done: 3,
        total: 3,
        next: undefined,
        completed: { duration: "2m5s" },
      },
      enText: "✅ [3/3] publish done (published)\n🎉 [Daily report] done! (2m5s)",
    },
    {
      title: "last step without completion: one line",
      zh: { kind: "step", name: "日报发布", step: "发布", message: undefined, done: 3, total: 3, next: undefined },
      zhText: "✅ [3/3] 发布完成",
      en: { kind: "step", name: "Daily report", step: "publish", message: undefined, done: 3, total: 3, next: undefined },
      enText: "✅ [3/3] publish done",
    },
    {
      title: "done with a result",
      zh: { kind: "done", name: "日报发布", duration: "45s", result: "https://example.com/r/1" },
      zhText: "🎉 【日报发布】完成！(45s)\n结果: https://example.com/r/1",
      en: { kind: "done", name: "Daily report", duration: "45s", result: "https://example.com/r/1" },
      enText: "🎉 [Daily report] done! (45s)\nResult: https://example.com/r/1",
    },
    {
      title: "done without a result: no result line",
      zh: { kind: "done", name: "日报发布", duration: "1h2m", result: undefined },
      zhText: "🎉 【日报发布】完成！(1h2m)",
      en: { kind: "done", name: "Daily report", duration: "1h2m", result: undefined },
      enText: "🎉 [Daily report] done! (1h2m)",
    },
    {
      title: "failed with steps: third line",
      zh: { kind: "failed", name: "日报发布", error: "登录过期", step: "写稿", done: 1, total: 3 },
      zhText: "❌ 【日报发布】失败\n错误: 登录过期\n当前步骤: 写稿 [1/3]",
      en: { kind: "failed", name: "Daily report", error: "login expired", step: "write", done: 1, total: 3 },
      enText: "❌ [Daily report] failed\nError: login expired\nCurrent step: write [1/3]",
    },
    {
      title: "failed without steps: two lines",
      zh: { kind: "failed", name: "日报发布", error: "登录过期", step: undefined, done: 0, total: 0 },
      zhText: "❌ 【日报发布】失败\n错误: 登录过期",
      en: { kind: "failed", name: "Daily report", error: "login expired", step: undefined, done: 0, total: 0 },
      enText: "❌ [Daily report] failed\nError: login expired",
    },
    {
      title: "stalled with the current step",
      zh: { kind: "stalled", name: "日报发布", minutes: 3, step: "抓取", done: 0, total: 3 },
      zhText: "⚠️ 【日报发布】可能卡住了（3分钟无更新）\n当前步骤: 抓取 [0/3]",
      en: { kind: "stalled", name: "Daily report", minutes: 3, step: "fetch", done: 0, total: 3 },
      enText: "⚠️ [Daily report] may be stuck (no update for 3 min)\nCurrent step: fetch [0/3]",
    },
    {
      title: "stalled without steps",
      zh: { kind: "stalled", name: "日报发布", minutes: 12, step: undefined, done: 0, total: 0 },
      zhText: "⚠️ 【日报发布】可能卡住了（12分钟无更新）",
      en: { kind: "stalled", name: "Daily report", minutes: 12, step: undefined, done: 0, total: 0 },
      enText: "⚠️ [Daily report] may be stuck (no update for 12 min)",
    },
    {
      title: "heartbeat with progress, step and message",
      zh: { kind: "heartbeat", name: "日报发布", step: "抓取", message: "已处理60%", progress: 60, done: 0, total: 3 },
      zhText: "💓 【日报发布】进行中 60%\n🔄 当前: 抓取 [0/3] — 已处理60%",
      en: { kind: "heartbeat", name: "Daily report", step: "fetch", message: "60% processed", progress: 60, done: 0, total: 3 },
      enText: "💓 [Daily report] in progress 60%\n🔄 Current: fetch [0/3] — 60% processed",
    },
    {
      title: "heartbeat of a task without steps: the message only",
      zh: { kind: "heartbeat", name: "日报发布", step: undefined, message: "等待接口", progress: undefined, done: 0, total: 0 },
      zhText: "💓 【日报发布】进行中\n🔄 当前: 等待接口",
      en: {
        kind: "heartbeat",
        name: "Daily report",
        step: undefined,
        message: "waiting for the API",
        progress: undefined,
        done: 0,
        total: 0,
      },
      enText: "💓 [Daily report] in progress\n🔄 Current: waiting for the API",
    },
    {
      title: "heartbeat with progress only",
      zh: { kind: "heartbeat", name: "日报发布", step: undefined, message: undefined, progress: 30, done: 0, total: 0 },
      zhText: "💓 【日报发布】进行中 30%",
      en: { kind: "heartbeat", name: "Daily report", step: undefined, message: undefined, progress: 30, done: 0, total: 0 },
      enText: "💓 [Daily report] in progress 30%",
    },
    {
      title: "stopping with a reason",
      zh: { kind: "stopping", name: "日报发布", reason: "分支错了", by: "anna" },
      zhText: "✋ 【日报发布】已请求停止\n请求者: anna — 分支错了",
      en: { kind: "stopping", name: "Daily report", reason: "wrong branch", by: "anna" },
      enText: "✋ [Daily report] stop requested\nBy: anna — wrong branch",
    },
    {
      title: "stopping without a reason",
      zh: { kind: "stopping", name: "日报发布", reason: undefined, by: "main" },
      zhText: "✋ 【日报发布】已请求停止\n请求者: main",
      en: { kind: "stopping", name: "Daily report", reason: undefined, by: "main" },
      enText: "✋ [Daily report] stop requested\nBy: main",
    },
    {
      title: "stopped with a summary",
      zh: { kind: "stopped", name: "日报发布", summary: "写完了第2步" },
      zhText: "⏹ 【日报发布】已按请求停止\n总结: 写完了第2步",
      en: { kind: "stopped", name: "Daily report", summary: "step 2 written" },
      enText: "⏹ [Daily report] stopped on request\nSummary: step 2 written",
    },
    {
      title: "stopped without a summary",
      zh: { kind: "stopped", name: "日报发布", summary: undefined },
      zhText: "⏹ 【日报发布】已按请求停止",
      en: { kind: "stopped", name: "Daily report", summary: undefined },
      enText: "⏹ [Daily report] stopped on request",
    },
    {
      title: "cancelled with a reason",
      zh: { kind: "cancelled", name: "日报发布", reason: "不需要了" },
      zhText: "⛔ 【日报发布】已取消\n原因: 不需要了",
      en: { kind: "cancelled", name: "Daily report", reason: "not needed" },
      enText: "⛔ [Daily report] cancelled\nReason: not needed",
    },
    {
      title: "cancelled without a reason",
      zh: { kind: "cancelled", name: "日报发布", reason: undefined },
      zhText: "⛔ 【日报发布】已取消",
      en: { kind: "cancelled", name: "Daily report", reason: undefined },
      enText: "⛔ [Daily report] cancelled",
    },
  ];

  it.each(cases)("$title (zh)", ({ zh, zhText }) => {
    expect(renderNotification(zh, "zh")).toBe(zhText);
  });

  it.each(cases)("$title (en)", ({ en, enText }) => {
    expect(renderNotification(en, "en")).toBe(enText);
  });

  it("a field with newlines is flattened and a message stays within 3 lines", () => {
    const n: Notification = {
      kind: "failed",
      name: "日报\n发布",
      error: "TypeError: x is undefined\n    at run (a.js:1:2)\r\n    at main (b.js:3:4)",
      step: "写稿",
      done: 1,
      total: 3,
    };
    const text = renderNotification(n, "zh");
    expect(text).toBe("❌ 【日报 发布】失败\n错误: TypeError: x is undefined at run (a.js:1:2) at main (b.js:3:4)\n当前步骤: 写稿 [1/3]");
    expect(text.split("\n")).toHaveLength(3);
  });

  it("no template ever has more than 3 lines, even with multi-line fields", () => {
    const ml = "a\nb\nc\nd";
    const all: Notification[] = [
      { kind: "start", name: ml, steps: [ml, ml, ml] },
      { kind: "step", name: ml, step: ml, message: ml, done: 1, total: 2, next: ml },
      { kind: "step", name: ml, step: ml, message: ml, done: 2, total: 2, next: undefined, completed: { duration: "1s" } },
      { kind: "heartbeat", name: ml, step: ml, message: ml, progress: 5, done: 0, total: 2 },
      { kind: "done", name: ml, duration: "1s", result: ml },
      { kind: "failed", name: ml, error: ml, step: ml, done: 0, total: 2 },
      { kind: "stalled", name: ml, minutes: 4, step: ml, done: 0, total: 2 },
      { kind: "stopping", name: ml, reason: ml, by: "main" },
      { kind: "stopped", name: ml, summary: ml },
      { kind: "cancelled", name: ml, reason: ml },
    ];
    for (const n of all) {
      for (const lang of ["zh", "en"] as const) {
        const lines = renderNotification(n, lang).split("\n");
        expect(lines.length, `${n.kind} ${lang}`).toBeLessThanOrEqual(3);
        expect(
          lines.every((l) => l.includes("a b c d")),
          `${n.kind} ${lang}`,
        ).toBe(true);
      }
    }
  });

  it("a message longer than 120 characters is shortened with an ellipsis; a short one is kept whole", () => {
    const long = "数".repeat(130);
    expect(shorten(long, 120)).toBe(`${"数".repeat(119)}…`);
    expect(shorten("数".repeat(120), 120)).toBe("数".repeat(120));
    const n: Notification = { kind: "done", name: "x", duration: "45s", result: long };
    expect(renderNotification(n, "zh")).toBe(`🎉 【x】完成！(45s)\n结果: ${"数".repeat(119)}…`);
  });

  it("a long task name is kept whole when the channel has room (names are bounded at 200 on input)", () => {
    const name = "很长的任务名".repeat(25); // 150 characters
    const n: Notification = { kind: "start", name, steps: [] };
    expect(renderNotification(n, "zh", channelLimit("telegram"))).toBe(`🚀 开始【${name}】`);
  });
});

describe("CLI pushes: exact texts through --json", () => {
  const msg = (r: { json: { push: { tool: { message: string } } | null } }) => r.json.push?.tool.message;

  for (const lang of ["zh", "en"] as const) {
    const zh = lang === "zh";
    const name = zh ? "日报发布" : "Daily report";
    const s = zh ? ["抓取", "写稿", "发布"] : ["fetch", "write", "publish"];

    it(`${lang}: start, step with and without a message, and the last step finishing the task`, async () => {
      const store = tempDir();
      const c = (seconds: number, ...argv: string[]) => cli({ store, now: at(seconds) }, "--json", "--lang", lang, ...argv);
      const created = await c(0, "create", name, ...s, "--start");
      const id = created.json.data.task.id as string;
      expect(msg(created)).toBe(
        zh
          ? "🚀 开始【日报发布】\n📋 抓取 → 写稿 → 发布\n🔄 当前: 抓取"
          : "🚀 Started [Daily report]\n📋 fetch → write → publish\n🔄 Current: fetch",
      );
      const step1 = await c(20, "next", id, zh ? "抓取了25条数据" : "25 items");
      expect(msg(step1)).toBe(zh ? "✅ [1/3] 抓取完成（抓取了25条数据）\n🔄 → 写稿" : "✅ [1/3] fetch done (25 items)\n🔄 → write");
      const step2 = await c(60, "next", id);
      expect(msg(step2)).toBe(zh ? "✅ [2/3] 写稿完成\n🔄 → 发布" : "✅ [2/3] write done\n🔄 → publish");
      expect(msg(step2)).not.toContain("（");
      const last = await c(125, "next", id, zh ? "已发布" : "published");
      expect(last.json.data.task.status).toBe("done");
      expect(msg(last)).toBe(
        zh
          ? "✅ [3/3] 发布完成（已发布）\n🎉 【日报发布】完成！(2m5s)"
          : "✅ [3/3] publish done (published)\n🎉 [Daily report] done! (2m5s)",
      );
      expect(msg(last)).not.toContain("🔄 →");
    });

    it(`${lang}: start without steps, done with a result (45s) and without one (1h2m)`, async () => {
      const store = tempDir();
      const c = (seconds: number, ...argv: string[]) => cli({ store, now: at(seconds) }, "--json", "--lang", lang, ...argv);
      const a = await c(0, "create", name, "--start");
      expect(msg(a)).toBe(zh ? "🚀 开始【日报发布】" : "🚀 Started [Daily report]");
      const b = await c(0, "create", `${name} 2`, "--start");
      const doneA = await c(45, "done", a.json.data.task.id, "https://example.com/r/1");
      expect(msg(doneA)).toBe(
        zh ? "🎉 【日报发布】完成！(45s)\n结果: https://example.com/r/1" : "🎉 [Daily report] done! (45s)\nResult: https://example.com/r/1",
      );
      const doneB = await c(3720, "done", b.json.data.task.id);
      expect(msg(doneB)).toBe(zh ? "🎉 【日报发布 2】完成！(1h2m)" : "🎉 [Daily report 2] done! (1h2m)");
    });

    it(`${lang}: done closes open steps and shows 2m5s; failed has the third line only with steps`, async () => {
      const store = tempDir();
      const c = (seconds: number, ...argv: string[]) => cli({ store, now: at(seconds) }, "--json", "--lang", lang, ...argv);
      const withSteps = (await c(0, "create", name, ...s, "--start")).json.data.task.id;
      await c(10, "next", withSteps);
      const failed = await c(30, "fail", withSteps, zh ? "登录过期" : "login expired");
      expect(msg(failed)).toBe(
        zh
          ? "❌ 【日报发布】失败\n错误: 登录过期\n当前步骤: 写稿 [1/3]"
          : "❌ [Daily report] failed\nError: login expired\nCurrent step: write [1/3]",
      );
      const noSteps = (await c(0, "create", "单步", "--start")).json.data.task.id;
      const failed2 = await c(30, "error", noSteps, zh ? "登录过期" : "login expired");
      expect(msg(failed2)).toBe(zh ? "❌ 【单步】失败\n错误: 登录过期" : "❌ [单步] failed\nError: login expired");
      const third = (await c(0, "create", name, ...s, "--start")).json.data.task.id;
      const done = await c(125, "done", third);
      expect(msg(done)).toBe(zh ? "🎉 【日报发布】完成！(2m5s)" : "🎉 [Daily report] done! (2m5s)");
      expect(done.json.data.task.steps.map((x: { status: string }) => x.status)).toEqual(["done", "skipped", "skipped"]);
    });

    it(`${lang}: stalled from status, stopping, stopped and cancelled`, async () => {
      const store = tempDir();
      const c = (seconds: number, ...argv: string[]) => cli({ store, now: at(seconds) }, "--json", "--lang", lang, ...argv);
      const id = (await c(0, "create", name, ...s, "--start")).json.data.task.id;
      const stalled = await c(200, "status", id);
      expect(msg(stalled)).toBe(
        zh
          ? "⚠️ 【日报发布】可能卡住了（3分钟无更新）\n当前步骤: 抓取 [0/3]"
          : "⚠️ [Daily report] may be stuck (no update for 3 min)\nCurrent step: fetch [0/3]",
      );
      const stop = await cli(
        { store, now: at(210) },
        "--json",
        "--lang",
        lang,
        "--agent",
        "anna",
        "stop",
        id,
        zh ? "分支错了" : "wrong branch",
      );
      expect(msg(stop)).toBe(
        zh ? "✋ 【日报发布】已请求停止\n请求者: anna — 分支错了" : "✋ [Daily report] stop requested\nBy: anna — wrong branch",
      );
      const ack = await c(220, "ack", id, zh ? "写完了第1步" : "step 1 written");
      expect(msg(ack)).toBe(
        zh ? "⏹ 【日报发布】已按请求停止\n总结: 写完了第1步" : "⏹ [Daily report] stopped on request\nSummary: step 1 written",
      );
      const other = (await c(0, "create", name, "--start")).json.data.task.id;
      const cancelled = await c(30, "cancel", other, zh ? "不需要了" : "not needed");
      expect(msg(cancelled)).toBe(zh ? "⛔ 【日报发布】已取消\n原因: 不需要了" : "⛔ [Daily report] cancelled\nReason: not needed");
    });
  }

  it("heartbeat with a message and progress, in both languages", async () => {
    for (const [lang, name, steps, note, expected] of [
      ["zh", "日报发布", ["抓取", "写稿"], "已处理60%", "💓 【日报发布】进行中 60%\n🔄 当前: 抓取 [0/2] — 已处理60%"],
      [
        "en",
        "Daily report",
        ["fetch", "write"],
        "60% processed",
        "💓 [Daily report] in progress 60%\n🔄 Current: fetch [0/2] — 60% processed",
      ],
    ] as const) {
      const store = tempDir();
      const c = (seconds: number, ...argv: string[]) => cli({ store, now: at(seconds) }, "--json", "--lang", lang, ...argv);
      const id = (await c(0, "create", name, ...steps, "--start")).json.data.task.id;
      expect(msg(await c(40, "heartbeat", id, note, "--progress", "60"))).toBe(expected);
    }
  });

  it("next without a message has no （） even when a heartbeat left a message on the step", async () => {
    const store = tempDir();
    const c = (seconds: number, ...argv: string[]) => cli({ store, now: at(seconds) }, "--json", "--lang", "zh", ...argv);
    const id = (await c(0, "create", "日报发布", "抓取", "写稿", "--start")).json.data.task.id;
    await c(40, "heartbeat", id, "已处理60%");
    const step = await c(50, "next", id);
    expect(msg(step)).toBe("✅ [1/2] 抓取完成\n🔄 → 写稿");
    expect(step.json.data.task.steps[0].message).toBe("已处理60%"); // the step keeps its last message
    await c(60, "heartbeat", id, "写到一半");
    expect(msg(await c(70, "next", id, "写完了"))).toBe("✅ [2/2] 写稿完成（写完了）\n🎉 【日报发布】完成！(1m10s)");
  });

  it("language comes from TASKPULSE_LANG, else the locale (LANG=zh_CN.UTF-8)", async () => {
    const store = tempDir();
    const viaEnv = await cli({ store, env: { TASKPULSE_LANG: "zh" } }, "--json", "create", "x", "--start");
    expect(msg(viaEnv)).toBe("🚀 开始【x】");
    const viaLocale = await cli({ store, env: { LANG: "zh_CN.UTF-8" } }, "--json", "create", "y", "--start");
    expect(msg(viaLocale)).toBe("🚀 开始【y】");
    const english = await cli(
      { store, env: { LANG: "en_US.UTF-8", TASKPULSE_LANG: "en" } },
      "--json",
      "--lang",
      "en",
      "create",
      "z",
      "--start",
    );
    expect(msg(english)).toBe("🚀 Started [z]");
  });

  it("multi-line messages are flattened and long ones shortened in the push; the task keeps the full text", async () => {
    const store = tempDir();
    const id = (await cli({ store }, "--json", "--lang", "zh", "create", "部署", "构建", "发布", "--start")).json.data.task.id;
    const trace = "Error: boom\n    at build (x.js:1:1)\n    at main (y.js:2:2)";
    const failed = await cli({ store, now: at(10) }, "--json", "--lang", "zh", "fail", id, trace);
    expect(msg(failed)).toBe("❌ 【部署】失败\n错误: Error: boom at build (x.js:1:1) at main (y.js:2:2)\n当前步骤: 构建 [0/2]");
    expect(failed.json.data.task.error).toBe(trace);

    const id2 = (await cli({ store }, "--json", "--lang", "zh", "create", "部署2", "构建", "发布", "--start")).json.data.task.id;
    const long = "步".repeat(300);
    const step = await cli({ store, now: at(10) }, "--json", "--lang", "zh", "next", id2, long);
    expect(msg(step)).toBe(`✅ [1/2] 构建完成（${"步".repeat(119)}…）\n🔄 → 发布`);
    expect(step.json.data.task.steps[0].message).toBe(long);
  });
});

describe("channel limits with long CJK and emoji text", () => {
  const family = "👨🏻‍👩🏻‍👧🏻‍👦🏻"; // one grapheme, 19 UTF-16 units
  const pieces = [family, "🇨🇳", "中文", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "é", "👩‍💻"];
  const longText = (graphemeCount: number) => {
    let out = "";
    for (let i = 0; graphemes(out).length < graphemeCount; i++) out += pieces[i % pieces.length];
    return out;
  };

  /** `shown` is the field as printed: the whole field, or a prefix of its graphemes followed by `…`. */
  function expectGraphemePrefix(shown: string, original: string): void {
    if (shown === original) return;
    expect(shown.endsWith("…"), `shortened field ends with …: ${shown.slice(-20)}`).toBe(true);
    const kept = graphemes(shown.slice(0, -1));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toEqual(graphemes(original).slice(0, kept.length));
  }

  const limits: [string | undefined, number][] = [
    ["telegram", 4096],
    ["discord", 2000],
    ["slack", 8000],
    ["whatsapp", 4000],
    ["signal", 4000],
    ["irc", 2000],
    [undefined, 2000],
  ];

  it.each(limits)("%s: limit %i", (channel, limit) => {
    expect(channelLimit(channel)).toBe(limit);
    const name = longText(200);
    const error = longText(400);
    const step = longText(200);
    const n: Notification = { kind: "failed", name, error, step, done: 2, total: 5 };
    for (const lang of ["zh", "en"] as const) {
      const text = renderNotification(n, lang, limit);
      expect(text.length).toBeLessThanOrEqual(limit);
      // a fair share of the room is used: shortening is by halving, so at least a quarter is kept
      expect(text.length).toBeGreaterThan(limit / 4);
      const [l1, l2, l3] = text.split("\n") as [string, string, string];
      const zh = lang === "zh";
      const shownName = zh ? (/^❌ 【(.*)】失败$/su.exec(l1)?.[1] as string) : (/^❌ \[(.*)\] failed$/su.exec(l1)?.[1] as string);
      const shownError = l2.slice((zh ? "错误: " : "Error: ").length);
      const shownStep = (zh ? /^当前步骤: (.*) \[2\/5\]$/su : /^Current step: (.*) \[2\/5\]$/su).exec(l3)?.[1] as string;
      expectGraphemePrefix(shownName, name);
      expectGraphemePrefix(shownError, error);
      expectGraphemePrefix(shownStep, step);
      expect(shownError.endsWith("…")).toBe(true);
    }
  });

  it("a bigger channel keeps more of the text", () => {
    // 200 + 120 + 200 families at 19 UTF-16 units each: more than even Slack's 8000 before shortening
    const n: Notification = {
      kind: "failed",
      name: family.repeat(200),
      error: family.repeat(400),
      step: family.repeat(200),
      done: 0,
      total: 1,
    };
    const lengths = ["discord", "whatsapp", "telegram", "slack"].map((ch) => renderNotification(n, "zh", channelLimit(ch)).length);
    expect(lengths[0]).toBeLessThan(lengths[1] as number);
    expect(lengths[1]).toBeLessThanOrEqual(lengths[2] as number);
    expect(lengths[2]).toBeLessThan(lengths[3] as number);
  });

  it("start and step messages with emoji steps fit Discord and cut only between graphemes", () => {
    const steps = Array.from({ length: 100 }, (_, i) => `${family}${i}🇯🇵`);
    const start = renderNotification({ kind: "start", name: longText(200), steps }, "zh", 2000);
    expect(start.length).toBeLessThanOrEqual(2000);
    const stepLine = start.split("\n")[1] as string;
    expect(stepLine.startsWith("📋 ")).toBe(true);
    expectGraphemePrefix(stepLine.slice(3), steps.join(" → "));
    const step = renderNotification(
      { kind: "step", name: "x", step: longText(200), message: longText(300), done: 1, total: 2, next: longText(200) },
      "en",
      2000,
    );
    expect(step.length).toBeLessThanOrEqual(2000);
    const msgPart = /\((.*)\)$/su.exec(step.split("\n")[0] as string)?.[1] as string;
    expectGraphemePrefix(msgPart, longText(300));
  });

  it("through the CLI: a failure with a long emoji error fits Discord, and Telegram keeps the 120-grapheme summary", async () => {
    const store = tempDir();
    const error = family.repeat(400); // 7600 UTF-16 units, 400 graphemes
    for (const [channel, limit] of [
      ["discord", 2000],
      ["telegram", 4096],
    ] as const) {
      const id = (await cli({ store }, "--json", "--lang", "zh", "create", "日报🇨🇳", "抓取", "--start", "--channel", channel)).json.data
        .task.id;
      const r = await cli({ store, now: at(30) }, "--json", "--lang", "zh", "fail", id, error);
      expect(r.code).toBe(0);
      const text = r.json.push.tool.message as string;
      expect(r.json.push.tool.channel).toBe(channel);
      expect(text.length).toBeLessThanOrEqual(limit);
      const [l1, l2, l3] = text.split("\n");
      expect(l1).toBe("❌ 【日报🇨🇳】失败");
      expect(l3).toBe("当前步骤: 抓取 [0/1]");
      const shown = (l2 as string).slice("错误: ".length);
      expectGraphemePrefix(shown, error);
      if (channel === "telegram") expect(shown).toBe(`${family.repeat(119)}…`);
      else expect(graphemes(shown).length).toBeLessThan(120);
    }
  });
});
