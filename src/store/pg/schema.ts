// Guarantee: the PostgreSQL schema is versioned (taskpulse_meta.schema_version) and changed only by migrate(), in one
// transaction under a transaction-scoped advisory lock, so concurrent first uses from many hosts create it once. (A
// session lock would be taken and released in separate statements, which a transaction-mode pooler may run on
// different server connections: the release fails and the lock stays on a pooled connection, blocking every later
// migration.) A schema
// newer than this build is refused (exit 6) before anything reads or writes it. Reads never create anything: before
// the first write the tables may not exist, and a read then sees an empty store.
import type { Client } from "pg";
import { StoreCorruptError } from "../../core/errors.ts";
import { quoteIdent } from "./options.ts";

export const PG_SCHEMA_VERSION = 1;

/** Advisory-lock namespace of taskpulse (the first of the two int4 keys): "tp". */
export const LOCK_NS = 0x7470;
/** Second keys in LOCK_NS; agents and documents use namespaces of their own, keyed by hashtext(name). */
export const LOCK_STORE = 0;
const LOCK_MIGRATE = 1;
export const LOCK_NS_AGENT = 0x7471;
export const LOCK_NS_DOC = 0x7472;

export const NOTIFY_CHANNEL = "taskpulse_changes";

/** Each entry brings the schema from version i to i + 1. Append only; never edit a released step. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE taskpulse_tasks (
     id text PRIMARY KEY, seq bigserial, agent text NOT NULL, status text NOT NULL, data text NOT NULL);
   CREATE INDEX taskpulse_tasks_agent ON taskpulse_tasks (agent, status);
   CREATE TABLE taskpulse_agents (name text PRIMARY KEY, seq bigserial, data text NOT NULL);
   CREATE TABLE taskpulse_jobs (id text PRIMARY KEY, seq bigserial, data text NOT NULL);
   CREATE TABLE taskpulse_audit (seq bigserial PRIMARY KEY, task text NOT NULL, entry text NOT NULL);
   CREATE INDEX taskpulse_audit_task ON taskpulse_audit (task, seq);
   CREATE TABLE taskpulse_archive (
     id text PRIMARY KEY, seq bigserial, month text NOT NULL, task text NOT NULL, summary text NOT NULL);
   CREATE INDEX taskpulse_archive_month ON taskpulse_archive (month, seq);
   CREATE TABLE taskpulse_runs (seq bigserial PRIMARY KEY, job text NOT NULL, run text NOT NULL, at text NOT NULL, record text NOT NULL);
   CREATE INDEX taskpulse_runs_job ON taskpulse_runs (job, seq);
   CREATE TABLE taskpulse_docs (
     name text PRIMARY KEY, rev integer NOT NULL, updated_at text, value text NOT NULL, bytes integer NOT NULL);
   INSERT INTO taskpulse_meta (key, value) VALUES ('counter', '0');`,
];

/** The server's clock, read with the schema version in the same round trip: ms since the epoch. */
const CLOCK = "(extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms";

/**
 * The schema version (null: taskpulse never wrote here; NaN: unreadable), and the server's clock when it was read,
 * with the host's clock before and after the round trip (for the server's offset; see PgStore.connect).
 */
export async function readSchemaVersion(client: Client): Promise<{ version: number | null; clock: ServerClock }> {
  const sent = Date.now();
  try {
    const v = await client.query<{ value: string | null; ms: number }>(
      `SELECT ${CLOCK}, (SELECT value FROM taskpulse_meta WHERE key = 'schema_version') AS value`,
    );
    const version = Number(v.rows[0]?.value ?? Number.NaN);
    return {
      version: Number.isInteger(version) ? version : Number.NaN,
      clock: { sent, server: Number(v.rows[0]?.ms), received: Date.now() },
    };
  } catch (err) {
    if ((err as { code?: string }).code !== "42P01") throw err;
    // undefined_table: taskpulse never wrote here
    const again = Date.now();
    const c = await client.query<{ ms: number }>(`SELECT ${CLOCK}`);
    return { version: null, clock: { sent: again, server: Number(c.rows[0]?.ms), received: Date.now() } };
  }
}

export interface ServerClock {
  /** The host's clock when the query was sent and when its answer came (ms). */
  sent: number;
  received: number;
  /** The server's clock in between (ms). */
  server: number;
}

