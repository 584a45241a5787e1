// Entry of dist/pg.cjs (scripts/build.mjs): the pg client, bundled apart from the CLI so that only calls on a
// PostgreSQL store load it.
module.exports = require("pg");
