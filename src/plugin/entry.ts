// The OpenClaw plugin's entry (bundled into openclaw-plugin/dist/index.js by scripts/build/build-plugin.mjs): taskpulse's
// tools (tools.ts) declared with OpenClaw's defineToolPlugin, so `openclaw plugins build` generates the manifest from
// them, and the resolve_exec_env hook (exec-env.ts) that gives the agent's execs its identity and route.
import { defineToolPlugin, type ToolContext } from "openclaw/plugin-sdk/tool-plugin";
import type { Route } from "../core/model.ts";
import { execEnv, execRoute } from "./exec-env.ts";
import { resultText, routeOf } from "./tool-results.ts";
import type { PluginSettings } from "./tool-types.ts";
import { TOOLS } from "./tools.ts";

const CONFIG_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    store: { type: "string", description: "The store: a directory or a postgres:// URL (default: as the taskpulse CLI)." },
    send: { type: "boolean", description: "Deliver pushes with `openclaw message` and keep one live card (default true)." },
    lang: { type: "string", enum: ["en", "zh"], description: "Language of the pushes." },
  },
};

function settingsOf(config: Record<string, unknown> | undefined): PluginSettings {
  const settings: PluginSettings = {};
  if (typeof config?.store === "string" && config.store !== "") settings.store = config.store;
  if (typeof config?.send === "boolean") settings.send = config.send;
  if (typeof config?.lang === "string") settings.lang = config.lang;
  return settings;
}

/**
 * The route each session's tools last saw, for its execs: a hook's context has the channel and chat but not the
 * account or thread a tool's delivery context carries.
 */
const routes = new Map<string, Route>();

function remember(context: ToolContext): void {
  const route = routeOf(context);
  if (context.sessionKey && route.channel && route.target) routes.set(context.sessionKey, route);
}

const entry = defineToolPlugin({
  id: "taskpulse",
  name: "taskpulse",
  description: "Tracked multi-step tasks with a live progress card, soft stop and a shared queue, as agent tools.",
  configSchema: CONFIG_SCHEMA,
  tools: (tool) =>
    TOOLS.map((def) =>
      tool({
        name: def.name,
        label: def.label,
        description: def.description,
        parameters: def.parameters,
        factory: ({ config, toolContext }) => ({
          name: def.name,
          label: def.label,
          description: def.description,
          parameters: def.parameters,
          async execute(_toolCallId, params) {
            remember(toolContext);
            const out = await def.run({ scope: toolContext, settings: settingsOf(config), host: { env: process.env } }, params);
            return { content: [{ type: "text", text: resultText(out) }], details: out };
          },
        }),
      }),
    ),
});

// defineToolPlugin registers only tools; the hook is added to the same entry, which keeps the metadata
// `openclaw plugins build` and `validate` read from it.
const registerTools = entry.register;
entry.register = (api) => {
  registerTools(api);
  const settings = settingsOf(api.pluginConfig);
  api.on("resolve_exec_env", (_event, ctx) =>
    execEnv(ctx.agentId, execRoute(ctx, ctx.sessionKey ? routes.get(ctx.sessionKey) : undefined), settings),
  );
};

// OpenClaw loads a plugin's default export (the one exception to named exports).
export default entry;
