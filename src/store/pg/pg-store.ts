// Guarantee: the same as the JSON store's, on a PostgreSQL server shared by many hosts. Every transaction() is one
// database transaction (tx.ts): read under the store's advisory lock, `fn`, the staged writes and a NOTIFY, COMMIT.
// A failure anywhere (a refused transition, a lost connection) rolls it back: nothing is half-applied. One
// connection per process, opened on first use; the schema is checked on connect (a newer one is refused before
// anything is read) and created or migrated before the first write. Messages name the server without its password.
// Nothing relies on the connection's session beyond one transaction (settings are SET LOCAL, locks are
// transaction-scoped), so the URL may name a transaction-mode pooler (`pooler=transaction`, pooler.ts): only the
// change feed needs a session, and polls there instead.
import type { Socket } from "node:net";
import pg from "pg";
import { StoreUnavailableError, UsageError } from "../../core/errors.ts";
import type { RunRecord } from "../../core/job-model.ts";
import type { AuditEntry, Task } from "../../core/model.ts";
import { validateSlug } from "../../core/names.ts";
import type { TaskSummary } from "../archive.ts";
import type { ExportDoc, ImportSummary } from "../export-format.ts";
import { scrubUrl } from "../location.ts";
import type { StateDoc } from "../state-docs.ts";
import type { ChangeFeed, MigrateResult, PruneRunsResult, Snapshot, Store, StoreTx, SummaryIndex, TxScope } from "../store.ts";
import { docLock, readDocRow, updateDocRow } from "./docs.ts";
import { isRetryable, translatePgError } from "./errors.ts";
import { ListenFeed, PollFeed } from "./feed.ts";
import { connectionOptions, optionsSchema } from "./options.ts";
import { type PoolerMode, poolerPlan, poolerRefusal } from "./pooler.ts";
import { checkSchemaVersion, clockOffset, LOCK_NS, LOCK_STORE, migrateSchema, PG_SCHEMA_VERSION, readSchemaVersion } from "./schema.ts";
import { type ClientTls, type TlsPlan, tlsPlan, wantsFallback } from "./tls.ts";
import { beginScoped, beginSql, beginWhole, emptyHotState, HOT_STATE_SQL, hotStateOf, snapshotOf, writeTx } from "./tx.ts";

/** How much longer than the lock wait the server may stay silent in an operation before the link counts as down. */
const LINK_SILENCE_MS = 15_000;

/** The lock whole-store transactions hold (exclusive) and claims share. */
const STORE_LOCK: { sql: string; params: unknown[] } = { sql: `SELECT pg_advisory_xact_lock(${LOCK_NS}, ${LOCK_STORE})`, params: [] };

/** How long a COMMIT whose answer was lost is asked about (the server restarting), and how often. */
const SETTLE_MS = 30_000;
const SETTLE_POLL_MS = 200;

export interface PgStoreOptions {
  lockWaitMs: number;
  owner: { agent: string; command: string };
  onLockWait?: ((ms: number) => void) | undefined;
  /** How long connecting may take (default 5 s). */
  connectTimeoutMs?: number;
}

export class PgStore implements Store {
  readonly location: string;
  private connecting: Promise<pg.Client> | undefined;
  private version: number | null = null;
  /** Transactions of this process run one at a time on its one connection (serve handles requests concurrently). */
  private queue: Promise<unknown> = Promise.resolve();
  /** Operations under way: while none is, the idle connection does not keep the process alive (library use). */
  private busy = 0;
  private socket: Socket | undefined;
  /** The one schema of the URL's search_path, if it names one (options.ts). */
  private readonly schema: string | undefined;
  private readonly hasOptions: boolean;
  /** The server's clock minus the host's, measured at connect (0 until then, and when they agree). */
  private offsetMs = 0;
  /** What opens each transaction: BEGIN and its settings (tx.ts). */
  private readonly begin: string;
  /** The URL the client gets: without taskpulse's own `pooler` parameter. */
  private readonly url: string;
  /** What sits between taskpulse and the server, as the URL says (`pooler=…`); undefined: nothing said. */
  private readonly pooler: PoolerMode | undefined;

