// taskpulse through a transaction-mode pooler: a real PgBouncer (test/support/pgbouncer.ts, pool_mode=transaction, fewer
// server connections than clients) in front of the shared test server, and real CLI processes on
// postgres://…@<bouncer>/<db>?pooler=transaction. What references/postgres.md ("Through a connection pooler") says
// works, works here; what it says cannot work fails with exit 2 and a message that names the fix.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ListenFeed, PollFeed } from "../../../src/store/pg/feed.ts";
import { PgStore } from "../../../src/store/pg/pg-store.ts";
import { poolerPlan } from "../../../src/store/pg/pooler.ts";
import { LOCK_NS, LOCK_STORE } from "../../../src/store/pg/schema.ts";
import { until } from "../../support/helpers.ts";
import { freshDatabase, pgAdminUrl, sql, tp, tpAsync } from "../../support/pg-helpers.ts";
import { findPgBouncer, type PgBouncer, startPgBouncer } from "../../support/pgbouncer.ts";
import { listen, startServe } from "../../support/serve-helpers.ts";

// In CI PgBouncer must be there (.ci/run installs it): a missing one fails the start instead of skipping.
const skip = findPgBouncer() === undefined && !process.env.CI;
if (skip) console.warn("pg-pooler: skipped, pgbouncer is missing (apt-get install pgbouncer); in CI it runs");

/** A fresh database: its direct URL (for checks behind taskpulse's back) and its URL through the pooler. */
async function pooledStore(bouncer: PgBouncer): Promise<{ direct: string; pooled: string }> {
  const direct = await freshDatabase();
  const db = decodeURIComponent(new URL(direct).pathname.slice(1));
  return { direct, pooled: `${bouncer.url(db)}?pooler=transaction` };
}

const WAIT_READ =
  "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'taskpulse wait' AND query LIKE '%taskpulse_tasks%'";

/** Advisory locks held on the database of `url` by sessions other than the asking one. */
async function advisoryLocksHeld(url: string): Promise<number> {
  const rows = await sql<{ n: number }>(
    url,
    `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
     WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database() AND l.pid <> pg_backend_pid()`,
  );
  return rows[0]?.n ?? -1;
}

describe("the pooler parameter of the URL", () => {
  it("is taken out of the URL the client gets; statement mode and unknown values are refused", () => {
    expect(poolerPlan("postgres://u@h/db?pooler=transaction&sslmode=require")).toEqual({
      url: "postgres://u@h/db?sslmode=require",
      mode: "transaction",
    });
    expect(poolerPlan("postgres://u@h/db?pooler=session")).toEqual({ url: "postgres://u@h/db", mode: "session" });
    expect(poolerPlan("postgres://u@h/db")).toEqual({ url: "postgres://u@h/db", mode: undefined });
    expect(() => poolerPlan("postgres://u@h/db?pooler=statement")).toThrow(/statement-mode pooler/);
    expect(() => poolerPlan("postgres://u@h/db?pooler=yes")).toThrow(/invalid pooler 'yes'/);
  });
});

describe("the change feed of a store behind a transaction-mode pooler", () => {
  it("polls instead of LISTENing (no session to listen in); other URLs LISTEN", () => {
    const options = { lockWaitMs: 1000, owner: { agent: "anna", command: "wait" } };
    const pooled = new PgStore("postgres://u@127.0.0.1:1/db?pooler=transaction", options);
    const feed = pooled.changes();
    expect(feed).toBeInstanceOf(PollFeed);
    feed.close();
    for (const url of ["postgres://u@127.0.0.1:1/db", "postgres://u@127.0.0.1:1/db?pooler=session"]) {
      const listen = new PgStore(url, { ...options, connectTimeoutMs: 1 }).changes();
      expect(listen).toBeInstanceOf(ListenFeed);
      listen.close();
    }
  });
});

