import type { Command } from "commander";
import { UsageError } from "../../core/errors.ts";
import type { Task } from "../../core/model.ts";
import { cleanName, printable } from "../../core/names.ts";
import type { Ctx } from "../context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { routeFor } from "../push.ts";
import { findTask, t } from "./common.ts";

export function registerPushed(program: Command, app: App): void {
  program
    .command("pushed")
    .description("record the message id your push got, so later progress edits that message (one live card)")
    .argument("<id>", "task id or unique prefix")
    .argument("<messageId>", "the id the message tool returned (or the JSON printed by `openclaw message send --json`)")
    .addHelpText("after", example("taskpulse pushed k3m9xq 4711 --channel telegram"))
    .action(app.action((ctx, id: string, messageId: string) => pushed(ctx, id, messageId)));
}

/** Accepts a bare id, or a JSON reply such as {"messageId":"…"} / {"result":{"message_id":…}}. */
export function extractMessageId(input: string): string {
  const text = input.trim();
  if (text.startsWith("{")) {
    try {
      const found = findId(JSON.parse(text));
      if (found !== undefined) return cleanName(found, "message id");
    } catch {
      // not JSON after all: treated as an id below
    }
    throw new UsageError(`no message id found in '${printable(text)}'`, "pass the id the message tool returned");
  }
  return cleanName(text, "message id");
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

export async function pushed(ctx: Ctx, id: string, messageIdInput: string): Promise<Outcome> {
  const messageId = extractMessageId(messageIdInput);
  const task = await ctx.store("pushed").transaction((tx) => {
    const current = findTask(tx, id);
    const channel = routeFor(ctx, current).channel;
    const push = { ...current.push, messageId };
    if (channel) push.messageChannel = channel;
    // The card now shows the last text sent; an edit must change it.
    if (current.push?.lastText !== undefined) push.cardText = current.push.lastText;
    const next: Task = { ...current, push };
    tx.put(next);
    return next;
  });
  return {
    data: { task: task.id, messageId, channel: task.push?.messageChannel ?? null },
    lines: [t(ctx, `recorded message ${messageId} for ${task.id}`, `已记录 ${task.id} 的消息 ${messageId}`)],
  };
}