  constructor(
    url: string,
    private readonly options: PgStoreOptions,
  ) {
    this.location = scrubUrl(url);
    ({ url: this.url, mode: this.pooler } = poolerPlan(url));
    this.begin = beginSql(options.lockWaitMs);
    // the pg client reads PGOPTIONS when the URL has no options: so does this check
    const libpqOptions = connectionOptions(url, process.env);
    this.hasOptions = libpqOptions !== undefined && libpqOptions.trim() !== "";
    this.schema = optionsSchema(libpqOptions);
  }

  /** The connection, opened and its schema version checked on first use. */
  private connect(): Promise<pg.Client> {
    if (this.connecting) return this.connecting;
    let plan: TlsPlan;
    try {
      // sslmode and its files, read before anything is asked of the server (a bad one is the URL's fault: exit 2)
      plan = tlsPlan(this.url, process.env);
    } catch (err) {
      return Promise.reject(err);
    }
    const connecting: Promise<pg.Client> = (async () => {
      // A lost connection fails what is under way (and is reported by it); the next operation opens a new one, so
      // a long-running serve, or a library handle, outlives a server restart. Without a listener an error on an
      // idle connection would crash the process.
      const forget = () => {
        if (this.connecting === connecting) {
          this.connecting = undefined;
          this.socket = undefined;
        }
      };
      const newClient = (ssl: ClientTls) => {
        const client = new pg.Client({
          connectionString: plan.url,
          ssl,
          connectionTimeoutMillis: this.options.connectTimeoutMs ?? 5000,
          // lock_timeout and idle_in_transaction_session_timeout are set per transaction (tx.ts beginSql); PgBouncer
          // takes application_name as a startup parameter, and sets it on the server connection it lends
          application_name: `taskpulse ${this.options.owner.command}`.slice(0, 60),
          keepAlive: true,
        });
        client.on("error", forget);
        client.on("end", forget);
        return client;
      };
      // (a URL the client cannot read throws here, before anything is open)
      let client = newClient(plan.first);
      try {
        try {
          await client.connect();
        } catch (err) {
          // sslmode=prefer or allow: the other kind of connection, as libpq tries it
          if (plan.fallback === undefined || !wantsFallback(plan, err)) throw err;
          await client.end().catch(() => {});
          client = newClient(plan.fallback);
          await client.connect();
        }
        const { version, clock } = await readSchemaVersion(client);
        this.version = version;
        this.offsetMs = clockOffset(clock);
        checkSchemaVersion(this.version, this.location);
      } catch (err) {
        // nothing more will use this connection: close it, or its socket keeps the process alive
        forget();
        await client.end().catch(() => {});
        throw this.refusedOption(err) ?? poolerRefusal(err, this.location) ?? translatePgError(err, this.location);
      }
      const stream = (client as unknown as { connection?: { stream?: Socket } }).connection?.stream;
      this.socket = stream;
      // A link that drops without a word (a cable, a frozen host, a firewall) would leave a call waiting for minutes:
      // while an operation is under way, a silence longer than any answer can take ends the connection, and the
      // call fails as for any lost connection (exit 5, rolled back). Between operations (a `wait` listening) the
      // connection may be silent as long as it likes.
      stream?.on("timeout", () =>
        stream.destroy(
          Object.assign(new Error(`no answer from the server for ${Math.round(this.silenceMs / 1000)} s: the link may be down`), {
            code: "ETIMEDOUT",
          }),
        ),
      );
      if (this.busy === 0) stream?.unref();
      else stream?.setTimeout(this.silenceMs);
      return client;
    })();
    this.connecting = connecting;
    return connecting;
  }

  /**
   * A setting of the URL's options that the server refused at login (an unknown name, a bad value): the URL is
   * wrong, as with any other bad value (exit 2).
   */
  private refusedOption(err: unknown): UsageError | undefined {
    const code = (err as { code?: unknown })?.code;
    if (!this.hasOptions || (code !== "42704" && code !== "22023" && code !== "42601")) return undefined;
    return new UsageError(
      `the PostgreSQL server refused the options of ${this.location}: ${scrubUrl(String((err as Error).message))}`,
      "fix or drop the setting in the URL's options (or PGOPTIONS)",
    );
  }

  /** The connection, with the schema created or migrated (for writes). */
  private async writable(): Promise<pg.Client> {
    const client = await this.connect();
    if (this.version !== PG_SCHEMA_VERSION) {
      await migrateSchema(client, this.begin, this.location, this.schema);
      this.version = PG_SCHEMA_VERSION;
    }
    return client;
  }

