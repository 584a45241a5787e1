// The OpenClaw plugin's tools (src/plugin/tools.ts, tool-results.ts) and exec env (exec-env.ts) called as OpenClaw
// calls them, with a tool context: the agent and the chat come from the context, create keeps the chat as the task's
// route, a pending stop shows in every result, pushes are sent (one live card) or handed back ready for the message
// tool, never dropped. The plugin inside a real gateway: test/openclaw-real/plugin.test.ts.
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/lib/index.ts";
import { execEnv, execRoute } from "../../src/plugin/exec-env.ts";
import { resultText } from "../../src/plugin/tool-results.ts";
import type { ToolOutput, ToolScope } from "../../src/plugin/tool-types.ts";
import { runTool } from "../../src/plugin/tools.ts";
import { ROOT, tempDir } from "../support/helpers.ts";

const TELEGRAM: ToolScope = {
  agentId: "coder",
  sessionKey: "agent:coder:telegram:direct:123",
  deliveryContext: { channel: "telegram", to: "telegram:123", accountId: "bot2", threadId: 7 },
};
const GRADED = ["status", "ok", "success", "error", "timedOut", "exitCode"];

function setup(settings: { send?: boolean } = { send: false }, env: Record<string, string> = {}) {
  const store = tempDir();
  const host = { env: { PATH: process.env.PATH, HOME: tempDir(), ...env, TASKPULSE_STORE: store } };
  const call = async (name: string, params: Record<string, unknown> = {}, scope: ToolScope = TELEGRAM): Promise<ToolOutput> => {
    const out = await runTool(name, params, scope, settings, host);
    for (const key of GRADED) expect(Object.keys(out), `${name} result`).not.toContain(key);
    return out;
  };
  const lib = openStore({ home: store, agent: "someone", pushes: false });
  return { store, call, lib };
}

