// The OpenClaw plugin (openclaw-plugin/, issue 19) in the real openclaw: its manifest is what `openclaw plugins build`
// generates and `openclaw plugins validate` accepts; the packed tarball installs with `openclaw plugins install` into a
// fresh OpenClaw home; a gateway loads it and lists its tools for an agent; calling them through the gateway's tool
// path (POST /tools/invoke) creates and advances a task in the store with the agent and the chat from the context,
// and the plugin sends the card to the chat and edits it; in an agent turn (a scripted model, model-fake.ts) the model
// is offered the tools, calls one, and an exec it runs sees the identity and route the plugin's resolve_exec_env hook
// injected. The chat is the fake Telegram (telegram-fake.ts), so what a test asserts is what would reach the chat.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, ROOT, spawnCollect, until } from "../support/helpers.ts";
import { type Gateway, startGateway } from "./gateway.ts";
import { FAKE_MODEL_ID, type FakeModel, fakeModel } from "./model-fake.ts";
import { commandsDir, OPENCLAW_ENTRY, OPENCLAW_NODE, openclaw, openclawHome } from "./openclaw.ts";
import { type FakeTelegram, fakeTelegram } from "./telegram-fake.ts";

const PLUGIN = join(ROOT, "openclaw-plugin");
const TOOLS = [
  "taskpulse_create",
  "taskpulse_next",
  "taskpulse_heartbeat",
  "taskpulse_done",
  "taskpulse_error",
  "taskpulse_status",
  "taskpulse_check",
  "taskpulse_ack",
  "taskpulse_take",
  "taskpulse_pushed",
];

