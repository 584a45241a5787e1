// One PostgreSQL transaction of the store: the snapshot `fn` reads and the writes it stages, written in the same
// transaction, with a NOTIFY, before COMMIT. Whole-store transactions hold the store's exclusive advisory lock (the
// JSON store's one lock, so every command keeps its read-modify-write guarantee); a claim (scoped to one agent)
// holds it shared plus the agent's own lock, and takes the agent's queued rows with FOR UPDATE SKIP LOCKED, so
// claims of different agents, from any number of hosts, run in parallel and never hand one task out twice.
import type { Client } from "pg";
import { entryOf, summarize, type TaskEntry } from "../../core/insight.ts";
import type { Job, RunRecord } from "../../core/job-model.ts";
import type { AgentConfig, AuditEntry, Task } from "../../core/model.ts";
import { JOB_LIMITS, SCHEMA_VERSION } from "../../core/model-constants.ts";
import { monthOf } from "../archive.ts";
import { validateState } from "../state-file.ts";
import type { Snapshot, StoreTx } from "../store.ts";
import { LOCK_NS, LOCK_NS_AGENT, LOCK_STORE, NOTIFY_CHANNEL } from "./schema.ts";

/** The hot state, as read in one statement: tasks, agents and jobs in store order, and the id counter. */
export interface HotState {
  tasks: Map<string, Task>;
  agents: Record<string, AgentConfig>;
  jobs: Record<string, Job>;
  counter: number;
}

export const HOT_STATE_SQL = `SELECT k, id, data FROM (
    SELECT 1 AS k, seq, id, data FROM taskpulse_tasks
    UNION ALL SELECT 2, seq, name, data FROM taskpulse_agents
    UNION ALL SELECT 3, seq, id, data FROM taskpulse_jobs
    UNION ALL SELECT 4, 0, key, value FROM taskpulse_meta WHERE key = 'counter') AS hot
  ORDER BY k, seq`;

/**
 * The hot state from its rows, validated and normalised by the JSON store's own state parser (the generated one,
 * zod only for what it does not accept): the same checks at this edge, and objects with the same key order, so the
 * two backends print the same bytes.
 */
export async function hotStateOf(rows: readonly { k: number; id: string; data: string }[], where: string): Promise<HotState> {
  const tasks: Record<string, unknown> = {};
  const agents: Record<string, unknown> = {};
  const jobs: Record<string, unknown> = {};
  let counter = 0;
  for (const row of rows) {
    if (row.k === 1) tasks[row.id] = JSON.parse(row.data);
    else if (row.k === 2) agents[row.id] = JSON.parse(row.data);
    else if (row.k === 3) jobs[row.id] = JSON.parse(row.data);
    else counter = Number(row.data);
  }
  const state = await validateState({ schemaVersion: SCHEMA_VERSION, seq: 0, txn: null, counter, tasks, agents, jobs }, where);
  return { tasks: new Map(Object.entries(state.tasks)), agents: state.agents, jobs: state.jobs, counter: state.counter };
}

export function emptyHotState(): HotState {
  return { tasks: new Map(), agents: {}, jobs: {}, counter: 0 };
}

export function snapshotOf(state: HotState): Snapshot {
  const tasks = [...state.tasks.values()];
  return {
    tasks,
    agents: state.agents,
    get: (id) => state.tasks.get(id),
    ids: () => [...state.tasks.keys()],
    queue: (agent) => tasks.filter((t) => t.agent === agent),
    entries: () => tasks.map(entryOf),
    agent: (name) => state.agents[name],
    jobs: state.jobs,
    job: (id) => state.jobs[id],
  };
}

export class PgTx implements StoreTx {
  readonly puts = new Map<string, Task>();
  readonly audits: AuditEntry[] = [];
  readonly archived: Task[] = [];
  readonly agentPuts = new Map<string, AgentConfig>();
  readonly jobPuts = new Map<string, Job>();
  readonly runs: { job: string; record: RunRecord }[] = [];
  counterUsed = false;

  /** `scope`: the agent a claim is limited to (see TxScope); undefined for a whole-store transaction. */
  constructor(
    private readonly state: HotState,
    readonly scope?: string,
  ) {}

