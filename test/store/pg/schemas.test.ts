// A PostgreSQL URL whose options set search_path (`?options=-c search_path=myschema`): taskpulse's tables live in
// that schema, created with them, so two schemas of one database hold two independent stores. A schema that cannot
// be used exits 6; options taskpulse cannot honour exit 2 before anything is written. Real server, spawned CLI.
import { describe, expect, it } from "vitest";
import { freshDatabase, sql, tp } from "../../support/pg-helpers.ts";

const withPath = (url: string, options: string) => `${url}?options=${encodeURIComponent(options)}`;

async function schemas(url: string): Promise<string[]> {
  const rows = await sql<{ nspname: string }>(
    url,
    "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1",
  );
  return rows.map((r) => r.nspname);
}

async function tablesIn(url: string): Promise<Record<string, number>> {
  const rows = await sql<{ s: string; n: number }>(
    url,
    "SELECT table_schema AS s, count(*)::int AS n FROM information_schema.tables WHERE table_name LIKE 'taskpulse\\_%' GROUP BY 1",
  );
  return Object.fromEntries(rows.map((r) => [r.s, r.n]));
}

describe("search_path in the URL's options", () => {
  it("two schemas of one database are two independent stores, each created with its tables", async () => {
    const db = await freshDatabase();
    const alpha = withPath(db, "-c search_path=alpha");
    const beta = `${db}?options=-c%20search_path%3DBeta`; // unquoted: folded to lower case, as the server does
    // a read creates nothing, not even the schema
    const empty = tp(alpha, ["status", "--json"]);
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.json.data.tasks ?? []).toEqual([]);
    expect(await schemas(db)).toEqual(["public"]);

    const a = tp(alpha, ["create", "-q", "in alpha", "one", "two", "--start"]);
    expect(a.code, a.stderr).toBe(0);
    const b = tp(beta, ["create", "-q", "in beta"]);
    expect(b.code, b.stderr).toBe(0);
    expect(tp(alpha, ["next", a.stdout.trim(), "first"]).code).toBe(0);

    expect(await schemas(db)).toEqual(["alpha", "beta", "public"]);
    expect(await tablesIn(db)).toEqual({ alpha: 8, beta: 8 });
    const names = (url: string) => tp(url, ["query", "--json"]).json.data.tasks.map((t: { name: string }) => t.name);
    expect(names(alpha)).toEqual(["in alpha"]);
    expect(names(beta)).toEqual(["in beta"]);
    expect(tp(beta, ["status", a.stdout.trim()]).code).toBe(3);
    expect(tp(alpha, ["log", a.stdout.trim(), "--json"]).json.data.entries).toHaveLength(2);
    // the database's default schema holds no store: a URL without options sees an empty one
    expect(names(db)).toEqual([]);
    // PGOPTIONS, which the pg client reads when the URL has none, is honoured the same way
    expect(tp(db, ["query", "--json"], { PGOPTIONS: "-c search_path=beta" }).json.data.tasks[0].name).toBe("in beta");
    // other settings pass through to the server with the search_path
    expect(tp(withPath(db, "-c statement_timeout=5s -c search_path=alpha"), ["query", "-q"]).stdout.trim()).toBe(a.stdout.trim());
  });

  it.each([
    ["a list of schemas", "-c search_path=alpha,public", /search_path 'alpha,public' in the PostgreSQL options is not one schema/],
    ["$user", "-c search_path=$user", /is not one schema/],
    ["a setting taskpulse sets itself", "-c lock_timeout=1s", /may not set lock_timeout/],
    ["not -c name=value", "search_path", /are not a list of -c name=value settings/],
    ["a setting the server does not know", "-c no_such_setting=1", /server refused the options of .*no_such_setting/],
    ["a value the server refuses", "-c statement_timeout=soon", /server refused the options of .*invalid value/],
  ])("%s exits 2 and changes nothing", async (_, options, message) => {
    const db = await freshDatabase();
    const r = tp(withPath(db, options), ["create", "x", "--json"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.json.error.code).toBe("usage");
    expect(r.json.error.message).toMatch(message);
    expect(r.stdout).not.toContain("s3cret");
    expect(await schemas(db)).toEqual(["public"]);
    expect(await tablesIn(db)).toEqual({});
  });

  it("a schema that cannot be created exits 6 and names it", async () => {
    const db = await freshDatabase();
    const r = tp(withPath(db, "-c search_path=pg_mine"), ["create", "x"]);
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toContain('error: cannot use schema "pg_mine"');
    expect(r.stderr).toContain("hint: create the schema and grant the user CREATE and USAGE on it");
    expect(await tablesIn(db)).toEqual({});
  });

  it("a user without rights on the schema, or to create one, exits 6", async () => {
    const db = await freshDatabase();
    const role = `tp_limited_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    await sql(db, `CREATE ROLE ${role} LOGIN PASSWORD 'limited-pw'; CREATE SCHEMA locked`);
    const asRole = db.replace(/\/\/[^@]*@/, `//${role}:limited-pw@`);
    const locked = tp(withPath(asRole, "-c search_path=locked"), ["create", "x", "--json"]);
    expect(locked.code, locked.stdout).toBe(6);
    expect(locked.json.error.message).toMatch(/cannot use schema "locked".*lacks USAGE or CREATE/);
    const missing = tp(withPath(asRole, "-c search_path=fresh"), ["create", "x", "--json"]);
    expect(missing.code, missing.stdout).toBe(6);
    expect(missing.json.error.message).toMatch(/cannot use schema "fresh".*permission denied for database/);
    expect(missing.stdout).not.toContain("limited-pw");
    expect(await schemas(db)).toEqual(["locked", "public"]);
    expect(await tablesIn(db)).toEqual({});
  });
});
