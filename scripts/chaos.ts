// Chaos run: several workers drive the real binary (one process per call, as agents do) with mixed work on one
// store (create, start by id and from a shared queue, next, heartbeat, done, cleanup) while calls are killed with
// SIGKILL at random moments, and some are paused for longer than the lock's stale time: stopped with SIGSTOP at a
// random moment, or (where strace is installed) held inside their rename of the state file, right after their
// commit fence. Afterwards `doctor` must find the store healthy, or `doctor --repair` must make it so, and every
// change a call acknowledged with exit 0 must be there: lost updates = 0, and no queued task handed out twice.
//
//   npm run chaos                          # CHAOS_SECONDS=120 by default
//   CHAOS_SECONDS=300 CHAOS_WORKERS=8 CHAOS_KILL=0.3 CHAOS_SEED=7 npm run chaos
//   CHAOS_PAUSE=0.05 CHAOS_PAUSE_MS=12000 npm run chaos      # with pauses
//
// test/store/chaos.test.ts runs a short version in CI.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { seededRandom } from "./seeded-random.ts";

export interface ChaosOptions {
  seconds: number;
  workers: number;
  /** Share of calls that get a SIGKILL scheduled at a random moment of their life. */
  killRate: number;
  /** Share of calls (not killed) paused for `pauseMs`: half stopped with SIGSTOP at a random moment, half held by strace in their state rename. */
  pauseRate?: number;
  pauseMs?: number;
  seed: number;
  store?: string;
  bin?: string;
}

export interface ChaosResult {
  store: string;
  seconds: number;
  workers: number;
  /** Processes spawned (every call is one). */
  processes: number;
  /** Calls that ran to an exit code, by code. */
  exits: Record<string, number>;
  /** Calls that died of the SIGKILL sent to them. */
  kills: number;
  /** Calls paused past the stale time: stopped by SIGSTOP, and held by strace inside their state rename. */
  pauses: { stopped: number; heldInRename: number };
  /** Facts acknowledged with exit 0 and checked at the end. */
  acknowledged: number;
  /** Acknowledged facts missing from the store at the end (must be empty). */
  lostUpdates: string[];
  /** Calls that exited with a code chaos never justifies (1 internal, 2 usage, 3 not found, 6 corrupt). */
  unexpected: string[];
  doctor: { healthy: boolean; findings: string[] };
  repair?: { healthy: boolean; actions: string[] };
}

const BIN = resolve(import.meta.dirname, "..", "bin", "taskpulse.js");
const POOL = "pool";

interface Call {
  code: number | null;
  killed: boolean;
  stdout: string;
  stderr: string;
}

interface Own {
  id: string;
  steps: number;
  /** Acknowledged facts about this task. */
  nextAcked: number;
  progressAcked: number;
  doneAcked: boolean;
  /** Some call on it had an unknown outcome (killed, busy): later refusals are expected (exit 4, or 3 once a
   * finish nobody saw let cleanup archive it). */
  uncertain: boolean;
  finished: boolean;
  progress: number;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const store = options.store ?? mkdtempSync(join(tmpdir(), "tp-chaos-"));
  const bin = options.bin ?? BIN;
  const rnd = seededRandom(options.seed);
  const result: ChaosResult = {
    store,
    seconds: options.seconds,
    workers: options.workers,
    processes: 0,
    exits: {},
    kills: 0,
    pauses: { stopped: 0, heldInRename: 0 },
    acknowledged: 0,
    lostUpdates: [],
    unexpected: [],
    doctor: { healthy: false, findings: [] },
  };
  const env = { PATH: process.env.PATH, HOME: store, TASKPULSE_HOME: store, LANG: "C", TASKPULSE_LOCK_WAIT: "30s" };