describe("the plugin's tools", () => {
  it("create takes the agent and the chat from the tool context and keeps the chat as the task's route", async () => {
    const { call, lib } = setup();
    const out = await call("taskpulse_create", { name: "Report", steps: ["fetch", "write"], start: true, priority: "P1" });
    expect(out.task).toMatchObject({ name: "Report", state: "running", agent: "coder", step: "fetch", stepsDone: 0, steps: 2 });
    expect(out.task?.route).toEqual({ channel: "telegram", target: "123", account: "bot2", thread: "7" });
    expect(out.stopRequested).toBe(false);
    // not sent (send: false): the message tool's arguments, addressed to the chat
    expect(out.push).toMatchObject({ reason: "start", sent: false });
    expect(out.push?.message).toMatchObject({ action: "send", channel: "telegram", target: "123", accountId: "bot2", threadId: "7" });
    expect(out.push?.message?.message).toContain("Report");
    const stored = await lib.status(out.task?.id as string);
    expect(stored.task.agent).toBe("coder");
    expect(stored.task.route).toEqual({ channel: "telegram", target: "123", account: "bot2", thread: "7" });
  });

  it("next, heartbeat and done find the agent's one running task; a call from elsewhere does not move its route", async () => {
    const { call } = setup();
    const created = await call("taskpulse_create", { name: "Deploy", steps: ["build", "ship"], start: true });
    const web: ToolScope = { agentId: "coder", deliveryContext: { channel: "webchat" } };
    const next = await call("taskpulse_next", { message: "built" }, web);
    expect(next.task).toMatchObject({ id: created.task?.id, step: "ship", stepsDone: 1 });
    expect(next.finished).toBe(false);
    expect(next.push?.message).toMatchObject({ channel: "telegram", target: "123" });
    const beat = await call("taskpulse_heartbeat", { progress: "3/4", message: "uploading" });
    expect(beat.task?.progress).toBe(75);
    const done = await call("taskpulse_done", { result: "shipped v2" });
    expect(done.task).toMatchObject({ state: "done", outcome: "shipped v2" });
    expect(done.push).toMatchObject({ reason: "done", sent: false });
    // nothing running any more: a clear error, not a guess
    await expect(call("taskpulse_next", {})).rejects.toThrow(/taskpulse: agent coder has no running task/);
  });

  it("error fails the task; another agent's task is named by id", async () => {
    const { call } = setup();
    const created = await call("taskpulse_create", { name: "Scrape", start: true });
    const other: ToolScope = { agentId: "writer" };
    const out = await call("taskpulse_error", { id: created.task?.id, message: "site down", retryable: false }, other);
    expect(out.task).toMatchObject({ state: "failed", outcome: "site down", agent: "coder" });
    await expect(call("taskpulse_error", { id: created.task?.id, message: "" })).rejects.toThrow(/error needs a message/);
  });

  it("a stop request shows in every result until it is acknowledged", async () => {
    const { call, lib } = setup();
    const created = await call("taskpulse_create", { name: "Crawl", steps: ["a", "b"], start: true });
    const id = created.task?.id as string;
    await lib.stop(id, "user asked");
    for (const [name, params] of [
      ["taskpulse_heartbeat", {}],
      ["taskpulse_status", {}],
      ["taskpulse_status", { id }],
      ["taskpulse_check", {}],
      ["taskpulse_take", {}],
      ["taskpulse_next", {}],
    ] as const) {
      const out = await call(name, params);
      expect(out.stopRequested, name).toBe(true);
      expect(out.stops, name).toEqual([expect.objectContaining({ task: id, name: "Crawl", reason: "user asked" })]);
      expect(resultText(out).split("\n")[0], name).toBe(
        `STOP REQUESTED for task ${id} (Crawl): user asked. Finish the current step, start nothing new, then call taskpulse_ack with a summary.`,
      );
    }
    const ack = await call("taskpulse_ack", { summary: "a done" });
    expect(ack.task?.state).toBe("cancelled");
    expect(ack.stopRequested).toBe(false);
    expect(resultText(ack).startsWith("{")).toBe(true);
  });

  it("take starts the agent's next queued task, and says when there is none", async () => {
    const { call } = setup();
    expect(await call("taskpulse_take")).toMatchObject({ task: null, idle: "empty", waiting: 0 });
    const low = await call("taskpulse_create", { name: "low", priority: "2" });
    const high = await call("taskpulse_create", { name: "high", priority: "9" });
    expect(low.task?.state).toBe("pending");
    const taken = await call("taskpulse_take");
    expect(taken.task).toMatchObject({ id: high.task?.id, state: "running" });
    expect(taken.push).toMatchObject({ reason: "start" });
  });

  it("status without id: the counts and the agent's own running tasks", async () => {
    const { call } = setup();
    await call("taskpulse_create", { name: "mine", start: true });
    await call("taskpulse_create", { name: "theirs", start: true }, { agentId: "writer" });
    const out = await call("taskpulse_status");
    expect(out.counts).toMatchObject({ running: 2 });
    expect((out.running as { name: string }[]).map((t) => t.name)).toEqual(["mine"]);
  });

  it("with send, pushes go out through openclaw message and later ones edit the same card", async () => {
    const bin = tempDir();
    const log = join(bin, "calls.log");
    // an `openclaw` that records its arguments and answers as `openclaw message send --json` does
    writeFileSync(
      join(bin, "openclaw"),
      `#!/bin/sh\necho "$*" | tr '\\n' ' ' >> "${log}"\necho >> "${log}"\necho '{"messageId": "4711", "channel": "telegram"}'\n`,
    );
    chmodSync(join(bin, "openclaw"), 0o755);
    const { call } = setup({}, { PATH: `${bin}:${process.env.PATH}` });
    const created = await call("taskpulse_create", { name: "Card", steps: ["one", "two"], start: true });
    expect(created.push).toEqual({ reason: "start", sent: true, messageId: "4711" });
    const next = await call("taskpulse_next", {});
    expect(next.push).toMatchObject({ reason: "step", sent: true });
    const calls = readFileSync(log, "utf8").trim().split("\n");
    expect(calls[0]).toMatch(/^message send --channel telegram --target 123 .*--json ?$/);
    expect(calls[1]).toMatch(/^message edit .*--message-id 4711 .*--json ?$/);
  });

  it("with send but no openclaw to send with, the push comes back ready for the message tool, with a warning", async () => {
    const { call } = setup({}, { PATH: tempDir() });
    const out = await call("taskpulse_create", { name: "Offline", start: true });
    expect(out.push).toMatchObject({ reason: "start", sent: false, message: { action: "send", channel: "telegram", target: "123" } });
    expect(out.push?.note).toMatch(/^not sent by the plugin \(openclaw could not be run/);
    expect(out.warnings?.[0]).toMatch(/the push was not delivered/);
  });

  it("pushed records the id the message tool returned, so the next push edits that message", async () => {
    const { call } = setup();
    await call("taskpulse_create", { name: "Manual", steps: ["x", "y"], start: true });
    await call("taskpulse_pushed", { messageId: "99" });
    const next = await call("taskpulse_next", {});
    expect(next.push?.message).toMatchObject({ action: "edit", messageId: "99" });
  });
});

describe("the exec environment", () => {
  it("gives the agent, and the route when the chat is known", () => {
    const route = { channel: "telegram", target: "123", account: "bot2", thread: "7" };
    expect(execEnv("coder", route)).toEqual({
      TASKPULSE_AGENT: "coder",
      TASKPULSE_CHANNEL: "telegram",
      TASKPULSE_TARGET: "123",
      TASKPULSE_ACCOUNT: "bot2",
      TASKPULSE_THREAD: "7",
    });
    expect(execEnv("main", { channel: "webchat" })).toEqual({ TASKPULSE_AGENT: "main" });
    expect(execEnv("main", {}, { store: "/srv/tp" })).toEqual({ TASKPULSE_AGENT: "main", TASKPULSE_STORE: "/srv/tp" });
    // an id taskpulse cannot take as an agent name is left out rather than failing every taskpulse call
    expect(execEnv("../x", {})).toEqual({});
  });

  it("takes the hook's chat, completed from what the session's tools saw in the same chat", () => {
    const seen = { channel: "telegram", target: "123", account: "bot2", thread: "7" };
    expect(execRoute({ messageProvider: "telegram", channelId: "123" }, seen)).toEqual(seen);
    // an agent run's context names the chat with its channel
    expect(execRoute({ messageProvider: "telegram", channelId: "telegram:123" }, seen)).toEqual(seen);
    expect(execRoute({ messageProvider: "telegram", channelId: "456" }, seen)).toEqual({ channel: "telegram", target: "456" });
    expect(execRoute({}, seen)).toEqual(seen);
    expect(execRoute({ messageProvider: "webchat" }, undefined)).toEqual({});
  });
});

describe("the plugin package", () => {
  it("has taskpulse's version, in its package.json and its manifest", () => {
    const version = (file: string) => JSON.parse(readFileSync(join(ROOT, file), "utf8")).version;
    expect(version("openclaw-plugin/package.json")).toBe(version("package.json"));
    expect(version("openclaw-plugin/openclaw.plugin.json")).toBe(version("package.json"));
  });
});
