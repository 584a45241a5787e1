#!/usr/bin/env node
// Loads the one-file bundle built by `npm run build` (run automatically by `npm ci` through `prepare`) through a V8
// code cache (src/loader.ts), and sets process.exitCode from main(); never process.exit(). This file is CommonJS
// (bin/package.json): an ES module entry costs every call ~6 ms more to start.
const { join } = require("node:path");
const { loadBundle } = require("../dist/loader.cjs");

const bundle = loadBundle(join(__dirname, "..", "dist", "taskpulse.cjs"), { require });
bundle.exports.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    bundle.saveCache();
  },
  (err) => {
    process.stderr.write(`error: internal error: ${err?.message ?? err}\n`);
    process.exitCode = 1;
  },
);
