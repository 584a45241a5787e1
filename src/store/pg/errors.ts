// How a PostgreSQL failure reaches the user: the documented exit codes, a message that says what happened, and
// never a password (every message passes through scrubUrl). Server unreachable, refused, timed out or lost
// mid-command: exit 5 (the transaction was rolled back; safe to retry). Login refused: exit 6 (retrying with the
// same credentials cannot help, so it must not look like a transient failure to a retrying caller).
import { EXIT, StoreBusyError, StoreCorruptError, StoreUnavailableError, TaskpulseError, UsageError } from "../../core/errors.ts";
import { scrubUrl } from "../location.ts";
import { isCertificateError } from "./tls.ts";

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "ENOENT",
]);

/** SQLSTATEs after which the same transaction may simply run again (serialization failure, deadlock). */
export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === "40001" || code === "40P01";
}

class StoreAuthError extends TaskpulseError {
  constructor(message: string, hint: string) {
    super("store_auth", EXIT.corrupt, message, hint);
  }
}

/** A TaskpulseError for any failure of the pg client or server; TaskpulseErrors pass through. */
/** An unexpected pg failure, already worded (and scrubbed) once: passed through as it is if translated again. */
class PgInternalError extends Error {}

export function translatePgError(err: unknown, where: string): Error {
  if (err instanceof TaskpulseError || err instanceof PgInternalError) return err;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === "string" ? e.code : "";
  const message = scrubUrl(typeof e?.message === "string" ? e.message : String(err));
  if (isCertificateError(err)) {
    return new StoreAuthError(
      `the PostgreSQL server at ${where} presented a certificate taskpulse does not trust: ${message}`,
      code === "ERR_TLS_CERT_ALTNAME_INVALID"
        ? "the certificate is for another host name: connect by a name it holds, or use sslmode=verify-ca (the chain only)"
        : "give the CA that signed it with sslrootcert=/path/to/ca.crt (sslmode=verify-full), or use sslmode=require to encrypt without checking it, as psql does",
    );
  }
  if (code === "28000" && /no encryption/i.test(message)) {
    return new StoreAuthError(
      `PostgreSQL refused a connection without TLS to ${where}: ${message}`,
      "the server takes only TLS connections: add sslmode=require (or verify-full) to the URL, or set PGSSLMODE",
    );
  }
  if (code === "28P01" || code === "28000" || /^SASL|password/i.test(message)) {
    return new StoreAuthError(
      `PostgreSQL refused the login to ${where}: ${message}`,
      "check the user and password (in the URL, PGUSER/PGPASSWORD or ~/.pgpass); retrying with the same ones will not help",
    );
  }
  if (code === "3D000") {
    return new StoreCorruptError(`cannot use ${where}: ${message}`, "create the database first (createdb), or fix the name in the URL");
  }
  if (code === "55P03") {
    return new StoreBusyError(`the store at ${where} stayed locked: ${message}`, "another taskpulse holds the store; safe to retry");
  }
  if (code === "42501") {
    return new StoreCorruptError(
      `the database user may not use the taskpulse tables at ${where}: ${message}`,
      "grant the user the rights to create and change tables in that database",
    );
  }
  if (
    NETWORK_CODES.has(code) ||
    code.startsWith("08") ||
    code === "57P01" ||
    code === "57P02" ||
    code === "57P03" ||
    code === "53300" ||
    /connection terminated|connection timeout|timeout expired|not queryable|connection error|ended/i.test(message)
  ) {
    return new StoreUnavailableError(
      `the PostgreSQL server at ${where} is unavailable: ${message}`,
      "nothing was changed (an interrupted command is rolled back); safe to retry when the server is back",
    );
  }
  if (code === "ERR_INVALID_URL" || /invalid url/i.test(message)) {
    return new UsageError(`invalid PostgreSQL URL ${where}`, "use postgres://user:password@host:port/database (a port is 1-65535)");
  }
  if (/does not support SSL/i.test(message)) {
    return new StoreCorruptError(
      `cannot use ${where}: ${message}`,
      "the server takes no TLS connections: drop sslmode=require from the URL (or PGSSLMODE), or enable SSL on the server",
    );
  }
  const wrapped = new PgInternalError(`PostgreSQL error${code ? ` ${code}` : ""} at ${where}: ${message}`);
  if (typeof (err as Error)?.stack === "string") wrapped.stack = scrubUrl((err as Error).stack as string);
  return wrapped;
}
