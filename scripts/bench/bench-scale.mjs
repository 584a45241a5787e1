// The cost of a call as the hot state grows (issue 16): stores with N tasks queued or running across 20 agents,
// each command timed against the same command on a store with a handful of tasks, interleaved in one run; then
// processes heartbeating their own tasks at once on the large store (lock waits, lost updates). Used by bench.mjs.
import { join } from "node:path";
import { benchEnv, buildStores, interleave, median, readWholeState, round1, round2, runAsync, taskpulseArgv } from "./bench-lib.mjs";

const AGENTS = 20;

/**
 * The agent whose queue `start` (take next) takes from; `start <id>` takes other agents' tasks. It runs 3 tasks
 * whatever the mix (the rest of its share is queued) and may run 100, so every round takes a task.
 */
const TAKER = "a1";
const TAKER_SPEC = { agent: TAKER, running: 3, limit: 100 };

/**
 * The commands of the scale figures, each a function of the round: those that use up a task (next, done, start)
 * get a fresh one per round, so every round does the same work.
 */
function commands(store, rounds) {
  const need = (list, i) => {
    const id = list[i];
    if (id === undefined) throw new Error(`the scale fixture ${store.dir} has too few tasks for ${rounds} rounds`);
    return id;
  };
  const others = store.pending.filter((_, j) => store.pendingAgents[j] !== TAKER);
  const tp = (...args) => taskpulseArgv(["--store", store.dir, ...args]);
  return {
    heartbeat: () => tp("heartbeat", store.running[0], "bench", "--progress", "50"),
    next: (r) => tp("next", need(store.running, 1 + r), "step done"),
    done: (r) => tp("done", need(store.running, 1 + rounds + r)),
    "start <id>": (r) => tp("start", need(others, r)),
    "start (take next)": () => tp("--agent", TAKER, "start", "-q"),
    // an agent at its limit (1, the default): the answer names its running tasks, read from its whole queue
    "start (busy)": () => tp("--agent", "a0", "start", "-q"),
    status: () => tp("status"),
    query: () => tp("query", "--status", "running", "--limit", "20"),
  };
}

/** Budgets from the issue: ratio to the same command on the small store, at 10 000 tasks (and at 100 000). */
function target(name, tasks) {
  if (name === "status" || name === "query") return "< 3 × small";
  if (name === "start (busy)") return "(an answer, no change)";
  return tasks >= 100_000 ? "≤ 1.6 × small" : "≤ 1.3 × small";
}

/**
 * Times every command on a small store and on one store per size in `sizes`; `out`/`row` print as bench.mjs does.
 * Returns the figures for bench.mjs's JSON line.
 */
