#!/usr/bin/env node
// Loads the bundle built by `npm run build` (run automatically by `npm ci` through `prepare`) through a V8 code
// cache (src/loader.ts), and sets process.exitCode from main(). A `heartbeat` (also after global options) first
// tries the small commander-free entry (dist/hot.cjs, src/hot.ts), which hands back anything it does not handle
// exactly; when it handled the call and all its output went straight to the descriptors (written synchronously,
// nothing pending: the lock is released and the store closed before main() returns), it exits at once instead of
// tearing the heap down (~2 ms). This file is CommonJS (bin/package.json): an ES module entry costs every call ~6 ms
// more to start.
const { join } = require("node:path");
const { loadBundle } = require("../dist/loader.cjs");

const dist = join(__dirname, "..", "dist");
const argv = process.argv.slice(2);

// The command word, found without knowing which options take values: the first argument that is a command name.
// The full program keeps a code cache per command (src/loader.ts: a cache holds what the start that wrote it
// compiled); anything else shares one.
const COMMANDS = new Set(
  "create start next skip heartbeat done complete finish error fail retry cancel status show info log limit pushed edit cleanup query list ls stats history agents stop check ack wait run jobs alerts delivery state serve token skill heartbeat-line doctor export import migrate completion".split(
    " ",
  ),
);
const command = argv.find((a) => COMMANDS.has(a));

function start(file, fallback) {
  const bundle = loadBundle(join(dist, file), { require, variant: file === "taskpulse.cjs" ? command : undefined });
  bundle.exports.main(argv).then(
    (code) => {
      if (code === undefined && fallback) return fallback();
      process.exitCode = code;
      // A cache is written only by a call that did its work (0, or 20: done, and a stop is requested).
      if (code === 0 || code === 20) bundle.saveCache();
      // Only the heartbeat entry exports this: its output is all written unless a stream took over.
      if (bundle.exports.outputStreamsUsed?.() === false) process.exit(code);
    },
    (err) => {
      process.stderr.write(`error: internal error: ${err?.message ?? err}\n`);
      process.exitCode = 1;
    },
  );
}

const full = () => start("taskpulse.cjs");
// The small entry decides exactly whether it takes the call, and hands back what it does not.
if (command === "heartbeat") start("hot.cjs", full);
else full();