  // How long an unkilled call lives, on average (start-up dominates): kills are aimed at the later part of a call's
  // life, where it takes the lock and commits, and spread a little past it.
  let lifeMs = 300;
  const pauseMs = options.pauseMs ?? 12_000;
  const strace = (options.pauseRate ?? 0) > 0 && spawnSync("strace", ["-V"]).status === 0;
  /** One call of the binary; `work` calls are counted in the figures, set-up and verdict calls are not. */
  function call(args: string[], kill: boolean, work = true, pause: "stop" | "rename" | undefined = undefined): Promise<Call> {
    if (work) result.processes++;
    const started = Date.now();
    return new Promise((done) => {
      // Held in its first rename (the state file's, right after the commit fence) for pauseMs by strace.
      const command: [string, string[]] =
        pause === "rename"
          ? [
              "strace",
              [
                "-f",
                "-qq",
                "-o",
                "/dev/null",
                "-e",
                "trace=rename,renameat,renameat2",
                "-e",
                `inject=rename,renameat,renameat2:delay_enter=${pauseMs * 1000}:when=1`,
                process.execPath,
                bin,
                ...args,
              ],
            ]
          : [process.execPath, [bin, ...args]];
      if (pause === "rename") result.pauses.heldInRename++;
      const child = spawn(command[0], command[1], { env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      const timer = kill ? setTimeout(() => child.kill("SIGKILL"), lifeMs * (0.4 + rnd() * 0.8)) : undefined;
      if (pause === "stop") {
        setTimeout(() => {
          if (child.exitCode !== null || child.signalCode !== null || !child.kill("SIGSTOP")) return;
          result.pauses.stopped++;
          setTimeout(() => child.kill("SIGCONT"), pauseMs);
        }, lifeMs * rnd());
      }
      child.on("close", (code, signal) => {
        if (timer) clearTimeout(timer);
        const killed = signal === "SIGKILL";
        if (killed) result.kills++;
        else if (work) {
          result.exits[String(code)] = (result.exits[String(code)] ?? 0) + 1;
          lifeMs = 0.9 * lifeMs + 0.1 * (Date.now() - started);
        }
        done({ code, killed, stdout, stderr });
      });
    });
  }

  const created: string[] = [];
  const claimed = new Map<string, number>(); // task id -> worker that acknowledged the claim
  const owned: Own[][] = [];
  const expectOk = new Set([0, 4, 5]);

  async function worker(w: number, until: number): Promise<void> {
    const mine: Own[] = [];
    owned[w] = mine;
    while (Date.now() < until) {
      const kill = rnd() < options.killRate;
      const live = mine.filter((t) => !t.finished);
      const r = rnd();
      let args: string[];
      let after: (c: Call) => void;
      const note = (c: Call, what: string) => {
        if (!c.killed && c.code !== null && !expectOk.has(c.code)) {
          result.unexpected.push(`exit ${c.code}: ${what}: ${c.stderr.trim().replace(/\s*\n\s*/g, " | ")}`);
        }
      };
      if (r < 0.15 || live.length === 0) {
        const steps = 1 + Math.floor(rnd() * 4);
        args = ["create", "-q", `w${w} task`, ...Array.from({ length: steps }, (_, i) => `s${i + 1}`), "--start", "--agent", `w${w}`];
        after = (c) => {
          note(c, args.join(" "));
          if (c.code === 0) {
            const id = c.stdout.trim();
            created.push(id);
            mine.push({ id, steps, nextAcked: 0, progressAcked: 0, doneAcked: false, uncertain: false, finished: false, progress: 0 });
          }
        };
      } else if (r < 0.25) {
        args = ["create", "-q", "--agent", POOL, "--name", `queued by w${w}`, "-p", String(1 + Math.floor(rnd() * 10))];
        after = (c) => {
          note(c, args.join(" "));
          if (c.code === 0) created.push(c.stdout.trim());
        };
      } else if (r < 0.35) {
        args = ["start", "-q", "--agent", POOL];
        after = (c) => {
          note(c, args.join(" "));
          const id = c.stdout.trim();
          if (c.code === 0 && id !== "" && !id.startsWith("agent")) {
            if (claimed.has(id)) result.lostUpdates.push(`task ${id} claimed by worker ${claimed.get(id)} and worker ${w}`);
            claimed.set(id, w);
            mine.push({ id, steps: 0, nextAcked: 0, progressAcked: 0, doneAcked: false, uncertain: false, finished: false, progress: 0 });
          }
        };
      } else if (r < 0.97) {
        const t = live[Math.floor(rnd() * live.length)] as Own;
        const r2 = rnd();
        if (r2 < 0.35 && t.nextAcked < t.steps) {
          args = ["next", t.id, `step ${t.nextAcked + 1} of ${t.id}`];
          after = (c) => {
            if (c.code === 0) {
              t.nextAcked++;
              if (t.nextAcked === t.steps) {
                t.finished = true;
                t.doneAcked = true;
              }
            } else if (!t.uncertain || (c.code !== 3 && c.code !== 4)) note(c, args.join(" "));
            if (c.code !== 0) t.uncertain = true;
          };
        } else if (r2 < 0.9) {
          const progress = Math.min(99, t.progress + 1 + Math.floor(rnd() * 5));
          t.progress = progress;
          args = ["heartbeat", t.id, `at ${progress}`, "--progress", String(progress)];
          after = (c) => {
            if (c.code === 0) t.progressAcked = progress;
            else if (!t.uncertain || (c.code !== 3 && c.code !== 4)) note(c, args.join(" "));
            if (c.code !== 0) t.uncertain = true;
          };
        } else {
          args = ["done", t.id, "finished"];
          after = (c) => {
            if (c.code === 0) t.doneAcked = true;
            else if (!t.uncertain || (c.code !== 3 && c.code !== 4)) note(c, args.join(" "));
            if (c.code !== 0) t.uncertain = true;
            if (c.code === 0 || c.code === 4) t.finished = true;
          };
        }
      } else {
        args = ["cleanup", "--days", "0", "-q"];
        after = (c) => note(c, args.join(" "));
      }
      const paused = !kill && rnd() < (options.pauseRate ?? 0);
      const c = await call(args, kill, true, paused ? (strace && rnd() < 0.5 ? "rename" : "stop") : undefined);
      if (c.killed || c.code === 5) {
        // The outcome is unknown: the change may or may not have been made. Only acknowledged facts are checked.
        const t = mine.find((o) => args.includes(o.id));
        if (t) t.uncertain = true;
        if (args[0] === "done" && t) t.finished = true;
        continue;
      }
      after(c);
    }
  }

  // Claims from the shared queue are limited per agent (default 1 running): let the pool run many at once.
  await call(["limit", "100", "--agent", POOL], false, false);
  const until = Date.now() + options.seconds * 1000;
  await Promise.all(Array.from({ length: options.workers }, (_, w) => worker(w, until)));

  // The verdict: doctor, a repair if needed, then every acknowledged fact.
  const examine = await call(["doctor", "--json"], false, false);
  const report = JSON.parse(examine.stdout) as { data: { healthy: boolean; findings: { code: string; severity: string }[] } };
  result.doctor = { healthy: report.data.healthy, findings: report.data.findings.map((f) => `${f.severity} ${f.code}`) };
  for (const f of report.data.findings) {
    if (f.code === "journal-fork") result.lostUpdates.push(`doctor: ${f.code} (a committed change was overwritten)`);
  }
  if (!report.data.healthy) {
    const fixed = JSON.parse((await call(["doctor", "--repair", "--json"], false, false)).stdout) as {
      data: { healthy: boolean; repaired: string[] };
    };
    result.repair = { healthy: fixed.data.healthy, actions: fixed.data.repaired };
  }
  const tasks = finalTasks(store);
  for (const id of created) {
    result.acknowledged++;
    if (!tasks.has(id)) result.lostUpdates.push(`created task ${id} is missing`);
  }
  for (const [id] of claimed) {
    result.acknowledged++;
    if (tasks.get(id)?.status === "pending") result.lostUpdates.push(`claimed task ${id} is pending again`);
  }
  for (const t of owned.flat()) {
    const task = tasks.get(t.id);
    if (!task) continue; // reported above
    if (t.nextAcked > 0) {
      result.acknowledged++;
      const done = task.steps.filter((s) => s.status === "done").length;
      if (done < t.nextAcked) result.lostUpdates.push(`task ${t.id}: ${t.nextAcked} step(s) acknowledged, ${done} done`);
    }
    if (t.progressAcked > 0) {
      result.acknowledged++;
      if ((task.progress ?? 0) < t.progressAcked)
        result.lostUpdates.push(`task ${t.id}: progress ${t.progressAcked} acknowledged, ${task.progress} stored`);
    }
    if (t.doneAcked) {
      result.acknowledged++;
      if (task.status !== "done") result.lostUpdates.push(`task ${t.id}: done acknowledged, ${task.status} stored`);
    }
  }
  return result;
}

interface StoredTask {
  status: string;
  progress?: number;
  steps: { status: string }[];
}

/** Hot tasks, and archived ones (the hot copy wins, and the last archive line of a task wins). */
function finalTasks(store: string): Map<string, StoredTask> {
  const out = new Map<string, StoredTask>();
  const archive = join(store, "archive");
  if (existsSync(archive)) {
    for (const f of readdirSync(archive)
      .filter((name) => /^\d{4}-\d{2}\.tasks\.jsonl$/.test(name))
      .sort()) {
      for (const line of readFileSync(join(archive, f), "utf8").split("\n")) {
        try {
          const r = JSON.parse(line) as { task: StoredTask & { id: string } };
          out.set(r.task.id, r.task);
        } catch {
          // a torn line: doctor reports it
        }
      }
    }
  }
  // state.json is a head naming parts (src/store/parts.ts), or a whole state with the tasks inline
  const state = JSON.parse(readFileSync(join(store, "state.json"), "utf8")) as {
    tasks?: Record<string, StoredTask>;
    parts?: Record<string, string>;
  };
  const parts = Object.entries(state.parts ?? {}).map(
    ([bucket, txn]) =>
      (JSON.parse(readFileSync(join(store, "tasks", `${bucket}.${txn}.json`), "utf8")) as { tasks: Record<string, StoredTask> }).tasks,
  );
  for (const tasks of [state.tasks ?? {}, ...parts]) for (const [id, task] of Object.entries(tasks)) out.set(id, task);
  return out;
}

export function formatChaos(r: ChaosResult): string {
  return [
    `chaos: ${r.seconds} s, ${r.workers} workers, store ${r.store}`,
    `  processes ${r.processes}, exits ${JSON.stringify(r.exits)}, kills (SIGKILL) ${r.kills}, paused: SIGSTOP ${r.pauses.stopped}, held in rename ${r.pauses.heldInRename}`,
    `  acknowledged facts checked ${r.acknowledged}, lost updates ${r.lostUpdates.length}, unexpected exits ${r.unexpected.length}`,
    `  doctor: ${r.doctor.healthy ? "healthy" : "not healthy"}${r.doctor.findings.length > 0 ? ` (${r.doctor.findings.join(", ")})` : ""}`,
    ...(r.repair ? [`  doctor --repair: ${r.repair.healthy ? "healthy" : "NOT HEALTHY"}; ${r.repair.actions.join("; ")}`] : []),
    ...r.lostUpdates.map((l) => `  LOST: ${l}`),
    ...r.unexpected.slice(0, 20).map((u) => `  UNEXPECTED: ${u}`),
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const options: ChaosOptions = {
    seconds: Number(process.env.CHAOS_SECONDS ?? 120),
    workers: Number(process.env.CHAOS_WORKERS ?? 6),
    killRate: Number(process.env.CHAOS_KILL ?? 0.25),
    pauseRate: Number(process.env.CHAOS_PAUSE ?? 0),
    pauseMs: Number(process.env.CHAOS_PAUSE_MS ?? 12_000),
    seed: Number(process.env.CHAOS_SEED ?? Date.now() % 100_000),
  };
  if (process.env.CHAOS_STORE) options.store = process.env.CHAOS_STORE;
  console.log(`chaos: seed ${options.seed}, kill rate ${options.killRate}`);
  const result = await runChaos(options);
  console.log(formatChaos(result));
  const ok =
    result.lostUpdates.length === 0 && result.unexpected.length === 0 && (result.doctor.healthy || result.repair?.healthy === true);
  process.exitCode = ok ? 0 : 1;
}
