#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --runs N] [-- --no-build] [-- --bin other/bin/taskpulse.js]`: taskpulse's
// performance figures (SPEC.md §9), measured side by side in one run with plain Node. It builds its own fixture
// stores (written directly in the store's format), times whole processes in interleaved rounds and prints medians,
// then one JSON line of every figure, so that results can be compared over time. It judges nothing and exits 0
// unless a run fails; the CI guard is scripts/bench-guard.mjs. --bin measures another build (an older checkout).
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import {
  BIN,
  benchEnv,
  cleanup,
  committedRecords,
  doneTask,
  ENV_NOTE,
  ensureBuilt,
  interleave,
  median,
  pendingTask,
  round1,
  round2,
  runAsync,
  runningTask,
  taskId,
  taskpulseArgv,
  tempRoot,
  timeRun,
  writeStore,
} from "./bench-lib.mjs";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const runsArg = args.indexOf("--runs");
const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : quick ? 10 : 30;
const warmup = quick ? 2 : 3;
const HISTORY = { finished: 10_000, active: 200 };
const CONTENTION = { processes: 8, heartbeats: quick ? 10 : 50 };
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs takes a positive number");

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

  // Fixtures. "empty": one running task (heartbeat needs one). "history": 10 000 finished and 200 active tasks. There
  // is no archive yet (issue 5), so the finished tasks sit in the hot state file: the worst case for the hot path.
  const empty = writeStore(join(root, "empty"), [runningTask(0)]);
  const historyTasks = [];
  for (let i = 0; i < HISTORY.finished; i++) historyTasks.push(doneTask(i + 1));
  for (let i = 0; i < HISTORY.active / 2; i++) historyTasks.push(runningTask(HISTORY.finished + 1 + i, `agent-${i % 8}`));
  for (let i = 0; i < HISTORY.active / 2; i++) historyTasks.push(pendingTask(HISTORY.finished + 1 + HISTORY.active / 2 + i));
  const history = writeStore(join(root, "history"), historyTasks);
  const historyRunning = taskId(HISTORY.finished + 1);
  // The fixtures must be stores taskpulse accepts: a read validates them.
  for (const store of [empty, history]) timeRun(taskpulseArgv(["--store", store, "status", "-q"]), env);

  const node = [process.execPath, "-e", ""];
  const heartbeat = (store, id) => taskpulseArgv(["--store", store, "heartbeat", id, "bench", "--progress", "50"]);
  const status = (store) => taskpulseArgv(["--store", store, "status"]);

  // Start-up: the two hottest commands against bare Node.
  const startup = interleave({ node, heartbeat: heartbeat(empty, taskId(0)), status: status(empty) }, { runs, warmup, env });
  const nodeMs = median(startup.node);
  const heartbeatMs = median(startup.heartbeat);
  const statusMs = median(startup.status);
  out("start-up                              median ms  ratio                 target");
  row("node -e ''", round1(nodeMs));
  row("taskpulse heartbeat", round1(heartbeatMs), `${round2(heartbeatMs / nodeMs)} × node`, "≤ 1.5 × node (goal 1.2)");
  row("taskpulse status", round1(statusMs), `${round2(statusMs / nodeMs)} × node`);
  out();

  // History: the hot path as finished tasks pile up.
  const hist = interleave(
    { emptyHeartbeat: heartbeat(empty, taskId(0)), historyHeartbeat: heartbeat(history, historyRunning), historyStatus: status(history) },
    { runs, warmup, env },
  );
  const emptyHb = median(hist.emptyHeartbeat);
  const historyHb = median(hist.historyHeartbeat);
  const historyStatus = median(hist.historyStatus);
  out(`history: ${HISTORY.finished} finished + ${HISTORY.active} active tasks, all in the hot state (no archive yet)`);
  row("heartbeat, empty store", round1(emptyHb));
  row("heartbeat, history store", round1(historyHb), `${round2(historyHb / emptyHb)} × empty`, "≤ 1.25 × empty");
  row("status, history store", round1(historyStatus));
  out("  stats / query over 100 000 archived tasks: not measured (no stats, query or archive yet)");
  out();

  // Contention: processes heartbeating their own task in one store at once. Every call must succeed, every
  // commit must be on the journal's committed chain, and every task must end with its process's last heartbeat.
  const shared = writeStore(
    join(root, "contention"),
    Array.from({ length: CONTENTION.processes }, (_, p) => runningTask(p, `agent-${p}`)),
  );
  const timingEnv = benchEnv({ TASKPULSE_BENCH_TIMING: "1" });
  const started = process.hrtime.bigint();
  const waits = [];
  let failedCalls = 0;
  await Promise.all(
    Array.from({ length: CONTENTION.processes }, async (_, p) => {
      for (let k = 1; k <= CONTENTION.heartbeats; k++) {
        const argv = taskpulseArgv(["--store", shared, "heartbeat", taskId(p), `w${p}-${k}`, "--progress", String(k)]);
        const r = await runAsync(argv, timingEnv);
        if (r.code !== 0) failedCalls++;
        for (const m of r.stderr.matchAll(/taskpulse-timing lock-wait-ms=([\d.]+)/g)) waits.push(Number(m[1]));
      }
    }),
  );
  const totalS = Number(process.hrtime.bigint() - started) / 1e9;
  const expected = CONTENTION.processes * CONTENTION.heartbeats;
  const { state, chain } = committedRecords(shared);
  let wrongFinal = 0;
  for (let p = 0; p < CONTENTION.processes; p++) {
    const t = state.tasks[taskId(p)];
    if (t?.progress !== CONTENTION.heartbeats || t?.lastMessage !== `w${p}-${CONTENTION.heartbeats}`) wrongFinal++;
  }
  const lostUpdates = Math.max(expected - failedCalls - chain.length, 0) + wrongFinal;
  const slowestWaitMs = waits.length ? Math.max(...waits) : null;
  out(`contention: ${CONTENTION.processes} processes × ${CONTENTION.heartbeats} heartbeats on one store`);
  row("total", `${round2(totalS)} s`);
  const medianWait = waits.length ? `median ${round1(median(waits))} ms` : "(not reported)";
  row("slowest lock wait", slowestWaitMs === null ? "?" : `${round1(slowestWaitMs)} ms`, medianWait, "< 2000 ms");
  row("failed calls", failedCalls, "", "0");
  row("lost updates", lostUpdates, `${chain.length} of ${expected} committed`, "0");
  out();

  // Memory: the largest case, heartbeat and status on the history store; the process reports its own peak RSS.
  const rssProbe = join(root, "rss.cjs");
  writeFileSync(
    rssProbe,
    'process.on("exit", () => require("node:fs").writeSync(2, "\\ntaskpulse-rss-kb=" + process.resourceUsage().maxRSS + "\\n"));\n',
  );
  let peakKb = 0;
  for (const argv of [heartbeat(history, historyRunning), status(history)]) {
    for (let i = 0; i < 3; i++) {
      const { stderr } = timeRun([process.execPath, "-r", rssProbe, BIN, ...argv.slice(2)], env);
      peakKb = Math.max(peakKb, Number(/taskpulse-rss-kb=(\d+)/.exec(stderr)?.[1] ?? 0));
    }
  }
  const peakMb = peakKb / 1024;
  out("memory");
  row("peak RSS, history store", `${round1(peakMb)} MB`, "", "< 80 MB");
  out();

  const figures = {
    bench: "taskpulse",
    version: 1,
    at: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    quick,
    runs,
    env: "NODE_EXTRA_CA_CERTS unset",
    startup: {
      nodeMs: round1(nodeMs),
      heartbeatMs: round1(heartbeatMs),
      statusMs: round1(statusMs),
      heartbeatRatio: round2(heartbeatMs / nodeMs),
      statusRatio: round2(statusMs / nodeMs),
    },
    history: {
      finished: HISTORY.finished,
      active: HISTORY.active,
      archived: false,
      emptyHeartbeatMs: round1(emptyHb),
      historyHeartbeatMs: round1(historyHb),
      historyStatusMs: round1(historyStatus),
      heartbeatRatio: round2(historyHb / emptyHb),
      statsMs: null,
      queryMs: null,
    },
    contention: {
      processes: CONTENTION.processes,
      heartbeats: CONTENTION.heartbeats,
      totalS: round2(totalS),
      slowestLockWaitMs: slowestWaitMs === null ? null : round1(slowestWaitMs),
      medianLockWaitMs: waits.length ? round1(median(waits)) : null,
      failedCalls,
      lostUpdates,
    },
    memory: { peakRssMb: round1(peakMb) },
  };
  out(JSON.stringify(figures));
} finally {
  cleanup(root);
}
