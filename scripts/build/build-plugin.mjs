// Bundles the OpenClaw plugin (src/plugin/entry.ts) into openclaw-plugin/dist/index.js: one ES module with
// taskpulse's use cases and its dependencies inside (zod, pg), so the packed plugin installs with
// nothing to fetch. Only `openclaw/*` stays outside: the host provides its SDK when it loads the plugin. Its
// manifest, openclaw-plugin/openclaw.plugin.json, is generated from this bundle by `openclaw plugins build` and
// checked by the real-client tier (test/openclaw-real/plugin.test.ts). Run by scripts/build/build.mjs.
import { resolve } from "node:path";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..", "..");

await build({
  absWorkingDir: root,
  entryPoints: ["src/plugin/entry.ts"],
  outfile: "openclaw-plugin/dist/index.js",
  bundle: true,
  platform: "node",
  // OpenClaw itself needs Node 24
  target: "node24",
  format: "esm",
  minify: false,
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
  external: ["openclaw", "openclaw/*", "pg-native"],
  // the CommonJS dependencies call require() for Node's own modules
  banner: {
    js: 'import { createRequire as __taskpulseRequire } from "node:module";\nconst require = __taskpulseRequire(import.meta.url);',
  },
});
