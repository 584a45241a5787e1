// push.tool is documented as "the exact argument object for the agent's `message` tool". Checked here against that
// tool as openclaw builds it (createOpenClawTools) with the validator its agent loop runs on every call
// (@openclaw/ai/validation): with no config (every action), with a Telegram channel configured, and inside a
// Telegram conversation. A payload passes only when it validates unchanged (no coercion) and every key is a
// declared parameter (the schema lets unknown keys through, so a misspelt `accountID` would be dropped silently).
import { beforeAll, describe, expect, it } from "vitest";
import { checkMessageTool, type SchemaReport } from "./openclaw.ts";
import { everyPush, type NamedPush, PUSH_KINDS } from "./pushes.ts";

let pushes: NamedPush[] = [];
let report: SchemaReport;

beforeAll(async () => {
  pushes = await everyPush();
  const controls = [
    { name: "control: message is a number", args: { action: "send", message: 5 } },
    { name: "control: misspelt accountID", args: { action: "send", message: "hi", accountID: "bot2" } },
  ];
  report = checkMessageTool([...pushes.map((p) => ({ name: p.name, args: p.push.tool })), ...controls]);
});

describe("push.tool validates against the real message tool", () => {
  it("covers every push kind, sends and edits", () => {
    expect(pushes.map((p) => p.name)).toEqual([...PUSH_KINDS]);
    expect(new Set(pushes.map((p) => p.push.tool.action))).toEqual(new Set(["send", "edit"]));
  });

  it("loads the real schemas: unscoped, with Telegram configured, inside a Telegram conversation", () => {
    expect(Object.keys(report.schemas)).toEqual(["unscoped", "configured", "telegram-conversation"]);
    for (const schema of Object.values(report.schemas)) {
      expect(schema.actions).toEqual(expect.arrayContaining(["send", "edit"]));
      expect(schema.properties).toEqual(
        expect.arrayContaining(["action", "message", "channel", "target", "accountId", "threadId", "messageId"]),
      );
    }
  });

  it("rejects what it should (the check can fail)", () => {
    const controls = report.results.filter((r) => r.name.startsWith("control:"));
    expect(controls.length).toBe(6);
    for (const r of controls) expect(r.ok, JSON.stringify(r)).toBe(false);
  });

  it.each(PUSH_KINDS)("%s", (name) => {
    const results = report.results.filter((r) => r.name === name);
    expect(results.map((r) => r.variant)).toEqual(["unscoped", "configured", "telegram-conversation"]);
    for (const r of results) expect(r, JSON.stringify(pushes.find((p) => p.name === name)?.push.tool)).toMatchObject({ ok: true });
  });
});
