// Error messages in the chosen language (issue 18): with Chinese chosen, the lines on stderr are Chinese, the exit
// code and the --json envelope (code and English message) are what they are in English. Every message an agent meets
// on its path is checked word for word; the tables are checked for entries nobody uses and keys nobody translated.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commanderDetail, errorText, type MessageKey, type MessageParams } from "../../src/cli/render/error-text.ts";
import { zhTables } from "../../src/cli/render/errors-zh.ts";
import { cli, ROOT, spawnCliSync, tempDir } from "../support/helpers.ts";

const { messages: ZH_MESSAGES, fixed: ZH_FIXED, leads: ZH_LEADS } = zhTables();

/** A store with a running task (steps a, b) and a finished one; their ids. */
async function seeded(): Promise<{ store: string; running: string; done: string }> {
  const store = tempDir();
  const running = (await cli({ store }, "create", "-q", "日报发布", "a", "b", "--start")).stdout.trim();
  const done = (await cli({ store }, "create", "-q", "旧任务", "--start")).stdout.trim();
  await cli({ store }, "done", done);
  return { store, running, done };
}

describe("the agent's errors in Chinese", () => {
  // argv (ids: R the running task, D the finished one), exit code, the Chinese on stderr
  const cases: [string, string[], number, string][] = [
    ["task not found", ["done", "zzzzzz"], 3, "错误: 找不到任务 'zzzzzz'\n提示: 用 `taskpulse status` 或 `taskpulse query` 列出任务\n"],
    [
      "invalid task id",
      ["status", "../x"],
      2,
      "错误: 任务 ID 无效：'../x'\n提示: 任务 ID 由字母和数字组成，即 `taskpulse create` 打印的那一串\n",
    ],
    [
      "done on a finished task",
      ["done", "D"],
      4,
      "错误: 任务 D（旧任务）已完成，`done` 只能用于执行中的任务\n提示: 它已完成；还有工作请新建任务\n",
    ],
    [
      "next on a finished task",
      ["next", "D", "x"],
      4,
      "错误: 任务 D（旧任务）已完成，`next` 只能用于执行中的任务\n提示: 它已完成；还有工作请新建任务\n",
    ],
    [
      "heartbeat on a finished task",
      ["heartbeat", "D", "x"],
      4,
      "错误: 任务 D（旧任务）已完成，`heartbeat` 只能用于执行中的任务\n提示: 它已完成；还有工作请新建任务\n",
    ],
    [
      "error on a finished task",
      ["error", "D", "x"],
      4,
      "错误: 任务 D（旧任务）已完成，`fail` 只能用于执行中的任务\n提示: 它已完成；还有工作请新建任务\n",
    ],
    [
      "start on a running task",
      ["start", "R"],
      4,
      "错误: 任务 R（日报发布）正在执行，`start` 只能用于排队中的任务\n提示: 它正在执行：用 taskpulse done R 完成它，或将它标记为失败、取消它\n",
    ],
    [
      "stop on a finished task",
      ["stop", "D"],
      4,
      "错误: 任务 D（旧任务）已完成，`stop` 只能用于执行中的任务\n提示: 它已完成；还有工作请新建任务\n",
    ],
    [
      "ack without a stop request",
      ["ack", "R"],
      4,
      "错误: 任务 R（日报发布）没有待确认的停止请求\n提示: 先检查：有停止请求时 taskpulse check R 以 20 退出\n",
    ],
    [
      "check an unknown task",
      ["check", "zzzzzz"],
      3,
      "错误: 找不到任务 'zzzzzz'\n提示: 用 `taskpulse status` 或 `taskpulse query` 列出任务\n",
    ],
    [
      "skip a step that is not to come",
      ["skip", "R", "--step", "nope"],
      4,
      "错误: 任务 R（日报发布）没有尚未开始的步骤 'nope'\n提示: 尚未开始的步骤：b\n",
    ],
    ["error without a message", ["error", "R"], 2, '错误: error 需要一条消息：说明哪里出了错\n提示: taskpulse error <id> "哪里出了错"\n'],
    [
      "invalid priority",
      ["create", "x", "--priority", "11"],
      2,
      "错误: 优先级无效：'11'\n提示: 用 1-10（越大越先执行）或 P0-P3（P0 最紧急；P0=10，P1=8，P2=5，P3=3）\n",
    ],
    [
      "invalid progress",
      ["heartbeat", "R", "--progress", "120"],
      2,
      "错误: --progress 的值无效：'120'\n提示: 用 0 到 100 的百分比（60 或 60%）、小数（0.6）或计数（3/5）\n",
    ],
    [
      "--for without --waiting",
      ["heartbeat", "R", "--for", "5m"],
      2,
      '错误: --for 要和 --waiting 一起用\n提示: taskpulse heartbeat ID --waiting "原因" --for 30m\n',
    ],
    [
      "invalid duration",
      ["create", "x", "--stall-after", "soon"],
      2,
      "错误: --stall-after 的值无效：'soon'\n提示: 用 45s、10m、1h30m、2d 这样的写法\n",
    ],
    [
      "create without a name",
      ["create"],
      2,
      '错误: 任务需要一个名字\n提示: taskpulse create "任务名" [步骤…] 或 taskpulse create --name "任务名"\n',
    ],
    ["empty name", ["create", "--name", "  "], 2, "错误: 任务名不能为空\n"],
    ["name too long", ["create", "x".repeat(300)], 2, "错误: 任务名太长（300 个字符，最多 200 个）\n"],
    [
      "invalid agent name",
      ["create", "x", "--agent", "../x"],
      2,
      "错误: 代理名无效：'../x'\n提示: 代理名由 1-64 个字母、数字、'.'、'_' 或 '-' 组成，以字母或数字开头，不含 '..'\n",
    ],
    [
      "invalid --meta",
      ["create", "x", "--meta", "novalue"],
      2,
      "错误: --meta 的值无效：'novalue'\n提示: 用 key=value 的形式（值可以是 JSON）\n",
    ],
    [
      "invalid --meta key",
      ["create", "x", "--meta", "bad key=1"],
      2,
      "错误: --meta 的键无效：'bad key'\n提示: 由字母、数字、_ . - 组成（最多 64 个字符）\n",
    ],
    ["invalid --notify", ["create", "x", "--notify", "loud"], 2, "错误: --notify 的值无效：'loud'\n提示: 用 all、steps、final 或 silent\n"],
    [
      "invalid --now",
      ["status", "--now", "yesterday"],
      2,
      "错误: --now 的值无效：'yesterday'\n提示: 用 ISO 时间，如 2026-05-01T18:00:00+08:00\n",
    ],
    [
      "done without an id",
      ["done"],
      2,
      "错误: done 需要任务 ID\n提示: taskpulse done <id> …；或用 --agent <name> 指定代理，操作它唯一执行中的任务\n",
    ],
    [
      "an agent without a running task",
      ["next", "--agent", "nobody", "all good"],
      3,
      "错误: 代理 nobody 没有执行中的任务\n提示: 请给出任务 ID：taskpulse next <id> …\n",
    ],
    // commander's own
    ["unknown command", ["stauts"], 2, "错误: 未知命令 'stauts'\n（是不是想用其中之一：stats, status？）\n（加 --help 查看用法）\n"],
    ["unknown command, one suggestion", ["agnets"], 2, "错误: 未知命令 'agnets'\n（是不是想用 agents？）\n（加 --help 查看用法）\n"],
    ["help for no command", ["help", "nxt"], 2, "错误: 未知命令 'nxt'\n（是不是想用 next？）\n"],
    ["unknown option", ["status", "--jsn"], 2, "错误: 未知选项 '--jsn'\n（是不是想用 --json？）\n（加 --help 查看用法）\n"],
    ["unknown option, no suggestion", ["status", "--frobnicate"], 2, "错误: 未知选项 '--frobnicate'\n（加 --help 查看用法）\n"],
    ["missing argument", ["check"], 2, "错误: 缺少必需的参数 'id'\n（加 --help 查看用法）\n"],
    ["option without its value", ["create", "x", "--priority"], 2, "错误: 选项 '-p, --priority <p>' 缺少值\n（加 --help 查看用法）\n"],
    ["too many arguments", ["check", "a", "b"], 2, "错误: 'check' 的参数太多：应为 1 个，实际 2 个\n（加 --help 查看用法）\n"],
    ["required option", ["run", "--", "true"], 2, "错误: 缺少必需的选项 '--job <id>'\n（加 --help 查看用法）\n"],
    [
      "a value not among the choices",
      ["completion", "fish2"],
      2,
      "错误: 参数 'shell' 的值 'fish2' 无效，可选：bash, zsh, fish\n（加 --help 查看用法）\n",
    ],
  ];

  it.each(cases)("%s", async (_label, argv, code, zh) => {
    const { store, running, done } = await seeded();
    const args = argv.map((a) => (a === "R" ? running : a === "D" ? done : a));
    const expected = zh.replaceAll(/\bR\b/g, running).replaceAll(/\bD\b/g, done);
    const chinese = await cli({ store }, "--lang", "zh", ...args);
    expect(chinese.stderr).toBe(expected);
    expect(chinese.code).toBe(code);
    expect(chinese.stdout).toBe("");
    // the same failure in English: the same exit code, and English text
    const english = await cli({ store }, ...args);
    expect(english.code).toBe(code);
    expect(english.stderr).toMatch(/^error: [\x20-\x7e]/);
    // --json: the same code and the English message, whatever the language
    const en = await cli({ store }, "--json", ...args);
    const json = await cli({ store }, "--json", "--lang", "zh", ...args);
    expect(json.code).toBe(code);
    expect(json.stderr).toBe("");
    expect(json.json).toEqual(en.json);
  });

  it("several running tasks are named, in Chinese", async () => {
    const store = tempDir();
    const a = (await cli({ store }, "create", "-q", "一", "--start", "--agent", "anna")).stdout.trim();
    const b = (await cli({ store }, "create", "-q", "二", "--start", "--agent", "anna")).stdout.trim();
    const r = await cli({ store }, "done", "--agent", "anna", "--lang", "zh");
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`错误: 代理 anna 有 2 个执行中的任务：${a} (一), ${b} (二)\n提示: 请给出任务 ID：taskpulse done <id> …\n`);
  });

  it("an ambiguous prefix lists the candidates, in Chinese (exit 3)", async () => {
    const store = tempDir();
    let n = 0;
    const random = () => [0.01, 0.5, 0.5][n++ % 3] as number; // the same first letter every time
    const a = (await cli({ store, random }, "create", "-q", "one")).stdout.trim();
    const b = (await cli({ store, random }, "create", "-q", "two")).stdout.trim();
    const prefix = a.slice(0, 1);
    const r = await cli({ store }, "status", prefix, "--lang", "zh");
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`错误: ID 前缀 '${prefix}' 对应 2 个任务：${[a, b].sort().join(", ")}\n提示: 多输入几位 ID\n`);
    expect((await cli({ store }, "status", prefix, "--lang", "zh", "--json")).json.error.code).toBe("ambiguous_id");
  });

  it("a store locked by another process: exit 5, in Chinese", async () => {
    const store = tempDir();
    await cli({ store }, "create", "-q", "x");
    writeFileSync(join(store, "lock-owner.json"), JSON.stringify({ pid: 424242, agent: "ghost", command: "next" }));
    mkdirSync(join(store, "state.lock"));
    const r = await cli({ store, env: { TASKPULSE_LOCK_WAIT: "0" } }, "create", "y", "--lang", "zh");
    expect(r.code).toBe(5);
    expect(r.stderr).toBe("错误: 存储被 pid 424242（next，代理 ghost）锁定，等待 0 秒后放弃\n提示: 存储被另一个进程锁定；可以放心重试\n");
    const j = await cli({ store, env: { TASKPULSE_LOCK_WAIT: "0" } }, "create", "y", "--lang", "zh", "--json");
    expect(j.code).toBe(5);
    expect(j.json.error).toMatchObject({
      code: "store_busy",
      message: "store is locked by pid 424242 (next, agent ghost); gave up after 0s",
    });
  });
});

