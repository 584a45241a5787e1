// push.argv is the fallback for callers without the message tool (sub-agents, the coding profile): each one is run
// through the real `openclaw message send|edit … --dry-run` on Node 24, in a temporary HOME whose config has a
// Telegram channel with a second account (bot2). --dry-run prints what would be delivered and sends nothing.
import { beforeAll, describe, expect, it } from "vitest";
import { openclaw, openclawHome, TELEGRAM_CONFIG } from "./openclaw.ts";
import { everyPush, type NamedPush, PUSH_KINDS } from "./pushes.ts";

let pushes: NamedPush[] = [];
beforeAll(async () => {
  pushes = await everyPush();
});

const pushNamed = (name: string) => pushes.find((p) => p.name === name)!.push;

/**
 * Known to fail on this commit (issue 17, point 3): a push without a target has an argv openclaw rejects
 * ("Missing required option --target"), and no argv carries --json.
 */
const NO_TARGET = new Set<string>(PUSH_KINDS.filter((n) => n.endsWith("no route")));

describe("push.argv is accepted by the real openclaw message … --dry-run --json", () => {
  it.each(PUSH_KINDS.filter((n) => !NO_TARGET.has(n)))("%s", (name) => {
    const push = pushNamed(name);
    expect(push.argv.slice(0, 2)).toEqual(["openclaw", "message"]);
    const args = [...push.argv.slice(1), "--dry-run"];
    if (!args.includes("--json")) args.push("--json");
    const r = openclaw(openclawHome(), args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ action: push.tool.action, channel: "telegram", dryRun: true });
    if (push.tool.action === "send") {
      // The target arrived as the target, whole (a group's negative id included).
      expect(r.json).toMatchObject({ payload: { to: `telegram:${push.tool.target}` } });
    }
  });

  it.fails.each([...NO_TARGET])("%s (known broken: no --target)", (name) => {
    const r = openclaw(openclawHome(), [...pushNamed(name).argv.slice(1), "--dry-run", "--json"]);
    expect(r.code, r.stdout).toBe(0);
  });

  it.fails.each([...PUSH_KINDS])("%s carries --json (known broken)", (name) => {
    expect(pushNamed(name).argv).toContain("--json");
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
