// Each write transaction on PostgreSQL leaves a marker (src/store/pg/tx.ts, writeTx), by which a COMMIT whose answer
// was lost is judged afterwards (test/store/pg/restart.test.ts). Markers are kept for ten minutes of the server's
// time and removed after that by whole-store transactions; claims, which run side by side, remove none.
import { describe, expect, it } from "vitest";
import { freshDatabase, sql, tp } from "../../support/pg-helpers.ts";

const markers = async (url: string) =>
  (await sql<{ key: string }>(url, "SELECT key FROM taskpulse_meta WHERE key LIKE 'commit %' ORDER BY key")).map((r) => r.key);

/** A marker as a commit `ageMs` ago (by the server's clock) would have left it. */
const plant = (url: string, key: string, ageMs: number) =>
  sql(url, "INSERT INTO taskpulse_meta (key, value) SELECT $1, ((extract(epoch FROM clock_timestamp()) * 1000)::bigint - $2)::text", [
    key,
    ageMs,
  ]);

describe("commit markers on PostgreSQL", () => {
  it("each write leaves one; a whole-store write removes those past ten minutes, a claim none", async () => {
    const url = await freshDatabase();
    expect(tp(url, ["create", "-q", "first"]).code).toBe(0);
    const [own] = await markers(url);
    expect(own).toMatch(/^commit [0-9a-z]+$/);
    // a read leaves none
    expect(tp(url, ["status", "-q"]).code).toBe(0);
    expect(await markers(url)).toHaveLength(1);

    expect(tp(url, ["create", "-q", "--agent", "ann", "queued"]).code).toBe(0);
    await plant(url, "commit old", 11 * 60_000);
    await plant(url, "commit recent", 9 * 60_000);
    // a claim (scoped to its agent) leaves its marker and removes none
    expect(tp(url, ["start", "--agent", "ann"]).code).toBe(0);
    expect(await markers(url)).toEqual(expect.arrayContaining(["commit old", "commit recent"]));
    expect(await markers(url)).toHaveLength(5);
    // a whole-store write removes the one past ten minutes
    expect(tp(url, ["create", "-q", "second"]).code).toBe(0);
    const left = await markers(url);
    expect(left).not.toContain("commit old");
    expect(left).toContain("commit recent");
    expect(left).toContain(own);
    expect(left).toHaveLength(5);
    // a marker whose time cannot be read (written by hand) stops nothing, and is left alone
    await sql(url, "INSERT INTO taskpulse_meta (key, value) VALUES ('commit by hand', 'yesterday')");
    expect(tp(url, ["create", "-q", "third"]).code).toBe(0);
    expect(await markers(url)).toContain("commit by hand");
    await sql(url, "DELETE FROM taskpulse_meta WHERE key = 'commit by hand'");
    // the counter and the schema version are untouched
    const meta = await sql<{ key: string }>(url, "SELECT key FROM taskpulse_meta WHERE key NOT LIKE 'commit %' ORDER BY key");
    expect(meta.map((r) => r.key)).toEqual(["counter", "schema_version"]);
  });
});
