// Bundles src/main.ts and its dependencies into one CommonJS file, dist/taskpulse.cjs.
import { build } from "esbuild";

await build({
  entryPoints: ["src/main.ts"],
  outfile: "dist/taskpulse.cjs",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: false,
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
});

// The library entry (dist/lib.cjs, dist/lib.mjs) for `import { openStore } from "taskpulse"`.
await import("./build-lib.mjs");
