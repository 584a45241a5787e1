// The part of OpenClaw's plugin SDK the plugin uses, as the pinned openclaw (2026.9.6) declares it in
// dist/plugin-sdk/tool-plugin.d.ts and dist/plugin-entry-*.d.ts (OpenClawPluginToolContextBase,
// PluginHookAgentContext). openclaw is not a dependency of this repository (650 MB); the host resolves the import
// when it loads the plugin, and test/openclaw-real/plugin.test.ts checks it against the real one.
declare module "openclaw/plugin-sdk/tool-plugin" {
  /** The tool context OpenClaw hands a tool factory (the fields taskpulse reads). */
  export interface ToolContext {
    agentId?: string;
    sessionKey?: string;
    sessionId?: string;
    workspaceDir?: string;
    messageChannel?: string;
    agentAccountId?: string;
    deliveryContext?: { channel?: string; to?: string; accountId?: string; threadId?: string | number };
  }

  /** The context of a typed hook (PluginHookAgentContext). */
  export interface HookContext {
    agentId?: string;
    sessionKey?: string;
    messageProvider?: string;
    channel?: string;
    accountId?: string;
    chatId?: string;
    channelId?: string;
  }

  export interface PluginApi {
    pluginConfig?: Record<string, unknown>;
    on(
      hook: "resolve_exec_env",
      handler: (event: { sessionKey?: string; toolName: "exec"; host: string }, ctx: HookContext) => Record<string, string> | undefined,
    ): void;
  }

  export interface AgentToolResult {
    content: { type: "text"; text: string }[];
    details: unknown;
  }

  export interface AgentTool {
    name: string;
    label?: string;
    description: string;
    parameters: Record<string, unknown>;
    execute(toolCallId: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<AgentToolResult>;
  }

  export interface ToolDeclaration {
    name: string;
    label?: string;
    description: string;
    parameters: Record<string, unknown>;
    optional?: boolean;
    factory(input: { api: PluginApi; config: Record<string, unknown>; toolContext: ToolContext }): AgentTool | null | undefined;
  }

  export interface PluginEntry {
    id: string;
    name: string;
    description: string;
    register(api: PluginApi): void;
  }

  export function defineToolPlugin(definition: {
    id: string;
    name: string;
    description: string;
    configSchema?: Record<string, unknown>;
    activation?: { onStartup?: boolean };
    tools(tool: (declaration: ToolDeclaration) => ToolDeclaration): ToolDeclaration[];
  }): PluginEntry;
}
