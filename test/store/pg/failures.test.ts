// PostgreSQL failures, each with its documented exit code and a message that never shows a password: the server
// stopped in the middle of a command (rolled back, exit 5), unreachable, silent or refusing (exit 5, ended by the
// connect timeout at the latest), a wrong password (exit 6), a schema newer than this build (exit 6, left
// untouched). Reads create nothing.
import { spawn } from "node:child_process";
import { type AddressInfo, createServer } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, until } from "../../support/helpers.ts";
import { freshDatabase, pgAdminUrl, pgWaitingForLock, sql, storeEnv, tp, tpAsync } from "../../support/pg-helpers.ts";
import { freePort, PG_PASSWORD, type PgServer, startPgServer } from "../../support/pg-server.ts";

/**
 * A lock wait, a polling interval and a wait's timeout far longer than any test may run: a command given these
 * can only come back by noticing something (here: a lost connection), never by its own clock.
 */
const NEVER = { lockWait: "1h", interval: "1h", timeout: "2h" };

describe("a PostgreSQL server that goes away", () => {
  let server: PgServer;
  let url: string;
  beforeAll(async () => {
    pgAdminUrl(); // fails loudly when PostgreSQL is not installed
    // an acknowledged commit must survive the immediate stop these tests make
    server = await startPgServer({ durable: true });
    url = await freshDatabase(server.url("postgres"));
  });
  afterAll(() => server?.stop());

  it("a command cut off mid-transaction is rolled back and exits 5", async ({ onTestFinished }) => {
    const first = tp(url, ["create", "-q", "before"]).stdout.trim();
    expect(first).not.toBe("");
    // Hold the store lock, so the next command is inside its transaction, waiting, when the server stops.
    const holder = new pg.Client({ connectionString: url });
    holder.on("error", () => {});
    await holder.connect();
    await holder.query("BEGIN; SELECT pg_advisory_xact_lock(29808, 0)");
    // The writer would wait for the lock far longer than this test may run: its coming back at all can only be its
    // noticing the lost connection (without that, the test fails by its timeout). It is seen in pg_stat_activity
    // (waiting for the lock) before the server stops, not guessed with a sleep. (A waiter lives through an outage:
    // test/store/pg/restart.test.ts.)
    const cut = tpAsync(url, ["create", "-q", "cut off", "a", "b", "--start"], { TASKPULSE_LOCK_WAIT: NEVER.lockWait });
    onTestFinished(() => {
      try {
        process.kill(cut.pid, "SIGKILL"); // one that never noticed
      } catch {
        // exited
      }
    });
    await until("the writer waits for the lock", () => pgWaitingForLock(url, "create"));
    server.kill();
    const r = await cut;
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toMatch(/unavailable/);
    expect(r.stderr).not.toContain(PG_PASSWORD);
    // while it is down: exit 5 at once, safe to retry
    const down = tp(url, ["status", "--json"]);
    expect(down.code).toBe(5);
    expect(down.json.error.code).toBe("store_unavailable");
    expect(down.stdout + down.stderr).not.toContain(PG_PASSWORD);
    server.start();
    const tasks = tp(url, ["query", "--json"]).json.data.tasks.map((t: { name: string }) => t.name);
    expect(tasks).toEqual(["before"]);
    expect(await sql(url, "SELECT count(*)::int AS n FROM taskpulse_audit")).toEqual([{ n: 1 }]);
  });
});

