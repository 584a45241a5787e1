// Bundles src/main.ts and its dependencies into one CommonJS file, dist/taskpulse.cjs, and the loader that
// bin/taskpulse.js starts it with (src/loader.ts) into dist/loader.cjs. Start-up time is a feature (agents call
// taskpulse hundreds of times per task), so the bundle is minified, and a few modules that dependencies load but
// taskpulse never uses are replaced (SHIMS). The bundle's first line is a build id, which
// keys its code cache (src/loader.ts).
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..");

/**
 * Modules that a dependency loads when it loads, replaced inside that dependency only (taskpulse's own code gets
 * the real ones). Each costs every call milliseconds for something taskpulse never uses; each shim says why.
 */
const SHIMS = [
  { dependency: "commander", module: /^(node:)?child_process$/, shim: "scripts/shims/child-process.cjs" },
  { dependency: "proper-lockfile", module: /^graceful-fs$/, shim: "scripts/shims/graceful-fs.cjs" },
  { dependency: "proper-lockfile", module: /^signal-exit$/, shim: "scripts/shims/signal-exit.cjs" },
  { dependency: "pg", module: /^\.\/stream$/, shim: "scripts/shims/pg-stream.cjs" },
];

const shims = {
  name: "shims",
  setup(b) {
    for (const { dependency, module, shim } of SHIMS) {
      const inside = new RegExp(`[\\\\/]node_modules[\\\\/]${dependency}[\\\\/]`);
      b.onResolve({ filter: module }, (args) => (inside.test(args.importer) ? { path: resolve(root, shim) } : undefined));
    }
  },
};

/**
 * zod goes into a file of its own, dist/zod.cjs, loaded through the code cache only by the commands that validate
 * with it (scripts/shims/zod-apart.cjs): it is over half the bundle, and a heartbeat that carries it in its code cache
 * starts ~20% slower.
 */
const zodApart = {
  name: "zod-apart",
  setup(b) {
    b.onResolve({ filter: /^zod$/ }, (args) =>
      /[\\/]src[\\/]/.test(args.importer) ? { path: resolve(root, "scripts/shims/zod-apart.cjs") } : undefined,
    );
  },
};

/**
 * The pg client goes into a file of its own too, dist/pg.cjs, loaded the same way (scripts/shims/pg-apart.cjs) and
 * only when a postgres:// store is used: a JSON call neither reads nor compiles it. pg-native, pg's optional C
 * binding, is left out.
 */
const pgApart = {
  name: "pg-apart",
  setup(b) {
    b.onResolve({ filter: /^pg$/ }, (args) =>
      /[\\/]src[\\/]/.test(args.importer) ? { path: resolve(root, "scripts/shims/pg-apart.cjs") } : undefined,
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

await bundle("src/main.ts", "dist/taskpulse.cjs", { plugins: [shims, zodApart, pgApart] });
await bundle("src/hot.ts", "dist/hot.cjs", { plugins: [shims, zodApart, pgApart] });
await bundle("zod", "dist/zod.cjs");
await bundle("pg", "dist/pg.cjs", { external: ["pg-native"], plugins: [shims] });
await bundle("src/loader.ts", "dist/loader.cjs");
// A cache of an older bundle would be ignored anyway; removing it keeps dist/ tidy.
for (const name of readdirSync(resolve(root, "dist"))) if (name.endsWith(".v8cache")) rmSync(resolve(root, "dist", name), { force: true });

// The library entry (dist/lib.cjs, dist/lib.mjs) for `import { openStore } from "taskpulse"`.
await import("./build-lib.mjs");
// The OpenClaw plugin (openclaw-plugin/dist/index.js).
await import("./build-plugin.mjs");
