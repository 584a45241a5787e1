// A PostgreSQL server restarted, fast and immediate, in the middle of a stream of commits from several writers
// (issue 21): every call exits 0 and its change is kept, or exits 5 and changed nothing, so writers that retry on 5
// converge on exactly one of each task, none lost and none twice. A COMMIT whose answer is lost is settled by asking
// the server about the transaction afterwards (PgStore.commit). A `wait` across the restarts reconnects by itself.
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "../../support/helpers.ts";
import { freshDatabase, pgAdminUrl, pgWaitListening, tp, tpAsync } from "../../support/pg-helpers.ts";
import { type PgServer, startPgServer } from "../../support/pg-server.ts";
import { type RestartMode, writeThroughRestarts } from "../../support/pg-writers.ts";

const WRITERS = 4;
const TASKS_EACH = 25;
const RESTARTS: RestartMode[] = ["fast", "immediate", "fast", "immediate"];

describe("a PostgreSQL server restarted under a stream of commits", () => {
  let server: PgServer;
  let url: string;
  beforeAll(async () => {
    pgAdminUrl(); // fails loudly when PostgreSQL is not installed
    server = await startPgServer({ durable: true }); // an acknowledged commit survives an immediate stop
    url = await freshDatabase(server.url("postgres"));
  });
  afterAll(() => server?.stop());

  it("every call is kept (exit 0) or changed nothing (exit 5); retrying writers converge", { timeout: 600_000 }, async () => {
    const first = tp(url, ["create", "-q", "watched"]).stdout.trim();
    // A waiter that outlives every restart: it re-reads only hourly, so returning at all means it was woken.
    const waiter = tpAsync(url, ["wait", first, "--interval", "1h", "--timeout", "2h"]);
    await until("the waiter listens", () => pgWaitListening(url));

    const stream = await writeThroughRestarts({
      writers: WRITERS,
      each: TASKS_EACH,
      restarts: RESTARTS,
      create: (w, name) => tpAsync(url, ["--agent", `w${w}`, "create", "-q", name], { TASKPULSE_LOCK_WAIT: "60s" }),
      restart: (mode) => server.restart(mode),
    });
    expect(stream.unexpected).toEqual([]);
    const names = tp(url, ["query", "--limit", "1000", "--json"])
      .json.data.tasks.map((t: { name: string }) => t.name)
      .filter((n: string) => n !== "watched")
      .sort();
    // none lost, none twice: each name acknowledged once, and there once
    expect(stream.acknowledged).toEqual(stream.expected);
    expect(names).toEqual(stream.expected);
    console.log(
      `pg-restart: ${stream.calls} calls, ${RESTARTS.length} restarts (${RESTARTS.join(", ")}), ${stream.acknowledged.length} acknowledged, ${stream.unavailable} exit 5 (retried), 0 lost, 0 twice`,
    );

    // the waiter lived through the restarts and wakes on the task's end
    expect(tp(url, ["start", first]).code).toBe(0);
    expect(tp(url, ["done", first]).code).toBe(0);
    const woke = await waiter;
    expect(woke.code, woke.stderr).toBe(0);
  });
});

/**
 * A TCP proxy in front of the server that, once armed, cuts the client off at its next COMMIT: after forwarding it
 * to the server and seeing the server's answer ("answered": the COMMIT ran), or before forwarding it ("unsent"); or
 * holds that COMMIT, forwarding nothing more and closing nothing ("held": the client waits for its answer until the
 * server's side closes); or ("silent") lets its next BEGIN through and then nothing more either way, closing
 * nothing, as a dropped link.
 */
