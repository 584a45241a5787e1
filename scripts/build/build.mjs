// Bundles src/main.ts and its dependencies into one CommonJS file, dist/taskpulse.cjs, the lean entry for the hot
// commands (src/hot.ts) into dist/hot.cjs, and the loader that bin/taskpulse.js starts them with (src/loader.ts) into
// dist/loader.cjs. Start-up time is a feature (agents call taskpulse hundreds of times per task), so the bundles are
// minified, and a few modules that dependencies load but taskpulse never uses are replaced (SHIMS). A bundle's first
// line is a build id, which keys its code cache (src/loader.ts).
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..", "..");

/**
 * Modules that a dependency loads when it loads, replaced inside that dependency only (taskpulse's own code gets
 * the real ones). Each costs every call milliseconds for something taskpulse never uses; each shim says why. A rule
 * that replaces nothing fails the build: a dependency that renamed or stopped loading the module would otherwise
 * change what taskpulse runs without a word.
 */
export const SHIMS = [
  { dependency: "commander", module: /^(node:)?child_process$/, shim: "scripts/build/shims/child-process.cjs" },
  { dependency: "pg", module: /^\.\/stream$/, shim: "scripts/build/shims/pg-stream.cjs" },
];

/** An esbuild plugin applying `rules`; each rule that replaces a module is added to `used`. */
function shimPlugin(rules, used) {
  return {
    name: "shims",
    setup(b) {
      for (const rule of rules) {
        const inside = new RegExp(`[\\\\/]node_modules[\\\\/]${rule.dependency}[\\\\/]`);
        b.onResolve({ filter: rule.module }, (args) => {
          if (!inside.test(args.importer)) return undefined;
          used.add(rule);
          return { path: resolve(root, rule.shim) };
        });
      }
    },
  };
}

/**
 * zod goes into a file of its own, dist/zod.cjs, loaded through the code cache only by the commands that validate
 * with it (scripts/build/shims/zod-apart.cjs): it is over half the bundle, and a heartbeat that carries it in its code cache
 * starts ~20% slower.
 */
const zodApart = {
  name: "zod-apart",
  setup(b) {
    b.onResolve({ filter: /^zod$/ }, (args) =>
      /[\\/]src[\\/]/.test(args.importer) ? { path: resolve(root, "scripts/build/shims/zod-apart.cjs") } : undefined,
    );
  },
};

/**
 * The pg client goes into a file of its own too, dist/pg.cjs, loaded the same way (scripts/build/shims/pg-apart.cjs) and
 * only when a postgres:// store is used: a JSON call neither reads nor compiles it. pg-native, pg's optional C
 * binding, is left out.
 */
const pgApart = {
  name: "pg-apart",
  setup(b) {
    b.onResolve({ filter: /^pg$/ }, (args) =>
      /[\\/]src[\\/]/.test(args.importer) ? { path: resolve(root, "scripts/build/shims/pg-apart.cjs") } : undefined,
    );
  },
};

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
  write: false,
};

async function bundle(entry, outfile, options = {}) {
  const result = await build({ ...common, ...options, entryPoints: [entry], outfile });
  const code = Buffer.from(result.outputFiles[0].contents);
  const id = createHash("sha256").update(code).digest("hex").slice(0, 32);
  const path = resolve(root, outfile);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, Buffer.concat([Buffer.from(`// taskpulse-build ${id}\n`), code]));
}

/** Builds every bundle into `outDir` (relative to the checkout); throws when a shim rule replaced nothing. */
export async function buildAll({ outDir = "dist", shims = SHIMS } = {}) {
  const used = new Set();
  const plugin = shimPlugin(shims, used);
  await bundle("src/main.ts", `${outDir}/taskpulse.cjs`, { plugins: [plugin, zodApart, pgApart] });
  await bundle("src/hot.ts", `${outDir}/hot.cjs`, { plugins: [plugin, zodApart, pgApart] });
  await bundle("zod", `${outDir}/zod.cjs`);
  await bundle("pg", `${outDir}/pg.cjs`, { external: ["pg-native"], plugins: [plugin] });
  await bundle("src/loader.ts", `${outDir}/loader.cjs`);
  const unused = shims.filter((rule) => !used.has(rule));
  if (unused.length > 0) {
    const list = unused.map((r) => `${r.module} in ${r.dependency}`).join(", ");
    throw new Error(`shim rules that replaced nothing (did a dependency rename or drop the module?): ${list}`);
  }
}

if (process.argv[1] === import.meta.filename) {
  await buildAll();
  // Code caches that builds before 2026-12-07 let calls write into dist/: removed, so that none is ever packed.
  for (const name of readdirSync(resolve(root, "dist")))
    if (name.endsWith(".v8cache")) rmSync(resolve(root, "dist", name), { force: true });
  // The library entry (dist/lib.cjs, dist/lib.mjs) for `import { openStore } from "taskpulse"`.
  await import("./build-lib.mjs");
  // The OpenClaw plugin (openclaw-plugin/dist/index.js).
  await import("./build-plugin.mjs");
}
