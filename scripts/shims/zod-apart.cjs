// Stands in for zod inside the CLI bundle (see scripts/build.mjs): zod is most of the bundle's size, and a call
// that never validates with it (heartbeat, next, done, status…) should not load, parse or deserialise it. Commands
// that do (create, run, jobs, doctor) load dist/zod.cjs here, through the same loader and code cache as the bundle
// (src/loader.ts), whose cache is written at exit, so that it holds what the command compiled.
const { join } = require("node:path");
const { loadBundle } = require(join(__dirname, "loader.cjs"));

const zod = loadBundle(join(__dirname, "zod.cjs"), { require });
// Only after a call that did its work (exit 0, or 20: done, and a stop is requested): see saveCache.
if (zod.cache === "miss" || zod.cache === "rejected")
  process.once("exit", (code) => {
    if (code === 0 || code === 20) zod.saveCache();
  });
module.exports = zod.exports;
