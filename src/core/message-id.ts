// What `taskpulse pushed` records: the id of the message a push became, read from whatever the agent has at hand,
// and checked against what the channel can edit with. A wrong id is worse than none: every later push would be an
// edit of a message that does not exist (issue 17: the whole "✅ Sent via Telegram. Message ID: 4242" line was
// stored as the id).
import { UsageError } from "./errors.ts";
import { cleanName, printable } from "./names.ts";

export interface SendReply {
  messageId: string;
  /** The channel the reply names (`openclaw message send --json` has `channel`; its text line has "via <Label>"). */
  channel?: string;
}

const HINT =
  "pass the id the message tool returned, the JSON printed by `openclaw message send --json`, or its line '✅ Sent via …. Message ID: <id>'";

/**
 * Reads a message id from the message tool's reply or `openclaw message send --json` (JSON with `messageId`,
 * `message_id` or `id`, at most 4 levels deep), from the text line `openclaw message send` prints without --json
 * ("✅ Sent via Telegram. Message ID: 4242"), or a bare id.
 */
export function parseSendReply(input: string): SendReply {
  const text = input.trim();
  if (text.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UsageError(`'${printable(text)}' is not valid JSON`, HINT);
    }
    const obj = parsed as Record<string, unknown>;
    if (obj.ok === false) {
      const error = (obj.error as { message?: unknown } | undefined)?.message;
      throw new UsageError(`the send failed${typeof error === "string" ? `: ${printable(error)}` : ""}: nothing to record`, HINT);
    }
    if (obj.dryRun === true) throw new UsageError("a --dry-run sent nothing: there is no message id to record", HINT);
    const found = findId(parsed);
    if (found === undefined) throw new UsageError(`no message id found in '${printable(text)}'`, HINT);
    const reply: SendReply = { messageId: cleanName(found, "message id") };
    if (typeof obj.channel === "string" && obj.channel !== "") reply.channel = obj.channel.toLowerCase();
    return reply;
  }
  const line = /\bvia ([^.]+)\.\s*Message ID:\s*(\S+)/i.exec(text) ?? /Message ID:\s*(\S+)/i.exec(text);
  if (line) {
    const id = line.length === 3 ? line[2] : line[1];
    const label = line.length === 3 ? line[1] : undefined;
    if (id === undefined || id === "unknown") throw new UsageError(`openclaw did not report a message id in '${printable(text)}'`, HINT);
    const reply: SendReply = { messageId: cleanName(id, "message id") };
    // "via gateway (telegram)" names the channel in brackets; "via Telegram" by its label.
    const channel = label?.match(/\(([^)]+)\)/)?.[1] ?? (label === "gateway" ? undefined : label);
    if (channel) reply.channel = channel.trim().toLowerCase();
    return reply;
  }
  return { messageId: cleanName(text, "message id") };
}

function findId(value: unknown, depth = 0): string | undefined {
  if (depth > 4 || value === null || typeof value !== "object") return undefined;
  const obj = value as Record<string, unknown>;
  for (const key of ["messageId", "message_id", "id"]) {
    const v = obj[key];
    if (typeof v === "string" || typeof v === "number") return String(v);
  }
  for (const v of Object.values(obj)) {
    const found = findId(v, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Telegram's message ids are positive integers (per chat); Bot API edits take nothing else. */
const TELEGRAM_ID = /^[1-9][0-9]{0,18}$/;

/**
 * Refuses an id the channel cannot edit with (exit 2): on Telegram anything but a positive integer; on any channel
 * an id with spaces in it (a pasted line of text, never an id).
 */
export function checkEditableId(messageId: string, channel: string | undefined): string {
  if (/\s/.test(messageId)) {
    throw new UsageError(`'${printable(messageId)}' is not a message id (it has spaces)`, HINT);
  }
  if (channel?.toLowerCase() === "telegram" && !TELEGRAM_ID.test(messageId)) {
    throw new UsageError(
      `'${printable(messageId)}' is not a Telegram message id: Telegram ids are positive integers`,
      "pass the number after 'Message ID:' in openclaw's reply",
    );
  }
  return messageId;
}
