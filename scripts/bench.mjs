#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --runs N] [-- --no-build] [-- --bin other/bin/taskpulse.js] [-- --scale 10000,100000]
// [-- --node other/node]`: taskpulse's
// performance figures (SPEC.md §9), measured side by side in one run with plain Node. It builds its own fixture
// stores (written directly in the store's format), times whole processes in interleaved rounds and prints medians,
// then one JSON line of every figure, so that results can be compared over time. It judges nothing and exits 0
// unless a run fails; the CI guard is scripts/bench-guard.mjs. --bin measures another build (an older checkout).
// Start-up is measured under this Node and, when this one is older than 22 (so has no compile cache of its own),
// also under the Node 24 of scripts/openclaw-env.mjs (installed into its cache if missing); --node names another.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import {
  BIN,
  benchEnv,
  buildStores,
  cleanup,
  ENV_NOTE,
  ensureBuilt,
  interleave,
  mean,
  median,
  ROOT,
  round1,
  round2,
  storeWithRunningTask,
  taskpulseArgv,
  tempRoot,
  timeRun,
} from "./bench-lib.mjs";
import { benchScale, heartbeatContention } from "./bench-scale.mjs";
import { openclawEnv } from "./openclaw-env.mjs";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const runsArg = args.indexOf("--runs");
const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : quick ? 10 : 30;
const warmup = quick ? 2 : 3;
const HISTORY = { finished: 10_000, active: 200 };
const BIG = { archived: 100_000, active: HISTORY.active };
/** The filtered query timed over the big archive (`--agent` is a global option). */
const QUERY = ["--agent", "a3", "query", "--status", "failed", "--from", "30d", "--by", "finished"];
const CONTENTION = { processes: 8, heartbeats: quick ? 10 : 50 };
/** Hot-state sizes for the scale figures (tasks queued or running across 20 agents), and their contention run. */
const scaleArg = args.indexOf("--scale");
const SCALE = scaleArg >= 0 ? (args[scaleArg + 1] ?? "").split(",").map(Number) : [10_000];
const SCALE_CONTENTION = { processes: 16, heartbeats: quick ? 5 : 50 };
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs takes a positive number");
if (SCALE.some((n) => !Number.isInteger(n) || n < 100)) throw new Error("--scale takes task counts of at least 100, comma-separated");

const nodeArg = args.indexOf("--node");
const otherNode =
  nodeArg >= 0 ? args[nodeArg + 1] : Number(process.versions.node.split(".")[0]) < 22 ? openclawEnv({ log: () => {} }).node : undefined;
/** The Node binaries start-up is measured under, each with its version. */
const NODES = [process.execPath, ...(otherNode ? [otherNode] : [])].map((bin) => ({
  bin,
  version: spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout.trim(),
}));

if (!args.includes("--bin")) ensureBuilt(!args.includes("--no-build"));
const env = benchEnv();
const root = tempRoot();
const out = (line = "") => process.stdout.write(`${line}\n`);
const row = (label, value, extra = "", target = "") =>
  out(`  ${label.padEnd(34)}${String(value).padStart(10)}  ${extra.padEnd(22)}${target}`.trimEnd());