export async function benchScale({ root, sizes, runs, warmup, contention, out, row }) {
  const env = benchEnv();
  const rounds = runs + warmup;
  // The small store: two agents, with just enough tasks for every round's next, done and starts.
  const smallActive = 6 * rounds + 8;
  // Each size in two mixes: a backlog (3 running tasks per agent, the rest queued: what a team with a backlog has)
  // and half of the tasks running (the worst case for status and query, which read every running task in full).
  const mixes = [
    { name: "backlog", running: () => 3 * AGENTS },
    { name: "half running", running: (n) => Math.ceil(n / 2) },
  ];
  const runs_ = sizes.flatMap((n, i) => mixes.map((mix, j) => ({ n, mix, i, j })));
  // A small store per large one: the timed rounds use up their tasks (next, done, start).
  const smalls = runs_.map((_, k) => ({
    dir: join(root, `scale-small-${k}`),
    archived: 0,
    active: smallActive,
    // a0 gets every other task, running ones first: enough running for next and done, queued for start <id>
    running: smallActive - 2 * rounds - 2,
    agents: 2,
    taker: TAKER_SPEC,
  }));
  const specs = [
    ...smalls,
    ...runs_.map(({ n, mix, i, j }) => ({
      dir: join(root, `scale-${n}-${j}`),
      archived: 0,
      active: n,
      running: mix.running(n),
      agents: AGENTS,
      taker: TAKER_SPEC,
      seed: 10 + 2 * i + j,
    })),
  ];
  const built = buildStores(specs);
  const large = built.slice(smalls.length);
  const figures = { agents: AGENTS, smallTasks: smallActive, sizes: {} };
  for (const [k, store] of large.entries()) {
    const { n, mix } = runs_[k];
    const small = built[k];
    const a = commands(small, rounds);
    const b = commands(store, rounds);
    const all = {};
    for (const name of Object.keys(a)) {
      all[`small ${name}`] = a[name];
      all[`large ${name}`] = b[name];
    }
    const times = interleave(all, { runs, warmup, env });
    out(`scale: ${n} tasks across ${AGENTS} agents, ${mix.name} (${store.running.length} running), against ${smallActive} tasks`);
    out("                                      median ms  ratio                 target");
    const size = {};
    for (const name of Object.keys(a)) {
      const smallMs = median(times[`small ${name}`]);
      const largeMs = median(times[`large ${name}`]);
      size[name] = { smallMs: round1(smallMs), ms: round1(largeMs), ratio: round2(largeMs / smallMs) };
      row(name, round1(largeMs), `${round2(largeMs / smallMs)} × small (${round1(smallMs)})`, target(name, n));
    }
    figures.sizes[n] ??= {};
    figures.sizes[n][mix.name] = size;
    out();
  }
  if (contention && large.length > 0) {
    const store = large[0];
    // The last running tasks: the timed rounds above used up the first ones (next, done).
    const c = await heartbeatContention(store.dir, store.running.slice(-contention.processes), contention);
    out(`scale contention: ${c.processes} processes × ${c.heartbeats} heartbeats on the ${sizes[0]}-task store (${mixes[0].name})`);
    row("total", `${c.totalS} s`, `${round1(c.commitsPerS)} commits/s`);
    row(
      "slowest lock wait",
      c.slowestLockWaitMs === null ? "?" : `${c.slowestLockWaitMs} ms`,
      `median ${c.medianLockWaitMs} ms`,
      "< 2000 ms",
    );
    row("failed calls / lost updates", `${c.failedCalls} / ${c.lostUpdates}`, "", "0 / 0");
    out();
    figures.contention = { tasks: sizes[0], ...c };
  }
  return figures;
}

/**
 * `processes` processes each heartbeat their own task `heartbeats` times, all at once. Every call should succeed;
 * every acknowledged one must be on the journal's committed chain, and every task must end with its process's last
 * acknowledged heartbeat (lost updates counts what is not).
 */
export async function heartbeatContention(dir, ids, { processes, heartbeats }) {
  if (ids.length < processes) throw new Error(`contention needs ${processes} running tasks, the store has ${ids.length}`);
  const env = benchEnv({ TASKPULSE_BENCH_TIMING: "1" });
  // Commits are counted by the state's seq (one per commit; the journal may rotate meanwhile).
  const before = readWholeState(dir).seq;
  const started = process.hrtime.bigint();
  const waits = [];
  let failedCalls = 0;
  /** Per process, its last heartbeat that exited 0: the task must end with it (a failed call changed nothing). */
  const lastAcknowledged = new Array(processes).fill(0);
  await Promise.all(
    Array.from({ length: processes }, async (_, p) => {
      for (let k = 1; k <= heartbeats; k++) {
        const r = await runAsync(taskpulseArgv(["--store", dir, "heartbeat", ids[p], `w${p}-${k}`, "--progress", String(k)]), env);
        if (r.code !== 0) {
          failedCalls++;
          if (process.env.BENCH_DEBUG) process.stderr.write(`exit ${r.code}: ${r.stderr}\n`);
        } else lastAcknowledged[p] = k;
        for (const m of r.stderr.matchAll(/taskpulse-timing lock-wait-ms=([\d.]+)/g)) waits.push(Number(m[1]));
      }
    }),
  );
  const totalS = Number(process.hrtime.bigint() - started) / 1e9;
  const expected = processes * heartbeats;
  const state = readWholeState(dir);
  const committed = state.seq - before;
  let wrongFinal = 0;
  for (let p = 0; p < processes; p++) {
    const t = state.tasks[ids[p]];
    const k = lastAcknowledged[p];
    if (k > 0 && (t?.progress !== k || t?.lastMessage !== `w${p}-${k}`)) wrongFinal++;
  }
  return {
    processes,
    heartbeats,
    totalS: round2(totalS),
    commitsPerS: committed / totalS,
    slowestLockWaitMs: waits.length ? round1(Math.max(...waits)) : null,
    medianLockWaitMs: waits.length ? round1(median(waits)) : null,
    failedCalls,
    lostUpdates: Math.max(expected - failedCalls - committed, 0) + wrongFinal,
  };
}