/**
 * How far the server's clock is ahead of the host's (ms), or 0 when the difference is within what one round trip
 * can tell apart from none (half of it, plus NTP's usual precision): hosts that keep time agree exactly then.
 */
export function clockOffset(c: ServerClock): number {
  if (!Number.isFinite(c.server)) return 0;
  const offset = c.server - (c.sent + c.received) / 2;
  return Math.abs(offset) <= (c.received - c.sent) / 2 + CLOCK_TOLERANCE_MS ? 0 : Math.round(offset);
}

/** Differences up to this are the same time (NTP keeps hosts on a network within a few ms of each other). */
const CLOCK_TOLERANCE_MS = 50;

/** Creates the search_path schema the tables go into, or checks the user may create them in it; else exit 6. */
async function createSchema(client: Client, schema: string, where: string): Promise<void> {
  try {
    // CREATE SCHEMA IF NOT EXISTS needs the database's CREATE right even when the schema exists: look first
    const found = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]);
    if (found.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    else {
      // without USAGE the server skips the schema in the search_path, and the tables would have nowhere to go
      const rights = await client.query<{ ok: boolean }>("SELECT has_schema_privilege($1, 'USAGE, CREATE') AS ok", [schema]);
      if (rights.rows[0]?.ok !== true) throw new Error(`the user lacks USAGE or CREATE on schema ${quoteIdent(schema)}`);
    }
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    throw new StoreCorruptError(
      `cannot use schema ${quoteIdent(schema)} (the search_path of ${where}): ${typeof e.message === "string" ? e.message : String(err)}`,
      "create the schema and grant the user CREATE and USAGE on it (or the database's CREATE right), or name another schema in the URL's options",
      { cause: err },
    );
  }
}

/** Refuses a schema this build does not know (newer, or not a version at all). */
export function checkSchemaVersion(version: number | null, where: string): void {
  if (version === null || (version >= 0 && version <= PG_SCHEMA_VERSION)) return;
  throw new StoreCorruptError(
    Number.isNaN(version)
      ? `the taskpulse schema at ${where} has no readable version; it was left as it is`
      : `the taskpulse schema at ${where} is version ${version}, newer than this taskpulse understands (${PG_SCHEMA_VERSION}); it was left as it is`,
    "upgrade taskpulse on this host (every host sharing the database must run a version that knows its schema)",
  );
}

/**
 * Brings the schema to PG_SCHEMA_VERSION, under the migration lock; returns the version found before. `begin`: what
 * opens the transaction (tx.ts beginSql). `schema`: the one schema of the URL's search_path (options.ts), created
 * with the tables when it does not exist yet.
 */
export async function migrateSchema(client: Client, begin: string, where: string, schema?: string): Promise<number | null> {
  try {
    await client.query(`${begin}; SELECT pg_advisory_xact_lock(${LOCK_NS}, ${LOCK_MIGRATE})`);
    const found = await readVersionLocked(client);
    checkSchemaVersion(found, where);
    if (found !== PG_SCHEMA_VERSION) {
      if (found === null) {
        if (schema !== undefined) await createSchema(client, schema, where);
        await client.query(
          "CREATE TABLE taskpulse_meta (key text PRIMARY KEY, value text NOT NULL); INSERT INTO taskpulse_meta VALUES ('schema_version', '0')",
        );
      }
      for (let v = found ?? 0; v < PG_SCHEMA_VERSION; v++) await client.query(MIGRATIONS[v] as string);
      await client.query("UPDATE taskpulse_meta SET value = $1 WHERE key = 'schema_version'", [String(PG_SCHEMA_VERSION)]);
    }
    await client.query("COMMIT");
    return found;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  }
}

/**
 * The schema version, read inside the migration's transaction: the table is looked up first, since a query of a
 * missing one would abort the transaction. (null: taskpulse never wrote here; NaN: unreadable.)
 */
async function readVersionLocked(client: Client): Promise<number | null> {
  const meta = await client.query<{ present: boolean }>("SELECT to_regclass('taskpulse_meta') IS NOT NULL AS present");
  if (meta.rows[0]?.present !== true) return null;
  const v = await client.query<{ value: string | null }>("SELECT value FROM taskpulse_meta WHERE key = 'schema_version'");
  const version = Number(v.rows[0]?.value ?? Number.NaN);
  return Number.isInteger(version) ? version : Number.NaN;
}
