// Stands in for graceful-fs inside proper-lockfile (see scripts/build/build.mjs). graceful-fs queues fs calls that fail
// with EMFILE and patches the global fs module to do it; proper-lockfile makes a handful of calls on one directory,
// and loading graceful-fs costs every locked call ~3 ms (it patches fs and pulls in streams).
module.exports = require("node:fs");