async function commitCutter(serverPort: number) {
  let armed: "answered" | "unsent" | "held" | "silent" | undefined;
  let cuts = 0;
  const stranded: Socket[] = [];
  const COMMIT = Buffer.from("COMMIT\0");
  const BEGIN = Buffer.from("BEGIN");
  const proxy = createServer((client) => {
    const upstream = connect(serverPort, "127.0.0.1");
    let cut = false;
    let silenced = false;
    client.on("data", (d: Buffer) => {
      if (cut) return; // the link is down: nothing more gets through
      if (armed === "silent" && d.includes(BEGIN)) {
        // the transaction starts (and takes the store lock); then the link goes silent both ways, unclosed
        armed = undefined;
        cuts++;
        upstream.write(d);
        cut = true;
        silenced = true;
        stranded.push(upstream);
        return;
      }
      if ((armed === "answered" || armed === "unsent" || armed === "held") && d.includes(COMMIT)) {
        const how = armed;
        armed = undefined;
        cut = true;
        cuts++;
        if (how === "held") return;
        if (how === "unsent") {
          client.destroy();
          upstream.destroy();
          return;
        }
        upstream.write(d);
        upstream.once("data", () => client.destroy()); // the COMMIT ran; its answer never arrives
        return;
      }
      upstream.write(d);
    });
    upstream.on("data", (d: Buffer) => {
      if (!cut) client.write(d);
    });
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    // a dropped link tells the server nothing: a silenced session's server side stays open (until the test ends)
    client.on("close", () => {
      if (!silenced) upstream.end();
    });
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const port = (proxy.address() as AddressInfo).port;
  return {
    port,
    arm: (how: "answered" | "unsent" | "held" | "silent") => {
      armed = how;
    },
    cuts: () => cuts,
    close: () => {
      for (const s of stranded) s.destroy();
      return new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}

describe("a COMMIT whose answer is lost", () => {
  it("is asked about afterwards: kept is exit 0, not run is exit 5, never a guess", { timeout: 120_000 }, async () => {
    const admin = pgAdminUrl();
    const direct = await freshDatabase(admin);
    const cutter = await commitCutter(Number(new URL(direct).port));
    try {
      const url = direct.replace(`:${new URL(direct).port}/`, `:${cutter.port}/`);
      // (spawned without blocking: the proxy runs in this process) the schema exists: the next calls only commit
      expect((await tpAsync(url, ["create", "-q", "warm-up"])).code).toBe(0);

      cutter.arm("answered");
      const kept = await tpAsync(url, ["create", "-q", "kept"]);
      expect(cutter.cuts()).toBe(1);
      expect(kept.code, kept.stderr).toBe(0);

      cutter.arm("unsent");
      const lost = await tpAsync(url, ["create", "-q", "never"]);
      expect(cutter.cuts()).toBe(2);
      expect(lost.code, lost.stderr).toBe(5);

      const names = tp(direct, ["query", "--json"]).json.data.tasks.map((t: { name: string }) => t.name);
      expect(names.sort()).toEqual(["kept", "warm-up"]);

      // a state document's update, the same way (an increment would count twice if a kept change were retried)
      expect((await tpAsync(url, ["state", "set", "water", '{"total":0}'])).code).toBe(0);
      cutter.arm("answered");
      const added = await tpAsync(url, ["state", "update", "water", "--incr", "total=300"]);
      expect(cutter.cuts()).toBe(3);
      expect(added.code, added.stderr).toBe(0);
      cutter.arm("unsent");
      const dropped = await tpAsync(url, ["state", "update", "water", "--incr", "total=5"]);
      expect(cutter.cuts()).toBe(4);
      expect(dropped.code, dropped.stderr).toBe(5);
      expect(tp(direct, ["state", "get", "water", "--json"]).json.data).toMatchObject({ rev: 2, value: { total: 300 } });
    } finally {
      await cutter.close();
    }
  });
});

describe("a server that crashes while a COMMIT is on its way", () => {
  it("the call exits 5, changed nothing, though the next transaction gets its id", { timeout: 120_000 }, async () => {
    // The WAL writer waits its longest: the transaction's records stay in the server's memory, and the crash loses
    // them with the id it was given. After recovery that id is given to the next transaction, which commits:
    // asking the server about the id (txid_status) would then answer "committed" for a change that never landed.
    const server = await startPgServer({ durable: true, settings: "-c wal_writer_delay=10000" });
    const cutter = await commitCutter(server.port);
    try {
      const direct = await freshDatabase(server.url("postgres"));
      const url = direct.replace(`:${server.port}/`, `:${cutter.port}/`);
      expect((await tpAsync(url, ["create", "-q", "warm-up"])).code).toBe(0);
      cutter.arm("held");
      const lost = tpAsync(url, ["create", "-q", "never"]);
      await until("the COMMIT is held", () => cutter.cuts() === 1);
      server.restart("immediate");
      // the next transaction, given the lost one's id, commits while the lost call asks about it
      expect((await tpAsync(direct, ["create", "-q", "next"])).code).toBe(0);
      const r = await lost;
      expect(r.code, r.stderr).toBe(5);
      const names = tp(direct, ["query", "--json"]).json.data.tasks.map((t: { name: string }) => t.name);
      expect(names.sort()).toEqual(["next", "warm-up"]);
    } finally {
      await cutter.close();
      server.stop();
    }
  });
});

describe("a link that drops in the middle of a transaction", () => {
  it("ends the call with exit 5, nothing applied; the others go on", { timeout: 300_000 }, async () => {
    const direct = await freshDatabase(pgAdminUrl());
    const cutter = await commitCutter(Number(new URL(direct).port));
    try {
      const url = direct.replace(`:${new URL(direct).port}/`, `:${cutter.port}/`);
      expect((await tpAsync(url, ["create", "-q", "before"])).code).toBe(0);
      cutter.arm("silent");
      // The server says nothing while the link is down; after the lock wait (1 s) and 15 s more, the call gives up.
      const dropped = await tpAsync(url, ["create", "-q", "lost in transit"], { TASKPULSE_LOCK_WAIT: "1s" });
      expect(cutter.cuts()).toBe(1);
      expect(dropped.code, dropped.stderr).toBe(5);
      expect(dropped.stderr).toMatch(/the link may be down/);
      // Another host reads at once; its writes wait for the stranded session's lock, which the server ends after
      // 60 s idle in its transaction (taskpulse's idle_in_transaction_session_timeout), rolling it back.
      expect((await tpAsync(direct, ["query", "-q"])).code).toBe(0);
      const other = await tpAsync(direct, ["create", "-q", "after"], { TASKPULSE_LOCK_WAIT: "120s" });
      expect(other.code, other.stderr).toBe(0);
      const names = (await tpAsync(direct, ["query", "--json"])).json.data.tasks.map((t: { name: string }) => t.name);
      expect(names.sort()).toEqual(["after", "before"]);
    } finally {
      await cutter.close();
    }
  });
});
