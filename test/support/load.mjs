#!/usr/bin/env node
// A dev tool, not part of the suite: load for proving the suite holds on a busy machine (issue 22: the whole suite
// passes while another process keeps every core busy). `node test/support/load.mjs [n]` starts n child processes
// (default: one per core) that each spin on the CPU until this process is stopped (Ctrl-C, SIGTERM). A child also
// stops by itself when this process is gone (it watches its parent id), so a SIGKILL leaves nothing spinning.
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";

if (process.argv[2] === "--spin") {
  const parent = process.ppid;
  for (let i = 0; ; i++) {
    // the parent id changes when the parent dies (the child is adopted); checked rarely, so the loop stays busy
    if (i % 50_000_000 === 0 && process.ppid !== parent) process.exit(0);
  }
}

const n = Number(process.argv[2] ?? availableParallelism());
if (!Number.isInteger(n) || n < 1) {
  process.stderr.write("usage: node test/support/load.mjs [number of spinning processes]\n");
  process.exit(2);
}
const children = Array.from({ length: n }, () => spawn(process.execPath, [import.meta.filename, "--spin"], { stdio: "ignore" }));
process.stderr.write(`load: ${n} spinning processes (${children.map((c) => c.pid).join(" ")}); stop with Ctrl-C\n`);
const stop = () => {
  for (const c of children) c.kill("SIGKILL");
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