// Lives as long as the gateway (helpers.ts's tempDir is removed after each test).
const root = mkdtempSync(join(tmpdir(), "tp-oc-plugin-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let gw: Gateway;
let tg: FakeTelegram;
let model: FakeModel;
let store: string;

/** `npm pack` of the plugin, as a user gets it: the tarball's path. */
function pack(): string {
  expect(existsSync(join(PLUGIN, "dist", "index.js")), "openclaw-plugin/dist/index.js (npm run build)").toBe(true);
  const dir = join(root, "pack");
  mkdirSync(dir);
  const r = spawnSync("npm", ["pack", "--pack-destination", dir, "--json"], { cwd: PLUGIN, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return join(dir, (JSON.parse(r.stdout) as { filename: string }[])[0]?.filename as string);
}

beforeAll(async () => {
  tg = await fakeTelegram();
  model = await fakeModel();
  store = join(root, "store");
  const tarball = pack();
  const bin = commandsDir(join(root, "bin"), { openclaw: true, taskpulse: true });
  const config = {
    channels: { telegram: { enabled: true, botToken: "123456:test-token", apiRoot: tg.apiRoot } },
    agents: {
      ownership: "explicit",
      defaults: { systemAgent: { agentId: "main" }, model: { primary: `fake/${FAKE_MODEL_ID}` } },
      entries: { main: {}, coder: {} },
    },
    models: { mode: "merge", providers: { fake: model.provider } },
    // the model sees every tool's schema (no Tool Search), and exec runs without approval prompts
    tools: { toolSearch: false, exec: { mode: "full" } },
  };
  gw = await startGateway(config, { PATH: `${bin}:${join(OPENCLAW_NODE, "..")}:${process.env.PATH}` }, (at) => {
    const r = openclaw(at, ["plugins", "install", `npm-pack:${tarball}`, "--force", "--accept-capabilities"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("Installed plugin: taskpulse");
    // the install enabled the plugin in openclaw.json; its store is this test's
    const file = join(at.stateDir, "openclaw.json");
    const written = JSON.parse(readFileSync(file, "utf8"));
    written.plugins.entries.taskpulse.config = { store };
    writeFileSync(file, JSON.stringify(written, null, 2));
  });
  await until("the Telegram channel has started", () => /\[telegram\].*starting provider/.test(gw.log()), 120_000);
});

/** POST /tools/invoke, as an operator or automation calls a tool; `chat`: the conversation's route headers. */
async function invoke(tool: string, args: object, agentId: string, chat: Record<string, string> = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${gw.env.OPENCLAW_GATEWAY_TOKEN}`, "content-type": "application/json" };
  for (const [k, v] of Object.entries(chat)) headers[`x-openclaw-${k}`] = v;
  const res = await fetch(`http://127.0.0.1:${gw.port}/tools/invoke`, {
    method: "POST",
    headers,
    body: JSON.stringify({ tool, args, agentId }),
  });
  const body = (await res.json()) as { ok: boolean; result?: { details: Record<string, unknown> }; error?: unknown };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.result?.details as {
    task: { id: string; agent: string; state: string; step: string | null; route?: object };
    stopRequested: boolean;
    push?: { reason: string; sent: boolean; messageId?: string };
  };
}

function taskInStore(id: string) {
  const r = spawnSync(process.execPath, [BIN, "status", id, "--json"], {
    env: { ...process.env, TASKPULSE_STORE: store },
    encoding: "utf8",
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout).data.task as { agent: string; status: string; route?: object; push?: { messageId?: string } };
}

describe("the taskpulse plugin in the real openclaw", () => {
  it("openclaw plugins validate passes, and the manifest is what openclaw plugins build generates", () => {
    const at = openclawHome({});
    const validate = openclaw(at, ["plugins", "validate", "--root", PLUGIN, "--entry", "./dist/index.js", "--json"]);
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
    expect(validate.json).toEqual({ valid: true, pluginId: "taskpulse", errors: [] });
    const check = openclaw(at, ["plugins", "build", "--root", PLUGIN, "--entry", "./dist/index.js", "--check"]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain("Plugin metadata is up to date.");
  });

  it("the gateway loads the installed plugin and lists its tools for an agent", () => {
    const r = openclaw(gw, ["gateway", "call", "tools.catalog", "--params", JSON.stringify({ agentId: "coder" }), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const groups = (r.json as { groups: { tools: { id: string; source: string; pluginId?: string }[] }[] }).groups;
    const ours = groups.flatMap((g) => g.tools).filter((t) => t.pluginId === "taskpulse");
    expect(ours.map((t) => t.id).sort()).toEqual([...TOOLS].sort());
    expect(ours.every((t) => t.source === "plugin")).toBe(true);
  });

  it("through the gateway's tool path: a task for the agent of the call, in the chat of the call, one live card", async () => {
    const chat = { "message-channel": "telegram", "message-to": "123" };
    const created = await invoke("taskpulse_create", { name: "Gateway report", steps: ["fetch", "write"], start: true }, "coder", chat);
    expect(created.task).toMatchObject({ agent: "coder", state: "running", step: "fetch", route: { channel: "telegram", target: "123" } });
    expect(created.stopRequested).toBe(false);
    expect(created.push).toMatchObject({ reason: "start", sent: true });
    const id = created.task.id;
    const card = tg.delivered.find((d) => d.method === "sendMessage" && d.text.includes("Gateway report"));
    expect(card).toMatchObject({ chatId: "123" });
    expect(card?.text).toMatch(/^🚀 Started \[Gateway report\]/);
    expect(created.push?.messageId).toBe(String(card?.messageId));
    // in the store, as the CLI reads it
    expect(taskInStore(id)).toMatchObject({ agent: "coder", status: "running", route: { channel: "telegram", target: "123" } });
    // a later call without any chat (a heartbeat run, cron): the task's own route, and the card is edited
    const next = await invoke("taskpulse_next", { id, message: "fetched" }, "coder");
    expect(next.task).toMatchObject({ step: "write" });
    expect(next.push).toMatchObject({ reason: "step", sent: true });
    const edit = tg.delivered.filter((d) => d.method === "editMessageText" && d.messageId === card?.messageId);
    expect(edit).toHaveLength(1);
    expect(edit[0]?.text).toContain("[1/2]");
    const done = await invoke("taskpulse_next", {}, "coder");
    expect(done.task.state).toBe("done");
    expect(taskInStore(id).status).toBe("done");
    expect(tg.delivered.filter((d) => d.chatId === "123" && d.text.includes("Gateway report")).map((d) => d.method)).toEqual([
      "sendMessage",
      "editMessageText",
      "sendMessage",
    ]);
  });

  it("in an agent turn: the model is offered the tools, and its execs get the agent and the chat", async () => {
    model.script([
      { tool: "exec", args: { command: "taskpulse create 'from exec' --start --json" } },
      { tool: "taskpulse_create", args: { name: "from the model", steps: ["one"], start: true } },
      { text: "done" },
    ]);
    const before = model.requests.length;
    const r = await spawnCollect(
      OPENCLAW_NODE,
      [OPENCLAW_ENTRY, "agent", "--agent", "coder", "--channel", "telegram", "--to", "123", "--message", "track it", "--json"],
      { cwd: gw.home, env: gw.env },
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const turn = model.requests.slice(before);
    expect(turn.length).toBe(3);
    for (const tool of [...TOOLS, "exec"]) expect(turn[0]?.tools, tool).toContain(tool);
    // the exec's taskpulse: the agent and route from resolve_exec_env, the store from the plugin's config
    const execResult = turn[1]?.messages.filter((m) => m.role === "tool").pop()?.content;
    const printed = JSON.parse(
      String(typeof execResult === "string" ? execResult : JSON.stringify(execResult)).match(/\{"schemaVersion".*\}/s)?.[0] ?? "{}",
    );
    expect(printed.data.task).toMatchObject({ name: "from exec", agent: "coder", status: "running" });
    expect(printed.push.tool).toMatchObject({ channel: "telegram", target: "123" });
    expect(taskInStore(printed.data.task.id).agent).toBe("coder");
    // the model's own call: the agent and the chat from the run's context
    const toolResult = turn[2]?.messages.filter((m) => m.role === "tool").pop()?.content;
    const details = JSON.parse(String(toolResult).split("\n").pop() ?? "{}");
    expect(details.task).toMatchObject({ name: "from the model", agent: "coder", route: { channel: "telegram", target: "123" } });
    expect(details.push).toMatchObject({ reason: "start", sent: true });
    expect(tg.delivered.some((d) => d.chatId === "123" && d.text.startsWith("🚀 Started [from the model]"))).toBe(true);
  });
});
