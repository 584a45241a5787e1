// What `sslmode` means: libpq's meaning, as psql and every libpq program read it, because a user copies the URL from
// there. (The pg client reads `sslmode=require` as "verify the certificate", so against a server with a self-signed
// certificate it fails where psql connects.) taskpulse reads the URL's TLS parameters (else PGSSLMODE,
// PGSSLROOTCERT, PGSSLCERT, PGSSLKEY) itself, takes them out of the URL it hands the client, and gives the client
// its TLS settings explicitly:
//   disable                   no TLS
//   allow, prefer             TLS without checks where the server offers it, plain where it does not (allow tries
//                             plain first)
//   require (and no-verify)   TLS, no certificate check; with sslrootcert, the chain is checked (verify-ca, as libpq)
//   verify-ca                 TLS, the chain checked against sslrootcert (required), not the host name
//   verify-full               TLS, the chain (sslrootcert, else the system's CAs) and the host name checked
// Without any of them taskpulse connects without TLS, as before and as the pg client does (libpq's default, prefer,
// would cost a second connection to every server without TLS). references/postgres.md says so.
import { readFileSync } from "node:fs";
import { UsageError } from "../../core/errors.ts";
import { printable } from "../../core/names.ts";

type SslMode = "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full";

const MODES: Record<string, SslMode> = {
  disable: "disable",
  allow: "allow",
  prefer: "prefer",
  require: "require",
  "no-verify": "require",
  "verify-ca": "verify-ca",
  "verify-full": "verify-full",
};

/** The TLS parameters of a URL that taskpulse reads itself (and removes from what the client sees). */
const TLS_PARAMS = ["sslmode", "sslrootcert", "sslcert", "sslkey", "ssl", "uselibpqcompat"];

/** What the pg client gets for `ssl`: false, or Node's TLS options. */
export type ClientTls =
  | false
  | { rejectUnauthorized: boolean; ca?: string; cert?: string; key?: string; checkServerIdentity?: () => undefined };

export interface TlsPlan {
  /** The URL without its TLS parameters. */
  url: string;
  mode: SslMode | undefined;
  /** The first connection's TLS settings. */
  first: ClientTls;
  /** Where the mode falls back (allow, prefer): the second connection's settings, when the first is refused. */
  fallback?: ClientTls;
}

type Env = Readonly<Record<string, string | undefined>>;

export function tlsPlan(url: string, env: Env): TlsPlan {
  const q = url.indexOf("?");
  const params = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
  const from = (name: string, variable: string) => params.get(name) ?? env[variable];
  const rawMode = from("sslmode", "PGSSLMODE");
  if (params.has("ssl") && rawMode === undefined) {
    throw new UsageError("the PostgreSQL URL sets `ssl`, which libpq does not know", "use sslmode=require (or verify-full) instead");
  }
  const mode = rawMode === undefined ? undefined : MODES[rawMode];
  if (rawMode !== undefined && mode === undefined) {
    throw new UsageError(`invalid sslmode '${printable(rawMode)}'`, "use disable, allow, prefer, require, verify-ca or verify-full");
  }
  const file = (name: string, variable: string, what: string): string | undefined => {
    const path = from(name, variable);
    if (path === undefined || path === "" || (name === "sslrootcert" && path === "system")) return undefined;
    try {
      return readFileSync(path, "utf8");
    } catch (err) {
      throw new UsageError(
        `cannot read the ${what} ${printable(path)} (${name}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        `fix the path in the URL's ${name} (or ${variable})`,
      );
    }
  };
  const ca = file("sslrootcert", "PGSSLROOTCERT", "CA certificate");
  const cert = file("sslcert", "PGSSLCERT", "client certificate");
  const key = file("sslkey", "PGSSLKEY", "client key");
  const base = { ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  const noCheck: ClientTls = { rejectUnauthorized: false, ...base };
  const plan = (first: ClientTls, fallback?: ClientTls): TlsPlan => ({
    url: withoutTls(url, params, q),
    mode,
    first,
    ...(fallback !== undefined ? { fallback } : {}),
  });
  switch (mode) {
    case undefined:
    case "disable":
      return plan(false);
    case "allow":
      return plan(false, noCheck);
    case "prefer":
      return plan(noCheck, false);
    case "require":
      return plan(ca ? { rejectUnauthorized: true, ca, checkServerIdentity: () => undefined, ...base } : noCheck);
    case "verify-ca":
      if (!ca) {
        throw new UsageError(
          "sslmode=verify-ca needs the CA certificate that signed the server's: sslrootcert=<file>",
          "add sslrootcert=/path/to/ca.crt to the URL (or PGSSLROOTCERT), or use sslmode=verify-full with the system's CAs",
        );
      }
      return plan({ rejectUnauthorized: true, ca, checkServerIdentity: () => undefined, ...base });
    case "verify-full":
      return plan({ rejectUnauthorized: true, ...(ca ? { ca } : {}), ...base });
  }
}

function withoutTls(url: string, params: URLSearchParams, q: number): string {
  if (q < 0 || !TLS_PARAMS.some((p) => params.has(p))) return url;
  for (const p of TLS_PARAMS) params.delete(p);
  const rest = params.toString();
  return rest === "" ? url.slice(0, q) : `${url.slice(0, q)}?${rest}`;
}

/** Node's codes for a certificate the client did not trust, or that names another host. */
const CERT_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

export function isCertificateError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" && CERT_CODES.has(code);
}

/** Whether the server turned the first connection down in a way the mode's fallback answers. */
export function wantsFallback(plan: TlsPlan, err: unknown): boolean {
  if (plan.fallback === undefined) return false;
  const message = String((err as Error)?.message ?? "");
  // prefer: the server takes no TLS; allow: the server takes no plain connection (pg_hba.conf has hostssl only)
  return plan.mode === "prefer" ? /does not support SSL/i.test(message) : /no encryption/i.test(message);
}