  private outOfScope(what: string): never {
    throw new Error(`a transaction scoped to agent ${this.scope} cannot ${what}`);
  }

  get tasks(): readonly Task[] {
    return [...this.state.tasks.values()];
  }
  get agents(): Readonly<Record<string, AgentConfig>> {
    return this.state.agents;
  }
  get jobs(): Readonly<Record<string, Job>> {
    return this.state.jobs;
  }
  get(id: string): Task | undefined {
    return this.state.tasks.get(id);
  }
  ids(): readonly string[] {
    return [...this.state.tasks.keys()];
  }
  queue(agent: string): readonly Task[] {
    return this.tasks.filter((t) => t.agent === agent);
  }
  entries(): readonly TaskEntry[] {
    return this.tasks.map(entryOf);
  }
  agent(name: string): AgentConfig | undefined {
    return this.state.agents[name];
  }
  job(id: string): Job | undefined {
    return this.state.jobs[id];
  }
  put(task: Task, audit?: AuditEntry): void {
    if (this.scope !== undefined && (task.agent !== this.scope || this.state.tasks.get(task.id)?.agent !== this.scope)) {
      this.outOfScope(`write task ${task.id}`);
    }
    this.state.tasks.set(task.id, task);
    this.puts.set(task.id, task);
    if (audit) this.audits.push(audit);
  }
  setAgent(name: string, config: AgentConfig): void {
    if (this.scope !== undefined) this.outOfScope("configure agents");
    this.state.agents[name] = config;
    this.agentPuts.set(name, config);
  }
  archive(task: Task): void {
    if (this.scope !== undefined) this.outOfScope("archive tasks");
    this.state.tasks.delete(task.id);
    this.puts.delete(task.id);
    this.archived.push(task);
  }
  nextCounter(): number {
    if (this.scope !== undefined) this.outOfScope("create tasks");
    this.state.counter += 1;
    this.counterUsed = true;
    return this.state.counter;
  }
  putJob(job: Job): void {
    if (this.scope !== undefined) this.outOfScope("write jobs");
    this.state.jobs[job.id] = job;
    this.jobPuts.set(job.id, job);
  }
  appendRun(jobId: string, record: RunRecord): void {
    if (this.scope !== undefined) this.outOfScope("record runs");
    this.runs.push({ job: jobId, record });
  }

  get counter(): number {
    return this.state.counter;
  }

  get changed(): boolean {
    return (
      this.puts.size > 0 ||
      this.audits.length > 0 ||
      this.archived.length > 0 ||
      this.agentPuts.size > 0 ||
      this.jobPuts.size > 0 ||
      this.runs.length > 0 ||
      this.counterUsed
    );
  }
}

/** How long a transaction may sit idle (a process stopped, not killed, inside one) before the server ends it. */
const IDLE_IN_TRANSACTION_MS = 60_000;

/**
 * What opens every transaction that writes or takes a lock: BEGIN and the settings it runs under, SET LOCAL, sent in
 * the same round trip as what follows. Not startup parameters: a transaction-mode pooler (PgBouncer) refuses those,
 * and runs each transaction on whichever server connection is free, so only a transaction's own settings are sure
 * to apply to it. `lockWaitMs`: how long a lock may be waited for (TASKPULSE_LOCK_WAIT), then 55P03 (store_busy).
 */
export function beginSql(lockWaitMs: number): string {
  const lockTimeout = Math.max(1, Math.round(lockWaitMs));
  return `BEGIN; SET LOCAL lock_timeout = ${lockTimeout}; SET LOCAL idle_in_transaction_session_timeout = ${IDLE_IN_TRANSACTION_MS}`;
}

/** BEGIN (`begin`: beginSql), the store's exclusive lock, and the hot state: one round trip. */
export async function beginWhole(client: Client, begin: string, where: string): Promise<PgTx> {
  const results = (await client.query(
    `${begin}; SELECT pg_advisory_xact_lock(${LOCK_NS}, ${LOCK_STORE}); ${HOT_STATE_SQL}`,
  )) as unknown as {
    rows: { k: number; id: string; data: string }[];
  }[];
  return new PgTx(await hotStateOf(results.at(-1)?.rows ?? [], where));
}

