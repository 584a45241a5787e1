// Stands in for pg's lib/stream.js inside dist/pg.cjs (see scripts/build/build.mjs). The original decides at load whether
// it runs in a Cloudflare Worker by constructing a `Response`, which on Node 20 loads undici (~25 ms, most of pg's
// load time) for an answer that is always "no" here. This is its Node.js branch, unchanged.
module.exports = {
  getStream() {
    const net = require("node:net");
    return new net.Socket();
  },
  getSecureStream(options) {
    const tls = require("node:tls");
    return tls.connect(options);
  },
};
