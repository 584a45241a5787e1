import type { Push } from "../../core/push.ts";

/** Plain-output form of a push: the message text between two marker lines, ready to paste into the message tool.
 * The routing hint is only in --json (it would be noise on every plain push). */
export function renderPushText(push: Push): string {
  const head = push.tool.action === "edit" ? `--- push: edit message ${push.tool.messageId ?? ""} ---` : "--- push ---";
  return `${head}\n${push.tool.message}\n--- end push ---\n`;
}
