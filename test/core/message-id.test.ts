// core/message-id.ts: what `pushed` reads from openclaw's replies, and the ids it refuses. The reply shapes are
// openclaw 2026.9.6's (src/commands/message.ts buildMessageCliJson, src/commands/message-format.ts).
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.ts";
import { checkEditableId, parseSendReply } from "../../src/core/message-id.ts";
import { toArgv } from "../../src/core/push.ts";

describe("parseSendReply", () => {
  it.each([
    ['{"action":"send","channel":"telegram","dryRun":false,"handledBy":"core","messageId":"4242","payload":{}}', "4242", "telegram"],
    ['{"ok":true,"result":{"messageId":"42"}}', "42", undefined],
    ['{"result":{"message_id":99}}', "99", undefined],
    ["✅ Sent via Telegram. Message ID: 4242", "4242", "telegram"],
    ["✅ Sent via Telegram. Message ID: 4242 (chat 123)", "4242", "telegram"],
    ["✅ Sent via gateway (discord). Message ID: 1234567890123", "1234567890123", "discord"],
    ["✅ Sent via gateway. Message ID: 77", "77", undefined],
    ["  4711\n", "4711", undefined],
  ])("%s", (input, messageId, channel) => {
    const reply = parseSendReply(input);
    expect(reply.messageId).toBe(messageId);
    expect(reply.channel).toBe(channel);
  });

  it.each([
    '{"ok":false,"error":{"type":"cli_error","message":"Unknown target"}}',
    '{"action":"send","channel":"telegram","dryRun":true,"handledBy":"core","payload":{}}',
    '{"ok":true}',
    "{not json",
    "✅ Sent via Telegram. Message ID: unknown",
    "",
  ])("refuses %s", (input) => {
    expect(() => parseSendReply(input)).toThrow(UsageError);
  });
});

describe("checkEditableId", () => {
  it("Telegram takes positive integers only", () => {
    expect(checkEditableId("4242", "telegram")).toBe("4242");
    expect(checkEditableId("4242", "Telegram")).toBe("4242");
    for (const bad of ["0", "-1", "42a", "1.5", "m-1", "12345678901234567890"]) {
      expect(() => checkEditableId(bad, "telegram"), bad).toThrow(UsageError);
    }
  });

  it("other channels keep their formats; an id with spaces is never one", () => {
    expect(checkEditableId("1712345678.000100", "slack")).toBe("1712345678.000100");
    expect(checkEditableId("m-1", "discord")).toBe("m-1");
    expect(checkEditableId("wamid.1", undefined)).toBe("wamid.1");
    expect(() => checkEditableId("Sent 4242", "slack")).toThrow(UsageError);
  });
});

describe("toArgv", () => {
  it("is null without a target, ends in --json, and attaches values that start with '-'", () => {
    expect(toArgv({ action: "send", message: "hi" })).toBeNull();
    expect(toArgv({ action: "edit", message: "hi", channel: "telegram", messageId: "4" })).toBeNull();
    expect(toArgv({ action: "send", message: "-- not an option", channel: "telegram", target: "-100123" })).toEqual([
      "openclaw",
      "message",
      "send",
      "--channel",
      "telegram",
      "--target=-100123",
      "--message=-- not an option",
      "--json",
    ]);
  });
});
