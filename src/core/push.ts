// The push payload printed for the agent to send: the exact argument object of OpenClaw's `message` tool and the
// equivalent `openclaw message send` command line.

export interface MessageToolArgs {
  action: "send" | "edit";
  message: string;
  channel?: string;
  target?: string;
  accountId?: string;
  threadId?: string;
  messageId?: string;
}

export interface Push {
  due: true;
  reason: string;
  /** Stable id of this notification (a stall episode keeps one id). */
  id: string;
  tool: MessageToolArgs;
  argv: string[];
  hint?: string;
}