try {
  out(`taskpulse bench${quick ? " (quick)" : ""}: ${BIN}`);
  out(`node ${process.version}, ${process.platform} ${process.arch}, ${cpus().length} CPUs`);
  out(`${runs} runs per figure after ${warmup} warm-up rounds, interleaved; medians of whole-process wall time`);
  out(ENV_NOTE);
  out();

  // Fixtures, built through taskpulse's own store code (scripts/bench-store.ts; test/scripts/bench-fixtures.test.ts checks
  // them): finished tasks committed with their audit trails, then archived by the real `cleanup`, so the journal,
  // its rotation, the checkpoint and archive/*.jsonl are what a store with that history holds. "empty": one running
  // task (heartbeat needs one). "history": 10 000 archived tasks (finished 8 to 88 days ago: four months) and 200
  // active ones. "big": the same with 100 000 archived, for stats and query. "contention": 8 running tasks.
  const built = process.hrtime.bigint();
  const [empty, history, big, shared] = buildStores([
    { dir: join(root, "empty"), archived: 0, active: 1 },
    { dir: join(root, "history"), archived: HISTORY.finished, active: HISTORY.active },
    { dir: join(root, "big"), archived: BIG.archived, active: BIG.active, seed: 2 },
    { dir: join(root, "contention"), archived: 0, active: 2 * CONTENTION.processes, agents: CONTENTION.processes },
  ]);
  const buildS = Number(process.hrtime.bigint() - built) / 1e9;
  // The stores must be read back as built: stats counts every archived task.
  timeRun(taskpulseArgv(["--store", empty.dir, "status", "-q"]), env);
  for (const [store, archived] of [
    [history, HISTORY.finished],
    [big, BIG.archived],
  ]) {
    timeRun(taskpulseArgv(["--store", store.dir, "status", "-q"]), env);
    const { overall } = JSON.parse(timeRun(taskpulseArgv(["--store", store.dir, "stats", "--json"]), env).stdout).data;
    if (overall.archived !== archived || overall.counts.total !== archived + HISTORY.active)
      throw new Error(`fixture ${store.dir}: stats counts ${overall.counts.total} tasks, ${overall.archived} archived`);
  }

  const heartbeat = (store, id) => taskpulseArgv(["--store", store, "heartbeat", id, "bench", "--progress", "50"]);
  const status = (store) => taskpulseArgv(["--store", store, "status"]);
  const stats = (store) => taskpulseArgv(["--store", store, "stats"]);
  const query = (store) => taskpulseArgv(["--store", store, ...QUERY]);

  // Start-up: the calls the lean entry takes, and status through the full program, against bare Node, under each
  // Node. Wall time is the median; CPU time (user + system, counted in 10 ms ticks by the kernel) the mean.
  out(`start-up                              median ms  ratio                 CPU ms (mean)  ratio   target`);
  const startup = {};
  for (const { bin, version } of NODES) {
    const rounds = warmup + runs;
    const lean = join(root, `lean-${version}`);
    const stepped = storeWithRunningTask(lean, env, { steps: rounds + 1, agent: "stepper" }).id;
    const finishing = Array.from({ length: rounds }, (_, i) => storeWithRunningTask(lean, env, { agent: `finisher${i}` }).id);
    const tp = (...a) => taskpulseArgv(["--store", lean, ...a], bin);
    const cpu = {};
    const times = interleave(
      {
        node: [bin, "-e", ""],
        heartbeat: taskpulseArgv(["--store", empty.dir, "heartbeat", empty.running[0], "bench", "--progress", "50"], bin),
        next: tp("next", stepped, "bench"),
        check: tp("check", stepped),
        done: (round) => tp("done", finishing[round], "bench"),
        status: taskpulseArgv(["--store", empty.dir, "status"], bin),
      },
      { runs, warmup, env, cpu },
    );
    const base = { ms: median(times.node), cpuMs: mean(cpu.node) };
    out(`  ${version}`);
    const figures = {};
    for (const name of Object.keys(times)) {
      const ms = median(times[name]);
      const cpuMs = mean(cpu[name]);
      figures[name] = { ms: round1(ms), cpuMs: round1(cpuMs), ratio: round2(ms / base.ms), cpuRatio: round2(cpuMs / base.cpuMs) };
      const label = name === "node" ? "node -e ''" : `taskpulse ${name}`;
      const ratios = name === "node" ? ["", ""] : [`${round2(ms / base.ms)} × node`, `${round2(cpuMs / base.cpuMs)} ×`];
      row(
        label,
        round1(ms),
        ratios[0],
        `${String(round1(cpuMs)).padStart(6)}  ${ratios[1].padEnd(8)}${name === "heartbeat" ? "≤ 1.5 × node (goal 1.2)" : ""}`,
      );
    }
    startup[version] = figures;
  }
  out();

  // History: the hot path as finished tasks pile up (in the archive, which heartbeat and status never read), and
  // the read side over the archive.
  const hist = interleave(
    {
      emptyHeartbeat: heartbeat(empty.dir, empty.running[0]),
      historyHeartbeat: heartbeat(history.dir, history.running[0]),
      historyStatus: status(history.dir),
      historyStats: stats(history.dir),
      historyQuery: query(history.dir),
    },
    { runs, warmup, env },
  );
  const emptyHb = median(hist.emptyHeartbeat);
  const historyHb = median(hist.historyHeartbeat);
  const historyStatus = median(hist.historyStatus);
  const historyStats = median(hist.historyStats);
  const historyQuery = median(hist.historyQuery);
  const reads = interleave({ stats: stats(big.dir), query: query(big.dir) }, { runs, warmup, env });
  const bigStats = median(reads.stats);
  const bigQuery = median(reads.query);
  out(
    `history: ${HISTORY.finished} archived (${history.months} months) + ${HISTORY.active} active tasks; ${BIG.archived} archived for stats/query`,
  );
  row("heartbeat, empty store", round1(emptyHb));
  row("heartbeat, history store", round1(historyHb), `${round2(historyHb / emptyHb)} × empty`, "≤ 1.25 × empty");
  row("status, history store", round1(historyStatus));
  row(`stats, ${HISTORY.finished} archived`, round1(historyStats));
  row(`query, ${HISTORY.finished} archived`, round1(historyQuery));
  row(`stats, ${BIG.archived} archived`, round1(bigStats), "", "< 1000 ms");
  row(`query, ${BIG.archived} archived`, round1(bigQuery), "", "< 1000 ms");
  out(`  query is: taskpulse ${QUERY.join(" ")}`);
  out();

  // Contention: processes heartbeating their own task in one store at once. Every call must succeed, every
  // commit must be on the journal's committed chain, and every task must end with its process's last heartbeat.
  const contended = await heartbeatContention(shared.dir, shared.running, CONTENTION);
  const { totalS, slowestLockWaitMs: slowestWaitMs, medianLockWaitMs, failedCalls, lostUpdates } = contended;
  out(`contention: ${CONTENTION.processes} processes × ${CONTENTION.heartbeats} heartbeats on one store`);
  row("total", `${totalS} s`);
  const medianWait = medianLockWaitMs === null ? "(not reported)" : `median ${medianLockWaitMs} ms`;
  row("slowest lock wait", slowestWaitMs === null ? "?" : `${slowestWaitMs} ms`, medianWait, "< 2000 ms");
  row("failed calls", failedCalls, "", "0");
  row("lost updates", lostUpdates, "", "0");
  out();

  // Scale: the hot path as the hot state itself grows (tasks queued or running, not archived).
  const scale = await benchScale({ root, sizes: SCALE, runs: quick ? 5 : 10, warmup: 2, contention: SCALE_CONTENTION, out, row });

  // PostgreSQL, next to the JSON store: heartbeat latency and the same contention, on a throwaway server started by
  // scripts/bench-pg.ts (skipped, with a note, when PostgreSQL is not installed).
  const pgRun = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      join(ROOT, "scripts", "bench-pg.ts"),
      JSON.stringify({ runs, warmup, json: { dir: empty.dir, id: empty.running[0] }, ...CONTENTION }),
      "--bin",
      BIN,
    ],
    { cwd: ROOT, env: benchEnv(), encoding: "utf8" },
  );
  if (pgRun.status !== 0) throw new Error(`the PostgreSQL bench failed: ${pgRun.stderr.slice(0, 2000)}`);
  const postgres = JSON.parse(pgRun.stdout);
  if (postgres.skipped) {
    out(`postgresql: skipped: ${postgres.skipped}`);
  } else {
    out(`postgresql: ${postgres.server}`);
    out("                                      median ms  ratio");
    row("heartbeat, JSON store", postgres.jsonHeartbeatMs);
    row("heartbeat, PostgreSQL", postgres.heartbeatMs, `${postgres.heartbeatRatio} × JSON`);
    row("status, PostgreSQL", postgres.statusMs);
    const c = postgres.contention;
    out(`  contention: ${c.processes} processes × ${c.heartbeats} heartbeats on one database`);
    row("  total", `${c.totalS} s`);
    row(
      "  slowest lock wait",
      c.slowestLockWaitMs === null ? "?" : `${c.slowestLockWaitMs} ms`,
      `median ${c.medianLockWaitMs} ms`,
      "< 2000 ms",
    );
    row("  failed calls / lost updates", `${c.failedCalls} / ${c.lostUpdates}`, "", "0 / 0");
    const h = postgres.hosts;
    if (h.skipped) out(`  across hosts: skipped: ${h.skipped}`);
    else {
      out(`  across hosts: ${h.hosts} hosts × ${h.agentsPerHost} agents × ${h.heartbeats} heartbeats (network namespaces)`);
      for (const [name, r] of [
        ["PostgreSQL", h.postgres],
        ["JSON store, one host", h.json],
      ]) {
        row(
          `  ${name}`,
          `${r.commitsPerS} commits/s`,
          `slowest wait ${r.slowestLockWaitMs} ms, median ${r.medianLockWaitMs} ms`,
          `${r.failedCalls} failed`,
        );
      }
    }
  }
  out();

  // The dashboard (issue 20's targets), in Chromium against a real `taskpulse serve` with 1 000 hot tasks:
  // scripts/bench-dashboard.ts (skipped, with a note, when Chromium is not installed).
  const dashRun = spawnSync(
    process.execPath,
    ["--import", "tsx", join(ROOT, "scripts", "bench-dashboard.ts"), JSON.stringify({ runs: quick ? 3 : 7 }), "--bin", BIN],
    { cwd: ROOT, env: benchEnv(), encoding: "utf8" },
  );
  if (dashRun.status !== 0) throw new Error(`the dashboard bench failed: ${dashRun.stderr.slice(0, 2000)}`);
  const dashboard = JSON.parse(dashRun.stdout);
  if (dashboard.skipped) out(`dashboard: skipped: ${dashboard.skipped}`);
  else {
    out(`dashboard: ${dashboard.tasks} tasks across ${dashboard.agents} agents, Chromium ${dashboard.chromium}   median ms`);
    for (const name of ["desktop", "phone"]) {
      const d = dashboard[name];
      // the first snapshot's arrival and its drawing, to tell the server's part from the page's
      row(`${name}: first render`, d.firstRenderMs, `in ${d.snapshotArrivedMs}, drawn ${d.drawMs}`, "< 500 ms");
      row(`${name}: update after CLI returns`, d.updateMs, "", "< 300 ms");
    }
  }
  out();

  // Memory: every command the budget names on the 10 000-task store (the largest the budget is for), and stats and
  // query on the 100 000-task one; the process reports its own peak RSS, the highest of 3 runs is kept.
  const rssProbe = join(root, "rss.cjs");
  writeFileSync(
    rssProbe,
    'process.on("exit", () => require("node:fs").writeSync(2, "\\ntaskpulse-rss-kb=" + process.resourceUsage().maxRSS + "\\n"));\n',
  );
  const peakRss = (argv) => {
    let kb = 0;
    for (let i = 0; i < 3; i++) {
      const { stderr } = timeRun([process.execPath, "-r", rssProbe, BIN, ...argv.slice(2)], env);
      kb = Math.max(kb, Number(/taskpulse-rss-kb=(\d+)/.exec(stderr)?.[1] ?? 0));
    }
    return round1(kb / 1024);
  };
  const rss = {
    heartbeat: peakRss(heartbeat(history.dir, history.running[0])),
    status: peakRss(status(history.dir)),
    stats: peakRss(stats(history.dir)),
    query: peakRss(query(history.dir)),
  };
  const [peakCommand, peakMb] = Object.entries(rss).reduce((a, b) => (b[1] > a[1] ? b : a));
  const bigRss = { stats: peakRss(stats(big.dir)), query: peakRss(query(big.dir)) };
  out("memory                                  peak RSS");
  row(`peak RSS, ${HISTORY.finished}-task store`, `${peakMb} MB`, peakCommand, "< 80 MB");
  row("  heartbeat / status", `${rss.heartbeat} / ${rss.status}`, "MB");
  row("  stats / query", `${rss.stats} / ${rss.query}`, "MB");
  row(`stats / query, ${BIG.archived} archived`, `${bigRss.stats} / ${bigRss.query}`, "MB");
  out();

  const figures = {
    bench: "taskpulse",
    version: 5,
    at: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    quick,
    runs,
    env: "NODE_EXTRA_CA_CERTS unset",
    startup,
    history: {
      finished: HISTORY.finished,
      active: HISTORY.active,
      archived: true,
      archiveMonths: history.months,
      emptyHeartbeatMs: round1(emptyHb),
      historyHeartbeatMs: round1(historyHb),
      historyStatusMs: round1(historyStatus),
      heartbeatRatio: round2(historyHb / emptyHb),
      historyStatsMs: round1(historyStats),
      historyQueryMs: round1(historyQuery),
      statsArchived: BIG.archived,
      statsMs: round1(bigStats),
      queryMs: round1(bigQuery),
      query: QUERY.join(" "),
    },
    contention: {
      processes: CONTENTION.processes,
      heartbeats: CONTENTION.heartbeats,
      totalS,
      slowestLockWaitMs: slowestWaitMs,
      medianLockWaitMs,
      failedCalls,
      lostUpdates,
    },
    scale,
    memory: {
      peakRssMb: peakMb,
      peakCommand,
      rssMb: rss,
      bigStatsRssMb: bigRss.stats,
      bigQueryRssMb: bigRss.query,
    },
    postgres,
    dashboard,
    fixturesS: round2(buildS),
  };
  out(JSON.stringify(figures));
} finally {
  cleanup(root);
}
