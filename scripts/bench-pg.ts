// The PostgreSQL part of `npm run bench` (run by bench.mjs with tsx): starts a throwaway server (test/support/pg-server.ts,
// the tests' own), then measures heartbeat latency on it side by side with the JSON store bench.mjs built, and 8
// processes heartbeating their own tasks at once. Prints one JSON object: the figures, or { skipped: reason } when
// PostgreSQL is not installed. Input (argv[2]): { runs, warmup, json: { dir, id }, processes, heartbeats }.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeNet, netnsAvailable } from "../test/support/netns.ts";
import { findPgBin, startPgServer } from "../test/support/pg-server.ts";
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
      hosts: await acrossHosts(),
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

/** Across hosts: the server in one network namespace, agents in HOSTS others (test/support/netns.ts); each host runs
 * AGENTS_PER_HOST processes heartbeating their own tasks at once, and the same processes on one host's JSON store. */
const HOSTS = 3;
const AGENTS_PER_HOST = 3;
const HOST_HEARTBEATS = 30;

interface Run {
  totalS: number;
  commitsPerS: number;
  slowestLockWaitMs: number | null;
  medianLockWaitMs: number | null;
  failedCalls: number;
}

/** Every process heartbeats its task `HOST_HEARTBEATS` times; `argv` builds a call for process p. */
async function heartbeats(count: number, argv: (p: number, k: number) => string[]): Promise<Run> {
  const timingEnv = benchEnv({ TASKPULSE_BENCH_TIMING: "1" });
  const waits: number[] = [];
  let failedCalls = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: count }, async (_, p) => {
      for (let k = 1; k <= HOST_HEARTBEATS; k++) {
        const r = await runAsync(argv(p, k), timingEnv);
        if (r.code !== 0) failedCalls++;
        for (const m of r.stderr.matchAll(/taskpulse-timing lock-wait-ms=([\d.]+)/g)) waits.push(Number(m[1]));
      }
    }),
  );
  const totalS = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    totalS: round2(totalS),
    commitsPerS: round1((count * HOST_HEARTBEATS - failedCalls) / totalS),
    slowestLockWaitMs: waits.length ? round1(Math.max(...waits)) : null,
    medianLockWaitMs: waits.length ? round1(median(waits)) : null,
    failedCalls,
  };
}

async function acrossHosts(): Promise<unknown> {
  if (!netnsAvailable()) return { skipped: "network namespaces cannot be made here (needs root and iproute2)" };
  const hosts = Array.from({ length: HOSTS }, (_, i) => `h${i + 1}`);
  const net = makeNet(["db", ...hosts]);
  const server = await startPgServer({ netns: { name: net.names.db as string, host: net.address("db") } });
  const dir = mkdtempSync(join(tmpdir(), "tp-bench-hosts-"));
  try {
    const pg = (await import("pg")).default;
    const admin = new pg.Client({ connectionString: server.url("postgres") });
    await admin.connect();
    await admin.query("CREATE DATABASE fleet");
    await admin.end();
    const url = server.url("fleet");
    const env = benchEnv();
    const count = HOSTS * AGENTS_PER_HOST;
    const hostOf = (p: number) => net.names[hosts[p % HOSTS] as string] as string;
    const onHost = (p: number, args: string[]) => ["ip", "netns", "exec", hostOf(p), ...taskpulseArgv(["--store", url, ...args])];
    const pgTasks: string[] = [];
    const jsonTasks: string[] = [];
    for (let p = 0; p < count; p++) {
      pgTasks.push(timeRun(onHost(p, ["create", "-q", "--start", "--agent", `a${p}`, `worker ${p}`]), env).stdout.trim());
      jsonTasks.push(
        timeRun(taskpulseArgv(["--store", dir, "create", "-q", "--start", "--agent", `a${p}`, `worker ${p}`]), env).stdout.trim(),
      );
    }
    const postgres = await heartbeats(count, (p, k) => onHost(p, ["heartbeat", pgTasks[p] as string, `w${k}`, "--progress", String(k)]));
    const json = await heartbeats(count, (p, k) =>
      taskpulseArgv(["--store", dir, "heartbeat", jsonTasks[p] as string, `w${k}`, "--progress", String(k)]),
    );
    return { hosts: HOSTS, agentsPerHost: AGENTS_PER_HOST, heartbeats: HOST_HEARTBEATS, postgres, json };
  } finally {
    server.stop();
    net.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.stdout.write(`${JSON.stringify(await main())}\n`);
