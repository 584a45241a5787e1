// Runs on Node 24 inside the installed openclaw package (never imported by vitest, which runs on the host's Node):
// builds the real `message` tool the way an agent gets it and checks payloads with the validator the agent loop
// uses (@openclaw/ai/validation). Nothing is copied from openclaw: the chunks are found in its dist/ by the names
// their `//#region` markers and export lists give, so a new openclaw build with new chunk hashes still works.
//
//   node message-schema.mjs <openclaw package dir> <input.json>
//   input:  { "config": <openclaw config for the channel-scoped schemas>, "payloads": [{ "name", "args" }] }
//   output: { "schemas": { <variant>: { actions, properties } }, "results": [{ name, variant, ok, coerced, unknownKeys, error }] }
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";

const [pkgDir, inputFile] = process.argv.slice(2);
const input = JSON.parse(readFileSync(inputFile, "utf8"));
const dist = join(pkgDir, "dist");

/** The dist chunk that defines `name` (by its region marker) and the name it is exported under. */
async function importExport(marker, name) {
  for (const file of readdirSync(dist)) {
    if (!file.endsWith(".mjs")) continue;
    const text = readFileSync(join(dist, file), "utf8");
    if (!text.includes(marker)) continue;
    const exportList = text.match(/^export \{([^}]*)\};?$/m)?.[1] ?? "";
    const entry = exportList
      .split(",")
      .map((s) => s.trim().split(/\s+as\s+/))
      .find(([local]) => local === name);
    if (!entry) continue;
    const mod = await import(pathToFileURL(join(dist, file)).href);
    return mod[entry[1] ?? entry[0]];
  }
  throw new Error(`no chunk in ${dist} with ${marker} exporting ${name}`);
}

const createOpenClawTools = await importExport("//#region src/agents/openclaw-tools.ts", "createOpenClawTools");
const ensurePluginRegistryLoaded = await importExport(
  "//#region src/plugins/runtime/runtime-registry-loader.ts",
  "ensurePluginRegistryLoaded",
);
// The validator the agent loop runs on every tool call (agent-core imports it from @openclaw/ai/validation).
const validation = createRequire(join(pkgDir, "package.json")).resolve("@openclaw/ai/validation");
const { validateToolArguments } = await import(pathToFileURL(validation).href);

function messageTool(options) {
  const tool = createOpenClawTools(options).find((t) => t.name === "message");
  if (!tool) throw new Error("createOpenClawTools returned no message tool");
  return tool;
}

// The unscoped schema first (no config: every action and field), then with the channel plugins of `config` loaded:
// what an agent with that config gets, and what it gets inside a Telegram conversation.
const variants = { unscoped: messageTool({}) };
ensurePluginRegistryLoaded({ scope: "configured-channels", config: input.config });
variants.configured = messageTool({ config: input.config });
variants["telegram-conversation"] = messageTool({ config: input.config, agentChannel: "telegram", agentTo: "telegram:123" });

const schemas = {};
for (const [variant, tool] of Object.entries(variants)) {
  schemas[variant] = { actions: tool.parameters.properties.action.enum, properties: Object.keys(tool.parameters.properties) };
}
const results = [];
for (const { name, args } of input.payloads) {
  for (const [variant, tool] of Object.entries(variants)) {
    // The schemas allow unknown keys; a misspelt one would be dropped silently, so it counts as a failure here.
    const unknownKeys = Object.keys(args).filter((k) => !(k in tool.parameters.properties));
    try {
      const validated = validateToolArguments(tool, { type: "toolCall", id: "t1", name: "message", arguments: args });
      const coerced = !isDeepStrictEqual(validated, args);
      results.push({ name, variant, ok: unknownKeys.length === 0 && !coerced, coerced, unknownKeys, error: null });
    } catch (err) {
      results.push({ name, variant, ok: false, coerced: false, unknownKeys, error: String(err.message ?? err) });
    }
  }
}
process.stdout.write(`${JSON.stringify({ schemas, results })}\n`);
