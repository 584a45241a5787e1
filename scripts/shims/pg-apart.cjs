// Stands in for pg inside the CLI bundle (see scripts/build.mjs): only a call on a postgres:// store loads the pg
// client, from dist/pg.cjs, through the same loader and code cache as the bundle (src/loader.ts), whose cache is
// written at exit, so that it holds what the call compiled. A JSON call never reaches this file.
const { join } = require("node:path");
const { loadBundle } = require(join(__dirname, "loader.cjs"));

const pg = loadBundle(join(__dirname, "pg.cjs"), { require });
// Only after a call that did its work (exit 0, or 20: done, and a stop is requested): see saveCache.
if (pg.cache === "miss" || pg.cache === "rejected")
  process.once("exit", (code) => {
    if (code === 0 || code === 20) pg.saveCache();
  });
module.exports = pg.exports;
