// PostgreSQL over TLS, with sslmode read as libpq (and so psql) reads it (src/store/pg/tls.ts): against a server that
// takes only TLS connections, with a certificate made here by a CA made here. Every success on that server is a TLS
// connection (pg_hba.conf: hostssl only); a certificate taskpulse must not trust, or one for another host, exits 6
// with a message that says so; a bad sslmode or an unreadable sslrootcert is a usage error (exit 2).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgAdminUrl, tp } from "../../support/pg-helpers.ts";
import { PG_PASSWORD, PG_USER, type PgServer, startPgServer } from "../../support/pg-server.ts";

/** A CA, and a server certificate it signed for `localhost` only; another CA that signed nothing of this server's. */
function makeCertificates(dir: string) {
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=taskpulse test CA");
  openssl("req", "-x509", ...ec, "-keyout", "other.key", "-out", "other.crt", "-days", "2", "-subj", "/CN=another CA");
  openssl("req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
  writeFileSync(join(dir, "san.ext"), "subjectAltName=DNS:localhost\n");
  openssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.crt",
    "-days",
    "2",
    "-extfile",
    "san.ext",
  );
  return {
    ca: join(dir, "ca.crt"),
    other: join(dir, "other.crt"),
    cert: readFileSync(join(dir, "server.crt"), "utf8"),
    key: readFileSync(join(dir, "server.key"), "utf8"),
  };
}

describe("PostgreSQL over TLS (sslmode as libpq reads it)", () => {
  let server: PgServer;
  let certs: ReturnType<typeof makeCertificates>;
  let certDir: string;
  /** The taskpulse database's URL on the TLS-only server, by host name or address, with these parameters. */
  let url: (params: string, host?: string) => string;
  beforeAll(async () => {
    pgAdminUrl(); // fails loudly when PostgreSQL is not installed
    // made by hand: tempDir's directories go after each test, these must last the file
    certDir = mkdtempSync(join(tmpdir(), "tp-tls-"));
    certs = makeCertificates(certDir);
    server = await startPgServer({ tls: { cert: certs.cert, key: certs.key, only: true } });
    const admin = new pg.Client({ connectionString: server.url("postgres"), ssl: { rejectUnauthorized: false } });
    await admin.connect();
    await admin.query("CREATE DATABASE tls_store");
    await admin.end();
    url = (params, host = "localhost") =>
      `postgres://${PG_USER}:${encodeURIComponent(PG_PASSWORD)}@${host}:${server.port}/tls_store${params ? `?${params}` : ""}`;
  });
  afterAll(() => {
    server?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  it("require encrypts without checking the certificate, as psql does (the pg client alone would refuse it)", () => {
    const created = tp(url("sslmode=require", "127.0.0.1"), ["create", "-q", "over tls"]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toBe(""); // no deprecation warning from the client either
    expect(tp(url("sslmode=require"), ["query", "-q"]).stdout.trim()).toBe(created.stdout.trim());
    // PGSSLMODE as libpq reads it, when the URL says nothing
    expect(tp(url(""), ["query", "-q"], { PGSSLMODE: "require" }).code).toBe(0);
  });

  it("verify-full with the CA that signed the certificate, by the name it holds; verify-ca by address", () => {
    const full = tp(url(`sslmode=verify-full&sslrootcert=${certs.ca}`), ["status", "-q"]);
    expect(full.code, full.stderr).toBe(0);
    expect(tp(url(`sslmode=verify-ca&sslrootcert=${certs.ca}`, "127.0.0.1"), ["status", "-q"]).code).toBe(0);
    // require with a CA checks the chain (libpq: then it is verify-ca)
    expect(tp(url(`sslmode=require&sslrootcert=${certs.ca}`, "127.0.0.1"), ["status", "-q"]).code).toBe(0);
    expect(tp(url(""), ["status", "-q"], { PGSSLMODE: "verify-full", PGSSLROOTCERT: certs.ca }).code).toBe(0);
  });

  it("a certificate from another CA, or for another host name: exit 6, saying which", () => {
    for (const params of [
      `sslmode=verify-full&sslrootcert=${certs.other}`,
      `sslmode=verify-ca&sslrootcert=${certs.other}`,
      "sslmode=verify-full",
    ]) {
      const r = tp(url(params), ["status", "--json"]);
      expect(r.code, params).toBe(6);
      expect(r.json.error.code).toBe("store_auth");
      expect(r.json.error.message).toContain("presented a certificate taskpulse does not trust");
      expect(r.json.error.hint).toContain("sslrootcert");
      expect(r.stdout).not.toContain(PG_PASSWORD);
    }
    const wrongHost = tp(url(`sslmode=verify-full&sslrootcert=${certs.ca}`, "127.0.0.1"), ["status", "--json"]);
    expect(wrongHost.code).toBe(6);
    expect(wrongHost.json.error.hint).toContain("another host name");
  });

  it("without sslmode the TLS-only server refuses: exit 6, naming the fix; prefer and allow find TLS", () => {
    const plain = tp(url(""), ["status", "--json"]);
    expect(plain.code).toBe(6);
    expect(plain.json.error.message).toContain("refused a connection without TLS");
    expect(plain.json.error.hint).toContain("sslmode=require");
    expect(tp(url("sslmode=disable"), ["status", "-q"]).code).toBe(6);
    expect(tp(url("sslmode=prefer"), ["status", "-q"]).code).toBe(0);
    expect(tp(url("sslmode=allow"), ["status", "-q"]).code).toBe(0); // plain first, refused, then TLS
  });

  it("a bad sslmode, verify-ca without a CA, an unreadable sslrootcert: exit 2, nothing asked of the server", () => {
    for (const [params, message] of [
      ["sslmode=sometimes", "invalid sslmode 'sometimes'"],
      ["sslmode=verify-ca", "sslmode=verify-ca needs the CA certificate"],
      ["sslmode=verify-full&sslrootcert=/nonexistent/ca.crt", "cannot read the CA certificate /nonexistent/ca.crt"],
    ] as const) {
      const r = tp(url(params), ["status"]);
      expect(r.code, params).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });
});

describe("sslmode=prefer against a server without TLS", () => {
  it("falls back to a plain connection, as libpq does", () => {
    const admin = pgAdminUrl(); // the shared test server: no TLS
    const r = tp(`${admin}?sslmode=prefer`, ["status", "-q"]);
    expect(r.code, r.stderr).toBe(0);
    const refused = tp(`${admin}?sslmode=require`, ["status", "--json"]);
    expect(refused.code).toBe(6);
    expect(refused.json.error.hint).toContain("takes no TLS connections");
  });
});
