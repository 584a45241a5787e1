// Shared by bench.mjs and bench-guard.mjs: fixture stores written directly in the store's format, and timing of
// whole processes. Plain Node, no dependencies.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "..");
/** The command measured: this checkout's, or another build's given with --bin (to compare before and after). */
const binArg = process.argv.indexOf("--bin");
export const BIN = binArg >= 0 ? resolve(process.argv[binArg + 1] ?? "") : join(ROOT, "bin", "taskpulse.js");

/**
 * The environment both sides of every comparison run in: this machine's NODE_EXTRA_CA_CERTS makes every Node start
 * load a certificate file (~80 ms), which users rarely have, so it is removed for taskpulse and for `node -e ''`.
 */
export function benchEnv(extra = {}) {
  const env = { ...process.env, LANG: "C", ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.TASKPULSE_AGENT;
  delete env.TASKPULSE_STORE;
  return env;
}

export const ENV_NOTE = "NODE_EXTRA_CA_CERTS is unset for both sides (it adds ~80 ms to every Node start here; users rarely have it)";

/** Builds dist/ when it is missing (or always, with force). */
export function ensureBuilt(force) {
  if (!force && existsSync(join(ROOT, "dist", "taskpulse.cjs")) && existsSync(join(ROOT, "dist", "loader.cjs"))) return;
  const r = spawnSync(process.execPath, [join(ROOT, "scripts", "build.mjs")], { cwd: ROOT, stdio: "inherit", env: benchEnv() });
  if (r.status !== 0) throw new Error("build failed");
}

export function tempRoot() {
  return mkdtempSync(join(tmpdir(), "taskpulse-bench-"));
}

export function cleanup(dir) {
  rmSync(dir, { recursive: true, force: true });
}

// --- fixtures, in the format of src/core/model.ts and src/store/state-file.ts -----------------------------------

const BASE = Date.parse("2026-05-01T00:00:00Z");
const iso = (ms) => new Date(ms).toISOString();

/** Task ids as taskpulse prints them: a letter, then letters and digits; unique per index. */
export function taskId(i) {
  return `t${i.toString(36).padStart(5, "0")}`;
}

function common(i, agent, at) {
  return {
    id: taskId(i),
    agent,
    name: `task ${i} 日报`,
    priority: 1 + (i % 10),
    steps: [],
    tags: i % 3 === 0 ? ["daily"] : [],
    after: [],
    meta: {},
    createdBy: agent,
    createdAt: iso(at),
    queuedAt: iso(at),
    updatedAt: iso(at + 60_000),
    lastSeenAt: iso(at + 60_000),
    attempts: 1,
    retries: 0,
    maxRetries: 3,
  };
}

/** A finished task as `done` leaves it: three steps closed, a result. */
export function doneTask(i, agent = `agent-${i % 8}`) {
  const at = BASE - (i + 1) * 60_000;
  const steps = ["fetch", "write", "publish"].map((name, k) => ({
    name,
    status: "done",
    startedAt: iso(at + k * 10_000),
    finishedAt: iso(at + (k + 1) * 10_000),
    message: `${name} ok (${k * 7 + 3} items)`,
  }));
  return {
    ...common(i, agent, at),
    steps,
    status: "done",
    startedAt: iso(at),
    finishedAt: iso(at + 30_000),
    result: `https://example.com/r/${i}`,
  };
}

export function runningTask(i, agent = "main", now = Date.now()) {
  const steps = [
    { name: "fetch", status: "done", startedAt: iso(now - 20_000), finishedAt: iso(now - 10_000) },
    { name: "write", status: "running", startedAt: iso(now - 10_000) },
    { name: "publish", status: "pending" },
  ];
  return { ...common(i, agent, now - 30_000), steps, status: "running", startedAt: iso(now - 30_000), lastSeenAt: iso(now - 1000) };
}

export function pendingTask(i, agent = `agent-${i % 8}`) {
  return { ...common(i, agent, BASE + i * 1000), status: "pending", attempts: 0 };
}

/** Writes a store directory holding exactly these tasks (state.json; the journal starts empty). */
export function writeStore(dir, tasks) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const state = { schemaVersion: 1, seq: 0, txn: null, tasks: {}, agents: {} };
  for (const task of tasks) state.tasks[task.id] = task;
  writeFileSync(join(dir, "state.json"), JSON.stringify(state), { mode: 0o600 });
  writeFileSync(join(dir, "journal.jsonl"), "", { mode: 0o600 });
  return dir;
}

// --- running and timing -----------------------------------------------------------------------------------------

export function taskpulseArgv(args) {
  return [process.execPath, BIN, ...args];
}

/** Runs a command to completion; returns its wall time in ms (measured around the whole process) and output. */
export function timeRun(argv, env) {
  const started = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { env, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.slice(1).join(" ")} exited ${r.status}: ${r.stderr.slice(0, 500)}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking: for concurrent runs. */
export function runAsync(argv, env) {
  return new Promise((res) => {
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => res({ code, stdout, stderr }));
  });
}

/**
 * Times named commands side by side: `warmup` rounds, then `runs` rounds; each round runs every command once, in an
 * order that rotates, so that drift of the machine's speed hits all of them alike. Returns the times per command.
 */
export function interleave(commands, { runs, warmup, env }) {
  const names = Object.keys(commands);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < warmup + runs; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      const { ms } = timeRun(commands[name], env);
      if (round >= warmup) times[name].push(ms);
    }
  }
  return times;
}

export function median(values) {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export const round1 = (x) => Math.round(x * 10) / 10;
export const round2 = (x) => Math.round(x * 100) / 100;

/** The journal's committed chain (see src/store/journal.ts): walk back from the state's last txn along `prev`. */
export function committedRecords(dir) {
  const state = JSON.parse(readFileSync(join(dir, "state.json"), "utf8"));
  const byTxn = new Map();
  const aborted = new Set();
  for (const line of readFileSync(join(dir, "journal.jsonl"), "utf8").split("\n")) {
    if (!line) continue;
    const rec = JSON.parse(line);
    if (rec.abort) aborted.add(rec.abort);
    else byTxn.set(rec.txn, rec);
  }
  const chain = [];
  const seen = new Set();
  for (let txn = state.txn; txn !== null && !seen.has(txn); ) {
    seen.add(txn);
    const rec = byTxn.get(txn);
    if (!rec || aborted.has(txn)) break;
    chain.push(rec);
    txn = rec.prev;
  }
  return { state, chain: chain.reverse() };
}
