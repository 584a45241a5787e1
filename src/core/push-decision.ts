// Whether a notification is due, and the exact payload. Pure: a function of the notification, the task's push
// state, the policy, the route and `now`. The caller stores the returned state in the same write as the change,
// so throttling and dedupe hold across processes.
import type { NotifyPolicy, PushState, Route } from "./model.ts";
import type { Card, Notification, NotificationKind } from "./notify.ts";
import { messageTool, NO_TARGET_ARGV, type Push, toArgv } from "./push.ts";
import { channelLimit, type Lang, renderCard, renderNotification } from "./templates.ts";

const HEARTBEAT_PUSH_INTERVAL_MS = 30_000;
/** Channels whose messages the `message` tool can edit in place. */
const EDITABLE_CHANNELS: readonly string[] = ["telegram", "discord", "slack", "matrix", "msteams"];
/**
 * Notifications that must reach the user as a new message (so they are notified), never as an edit; so is a step
 * that finished the task. The others (start, step, heartbeat) edit the live card once its message id is known.
 */
const ALWAYS_NEW: readonly NotificationKind[] = ["done", "failed", "stalled", "stopping", "stopped", "cancelled"];
const FINAL: readonly NotificationKind[] = ["done", "failed", "stalled", "stopped"];

export interface PushInput {
  taskId: string;
  notification: Notification;
  state: PushState | undefined;
  policy: NotifyPolicy;
  route: Route;
  lang: Lang;
  now: Date;
  /** A stable id for this notification (stall episodes); defaults to task id, kind and a counter. */
  id?: string;
  /** The whole task as the live card shows it: what an edit carries instead of the notification's own lines. */
  card?: Card;
}

export interface PushDecision {
  push: Push | null;
  state: PushState | undefined;
}

function allowedByPolicy(policy: NotifyPolicy, kind: NotificationKind): boolean {
  switch (policy) {
    case "silent":
      return false;
    case "final":
      return FINAL.includes(kind);
    case "steps":
      return kind !== "heartbeat";
    case "all":
      return true;
  }
}

export function decidePush(input: PushInput): PushDecision {
  const { notification: n, state, now } = input;
  const none = { push: null, state };
  if (!allowedByPolicy(input.policy, n.kind)) return none;
  if (n.kind === "heartbeat") {
    const meaningful = n.message !== undefined || (n.progress !== undefined && n.progress !== state?.lastProgress);
    if (!meaningful) return none;
    if (state?.lastAt && now.getTime() - Date.parse(state.lastAt) < HEARTBEAT_PUSH_INTERVAL_MS) return none;
  }
  const channel = input.route.channel ?? state?.messageChannel ?? channelOfTarget(input.route.target);
  const edit =
    state?.messageId !== undefined &&
    !ALWAYS_NEW.includes(n.kind) &&
    !(n.kind === "step" && n.completed) &&
    channel !== undefined &&
    EDITABLE_CHANNELS.includes(channel.toLowerCase());
  const limit = channelLimit(channel);
  const text = edit && input.card ? renderCard(input.card, input.lang, limit) : renderNotification(n, input.lang, limit);
  // A stall alert has its own rule, once per episode (app/stall-push.ts): a new episode after the task moved is news
  // even when its text equals the previous alert's (a silent heartbeat in between pushes nothing).
  if (text === state?.lastText && n.kind !== "stalled") return none;
  if (edit && text === state?.cardText) return none; // an edit that changes nothing is rejected by Telegram
  const count = (state?.count ?? 0) + 1;
  const tool = messageTool(edit ? "edit" : "send", text, input.route);
  if (edit) tool.messageId = state?.messageId as string;
  const push: Push = { due: true, reason: n.kind, id: input.id ?? `${input.taskId}-${n.kind}-${count}`, tool, argv: toArgv(tool) };
  if (!input.route.target) {
    push.hint = `no target configured: the message tool answers in the current conversation; heartbeat and cron runs need --channel/--target (or TASKPULSE_CHANNEL/TASKPULSE_TARGET); ${NO_TARGET_ARGV}`;
  }
  const next: PushState = { ...state, lastText: text, lastAt: now.toISOString(), count };
  if (n.kind === "heartbeat") {
    next.lastHeartbeatAt = now.toISOString();
    if (n.progress !== undefined) next.lastProgress = n.progress;
  }
  // A new message (done, failed, stalled…) leaves the live card as it was, so cardText keeps what it shows.
  if (edit) next.cardText = text;
  return { push, state: next };
}

/**
 * The channel a provider-prefixed target names (`telegram:123`, as OpenClaw accepts for a target), when it is one
 * taskpulse knows; other prefixes (`channel:9`, `user:…`) are part of the target itself.
 */
function channelOfTarget(target: string | undefined): string | undefined {
  const prefix = target === undefined ? undefined : /^([a-z][a-z0-9-]*):/i.exec(target)?.[1]?.toLowerCase();
  return prefix !== undefined && TARGET_PREFIXES.includes(prefix) ? prefix : undefined;
}

const TARGET_PREFIXES: readonly string[] = [...EDITABLE_CHANNELS, "whatsapp", "signal"];