describe.skipIf(skip)("through PgBouncer in transaction mode", () => {
  let bouncer: PgBouncer;

  beforeAll(async () => {
    // 3 server connections for up to 16 clients: transactions of different processes share server connections
    bouncer = await startPgBouncer(pgAdminUrl(), { default_pool_size: "3" });
  });
  afterAll(async () => {
    await bouncer?.stop();
  });

  it("walks a task's lifecycle, with state documents and queries, in a database it creates the schema in", async () => {
    const { pooled } = await pooledStore(bouncer);
    const env = { TASKPULSE_AGENT: "anna" };
    expect(tp(pooled, ["status"], env).code).toBe(0); // a read of an empty database creates nothing
    const id = tp(pooled, ["create", "-q", "report", "fetch", "write"], env).stdout.trim();
    expect(id).toMatch(/^[a-z][2-9a-z]{5,}$/);
    expect(tp(pooled, ["start", "-q"], env).stdout.trim()).toBe(id);
    expect(tp(pooled, ["heartbeat", id, "half", "--progress", "50"], env).code).toBe(0);
    expect(tp(pooled, ["status", id, "--json"], env).json.data.task.steps[0].message).toBe("half");
    expect(tp(pooled, ["next", id, "fetched"], env).code).toBe(0);
    const done = tp(pooled, ["done", id, "sent", "--json"], env);
    expect(done.code, done.stderr).toBe(0);
    expect(done.json.data.task).toMatchObject({ id, status: "done" });
    expect(tp(pooled, ["status", id, "--json"], env).json.data.task.steps.map((s: { status: string }) => s.status)).toEqual([
      "done",
      "done",
    ]);
    expect(tp(pooled, ["query", "--status", "done", "--json"], env).json.data.tasks.map((t: { id: string }) => t.id)).toEqual([id]);
    expect(tp(pooled, ["log", id, "--json"], env).json.data.entries.map((e: { action: string }) => e.action)).toEqual([
      "done",
      "step",
      "start",
      "create",
    ]);
    expect(tp(pooled, ["state", "set", "cursor", '{"page":2}'], env).code).toBe(0);
    expect(JSON.parse(tp(pooled, ["state", "get", "cursor"], env).stdout)).toEqual({ page: 2 });
    expect(tp(pooled, ["migrate"], env).stdout).toContain("schema version 1, up to date");
  });

  it("concurrent first writes create the schema once and leave no lock behind on a pooled connection", async () => {
    const { direct, pooled } = await pooledStore(bouncer);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => tpAsync(pooled, ["create", "-q", `t${i}`, "--agent", "anna"])));
    expect(results.map((r) => r.code)).toEqual(Array(8).fill(0));
    expect(new Set(results.map((r) => r.stdout.trim())).size).toBe(8);
    expect(await sql(direct, "SELECT value FROM taskpulse_meta WHERE key = 'schema_version'")).toEqual([{ value: "1" }]);
    // a session-level migration lock, released on another server connection than the one that took it, would stay
    expect(await advisoryLocksHeld(direct)).toBe(0);
  });

  it("N tasks, 2N concurrent starters through the pooler: every task is taken exactly once", async () => {
    const { pooled } = await pooledStore(bouncer);
    const n = 6;
    tp(pooled, ["limit", String(2 * n), "--agent", "anna"]);
    const ids = Array.from({ length: n }, (_, i) => tp(pooled, ["create", "-q", "--agent", "anna", `t${i}`]).stdout.trim());
    const results = await Promise.all(Array.from({ length: 2 * n }, () => tpAsync(pooled, ["start", "-q", "--agent", "anna"])));
    expect(results.map((r) => r.code)).toEqual(Array(2 * n).fill(0));
    const taken = results.map((r) => r.stdout.trim()).filter(Boolean);
    expect(taken.sort()).toEqual([...ids].sort());
    const log = tp(pooled, ["query", "--status", "running", "--json"]).json.data.tasks;
    expect(log).toHaveLength(n);
    // and one task, 8 starters by id: one wins, the others lost the race (exit 4)
    const other = tp(pooled, ["create", "-q", "--agent", "bob", "by id"]).stdout.trim();
    const byId = await Promise.all(Array.from({ length: 8 }, () => tpAsync(pooled, ["start", other, "-q"])));
    expect(byId.map((r) => r.code).sort()).toEqual([0, 4, 4, 4, 4, 4, 4, 4]);
  });

  it("TASKPULSE_LOCK_WAIT holds on a lent server connection: a held store lock gives store_busy", async () => {
    const { direct, pooled } = await pooledStore(bouncer);
    expect(tp(pooled, ["create", "-q", "first"]).code).toBe(0);
    const pg = (await import("pg")).default;
    const holder = new pg.Client({ connectionString: direct });
    await holder.connect();
    try {
      await holder.query(`BEGIN; SELECT pg_advisory_xact_lock(${LOCK_NS}, ${LOCK_STORE})`);
      const blocked = tp(pooled, ["create", "--json", "blocked"], { TASKPULSE_LOCK_WAIT: "300ms" });
      expect(blocked.code).toBe(5);
      expect(blocked.json.error.code).toBe("store_busy");
    } finally {
      await holder.query("ROLLBACK");
      await holder.end();
    }
    expect(tp(pooled, ["query", "--json"]).json.data.tasks.map((t: { name: string }) => t.name)).toEqual(["first"]);
  });

  it("wait and serve see changes by polling, and nothing LISTENs on a pooled server connection", async () => {
    const { direct, pooled } = await pooledStore(bouncer);
    const id = tp(pooled, ["create", "-q", "watched", "a", "--start"]).stdout.trim();
    const served = await startServe(pooled);
    const events = listen(served.url);
    try {
      await events.until((s) => s.counts.running === 1);
      const waiting = tpAsync(pooled, ["wait", id, "--interval", "200ms", "--timeout", "2m", "--json"]);
      // the wait has read the running task (PgBouncer names the server connection after the client it lends it to)
      await until("wait has read the store", async () => (await sql(direct, WAIT_READ)).length > 0);
      expect(tp(pooled, ["done", id, "ok"]).code).toBe(0);
      const waited = await waiting;
      expect(waited.code, waited.stderr).toBe(0);
      expect(waited.json.data).toMatchObject({ reason: "done", task: { status: "done" } });
      await events.until((s) => s.counts.running === 0);
      expect(served.stderr()).toBe("");
    } finally {
      events.close();
      await served.stop();
    }
    const listening = await sql(direct, "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'");
    expect(listening).toEqual([]);
    // a listening server connection sends each NOTIFY to PgBouncer while lent to nobody, and PgBouncer says so
    expect(bouncer.log()).not.toContain("when not linked");
  });

  it("options in the URL, which PgBouncer does not pass on, exit 2 and name the fix", async () => {
    const { pooled } = await pooledStore(bouncer);
    const r = tp(`${pooled}&options=-c%20search_path%3Dteam_a`, ["status", "--json"]);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe("usage");
    expect(r.json.error.message).toContain("refused the startup parameter options");
    expect(r.json.error.hint).toContain("search_path");
    expect(r.stdout).not.toContain(new URL(pooled).password);
  });

  it("a statement-mode pooler is refused before anything is asked of the server", async () => {
    const { pooled } = await pooledStore(bouncer);
    const r = tp(pooled.replace("pooler=transaction", "pooler=statement"), ["create", "--json", "x"]);
    expect(r.code).toBe(2);
    expect(r.json.error.message).toContain("statement-mode pooler");
  });
});
