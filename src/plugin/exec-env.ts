// The plugin's resolve_exec_env hook (registered in entry.ts): the route an exec runs in and the variables that
// carry it. Apart from the tools because the hook runs outside any tool call: it opens no store and builds no context.
import type { Route } from "../core/model.ts";
import { isSlug } from "../core/names.ts";
import { bareTarget } from "./tool-results.ts";
import type { PluginSettings } from "./tool-types.ts";

/** What a resolve_exec_env hook's context says about the conversation (PluginHookAgentContext). */
export interface HookFields {
  sessionKey?: string | undefined;
  messageProvider?: string | undefined;
  channel?: string | undefined;
  accountId?: string | undefined;
  chatId?: string | undefined;
  channelId?: string | undefined;
}

/**
 * An exec's route: the hook's own channel and chat, completed with the account and thread from `seen` (what the
 * session's tools last saw in their delivery context, which a hook's context lacks) when it is the same chat.
 */
export function execRoute(hook: HookFields, seen: Route | undefined): Route {
  const channel = hook.channel ?? hook.messageProvider;
  const chat = hook.chatId ?? hook.channelId;
  if (!channel || !chat) return seen ?? {};
  const target = bareTarget(channel, chat);
  const route: Route = { channel, target };
  const same = seen?.channel === channel && seen.target === target;
  const account = hook.accountId ?? (same ? seen?.account : undefined);
  if (account) route.account = account;
  if (same && seen?.thread) route.thread = seen.thread;
  return route;
}

/**
 * The variables `resolve_exec_env` puts into the agent's execs: its identity and, when known, the conversation's
 * route, so `taskpulse` run from a shell (the skill) records the same agent and pushes to the same chat.
 */
export function execEnv(agentId: string | undefined, route: Route, settings: PluginSettings = {}): Record<string, string> {
  const env: Record<string, string> = {};
  // a name taskpulse refuses would fail every call of the exec: then the CLI decides, as without the plugin
  if (agentId && isSlug(agentId)) env.TASKPULSE_AGENT = agentId;
  // a channel without a target is no route (a web chat, a heartbeat run): the message tool answers in place
  if (route.channel && route.target) {
    env.TASKPULSE_CHANNEL = route.channel;
    env.TASKPULSE_TARGET = route.target;
    if (route.account) env.TASKPULSE_ACCOUNT = route.account;
    if (route.thread) env.TASKPULSE_THREAD = route.thread;
  }
  if (settings.store) env.TASKPULSE_STORE = settings.store;
  return env;
}
