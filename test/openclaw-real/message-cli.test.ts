// push.argv is the fallback for callers without the message tool (sub-agents, the coding profile): each one is run
// through the real `openclaw message send|edit … --dry-run` on Node 24, in a temporary HOME whose config has a
// Telegram channel with a second account (bot2). --dry-run prints what would be delivered and sends nothing.
import { beforeAll, describe, expect, it } from "vitest";
import { cli, tempDir } from "../support/helpers.ts";
import { openclaw, openclawHome, TELEGRAM_CONFIG } from "./openclaw.ts";
import { everyPush, type NamedPush, PUSH_KINDS } from "./pushes.ts";

let pushes: NamedPush[] = [];
beforeAll(async () => {
  pushes = await everyPush();
});

const pushNamed = (name: string) => pushes.find((p) => p.name === name)!.push;

const NO_TARGET = PUSH_KINDS.filter((n) => n.endsWith("no route"));
const WITH_TARGET = PUSH_KINDS.filter((n) => !n.endsWith("no route"));

describe("push.argv is accepted by the real openclaw message … --dry-run --json", () => {
  it.each(WITH_TARGET)("%s", (name) => {
    const push = pushNamed(name);
    expect(push.argv?.slice(0, 3)).toEqual(["openclaw", "message", push.tool.action]);
    expect(push.argv).toContain("--json");
    const r = openclaw(openclawHome(), [...push.argv!.slice(1), "--dry-run"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ action: push.tool.action, channel: "telegram", dryRun: true });
    if (push.tool.action === "send") {
      // The target arrived as the target, whole (a group's negative id included).
      expect(r.json).toMatchObject({ payload: { to: `telegram:${push.tool.target}` } });
    }
  });

  it.each(NO_TARGET)("%s: no target, so argv is null and the hint says why", (name) => {
    const push = pushNamed(name);
    expect(push.argv).toBeNull();
    expect(push.hint).toContain("push.argv is null");
  });

  it("a route value that looks like an option stays a value", async () => {
    const store = tempDir();
    const env = { TASKPULSE_CHANNEL: "telegram", TASKPULSE_TARGET: "--exec=touch /tmp/x" };
    const r = await cli({ store, env }, "create", "Hostile", "a", "--start", "--json");
    const argv: string[] = r.json.push.argv;
    expect(argv).toContain("--target=--exec=touch /tmp/x");
    const run = openclaw(openclawHome(), [...argv.slice(1), "--dry-run"]);
    // openclaw took it as the target (and refused it as one), not as an option of its own.
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ ok: false, error: { message: expect.stringContaining('Unknown target "--exec=touch /tmp/x"') } });
  });
});

describe("taskpulse pushed reads openclaw's real output", () => {
  it("refuses the JSON of a real --dry-run: it sent nothing, so there is no id to edit", async () => {
    const store = tempDir();
    const route = ["--channel", "telegram", "--target", "123"];
    const created = await cli({ store }, "create", "Card", "a", "b", "--start", "--json", ...route);
    const run = openclaw(openclawHome(), [...created.json.push.argv.slice(1), "--dry-run"]);
    expect(run.code, run.stderr).toBe(0);
    const r = await cli({ store }, "pushed", created.json.data.task.id, run.stdout, "--json");
    expect(r.code).toBe(2);
    expect(r.json.error.message).toMatch(/dry-run sent nothing/);
  });
});

describe("what openclaw itself requires of the fallback", () => {
  it("refuses a send without --target", () => {
    const r = openclaw(openclawHome(), ["message", "send", "--message", "hi", "--dry-run", "--json"]);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ ok: false, error: { message: expect.stringContaining("--target") } });
  });

  it("runs as the system agent: a multi-agent config needs agents.defaults.systemAgent.agentId", () => {
    const agents = { ownership: "explicit", entries: { main: {}, coder: {} } };
    const args = ["message", "send", "--channel", "telegram", "--target", "123", "--message", "hi", "--dry-run", "--json"];
    const refused = openclaw(openclawHome({ ...TELEGRAM_CONFIG, agents }), args);
    expect(refused.code).toBe(1);
    expect(refused.json).toMatchObject({ ok: false, error: { message: expect.stringContaining("agents.defaults.systemAgent.agentId") } });
    const owned = { ...agents, defaults: { systemAgent: { agentId: "main" } } };
    const accepted = openclaw(openclawHome({ ...TELEGRAM_CONFIG, agents: owned }), args);
    expect(accepted.code, accepted.stderr).toBe(0);
  });
});