describe("a long-running dashboard over a server restart", () => {
  let server: PgServer;
  beforeAll(async () => {
    pgAdminUrl();
    // an acknowledged commit must survive the immediate stop these tests make
    server = await startPgServer({ durable: true });
  });
  afterAll(() => server?.stop());

  it("serve reports the outage, then reconnects by itself and shows what changed", async () => {
    const url = await freshDatabase(server.url("postgres"));
    tp(url, ["create", "-q", "first"]);
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, "serve", "--port", String(port)], { env: storeEnv(url) });
    const get = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/api/tasks`);
      return { status: res.status, body: await res.text() };
    };
    try {
      await until("serve answers", async () => (await get().catch(() => ({ status: 0, body: "" }))).status === 200);
      expect((await get()).body).toContain("first");
      server.kill();
      const down = await get();
      expect(down.status).not.toBe(200);
      expect(down.body).not.toContain(PG_PASSWORD);
      server.start();
      tp(url, ["create", "-q", "second"]);
      await until("serve shows the change after the restart", async () => (await get()).body.includes("second"));
      expect((await get()).status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
  });
});

describe("connecting", () => {
  it("a wrong password: exit 6, a clear message, no password anywhere", async () => {
    const url = await freshDatabase();
    const wrong = url.replace(encodeURIComponent(PG_PASSWORD), "not-the-Pw-123");
    for (const args of [["status"], ["create", "x"], ["status", "--json"], ["create", "x", "--debug"]]) {
      const r = tp(wrong, args);
      expect(r.code, r.stderr).toBe(6);
      const out = r.stdout + r.stderr;
      expect(out).toMatch(/password authentication failed/);
      expect(out).not.toContain("not-the-Pw-123");
      expect(out).not.toContain(PG_PASSWORD);
      expect(out).toContain(":***@127.0.0.1");
    }
    expect(tp(wrong, ["status", "--json"]).json.error.code).toBe("store_auth");
    // unencoded "@" and spaces in a wrong password: pg still parses the URL; none of it may show
    for (const password of ["Qx7 zK9 pw", "Qx7@zK9@Lm"]) {
      const odd = url.replace(encodeURIComponent(PG_PASSWORD), password);
      for (const args of [["status"], ["status", "--json"], ["heartbeat", "abc123"]]) {
        const r = tp(odd, args);
        expect(r.code, r.stderr).toBe(6);
        const out = r.stdout + r.stderr;
        for (const piece of [password, ...password.split(/[@ ]/).filter((p) => p.length > 2)]) expect(out).not.toContain(piece);
        expect(out).toContain(":***@127.0.0.1");
      }
    }
  });

  it("a port out of range is a usage error (exit 2); a server without TLS asked for TLS is exit 6, worded once", async () => {
    const badPort = tp(`postgres://taskpulse:${PG_PASSWORD}@127.0.0.1:99999/db`, ["status", "--json"]);
    expect(badPort.code).toBe(2);
    expect(badPort.json.error.message).toBe("invalid PostgreSQL URL postgres://taskpulse:***@127.0.0.1:99999/db");
    const url = await freshDatabase();
    const tls = tp(`${url}${url.includes("?") ? "&" : "?"}sslmode=require`, ["status"]);
    expect(tls.code, tls.stderr).toBe(6);
    expect(tls.stderr).toMatch(/^error: cannot use postgres:\/\/\S+: The server does not support SSL connections$/m);
    expect(tls.stderr.match(/does not support SSL/g)).toHaveLength(1);
    expect(tls.stderr).not.toContain(PG_PASSWORD);
  });

  it("nothing listening on the port: exit 5, named ECONNREFUSED", async () => {
    const port = await freePort();
    const r = tp(`postgres://taskpulse:${PG_PASSWORD}@127.0.0.1:${port}/db`, ["heartbeat", "abc123", "--json"]);
    expect(r.code).toBe(5);
    // the refusal itself, not the connect timeout ending a wait: so it came at once
    expect(r.json.error.message).toMatch(/ECONNREFUSED/);
    expect(r.stdout).not.toContain(PG_PASSWORD);
  });

  it("a server that does not answer: exit 5, ended by the connect timeout (or refused at once)", async () => {
    // What ended the attempt is read from the message, not timed: without the connect timeout (5 s, pg's "timeout
    // expired"), a silent server would hold the command for ever, and an unanswered connect would end only after
    // about two minutes of the kernel's SYN retries, with ETIMEDOUT. A listener that takes connections and never
    // answers them is silent on every machine.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const r = tp(`postgres://u:pw-xyz@127.0.0.1:${port}/db`, ["status"]);
      expect(r.code, r.stderr).toBe(5);
      expect(r.stderr).toMatch(/unavailable: timeout expired$/m);
      expect(r.stderr).not.toContain("pw-xyz");
    } finally {
      silent.close();
    }
    // TEST-NET-1 (RFC 5737), never routed: the attempt hangs (the connect timeout ends it) or the network refuses it.
    const unrouted = tp("postgres://u:pw-xyz@192.0.2.1:5432/db", ["status"]);
    expect(unrouted.code, unrouted.stderr).toBe(5);
    expect(unrouted.stderr).toMatch(/unavailable: (timeout expired|connect (ECONNREFUSED|EHOSTUNREACH|ENETUNREACH) \S+)$/m);
    expect(unrouted.stderr).not.toContain("pw-xyz");
  });
});

describe("the schema", () => {
  it("reads create nothing; the first write creates it; migrate says what it did", async () => {
    const url = await freshDatabase();
    expect(tp(url, ["status", "-q"]).code).toBe(0);
    expect(tp(url, ["query", "--json"]).json.data.total).toBe(0);
    expect(await sql(url, "SELECT to_regclass('taskpulse_meta') IS NULL AS absent")).toEqual([{ absent: true }]);
    const migrated = tp(url, ["migrate", "--json"]);
    expect(migrated.json.data).toMatchObject({ backend: "postgres", from: null, to: 1 });
    expect(migrated.json.data.store).not.toContain(PG_PASSWORD);
    expect(tp(url, ["migrate", "--json"]).json.data).toMatchObject({ from: 1, to: 1 });
    const other = await freshDatabase();
    expect(tp(other, ["create", "-q", "x"]).code).toBe(0);
    expect(await sql(other, "SELECT value FROM taskpulse_meta WHERE key = 'schema_version'")).toEqual([{ value: "1" }]);
  });

  it("concurrent first writes from many processes create the schema once", async () => {
    const url = await freshDatabase();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => tpAsync(url, ["create", "-q", `t${i}`])));
    expect(results.map((r) => r.code)).toEqual(Array(6).fill(0));
    expect(tp(url, ["query", "--json"]).json.data.total).toBe(6);
  });

  it("a schema newer than this build is refused with exit 6 and left as it is", async () => {
    const url = await freshDatabase();
    tp(url, ["create", "-q", "x"]);
    await sql(url, "UPDATE taskpulse_meta SET value = '99' WHERE key = 'schema_version'");
    for (const args of [["status"], ["create", "y"], ["migrate"], ["state", "set", "d", "1"]]) {
      const r = tp(url, args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(6);
      expect(r.stderr).toMatch(/version 99, newer than this taskpulse understands \(1\)/);
    }
    expect(await sql(url, "SELECT value FROM taskpulse_meta WHERE key = 'schema_version'")).toEqual([{ value: "99" }]);
    expect(await sql(url, "SELECT count(*)::int AS n FROM taskpulse_tasks")).toEqual([{ n: 1 }]);
  });

  it("doctor on a PostgreSQL store says what to use instead (exit 2)", async () => {
    const r = tp(await freshDatabase(), ["doctor"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/taskpulse migrate/);
  });
});
