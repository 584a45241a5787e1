// Stands in for node:assert inside signal-exit (see scripts/build.mjs), which uses it once, to check that its
// callback is a function. Loading node:assert costs every locked call ~5 ms: it sets up colours for its messages,
// which builds process.stderr, which for a pipe loads net and streams.
module.exports = {
  equal(actual, expected, message) {
    // biome-ignore lint/suspicious/noDoubleEquals: node:assert's equal is loose equality
    if (actual != expected) throw new Error(message);
  },
};
