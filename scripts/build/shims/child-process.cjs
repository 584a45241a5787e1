// Stands in for node:child_process inside commander (see scripts/build/build.mjs): commander requires it when it loads,
// for executable subcommands, which taskpulse does not have; loading it costs every call ~3 ms (it pulls in net,
// dgram and streams). The real module is loaded if spawn is ever called.
module.exports = {
  spawn: (...args) => require("node:child_process").spawn(...args),
};
