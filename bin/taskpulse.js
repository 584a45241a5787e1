#!/usr/bin/env node
// Starts taskpulse and sets process.exitCode from main(). The lean entry (dist/hot.cjs, src/hot.ts) runs the calls an
// agent makes most (LEAN, as src/hot.ts declares them; test/hot.test.ts compares) without commander and hands back,
// untouched, any command line it does not take; the full program (dist/taskpulse.cjs, src/main.ts) runs those. Other
// command lines go straight to the full program: reading the lean entry only to be handed back costs a start. Both load through dist/loader.cjs,
// which caches what a start compiled outside the package (src/loader.ts). When the lean entry answered and its output
// went straight to the descriptors (nothing pending: the store is closed before main() returns), the process exits
// at once instead of tearing the heap down. CommonJS (bin/package.json): an ES module entry starts slower.
const { join } = require("node:path");
const { loadBundle } = require("../dist/loader.cjs");

const argv = process.argv.slice(2);
const LEAN = ["heartbeat", "next", "check", "done"];

function start(file, fallback) {
  const bundle = loadBundle(join(__dirname, "..", "dist", file), { require });
  bundle.exports.main(argv).then(
    (code) => {
      if (code === undefined) return fallback();
      process.exitCode = code;
      // A cache is written only by a call that did its work (0, or 20: done, and a stop is requested); the lean
      // entry's names the work (the command, the kind of store, whether it sends), so that its cache comes to hold
      // what each compiles.
      if (code === 0 || code === 20) bundle.saveCache(bundle.exports.work?.());
      if (bundle.exports.outputStreamsUsed?.() === false) process.exit(code);
    },
    (err) => {
      process.stderr.write(`error: internal error: ${err?.message ?? err}\n`);
      process.exitCode = 1;
    },
  );
}

const full = () => start("taskpulse.cjs");
if (argv.some((word) => LEAN.includes(word))) start("hot.cjs", full);
else full();
