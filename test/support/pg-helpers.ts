// For the tests that run on PostgreSQL: a fresh database per store on the shared test server (global-setup.ts), and
// a spawned CLI with a scrubbed environment whose store is given by TASKPULSE_STORE (a directory or a URL).
import { spawnSync } from "node:child_process";
import pg from "pg";
import { inject } from "vitest";
import { BIN, spawnBin, tempDir } from "./helpers.ts";

/** The shared server's admin URL; throws (the test fails, loudly) when there is no server. */
export function pgAdminUrl(): string {
  const url = inject("pgAdminUrl");
  if (!url) throw new Error(`the PostgreSQL tests need a server, and none could start: ${inject("pgError")}`);
  return url;
}

let counter = 0;

/** A new, empty database on the shared server; its URL. */
export async function freshDatabase(admin = pgAdminUrl()): Promise<string> {
  const name = `tp_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
  await sql(admin, `CREATE DATABASE ${name}`);
  return admin.replace(/\/postgres$/, `/${name}`);
}

/** Runs one statement on `url` with a connection of its own; the rows. */
export async function sql<T extends Record<string, unknown> = Record<string, unknown>>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

export type Backend = "json" | "postgres";

/** A new empty store of that backend: a temporary directory, or a fresh database. */
export async function newStore(backend: Backend): Promise<string> {
  return backend === "json" ? tempDir() : freshDatabase();
}

export function storeEnv(store: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: tempDir("tp-home-"), TASKPULSE_STORE: store, LANG: "C", ...extra };
}

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests poke into JSON output freely
  json: any;
  ms: number;
}

function parsed(code: number | null, stdout: string, stderr: string, args: readonly string[], ms: number): Ran {
  let json: unknown;
  if (args.includes("--json")) {
    try {
      json = JSON.parse(stdout);
    } catch {
      json = undefined;
    }
  }
  return { code: code ?? -1, stdout, stderr, json, ms };
}

/** The built CLI on `store`, synchronously. */
export function tp(store: string, args: string[], extra: Record<string, string> = {}): Ran {
  const started = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { env: storeEnv(store, extra), encoding: "utf8" });
  return parsed(r.status, r.stdout, r.stderr, args, Date.now() - started);
}

/** The built CLI on `store`, as a child running alongside others; `pid` is the child's, for readiness checks. */
export function tpAsync(store: string, args: string[], extra: Record<string, string> = {}): Promise<Ran> & { pid: number } {
  const started = Date.now();
  const child = spawnBin(args, storeEnv(store, extra));
  const ran = child.then(({ code, stdout, stderr }) => parsed(code, stdout, stderr, args, Date.now() - started));
  return Object.assign(ran, { pid: child.pid });
}

/**
 * Whether a `taskpulse wait` on the PostgreSQL store `url` is listening for changes, from pg_stat_activity: its
 * connection (named after the command) is idle after its first read of the tasks. The feed queues LISTEN on that
 * connection before the read (src/store/pg/feed.ts), and a connection runs its queries in order, so once the read
 * is done, LISTEN is too.
 */
export async function pgWaitListening(url: string): Promise<boolean> {
  const db = decodeURIComponent(new URL(url).pathname.slice(1));
  const rows = await sql<{ query: string }>(
    url,
    "SELECT query FROM pg_stat_activity WHERE datname = $1 AND application_name = 'taskpulse wait' AND state = 'idle'",
    [db],
  );
  return rows.some((r) => /^\s*LISTEN\b/i.test(r.query) || /\btaskpulse_tasks\b/.test(r.query));
}

/**
 * Whether a connection named `taskpulse <command>` on the database of `url` is waiting for a lock (say, the store's
 * advisory lock another session holds), from pg_stat_activity.
 */
export async function pgWaitingForLock(url: string, command: string): Promise<boolean> {
  const db = decodeURIComponent(new URL(url).pathname.slice(1));
  const rows = await sql(url, "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = $2 AND wait_event_type = 'Lock'", [
    db,
    `taskpulse ${command}`,
  ]);
  return rows.length > 0;
}
