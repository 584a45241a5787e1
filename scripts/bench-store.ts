// The bench's fixture stores, built through taskpulse's own code, so that the figures measure stores like the ones
// users have: finished tasks are committed through JsonStore transactions with their audit trails (journal records,
// state file, journal rotation and checkpoint as the store writes them), then moved out of the hot state by the
// real `cleanup` command (archive/YYYY-MM.tasks.jsonl and .index.jsonl, as cleanup appends them). Only the task
// records themselves are made up here, in batches (one transaction per 2 000 tasks, not one process per call), so
// 100 000 archived tasks take seconds, not hours. test/scripts/bench-fixtures.test.ts checks that the real code reads the
// result correctly (stats, log of an archived task, doctor).
//   node --import tsx scripts/bench-store.ts '{"stores":[{"dir":"/tmp/x","archived":10000,"active":200}]}'
import { mkdirSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { Deps } from "../src/app/deps.ts";
import { run } from "../src/cli/run.ts";
import { newId } from "../src/core/ids.ts";
import type { AuditEntry, Task } from "../src/core/model.ts";
import { JsonStore } from "../src/store/json-store.ts";
import { seededRandom } from "./seeded-random.ts";

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

export interface StoreSpec {
  dir: string;
  /** Finished tasks, archived by cleanup, finishing evenly between `fromMs` and `toMs` (default: 88 to 8 days ago). */
  archived: number;
  /** Hot tasks, committed after the archived ones: `running` of them running (heartbeat targets), the rest pending. */
  active: number;
  /** How many of the active tasks run (default: half). */
  running?: number;
  /** Agents the tasks are spread over: a0, a1, … (default 8). */
  agents?: number;
  fromMs?: number;
  toMs?: number;
  /** The clock of the store's commits and of cleanup (default: now). */
  nowMs?: number;
  seed?: number;
  /** Tasks per transaction (default 2 000). */
  batch?: number;
  /** The journal's rotation size (default: the store's own, 8 MiB); tests make it small to get a checkpoint. */
  rotateBytes?: number;
  /**
   * An agent that takes its next task in the benchmark: at most `running` of its tasks run (the rest of its share
   * is queued), and its limit lets it take more.
   */
  taker?: { agent: string; running: number; limit: number };
}

export interface BuiltStore {
  dir: string;
  /** Months of archive files written. */
  months: number;
  /** Ids of the running hot tasks, in the order they were created. */
  running: string[];
  /** Ids of the pending hot tasks. */
  pending: string[];
  /** The agent of each pending task (same order). */
  pendingAgents: string[];
}

const WORK = [
  { name: "日报 daily report", steps: ["fetch", "write", "publish"], tags: ["daily"] },
  { name: "sync feeds", steps: ["fetch", "dedupe"], tags: ["feeds"] },
  { name: "deploy web", steps: ["build", "test", "upload", "verify"], tags: ["backend", "deploy"], group: "release" },
  { name: "translate docs 翻译", steps: [], tags: ["docs"] },
  { name: "backup database", steps: ["dump", "compress", "upload"], tags: ["ops"] },
  { name: "review pull request", steps: [], tags: ["code"], description: "read the diff, run the tests, leave comments" },
  { name: "weekly digest 周报", steps: ["collect", "summarise", "send"], tags: ["weekly"] },
  { name: "index search", steps: ["crawl", "index"], tags: [] as string[] },
] as const;
const ERRORS = [
  "timeout after 30s",
  "HTTP 502 from upstream",
  "test suite failed: 3 of 412",
  "disk full (ENOSPC)",
  "rate limited, retry later",
];

type Step = { name: string; status: string; startedAt?: string; finishedAt?: string; message?: string };

/**
 * A finished task and its audit trail, as a task that lived through the CLI leaves them (src/core/lifecycle.ts):
 * created straight into running or queued and started later, steps advanced with messages, then done, failed or
 * cancelled (some while still queued); a few failed once and were retried. One audit entry per transition, oldest
 * first; `finishedMs` is when it ended; its id is made from `counter` as newId() makes every id.
 */
export function finishedTask(counter: number, finishedMs: number, random: () => number, agents = 8): { task: Task; audit: AuditEntry[] } {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const agent = `a${Math.floor(random() * agents)}`;
  const work = pick(WORK);
  const roll = random();
  const status = roll < 0.82 ? "done" : roll < 0.94 ? "failed" : "cancelled";
  const started = !(status === "cancelled" && random() < 0.5);
  const retried = started && status !== "cancelled" && random() < 0.06;
  const straight = started && random() < 0.5;
  const id = newId(counter, random);
  const name = `${work.name} #${counter}`;
  const runMs = Math.round(20_000 * 120 ** random()); // 20 s to 40 min
  const queueMs = straight ? 0 : 1000 + Math.round(random() * 600_000);
  const startMs = finishedMs - runMs;
  const firstStartMs = retried ? startMs - 120_000 : startMs;
  const createdMs = started ? firstStartMs - queueMs : finishedMs - queueMs;

  const audit: AuditEntry[] = [];
  const entry = (action: AuditEntry["action"], from: string | null, to: string, at: number, message?: string) => {
    audit.push({ task: id, action, from, to, operator: agent, at: iso(at), ...(message ? { message } : {}) });
  };
  entry("create", null, straight ? "running" : "pending", createdMs, name);
  if (started && !straight) entry("start", "pending", "running", firstStartMs);
  if (retried) {
    entry("fail", "running", "failed", firstStartMs + 30_000, ERRORS[0]);
    entry("retry", "failed", "pending", firstStartMs + 60_000, "retry 1/3");
    entry("start", "pending", "running", startMs);
  }

  // The last attempt: steps advance evenly; a failed or cancelled task stops part-way.
  const steps: Step[] = work.steps.map((step) => ({ name: step, status: "pending" }));
  const reached = status === "done" ? steps.length : Math.floor(random() * steps.length);
  let at = startMs;
  let lastMessage: string | undefined;
  let lastSeenMs = started ? startMs : createdMs;
  if (started && steps.length > 0) {
    const each = Math.floor(runMs / steps.length);
    for (let k = 0; k < steps.length && k <= reached; k++) {
      const step = steps[k] as Step;
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

  const task: Record<string, unknown> = {
    id,
    agent,
    name,
    ...("description" in work ? { description: work.description } : {}),
    priority: 1 + Math.floor(random() * 10),
    steps,
    ...(lastMessage ? { lastMessage } : {}),
    tags: [...work.tags],
    after: [],
    ...("group" in work ? { group: work.group } : {}),
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
    let result: string | undefined;
    if (steps.length === 0) {
      result = `https://example.com/r/${counter}`;
      entry("done", "running", "done", finishedMs, result);
    }
    task.lastSeenAt = iso(finishedMs);
    task.push = { lastText: `🎉 [${name}] done!`, lastAt: iso(finishedMs), count: steps.length + 1 };
    Object.assign(task, { status, startedAt: iso(startMs), finishedAt: iso(finishedMs) }, result ? { result } : {});
  } else if (status === "failed") {
    const error = pick(ERRORS);
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
  return { task: task as unknown as Task, audit };
}

/** A hot task: running (two steps in, seen a second ago) or pending, with its audit trail so far. */
export function activeTask(counter: number, status: "running" | "pending", agent: string, nowMs: number, random: () => number) {
  const id = newId(counter, random);
  const created = nowMs - 30_000;
  const base = {
    id,
    agent,
    name: `task ${counter} 日报`,
    priority: 1 + (counter % 10),
    tags: counter % 3 === 0 ? ["daily"] : [],
    after: [],
    meta: {},
    seq: counter,
    createdBy: agent,
    createdAt: iso(created),
    queuedAt: iso(created),
    retries: 0,
    maxRetries: 3,
  };
  const audit: AuditEntry[] = [
    { task: id, action: "create", from: null, to: status, operator: agent, at: iso(created), message: base.name },
  ];
  if (status === "pending") {
    const task = { ...base, status, steps: [], updatedAt: iso(created), lastSeenAt: iso(created), attempts: 0 };
    return { task: task as unknown as Task, audit };
  }
  const steps = [
    { name: "fetch", status: "done", startedAt: iso(nowMs - 30_000), finishedAt: iso(nowMs - 10_000), message: "25 items" },
    { name: "write", status: "running", startedAt: iso(nowMs - 10_000) },
    { name: "publish", status: "pending" },
  ];
  audit.push({
    task: id,
    action: "step",
    from: "running",
    to: "running",
    operator: agent,
    at: iso(nowMs - 10_000),
    message: "fetch: 25 items",
  });
  const task = {
    ...base,
    status,
    steps,
    lastMessage: "25 items",
    startedAt: iso(created),
    updatedAt: iso(nowMs - 10_000),
    lastSeenAt: iso(nowMs - 1000),
    attempts: 1,
  };
  return { task: task as unknown as Task, audit };
}

/** Runs a taskpulse command in this process against `dir` at the clock `nowMs`; throws unless it exits 0. */
async function taskpulse(dir: string, nowMs: number, random: () => number, argv: string[]): Promise<string> {
  let out = "";
  let err = "";
  const deps: Deps = {
    env: { LANG: "C" },
    cwd: "/",
    home: "/nonexistent",
    stdout: (s) => {
      out += s;
    },
    stderr: (s) => {
      err += s;
    },
    now: () => new Date(nowMs),
    random,
    isTTY: false,
    columns: 80,
  };
  const code = await run(["--store", dir, ...argv], deps);
  if (code !== 0) throw new Error(`taskpulse ${argv.join(" ")} exited ${code}: ${err}`);
  return out;
}

export async function buildStore(spec: StoreSpec): Promise<BuiltStore> {
  const nowMs = spec.nowMs ?? Date.now();
  const fromMs = spec.fromMs ?? nowMs - 88 * DAY;
  const toMs = spec.toMs ?? nowMs - 8 * DAY;
  const batch = spec.batch ?? 2000;
  const agents = spec.agents ?? 8;
  const random = seededRandom(spec.seed ?? 1);
  mkdirSync(spec.dir, { recursive: true, mode: 0o700 });
  const store = new JsonStore(spec.dir, {
    lockWaitMs: 10_000,
    owner: { agent: "bench", command: "fixture" },
    ...(spec.rotateBytes ? { rotateBytes: spec.rotateBytes } : {}),
  });
  const months = new Set<string>();
  for (let first = 0; first < spec.archived; first += batch) {
    const n = Math.min(batch, spec.archived - first);
    await store.transaction((tx) => {
      for (let i = first; i < first + n; i++) {
        const finishedMs = Math.round(fromMs + ((toMs - fromMs) * i) / Math.max(1, spec.archived - 1));
        const { task, audit } = finishedTask(tx.nextCounter(), finishedMs, random, agents);
        months.add(iso(finishedMs).slice(0, 7));
        for (const entry of audit) tx.put(task, entry);
      }
    });
    // What a user's periodic cleanup does: finished more than 7 days ago leaves the hot state for the archive.
    await taskpulse(spec.dir, nowMs, random, ["cleanup", "--days", "7", "--archive-days", "3650", "-q"]);
  }
  const running: string[] = [];
  const pending: string[] = [];
  const pendingAgents: string[] = [];
  await store.transaction((tx) => {
    running.length = 0;
    pending.length = 0;
    pendingAgents.length = 0;
    const taker = spec.taker;
    if (taker) tx.setAgent(taker.agent, { limit: taker.limit });
    let takerRunning = 0;
    for (let i = 0; i < spec.active; i++) {
      const agent = `a${i % agents}`;
      let status: "running" | "pending" = i < (spec.running ?? Math.ceil(spec.active / 2)) ? "running" : "pending";
      if (status === "running" && agent === taker?.agent && takerRunning++ >= taker.running) status = "pending";
      const { task, audit } = activeTask(tx.nextCounter(), status, agent, nowMs, random);
      for (const entry of audit) tx.put(task, entry);
      if (status === "running") running.push(task.id);
      else {
        pending.push(task.id);
        pendingAgents.push(agent);
      }
    }
  });
  return { dir: spec.dir, months: months.size, running, pending, pendingAgents };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { stores } = JSON.parse(process.argv[2] ?? "{}") as { stores: StoreSpec[] };
  const built: BuiltStore[] = [];
  for (const spec of stores) built.push(await buildStore(spec));
  process.stdout.write(`${JSON.stringify(built)}\n`);
}
