#!/usr/bin/env node
// Loads the one-file bundle built by `npm run build` (run automatically by `npm ci` through `prepare`).
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { main } = require("../dist/taskpulse.cjs");
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`error: internal error: ${err?.message ?? err}\n`);
    process.exitCode = 1;
  },
);
