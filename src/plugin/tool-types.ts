// The shapes the OpenClaw plugin's parts share (tools.ts, tool-results.ts, exec-env.ts, entry.ts): what OpenClaw
// tells a tool, the plugin's settings, the process around the tools, a tool's definition and the result a model
// reads. Types only: a part that needs just the shapes imports no code with them.
import type { Route, Task } from "../core/model.ts";
import type { MessageToolArgs } from "../core/push.ts";

/** What OpenClaw tells a tool about the call (the fields of its tool context taskpulse reads). */
export interface ToolScope {
  agentId?: string | undefined;
  sessionKey?: string | undefined;
  workspaceDir?: string | undefined;
  deliveryContext?:
    | { channel?: string | undefined; to?: string | undefined; accountId?: string | undefined; threadId?: string | number | undefined }
    | undefined;
}

/** The plugin's settings (plugins.entries.taskpulse.config in openclaw.json). */
export interface PluginSettings {
  /** The store: a directory or a postgres:// URL; default as the CLI's (TASKPULSE_STORE, TASKPULSE_HOME, …). */
  store?: string | undefined;
  /** Deliver pushes with `openclaw message … --json` and keep one live card (default true); false: return them. */
  send?: boolean | undefined;
  /** Language of the pushes (en or zh); default as the CLI's. */
  lang?: string | undefined;
}

/** The process around the tools; tests replace it. */
export interface ToolHost {
  env: Readonly<Record<string, string | undefined>>;
  now?: () => Date;
}

/** A task as a model needs it. */
export interface TaskBrief {
  id: string;
  name: string;
  state: Task["status"];
  agent: string;
  /** The running step's name, or null. */
  step: string | null;
  stepsDone: number;
  steps: number;
  progress?: number;
  route?: Route;
  /** Set for a finished task: its result, or why it failed. */
  outcome?: string;
}

export interface StopNotice {
  task: string;
  name: string;
  reason: string | null;
  requestedAt: string;
  by: string;
}

/** A push, sent by the plugin (sent: true) or to be sent by the agent with its `message` tool. */
export interface PushOut {
  reason: string;
  sent: boolean;
  messageId?: string;
  /** The `message` tool's arguments, when the plugin did not send it: send exactly this. */
  message?: MessageToolArgs;
  note?: string;
}

export interface ToolOutput {
  task?: TaskBrief | null;
  /** True when any running task of this agent (or the task at hand) has a stop request not yet acknowledged. */
  stopRequested: boolean;
  stops: StopNotice[];
  push?: PushOut;
  finished?: boolean;
  warnings?: string[];
  [key: string]: unknown;
}

export type ToolParams = Record<string, unknown>;

export interface ToolDefinition {
  name: string;
  label: string;
  description: string;
  parameters: Record<string, unknown>;
  run(call: ToolCall, params: ToolParams): Promise<ToolOutput>;
}

export interface ToolCall {
  scope: ToolScope;
  settings: PluginSettings;
  host: ToolHost;
}
