// The push payload printed for the agent to send: the exact argument object of OpenClaw's `message` tool and the
// equivalent `openclaw message send|edit` command line. Both are checked against the real openclaw package by
// test/openclaw-real (references/openclaw-real.md).
import type { Route } from "./model.ts";

export interface MessageToolArgs {
  action: "send" | "edit";
  message: string;
  channel?: string;
  target?: string;
  accountId?: string;
  threadId?: string;
  messageId?: string;
}

/** What became of a push that taskpulse delivered itself (`--send`). */
export interface Delivery {
  status: "sent" | "failed";
  /** What was sent last: an edit of the card, or a new message (also after a failed edit). */
  action: "send" | "edit";
  messageId?: string;
  error?: string;
  /** Why the edit failed, when a new message was sent instead. */
  editFailed?: string;
}

export interface Push {
  due: true;
  reason: string;
  /** Stable id of this notification (a stall episode keeps one id). */
  id: string;
  tool: MessageToolArgs;
  /** `openclaw message send|edit … --json`; null without a target (openclaw requires one), with a hint saying so. */
  argv: string[] | null;
  hint?: string;
  /** With --send: whether taskpulse delivered it. */
  delivery?: Delivery;
}

/** Why argv is null: said in the hint, next to what to configure. */
/** The message tool's arguments for `message`, addressed by `route` (each part of it that is set). */
export function messageTool(action: MessageToolArgs["action"], message: string, route: Route | undefined): MessageToolArgs {
  const tool: MessageToolArgs = { action, message };
  if (route?.channel) tool.channel = route.channel;
  if (route?.target) tool.target = route.target;
  if (route?.account) tool.accountId = route.account;
  if (route?.thread) tool.threadId = route.thread;
  return tool;
}

export const NO_TARGET_ARGV = "push.argv is null: `openclaw message` needs --target";

/**
 * The same message as an `openclaw message` command line, for callers without the message tool; null without a
 * target, which openclaw requires. Always `--json`, so the output is the JSON `taskpulse pushed` reads. A value
 * that starts with "-" (a Telegram group's "-100…" id, or a hostile "--exec=…") is attached as `--option=value`, so
 * no parser can take it for an option of its own.
 */
export function toArgv(tool: MessageToolArgs): string[] | null {
  if (!tool.target) return null;
  const argv = ["openclaw", "message", tool.action];
  const add = (option: string, value: string | undefined) => {
    if (value === undefined || value === "") return;
    if (value.startsWith("-")) argv.push(`${option}=${value}`);
    else argv.push(option, value);
  };
  add("--channel", tool.channel);
  add("--target", tool.target);
  add("--account", tool.accountId);
  add("--thread-id", tool.threadId);
  add("--message-id", tool.messageId);
  add("--message", tool.message);
  argv.push("--json");
  return argv;
}