describe("what the table does not know still reads as Chinese", () => {
  it("a corrupt store: the kind of failure in Chinese, the English detail after it, the hint translated (exit 6)", async () => {
    const store = tempDir();
    await cli({ store }, "create", "-q", "x");
    writeFileSync(join(store, "state.json"), "{");
    const r = await cli({ store }, "status", "--lang", "zh");
    expect(r.code).toBe(6);
    expect(r.stderr).toBe(
      `错误: 存储无法读取或已损坏：${join(store, "state.json")} is not valid JSON\n提示: 文件保持原样；请运行 \`taskpulse doctor\`\n`,
    );
    const j = await cli({ store }, "status", "--lang", "zh", "--json");
    expect(j.code).toBe(6);
    expect(j.json.error.code).toBe("store_corrupt");
  });

  it("an untranslated usage error keeps its English text inside the Chinese frame", async () => {
    const r = await cli({ store: tempDir() }, "jobs", "--tail", "3", "--lang", "zh");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("错误: 用法有误：--tail shows one job's output: give its name\n提示: taskpulse jobs <job> --tail 30\n");
  });

  it("every error code the program uses has a Chinese lead", () => {
    const codes = new Set([...sources().matchAll(/super\(\s*"([a-z_]+)",\s*EXIT\./g)].map((m) => m[1] as string));
    for (const code of ["internal", "io_error", "usage"]) codes.add(code); // worded in cli/finish.ts and cli/run.ts
    expect(codes.size).toBeGreaterThan(8);
    for (const code of codes) expect(ZH_LEADS[code], code).toBeDefined();
  });

  it("a detail-less error of an unknown code gets the generic lead", () => {
    expect(errorText({ code: "brand_new", message: "something broke", hint: "try again" }, "zh")).toBe(
      "错误: 内部错误：something broke\n提示: try again\n",
    );
  });
});

describe("choosing the language", () => {
  it("--lang, TASKPULSE_LANG and the locale choose Chinese; --lang en wins; English is unchanged", async () => {
    const store = tempDir();
    const zh = "错误: 找不到任务 'zzzzzz'\n提示: 用 `taskpulse status` 或 `taskpulse query` 列出任务\n";
    const en = "error: task 'zzzzzz' not found\nhint: list tasks with `taskpulse status` or `taskpulse query`\n";
    expect((await cli({ store }, "done", "zzzzzz", "--lang=zh-CN")).stderr).toBe(zh);
    expect((await cli({ store, env: { TASKPULSE_LANG: "zh" } }, "done", "zzzzzz")).stderr).toBe(zh);
    expect((await cli({ store, env: { LANG: "zh_CN.UTF-8" } }, "done", "zzzzzz")).stderr).toBe(zh);
    expect((await cli({ store, env: { TASKPULSE_LANG: "zh" } }, "done", "zzzzzz", "--lang", "en")).stderr).toBe(en);
    expect((await cli({ store }, "done", "zzzzzz")).stderr).toBe(en);
  });

  it("an invalid --lang is answered in English, even where Chinese is the default", async () => {
    const r = await cli({ store: tempDir(), env: { TASKPULSE_LANG: "zh" } }, "status", "--lang", "zhx");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: invalid language 'zhx'\nhint: use zh or en\n");
  });

  it("English errors are worded as before, commander's included", async () => {
    const store = tempDir();
    expect((await cli({ store }, "stauts")).stderr).toBe(
      "error: unknown command 'stauts'\n(Did you mean one of stats, status?)\n(run with --help for usage)\n",
    );
    expect((await cli({ store }, "create", "x", "--priority", "11")).stderr).toBe(
      "error: invalid priority '11'\nhint: use 1-10 (higher runs first) or P0-P3 (P0 most urgent; P0=10, P1=8, P2=5, P3=3)\n",
    );
  });

  it("the real binary: the small heartbeat entry and the full program answer in Chinese with the same exit codes", () => {
    const store = tempDir();
    const id = spawnCliSync(store, ["create", "-q", "x", "--start"]).stdout.trim();
    spawnCliSync(store, ["done", id]);
    const heartbeat = spawnCliSync(store, ["heartbeat", id, "hi"], { TASKPULSE_LANG: "zh" });
    expect(heartbeat.code).toBe(4);
    expect(heartbeat.stderr).toBe(`错误: 任务 ${id}（x）已完成，\`heartbeat\` 只能用于执行中的任务\n提示: 它已完成；还有工作请新建任务\n`);
    const unknown = spawnCliSync(store, ["nxt", id], { LANG: "zh_CN.UTF-8" });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("错误: 未知命令 'nxt'\n（加 --help 查看用法）\n");
  });
});

describe("the Chinese tables", () => {
  // One example per key: a key added to ErrorParams or CliErrorParams without an example here is a type error.
  const examples: { [K in MessageKey]: MessageParams[K] } = {
    task_not_found: { id: "k3m9xq" },
    ambiguous_id: { prefix: "k", candidates: Array.from({ length: 12 }, (_, i) => `k${i}`) },
    invalid_task_id: { value: "../x" },
    wrong_state: { id: "k3m9xq", name: "日报", status: "pending", command: "cancel", allowed: ["pending", "running"] },
    no_current_step: { id: "k3m9xq", name: "日报", steps: 0 },
    retry_refused: { id: "k3m9xq", name: "日报" },
    retry_limit: { id: "k3m9xq", name: "日报", retries: 3, max: 3 },
    no_stop_request: { id: "k3m9xq", name: "日报" },
    no_such_step: { id: "k3m9xq", name: "日报", step: "发布", left: [] },
    no_open_step: { id: "k3m9xq", name: "日报", step: "抓取", open: ["发布"] },
    waits_for_dependencies: { id: "k3m9xq", name: "日报", blocked: true, on: ["a2b3c4"] },
    invalid_value: { what: "--port", value: "x" },
    value_too_large: { what: "--for", value: "9999d" },
    invalid_name: { what: "tag", value: "-x" },
    too_long: { what: "message", length: 9000, max: 8000 },
    empty: { what: "--waiting" },
    too_many: { what: "steps", count: 60, max: 50 },
    not_positive: { what: "step budget" },
    needs_task_id: { command: "next" },
    no_running_task: { agent: "anna", command: "done" },
    several_running_tasks: { agent: "anna", command: "done", count: 2, tasks: "a (一), b (二)" },
    store_locked: { target: "store", seconds: 15, stoppedPid: 4242 },
    output_failed: { reason: "ENOSPC: no space left on device" },
    unknown_command: { command: "x", suggestions: [] },
    unknown_option: { option: "--x", suggestions: ["--json"] },
    missing_argument: { argument: "id" },
    option_missing_value: { option: "--for <duration>" },
    required_option: { option: "--job <id>" },
    excess_arguments: { expected: 0, got: 1 },
    invalid_choice: { option: "--format <f>", value: "x", choices: "md, scratch" },
    disk_error: { reason: "EROFS: read-only file system" },
    internal_error: { reason: "boom" },
  };

  it.each(Object.keys(ZH_MESSAGES) as MessageKey[])("%s is said in Chinese", (key) => {
    const say = ZH_MESSAGES[key] as (p: unknown) => string | { message: string; hint?: string };
    const said = say(examples[key]);
    const text = typeof said === "string" ? said : `${said.message}\n${said.hint ?? ""}`;
    expect(text).toMatch(/\p{Script=Han}/u);
    expect(text).not.toMatch(/undefined|\[object/);
  });

  it("every key is used: thrown with its detail somewhere in src/, or read from commander's text", () => {
    const src = sources(["errors-zh.ts"]);
    for (const key of Object.keys(ZH_MESSAGES)) expect(src, key).toMatch(new RegExp(`key: "${key}"`));
  });

  it("every fixed English text in the table still occurs in src/, so a reworded message cannot lose its translation unnoticed", () => {
    const src = sources(["errors-zh.ts"]);
    const gone = Object.keys(ZH_FIXED).filter((english) => !src.includes(english));
    expect(gone).toEqual([]);
    for (const zh of Object.values(ZH_FIXED)) expect(zh).toMatch(/\p{Script=Han}/u);
  });

  it("reads commander's messages it knows, and leaves the others alone", () => {
    expect(commanderDetail("error: unknown option '--x'\n(Did you mean one of --json, --jsx?)\n")).toEqual({
      key: "unknown_option",
      option: "--x",
      suggestions: ["--json", "--jsx"],
    });
    expect(commanderDetail("error: too many arguments. Expected 0 arguments but got 2.\n")).toEqual({
      key: "excess_arguments",
      expected: 0,
      got: 2,
    });
    expect(commanderDetail("error: option '--a' cannot be used with option '--b'\n")).toBeUndefined();
    expect(errorText({ code: "usage", message: "option '--a' cannot be used with option '--b'" }, "zh")).toBe(
      "错误: 用法有误：option '--a' cannot be used with option '--b'\n",
    );
  });
});

/** The source of src/ (all .ts files but those named in `except`), as one text. */
function sources(except: string[] = []): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts") && !except.includes(entry.name)) out.push(readFileSync(path, "utf8"));
    }
  };
  walk(join(ROOT, "src"));
  return out.join("\n");
}
