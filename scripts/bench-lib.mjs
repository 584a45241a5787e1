// Shared by bench.mjs and bench-guard.mjs: fixture stores written directly in the store's format, and timing of
// whole processes. Plain Node, no dependencies.
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

/**
 * Writes a store directory holding exactly these tasks (state.json in the format of src/store/state-schema.ts; the
 * journal starts empty). `counter` is the store's id counter (ids handed out so far, archived tasks included).
 */
export function writeStore(dir, tasks, { counter = tasks.length } = {}) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const state = { schemaVersion: 1, seq: 0, txn: null, counter, tasks: {}, agents: {}, jobs: {} };
  for (const task of tasks) state.tasks[task.id] = task;
  writeFileSync(join(dir, "state.json"), JSON.stringify(state), { mode: 0o600 });
  writeFileSync(join(dir, "journal.jsonl"), "", { mode: 0o600 });
  return dir;
}

// --- the archive, in the format of src/store/archive.ts ------------------------------------------------------------
// What `taskpulse cleanup` leaves: archive/YYYY-MM.tasks.jsonl ({"v":1,"task":…,"audit":[…]} per line) and
// archive/YYYY-MM.index.jsonl (summarize(task) per line), by month of finishing, lines in the order cleanup appends
// them. test/bench-fixtures.test.ts checks these against the real schemas and summarize().

/** A small deterministic PRNG (mulberry32): fixtures are the same on every run. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz";
const ID_LETTERS = "abcdefghjkmnpqrstuvwxyz";

/** A task id as src/core/ids.ts newId() makes it: a letter, the counter in base 31 (3+ digits), 2 random chars. */
export function realId(counter, random) {
  const pick = (alphabet) => alphabet[Math.floor(random() * alphabet.length)];
  let digits = "";
  for (let n = counter; n > 0; n = Math.floor(n / ID_ALPHABET.length)) digits = ID_ALPHABET[n % ID_ALPHABET.length] + digits;
  return pick(ID_LETTERS) + digits.padStart(3, ID_ALPHABET[0]) + pick(ID_ALPHABET) + pick(ID_ALPHABET);
}

/** A mirror of summarize() in src/core/insight.ts: the index line of a task. */
export function summarize(task) {
  const s = {
    id: task.id,
    agent: task.agent,
    name: task.name,
    status: task.status,
    priority: task.priority,
    tags: task.tags,
    createdAt: task.createdAt,
    retries: task.retries,
  };
  if (task.description) s.description = task.description;
  if (task.group) s.group = task.group;
  if (task.status !== "pending" && task.startedAt) s.startedAt = task.startedAt;
  if (task.status === "done" || task.status === "failed" || task.status === "cancelled") s.finishedAt = task.finishedAt;
  if (task.stallsSeen) s.stallsSeen = task.stallsSeen;
  if (task.status === "failed") s.error = task.error.slice(0, 200);
  if (task.after.length > 0) s.after = task.after;
  return s;
}

const WORK = [
  { name: "日报 daily report", steps: ["fetch", "write", "publish"], tags: ["daily"] },
  { name: "sync feeds", steps: ["fetch", "dedupe"], tags: ["feeds"] },
  { name: "deploy web", steps: ["build", "test", "upload", "verify"], tags: ["backend", "deploy"], group: "release" },
  { name: "translate docs 翻译", steps: [], tags: ["docs"] },
  { name: "backup database", steps: ["dump", "compress", "upload"], tags: ["ops"] },
  { name: "review pull request", steps: [], tags: ["code"], description: "read the diff, run the tests, leave comments" },
  { name: "weekly digest 周报", steps: ["collect", "summarise", "send"], tags: ["weekly"] },
  { name: "index search", steps: ["crawl", "index"], tags: [] },
];
const ERRORS = [
  "timeout after 30s",
  "HTTP 502 from upstream",
  "test suite failed: 3 of 412",
  "disk full (ENOSPC)",
  "rate limited, retry later",
];

/**
 * One archived record, {v, task, audit}, as a task that lived through the CLI leaves it (src/core/lifecycle.ts):
 * created straight into running or queued and started later, steps advanced with messages, then done, failed or
 * cancelled (some while still queued); a few failed once and were retried. Its audit trail has one entry per
 * transition, oldest first. `finishedMs` is when it ended.
 */