/**
 * BEGIN for a claim: the store lock shared (whole-store transactions wait), the agent's lock exclusive (its running
 * count stays true while it claims), its queued tasks locked with SKIP LOCKED, and the tasks they depend on.
 */
export async function beginScoped(client: Client, begin: string, agent: string, where: string): Promise<PgTx> {
  await client.query(`${begin}; SELECT pg_advisory_xact_lock_shared(${LOCK_NS}, ${LOCK_STORE})`);
  await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [LOCK_NS_AGENT, agent]);
  const queued = await client.query<{ seq: string; data: string }>(
    "SELECT seq, data FROM taskpulse_tasks WHERE agent = $1 AND status = 'pending' ORDER BY seq FOR UPDATE SKIP LOCKED",
    [agent],
  );
  const rest = await client.query<{ seq: string; data: string }>(
    `SELECT seq, data FROM taskpulse_tasks WHERE agent = $1 AND status <> 'pending'
     UNION ALL SELECT -1, data FROM taskpulse_agents WHERE name = $1`,
    [agent],
  );
  const rows: { k: number; id: string; data: string }[] = [];
  const mine: { seq: number; task: Task }[] = [];
  for (const row of [...queued.rows, ...rest.rows]) {
    if (row.seq === "-1") rows.push({ k: 2, id: agent, data: row.data });
    else mine.push({ seq: Number(row.seq), task: JSON.parse(row.data) as Task });
  }
  mine.sort((a, b) => a.seq - b.seq);
  const ids = new Set(mine.map(({ task }) => task.id));
  const deps = [...new Set(mine.flatMap(({ task }) => (task.status === "pending" ? task.after : [])))].filter((id) => !ids.has(id));
  const found =
    deps.length > 0
      ? await client.query<{ id: string; data: string }>("SELECT id, data FROM taskpulse_tasks WHERE id = ANY($1) ORDER BY seq", [deps])
      : { rows: [] };
  rows.push(
    ...mine.map(({ task }) => ({ k: 1, id: task.id, data: JSON.stringify(task) })),
    ...found.rows.map((r) => ({ k: 1, id: r.id, data: r.data })),
  );
  const state = await hotStateOf(rows, where);
  return new PgTx(state, agent);
}

/**
 * How long a commit's marker is kept: far longer than a commit whose answer was lost is asked about
 * (PgStore.commit), so that no marker is removed while its commit may still be asked about.
 */
const MARKER_KEEP_MS = 10 * 60_000;

/**
 * A marker of the commit under way, to be written in its transaction: the key (`commit <token>`), and the start of
 * a statement (a WITH list) that writes it to taskpulse_meta with the server's time in ms, and, with
 * `removeExpired`, removes the markers older than MARKER_KEEP_MS (in whole-store transactions only: claims and
 * document updates run side by side, and would wait on each other's removals). The marker is there if and only if
 * the commit landed, which is how a COMMIT whose answer was lost is judged afterwards (PgStore.commit). Not by the
 * transaction's id: after a crash, a transaction whose records never reached the server's disk leaves its id to be
 * given again, and `txid_status` then answers for another transaction.
 */
export function commitMarker(removeExpired: boolean): { key: string; with: string } {
  const key = `commit ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}${Math.random().toString(36).slice(2, 10)}`;
  const expired = removeExpired
    ? `, expired AS (DELETE FROM taskpulse_meta WHERE CASE WHEN key LIKE 'commit %' AND value ~ '^[0-9]{1,18}$' THEN value::bigint < (SELECT ms FROM now) - ${MARKER_KEEP_MS} ELSE false END)`
    : "";
  return {
    key,
    with: `WITH now AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms)${expired},
       marked AS (INSERT INTO taskpulse_meta (key, value) SELECT $1, ms::text FROM now)`,
  };
}

/**
 * Writes what `tx` staged, a marker of this commit (commitMarker), and signals the change, short of COMMIT. Returns
 * the marker's key, undefined when nothing changed.
 */
