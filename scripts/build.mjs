// Bundles src/main.ts and its dependencies into one CommonJS file, dist/taskpulse.cjs, and the loader that
// bin/taskpulse.js starts it with (src/loader.ts) into dist/loader.cjs. The bundle's first line is a build id,
// which keys its code cache (src/loader.ts).
import { createHash } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..");

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: false,
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

await bundle("src/main.ts", "dist/taskpulse.cjs");
await bundle("src/loader.ts", "dist/loader.cjs");
// A cache of an older bundle would be ignored anyway; removing it keeps dist/ tidy.
rmSync(resolve(root, "dist/taskpulse.cjs.v8cache"), { force: true });
