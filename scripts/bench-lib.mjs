// Shared by bench.mjs and bench-guard.mjs: fixture stores (built through the store's own code) and timing of whole
// processes. Plain Node; the fixture builder runs with tsx (a devDependency).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
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

// --- fixture stores -------------------------------------------------------------------------------------------

/**
 * Builds fixture stores through taskpulse's own store code (scripts/bench-store.ts, run with tsx from this
 * checkout's devDependencies): specs as StoreSpec there; returns what it built, in the same order.
 */
export function buildStores(stores) {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "bench-store.ts"), JSON.stringify({ stores })], {
    cwd: ROOT,
    env: benchEnv(),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`building the fixture stores failed: ${r.stderr.slice(0, 2000)}`);
  return JSON.parse(r.stdout);
}

/**
 * A store with one running task, made with the CLI under test itself; returns its directory and the task's id.
 * `steps`: how many steps the task has (`next` finishes one per call).
 */
export function storeWithRunningTask(dir, env, { steps = 2, agent = "main" } = {}) {
  const names = Array.from({ length: steps }, (_, i) => `step ${i + 1}`);
  const { stdout } = timeRun(taskpulseArgv(["--store", dir, "--agent", agent, "create", "-q", "--start", "bench task", ...names]), env);
  return { dir, id: stdout.trim() };
}

// --- running and timing -----------------------------------------------------------------------------------------

/** The command line running taskpulse with `args`, under this Node or another one. */
export function taskpulseArgv(args, node = process.execPath) {
  return [node, BIN, ...args];
}

/**
 * CPU time (user + system) of the children this process has waited for, in ms, from /proc (Linux; NaN elsewhere).
 * The kernel reports it in ticks of 10 ms, so one run's figure is coarse: average it over many runs.
 */
function childrenCpuMs() {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return Number.NaN;
  }
}

/**
 * Runs a command to completion; returns its wall time in ms (measured around the whole process), its CPU time (see
 * childrenCpuMs) and output. Exit 20 (a stop is requested) counts as success: `check` answers with it.
 */
export function timeRun(argv, env) {
  const cpu = childrenCpuMs();
  const started = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { env, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0 && r.status !== 20) throw new Error(`${argv.slice(1).join(" ")} exited ${r.status}: ${r.stderr.slice(0, 500)}`);
  return { ms, cpuMs: childrenCpuMs() - cpu, stdout: r.stdout, stderr: r.stderr };
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
 * order that rotates, so that drift of the machine's speed hits all of them alike. A command given as a function of
 * the round gives each round its own argv (a command that uses up a task, such as `done`). Returns the wall times;
 * the CPU times go into `cpu`, when given, by name.
 */
export function interleave(commands, { runs, warmup, env, cpu }) {
  const names = Object.keys(commands);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (const name of names) if (cpu) cpu[name] = [];
  for (let round = 0; round < warmup + runs; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      const command = commands[name];
      const { ms, cpuMs } = timeRun(typeof command === "function" ? command(round) : command, env);
      if (round < warmup) continue;
      times[name].push(ms);
      cpu?.[name].push(cpuMs);
    }
  }
  return times;
}

export function mean(values) {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

export function median(values) {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export const round1 = (x) => Math.round(x * 10) / 10;
export const round2 = (x) => Math.round(x * 100) / 100;

/** The whole state on disk: state.json, with the tasks of its parts when it is a head (src/store/parts.ts). */
export function readWholeState(dir) {
  const { parts, queues: _queues, ...state } = JSON.parse(readFileSync(join(dir, "state.json"), "utf8"));
  if (parts === undefined) return state;
  state.tasks = {};
  for (const [bucket, txn] of Object.entries(parts)) {
    Object.assign(state.tasks, JSON.parse(readFileSync(join(dir, "tasks", `${bucket}.${txn}.json`), "utf8")).tasks);
  }
  return state;
}
