import type { Push } from "../../core/push.ts";

/** Plain-output form of a push: the message text between two marker lines, ready to paste into the message tool.
 * A task push's routing hint is only in --json (noise on every plain push in a conversation); a cron job's push
 * has no conversation to fall back on, so its hint is printed too. */
export function renderPushText(push: Push): string {
  const head = push.tool.action === "edit" ? `--- push: edit message ${push.tool.messageId ?? ""} ---` : "--- push ---";
  return `${head}\n${push.tool.message}\n--- end push ---\n${push.hint && push.reason.startsWith("job-") ? `hint: ${push.hint}\n` : ""}`;
}