export function archivedRecord(counter, finishedMs, random, agents = 8) {
  const agent = `a${Math.floor(random() * agents)}`;
  const work = WORK[Math.floor(random() * WORK.length)];
  const roll = random();
  const status = roll < 0.82 ? "done" : roll < 0.94 ? "failed" : "cancelled";
  const started = !(status === "cancelled" && random() < 0.5);
  const retried = started && status !== "cancelled" && random() < 0.06;
  const straight = started && random() < 0.5;
  const id = realId(counter, random);
  const name = `${work.name} #${counter}`;
  const runMs = Math.round(20_000 * 120 ** random()); // 20 s to 40 min
  const queueMs = straight ? 0 : 1000 + Math.round(random() * 600_000);
  const startMs = finishedMs - runMs;
  const firstStartMs = retried ? startMs - 120_000 : startMs;
  const createdMs = started ? firstStartMs - queueMs : finishedMs - queueMs;

  const audit = [];
  const entry = (action, from, to, at, message) => {
    const e = { task: id, action, from, to, operator: agent, at: iso(at) };
    if (message) e.message = message;
    audit.push(e);
  };
  entry("create", null, straight ? "running" : "pending", createdMs, name);
  if (started && !straight) entry("start", "pending", "running", firstStartMs);
  if (retried) {
    entry("fail", "running", "failed", firstStartMs + 30_000, ERRORS[0]);
    entry("retry", "failed", "pending", firstStartMs + 60_000, "retry 1/3");
    entry("start", "pending", "running", startMs);
  }

  // The last attempt: steps advance evenly; a failed or cancelled task stops part-way.
  const steps = work.steps.map((step) => ({ name: step, status: "pending" }));
  const reached = status === "done" ? steps.length : Math.floor(random() * steps.length);
  let at = startMs;
  let lastMessage;
  let lastSeenMs = started ? startMs : createdMs;
  if (started && steps.length > 0) {
    const each = Math.floor(runMs / steps.length);
    for (let k = 0; k < steps.length && k <= reached; k++) {
      const step = steps[k];
      step.status = "running";
      step.startedAt = iso(at);
      if (k === reached) break;
      at = k === steps.length - 1 ? finishedMs : at + each;
      lastMessage = `${Math.floor(random() * 400)} items`;
      Object.assign(step, { status: "done", finishedAt: iso(at), message: lastMessage });
      lastSeenMs = at;
      if (k < steps.length - 1) entry("step", "running", "running", at, `${step.name}: ${lastMessage}`);
      else entry("done", "running", "done", at, `${step.name}: ${lastMessage}`);
    }
  }

  const task = {
    id,
    agent,
    name,
    ...(work.description ? { description: work.description } : {}),
    priority: 1 + Math.floor(random() * 10),
    steps,
    ...(lastMessage ? { lastMessage } : {}),
    tags: work.tags,
    after: [],
    ...(work.group ? { group: work.group } : {}),
    meta: {},
    seq: counter,
    createdBy: agent,
    createdAt: iso(createdMs),
    queuedAt: iso(createdMs),
    updatedAt: iso(finishedMs),
    lastSeenAt: iso(lastSeenMs),
    attempts: started ? (retried ? 2 : 1) : 0,
    retries: retried ? 1 : 0,
    maxRetries: 3,
  };
  if (random() < 0.03) task.stallsSeen = 1;
  if (status === "done") {
    let result;
    if (steps.length === 0) {
      result = `https://example.com/r/${counter}`;
      entry("done", "running", "done", finishedMs, result);
    }
    task.lastSeenAt = iso(finishedMs);
    task.push = { lastText: `🎉 [${name}] done!`, lastAt: iso(finishedMs), count: steps.length + 1 };
    Object.assign(task, { status, startedAt: iso(startMs), finishedAt: iso(finishedMs) }, result ? { result } : {});
  } else if (status === "failed") {
    const error = ERRORS[Math.floor(random() * ERRORS.length)];
    for (const step of steps)
      if (step.status === "running") Object.assign(step, { status: "failed", finishedAt: iso(finishedMs), message: error });
    entry("fail", "running", "failed", finishedMs, error);
    task.lastSeenAt = iso(finishedMs);
    task.push = { lastText: `❌ [${name}] failed\nError: ${error}`, lastAt: iso(finishedMs), count: 1 };
    Object.assign(task, { status, startedAt: iso(startMs), finishedAt: iso(finishedMs), error, retryable: true });
  } else {
    for (const step of steps) if (step.status === "running" || step.status === "pending") step.status = "skipped";
    const reason = "not needed any more";
    entry("cancel", started ? "running" : "pending", "cancelled", finishedMs, reason);
    task.push = { lastText: `⛔ [${name}] cancelled\nReason: ${reason}`, lastAt: iso(finishedMs), count: 1 };
    Object.assign(task, { status }, started ? { startedAt: iso(startMs) } : {}, { finishedAt: iso(finishedMs), reason });
  }
  return { v: 1, task, audit };
}

/**
 * Writes `count` archived tasks into dir/archive, finishing evenly between `fromMs` and `toMs` (oldest first, as
 * successive cleanups append them), ids from counters `firstCounter`, `firstCounter + 1`, …. Lines are built and
 * appended in batches, so 100 000 tasks take a few seconds and little memory. Returns the number of months written.
 */
export function writeArchive(dir, { count, fromMs, toMs, firstCounter = 1, seed = 1 }) {
  const archive = join(dir, "archive");
  mkdirSync(archive, { recursive: true, mode: 0o700 });
  const random = seededRandom(seed);
  const months = new Set();
  let tasks = new Map();
  let index = new Map();
  const flush = () => {
    for (const [month, lines] of tasks) appendFileSync(join(archive, `${month}.tasks.jsonl`), lines.join(""), { mode: 0o600 });
    for (const [month, lines] of index) appendFileSync(join(archive, `${month}.index.jsonl`), lines.join(""), { mode: 0o600 });
    tasks = new Map();
    index = new Map();
  };
  for (let i = 0; i < count; i++) {
    const finishedMs = Math.round(fromMs + ((toMs - fromMs) * i) / Math.max(1, count - 1));
    const record = archivedRecord(firstCounter + i, finishedMs, random);
    const month = record.task.finishedAt.slice(0, 7);
    months.add(month);
    if (!tasks.has(month)) {
      tasks.set(month, []);
      index.set(month, []);
    }
    tasks.get(month).push(`${JSON.stringify(record)}\n`);
    index.get(month).push(`${JSON.stringify(summarize(record.task))}\n`);
    if (i % 5000 === 4999) flush();
  }
  flush();
  return months.size;
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