export async function writeTx(client: Client, tx: PgTx): Promise<string | undefined> {
  if (!tx.changed) return undefined;
  if (tx.archived.length > 0) {
    const ids = tx.archived.map((t) => t.id);
    await client.query("DELETE FROM taskpulse_tasks WHERE id = ANY($1)", [ids]);
    await insertArchive(client, tx.archived);
  }
  if (tx.puts.size > 0) await upsertTasks(client, [...tx.puts.values()]);
  if (tx.audits.length > 0) await insertAudit(client, tx.audits);
  if (tx.agentPuts.size > 0) {
    await client.query(
      `INSERT INTO taskpulse_agents (name, data) SELECT * FROM unnest($1::text[], $2::text[])
       ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data`,
      [[...tx.agentPuts.keys()], [...tx.agentPuts.values()].map((c) => JSON.stringify(c))],
    );
  }
  if (tx.jobPuts.size > 0) await upsertJobs(client, [...tx.jobPuts.values()]);
  if (tx.runs.length > 0) await insertRuns(client, tx.runs);
  if (tx.counterUsed) await client.query("UPDATE taskpulse_meta SET value = $1 WHERE key = 'counter'", [String(tx.counter)]);
  const marker = commitMarker(tx.scope === undefined);
  await client.query(`${marker.with} SELECT pg_notify('${NOTIFY_CHANNEL}', '')`, [marker.key]);
  return marker.key;
}

export async function upsertTasks(client: Client, tasks: readonly Task[]): Promise<void> {
  await client.query(
    `INSERT INTO taskpulse_tasks (id, agent, status, data) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
     ON CONFLICT (id) DO UPDATE SET agent = EXCLUDED.agent, status = EXCLUDED.status, data = EXCLUDED.data`,
    [tasks.map((t) => t.id), tasks.map((t) => t.agent), tasks.map((t) => t.status), tasks.map((t) => JSON.stringify(t))],
  );
}

export async function upsertJobs(client: Client, jobs: readonly Job[]): Promise<void> {
  await client.query(
    `INSERT INTO taskpulse_jobs (id, data) SELECT * FROM unnest($1::text[], $2::text[])
     ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data`,
    [jobs.map((j) => j.id), jobs.map((j) => JSON.stringify(j))],
  );
}

export async function insertAudit(client: Client, entries: readonly AuditEntry[]): Promise<void> {
  await client.query("INSERT INTO taskpulse_audit (task, entry) SELECT * FROM unnest($1::text[], $2::text[])", [
    entries.map((a) => a.task),
    entries.map((a) => JSON.stringify(a)),
  ]);
}

export async function insertArchive(client: Client, tasks: readonly Task[]): Promise<void> {
  const month = (t: Task) => monthOf((t as { finishedAt?: string }).finishedAt ?? t.updatedAt);
  await client.query(
    `INSERT INTO taskpulse_archive (id, month, task, summary) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
     ON CONFLICT (id) DO UPDATE SET month = EXCLUDED.month, task = EXCLUDED.task, summary = EXCLUDED.summary`,
    [tasks.map((t) => t.id), tasks.map(month), tasks.map((t) => JSON.stringify(t)), tasks.map((t) => JSON.stringify(summarize(t)))],
  );
}

/** Appends run records; a job past its bound keeps only its newest runs (as the JSON store's compaction does). */
export async function insertRuns(
  client: Client,
  runs: readonly { job: string; record: RunRecord }[],
  keep: number = JOB_LIMITS.keepRuns,
): Promise<void> {
  await client.query(
    "INSERT INTO taskpulse_runs (job, run, at, record) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])",
    [runs.map((r) => r.job), runs.map((r) => r.record.run), runs.map((r) => r.record.at), runs.map((r) => JSON.stringify(r.record))],
  );
  for (const job of new Set(runs.filter((r) => r.record.kind === "finished").map((r) => r.job))) {
    await client.query(
      `DELETE FROM taskpulse_runs WHERE job = $1 AND run NOT IN (
         SELECT run FROM taskpulse_runs WHERE job = $1 GROUP BY run ORDER BY min(seq) DESC LIMIT $2)`,
      [job, keep],
    );
  }
}