  /** Runs `work` with the connection held (referenced), translating failures. */
  private async holding<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy++ === 0) {
      this.socket?.ref();
      this.socket?.setTimeout(this.silenceMs);
    }
    try {
      return await work();
    } catch (err) {
      throw translatePgError(err, this.location);
    } finally {
      if (--this.busy === 0) {
        this.socket?.unref();
        this.socket?.setTimeout(0);
      }
    }
  }

  /** The longest silence of the server in an operation: its lock wait, and then some. */
  private get silenceMs(): number {
    return this.options.lockWaitMs + LINK_SILENCE_MS;
  }

  /** Runs `work` after the transactions before it. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.holding(() => this.queue.then(work, work));
    this.queue = run.catch(() => {});
    return run;
  }

  /**
   * A read: nothing to read before the schema exists. Until it does, each read looks again (another host may
   * have created it since: a long-running `serve` or `wait` must then see its tasks).
   */
  private reading<T>(empty: T, work: (client: pg.Client) => Promise<T>): Promise<T> {
    return this.holding(async () => {
      const client = await this.connect();
      if (this.version === null) {
        this.version = (await readSchemaVersion(client)).version;
        checkSchemaVersion(this.version, this.location);
      }
      return this.version === null ? empty : await work(client);
    });
  }

  read(): Promise<Snapshot> {
    return this.reading(snapshotOf(emptyHotState()), async (client) => {
      const r = await client.query<{ k: number; id: string; data: string }>(HOT_STATE_SQL);
      return snapshotOf(await hotStateOf(r.rows, this.location));
    });
  }

  transaction<T>(fn: (tx: StoreTx) => T | Promise<T>, scope?: TxScope): Promise<T> {
    return this.serial(async () => {
      const client = await this.writable();
      for (let attempt = 1; ; attempt++) {
        const asked = process.hrtime.bigint();
        try {
          const tx = scope
            ? await beginScoped(client, this.begin, scope.agent, this.location)
            : await beginWhole(client, this.begin, this.location);
          this.options.onLockWait?.(Number(process.hrtime.bigint() - asked) / 1e6);
          const result = await fn(tx);
          await this.commit(client, await writeTx(client, tx));
          return result;
        } catch (err) {
          await client.query("ROLLBACK").catch(() => {});
          if (isRetryable(err) && attempt < 5) continue;
          throw err;
        }
      }
    });
  }

  /**
   * COMMIT, so that the caller hears either "kept" or "nothing changed", even when the answer is lost (the server
   * restarted, the link dropped) after the COMMIT left: on a new connection, once `lock` is free (the lock the lost
   * transaction held, and holds while it is still finishing: the store's, or a document's), the commit's marker
   * (tx.ts commitMarker) is looked for: there, it landed (success); absent, nothing changed (the original error).
   * Only when the server cannot be asked within SETTLE_MS is the outcome unknown, and the message says so.
   */
  private async commit(client: pg.Client, marker: string | undefined, lock = STORE_LOCK): Promise<void> {
    try {
      await client.query("COMMIT");
      return;
    } catch (err) {
      if (marker === undefined) throw err; // nothing was written: nothing to lose
      const deadline = Date.now() + SETTLE_MS;
      for (;;) {
        let landed: boolean | undefined;
        try {
          landed = await this.landed(marker, lock);
        } catch {
          landed = undefined; // the server is not back yet, or the lock is still held
        }
        if (landed === true) return;
        if (landed === false) throw err;
        if (Date.now() > deadline) {
          throw new StoreUnavailableError(
            `the connection to ${this.location} was lost while committing, and the server could not be asked since: whether the change was kept is unknown (${scrubUrl(String((err as Error)?.message ?? err))})`,
            "look before repeating it: `taskpulse status <id>` (or `log`) shows whether it landed",
          );
        }
        await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
      }
    }
  }

  /** Whether the commit that wrote `marker` landed, asked under its lock, so that it has ended either way. */
  private async landed(marker: string, lock: { sql: string; params: unknown[] }): Promise<boolean> {
    const fresh = await this.connect();
    try {
      await fresh.query(this.begin);
      await fresh.query(lock.sql, lock.params);
      const r = await fresh.query<{ landed: boolean }>("SELECT EXISTS (SELECT 1 FROM taskpulse_meta WHERE key = $1) AS landed", [marker]);
      return r.rows[0]?.landed === true;
    } finally {
      await fresh.query("ROLLBACK").catch(() => {});
    }
  }

  /** A transaction of plain statements under the store lock (archive and run retention, import). */
  private locked<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      const client = await this.writable();
      try {
        await client.query(`${this.begin}; SELECT pg_advisory_xact_lock(${LOCK_NS}, ${LOCK_STORE})`);
        const result = await work(client);
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        throw err;
      }
    });
  }

  auditTrail(taskId: string): Promise<AuditEntry[]> {
    return this.reading([], async (client) => {
      const r = await client.query<{ entry: string }>("SELECT entry FROM taskpulse_audit WHERE task = $1 ORDER BY seq", [taskId]);
      return r.rows.map((row) => JSON.parse(row.entry) as AuditEntry);
    });
  }

  runRecords(jobId: string): Promise<RunRecord[]> {
    validateSlug(jobId, "job name");
    return this.reading([], async (client) => {
      const r = await client.query<{ record: string }>("SELECT record FROM taskpulse_runs WHERE job = $1 ORDER BY seq", [jobId]);
      return r.rows.map((row) => JSON.parse(row.record) as RunRecord);
    });
  }

  async pruneRuns(options: { keep: number; before?: Date }): Promise<PruneRunsResult> {
    if ((await this.reading(null, async () => this.version)) === null) return { jobs: 0, removedRuns: 0 };
    return this.locked(async (client) => {
      const r = await client.query<{ job: string; run: string; last: string }>(
        "SELECT job, run, max(at) AS last FROM taskpulse_runs GROUP BY job, run ORDER BY job, min(seq)",
      );
      const byJob = new Map<string, { run: string; last: string }[]>();
      for (const row of r.rows) byJob.set(row.job, [...(byJob.get(row.job) ?? []), row]);
      let removedRuns = 0;
      for (const [job, runs] of byJob) {
        let kept = runs.slice(-options.keep);
        if (options.before) {
          const cutoff = options.before.toISOString();
          // the newest run is always kept, so a job never loses its last known result
          kept = kept.filter((run, i) => i === kept.length - 1 || run.last >= cutoff);
        }
        const keep = new Set(kept.map((k) => k.run));
        const drop = runs.filter((x) => !keep.has(x.run)).map((x) => x.run);
        if (drop.length === 0) continue;
        await client.query("DELETE FROM taskpulse_runs WHERE job = $1 AND run = ANY($2)", [job, drop]);
        removedRuns += drop.length;
      }
      return { jobs: byJob.size, removedRuns };
    });
  }

  readDoc(name: string): Promise<StateDoc | undefined> {
    validateSlug(name, "state name");
    return this.reading<StateDoc | undefined>(undefined, (client) => readDocRow(client, name));
  }

  updateDoc(name: string, fn: (current: StateDoc | undefined) => unknown, now: Date): Promise<{ doc: StateDoc; changed: boolean }> {
    validateSlug(name, "state name");
    return this.serial(async () => {
      const client = await this.writable();
      return updateDocRow(client, this.begin, name, fn, now, (marker) => this.commit(client, marker, docLock(name)));
    });
  }

  listDocs(): Promise<{ name: string; bytes: number; rev: number; updatedAt: string | null }[]> {
    return this.reading([], async (client) => {
      const r = await client.query<{ name: string; bytes: number; rev: number; updated_at: string | null }>(
        "SELECT name, bytes, rev, updated_at FROM taskpulse_docs",
      );
      // the order the JSON store lists its files in
      const key = (n: string) => `${n}.json`;
      return r.rows
        .map((row) => ({ name: row.name, bytes: row.bytes, rev: row.rev, updatedAt: row.updated_at }))
        .sort((a, b) => (key(a.name) < key(b.name) ? -1 : key(a.name) > key(b.name) ? 1 : 0));
    });
  }

  archivedSummaries(range?: { from?: string; to?: string }): Promise<TaskSummary[]> {
    return this.reading([], async (client) => {
      const r = await client.query<{ summary: string }>(
        `SELECT summary FROM taskpulse_archive WHERE ($1::text IS NULL OR month >= $1) AND ($2::text IS NULL OR month <= $2)
         ORDER BY month, seq`,
        [range?.from?.slice(0, 7) ?? null, range?.to?.slice(0, 7) ?? null],
      );
      return r.rows.map((row) => JSON.parse(row.summary) as TaskSummary);
    });
  }

  archiveIndex(range?: { from?: string; to?: string }): Promise<SummaryIndex> {
    return this.reading(rowIndex([]), async (client) => {
      const r = await client.query<{ id: string; summary: string }>(
        `SELECT id, summary FROM taskpulse_archive WHERE ($1::text IS NULL OR month >= $1) AND ($2::text IS NULL OR month <= $2)
         ORDER BY month, seq`,
        [range?.from?.slice(0, 7) ?? null, range?.to?.slice(0, 7) ?? null],
      );
      return rowIndex(r.rows);
    });
  }

  archivedTask(id: string): Promise<Task | undefined> {
    return this.reading<Task | undefined>(undefined, async (client) => {
      const r = await client.query<{ task: string }>("SELECT task FROM taskpulse_archive WHERE id = $1", [id]);
      return r.rows[0] ? (JSON.parse(r.rows[0].task) as Task) : undefined;
    });
  }

  async pruneArchive(cutoffIso: string): Promise<{ months: string[]; tasks: number }> {
    const none = { months: [], tasks: 0 };
    const any = await this.reading(false, async (client) => {
      const r = await client.query("SELECT 1 FROM taskpulse_archive WHERE month < $1 LIMIT 1", [cutoffIso.slice(0, 7)]);
      return r.rows.length > 0;
    });
    if (!any) return none;
    return this.locked(async (client) => {
      const r = await client.query<{ month: string; n: string }>(
        `WITH gone AS (DELETE FROM taskpulse_archive WHERE month < $1 RETURNING id, month),
              trail AS (DELETE FROM taskpulse_audit WHERE task IN (SELECT id FROM gone))
         SELECT month, count(*) AS n FROM gone GROUP BY month ORDER BY month`,
        [cutoffIso.slice(0, 7)],
      );
      return { months: r.rows.map((row) => row.month), tasks: r.rows.reduce((n, row) => n + Number(row.n), 0) };
    });
  }

  changes(): ChangeFeed {
    // LISTEN needs a session: through a transaction-mode pooler it would run on a lent server connection, which
    // keeps listening after it goes back to the pool, and no notification would ever reach this process
    if (this.pooler === "transaction") return new PollFeed();
    return new ListenFeed(
      () => this.connect(),
      (err) => translatePgError(err, this.location),
    );
  }

  exportData(): Promise<ExportDoc> {
    // transfer.ts and export-format.ts are loaded only by export and import
    return this.reading<ExportDoc | undefined>(undefined, async (client) =>
      (await import("./transfer.ts")).exportPg(client, this.location),
    ).then(async (doc) => doc ?? (await import("../export-format.ts")).emptyExport());
  }

  importData(doc: ExportDoc, options: { merge: boolean }): Promise<ImportSummary> {
    return this.locked(async (client) => (await import("./transfer.ts")).importPg(client, doc, options, this.location));
  }

  async migrate(): Promise<MigrateResult> {
    const from = await this.serial(async () => {
      const client = await this.connect();
      return this.version === PG_SCHEMA_VERSION ? this.version : await migrateSchema(client, this.begin, this.location);
    });
    this.version = PG_SCHEMA_VERSION;
    return { backend: "postgres", from, to: PG_SCHEMA_VERSION };
  }

  clockOffsetMs(): number {
    return this.offsetMs;
  }

  async clock(): Promise<number> {
    await this.holding(() => this.connect());
    return this.offsetMs;
  }

  async close(): Promise<void> {
    const connecting = this.connecting;
    this.connecting = undefined;
    if (!connecting) return;
    try {
      const client = await connecting;
      this.socket?.ref(); // until the server has seen the goodbye
      await client.end();
    } catch {
      // never connected, or the connection is already gone: nothing to release
    }
  }
}

/** The archive index over rows read at once: summaries kept as their text, parsed (fresh objects) when asked for. */
function rowIndex(rows: readonly { id: string; summary: string }[]): SummaryIndex {
  const byId = new Map(rows.map((row) => [row.id, row.summary]));
  return {
    ids: () => byId.keys(),
    get(id) {
      const text = byId.get(id);
      return text === undefined ? undefined : (JSON.parse(text) as TaskSummary);
    },
    *summaries(filter = {}) {
      for (const [id, text] of byId) {
        if (filter.skip?.(id)) continue;
        const summary = JSON.parse(text) as TaskSummary;
        if (filter.agent === undefined || summary.agent === filter.agent) yield summary;
      }
    },
  };
}
