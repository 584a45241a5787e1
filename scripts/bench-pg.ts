// The PostgreSQL part of `npm run bench` (run by bench.mjs with tsx): starts a throwaway server (test/pg-server.ts,
// the tests' own), then measures heartbeat latency on it side by side with the JSON store bench.mjs built, and 8
// processes heartbeating their own tasks at once. Prints one JSON object: the figures, or { skipped: reason } when
// PostgreSQL is not installed. Input (argv[2]): { runs, warmup, json: { dir, id }, processes, heartbeats }.
import { findPgBin, startPgServer } from "../test/pg-server.ts";
import { benchEnv, interleave, median, round1, round2, runAsync, taskpulseArgv, timeRun } from "./bench-lib.mjs";

interface Input {
  runs: number;
  warmup: number;
  json: { dir: string; id: string };
  processes: number;
  heartbeats: number;
}

const input = JSON.parse(process.argv[2] ?? "{}") as Input;

async function main(): Promise<unknown> {
  if (!findPgBin()) return { skipped: "PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin or PATH)" };
  const server = await startPgServer();
  try {
    const admin = server.url("postgres");
    const url = server.url("postgres").replace(/\/postgres$/, "/bench");
    const pg = (await import("pg")).default;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query("CREATE DATABASE bench");
    await client.end();
    const env = benchEnv();
    const tp = (...args: string[]) => taskpulseArgv(["--store", url, ...args]);
    const id = timeRun(tp("create", "-q", "--start", "bench task", "step one", "step two"), env).stdout.trim();
    const heartbeat = (store: string, task: string) => taskpulseArgv(["--store", store, "heartbeat", task, "bench", "--progress", "50"]);
    const times = interleave(
      { json: heartbeat(input.json.dir, input.json.id), postgres: heartbeat(url, id), status: tp("status") },
      { runs: input.runs, warmup: input.warmup, env },
    );

    const tasks: string[] = [];
    for (let p = 0; p < input.processes; p++) {
      tasks.push(timeRun(tp("create", "-q", "--start", "--agent", `a${p}`, `worker ${p}`), env).stdout.trim());
    }
    const timingEnv = benchEnv({ TASKPULSE_BENCH_TIMING: "1" });
    const waits: number[] = [];
    let failedCalls = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      tasks.map(async (task, p) => {
        for (let k = 1; k <= input.heartbeats; k++) {
          const r = await runAsync(tp("heartbeat", task, `w${p}-${k}`, "--progress", String(k)), timingEnv);
          if (r.code !== 0) failedCalls++;
          for (const m of r.stderr.matchAll(/taskpulse-timing lock-wait-ms=([\d.]+)/g)) waits.push(Number(m[1]));
        }
      }),
    );
    const totalS = Number(process.hrtime.bigint() - started) / 1e9;
    let wrongFinal = 0;
    for (const [p, task] of tasks.entries()) {
      const t = JSON.parse(timeRun(tp("status", task, "--json"), env).stdout).data.task;
      if (t.progress !== input.heartbeats || t.lastMessage !== `w${p}-${input.heartbeats}`) wrongFinal++;
    }
    return {
      server: "PostgreSQL (throwaway, loopback TCP, scram-sha-256 login, fsync off)",
      heartbeatMs: round1(median(times.postgres)),
      jsonHeartbeatMs: round1(median(times.json)),
      heartbeatRatio: round2(median(times.postgres) / median(times.json)),
      statusMs: round1(median(times.status)),
      contention: {
        processes: input.processes,
        heartbeats: input.heartbeats,
        totalS: round2(totalS),
        slowestLockWaitMs: waits.length ? round1(Math.max(...waits)) : null,
        medianLockWaitMs: waits.length ? round1(median(waits)) : null,
        failedCalls,
        lostUpdates: wrongFinal,
      },
    };
  } finally {
    server.stop();
  }
}

process.stdout.write(`${JSON.stringify(await main())}\n`);
