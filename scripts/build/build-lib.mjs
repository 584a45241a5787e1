// Bundles the library entry (src/lib/index.ts) into dist/lib.cjs, and writes dist/lib.mjs, a two-line ES module
// over the same bundle: one copy of the code whichever way it is loaded. Types: lib/index.d.ts (hand-written,
// checked against the implementation by the type-checker). Run by scripts/build/build.mjs.
import { writeFileSync } from "node:fs";
import { build } from "esbuild";

await build({
  entryPoints: ["src/lib/index.ts"],
  outfile: "dist/lib.cjs",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: false,
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
  // the library's users install pg with it (a dependency); loaded only for a postgres:// store
  external: ["pg", "pg-native"],
});

writeFileSync(
  "dist/lib.mjs",
  `// ES module entry of taskpulse: the CommonJS bundle dist/lib.cjs, re-exported.
import lib from "./lib.cjs";
export const { openStore, TaskpulseError, EXIT } = lib;
`,
);
