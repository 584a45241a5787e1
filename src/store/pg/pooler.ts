// A connection pooler between taskpulse and the server (PgBouncer, references/postgres.md "Through a connection
// pooler"). Every transaction of taskpulse carries its own settings and locks, so it runs as well on a server
// connection lent for one transaction; what needs a session is the change feed's LISTEN. A client cannot tell a
// transaction-mode pooler from a server, so the URL says so: `pooler=transaction` (taken out of the URL the client
// gets; `session` says LISTEN works, as on a direct connection). Read before connecting: a bad value is the URL's
// fault (exit 2).
import { UsageError } from "../../core/errors.ts";
import { printable } from "../../core/names.ts";
import { scrubUrl } from "../location.ts";

export type PoolerMode = "transaction" | "session";

const HINT = "use pooler=transaction for a transaction-mode pooler (PgBouncer's pool_mode=transaction), or leave it out";

/** The URL without its `pooler` parameter, and the mode it names. */
export function poolerPlan(url: string): { url: string; mode: PoolerMode | undefined } {
  const q = url.indexOf("?");
  if (q < 0) return { url, mode: undefined };
  const params = new URLSearchParams(url.slice(q + 1));
  const value = params.get("pooler");
  if (value === null) return { url, mode: undefined };
  if (value === "statement") {
    throw new UsageError(
      "taskpulse cannot work through a statement-mode pooler (pooler=statement): each command is one transaction of several statements",
      "use pool_mode=transaction in pgbouncer.ini (and pooler=transaction in the URL)",
    );
  }
  if (value !== "transaction" && value !== "session")
    throw new UsageError(`invalid pooler '${printable(value)}' in the PostgreSQL URL`, HINT);
  params.delete("pooler");
  const rest = params.toString();
  return { url: rest === "" ? url.slice(0, q) : `${url.slice(0, q)}?${rest}`, mode: value };
}

/**
 * A login a pooler refused for a startup parameter it does not pass on (PgBouncer: "unsupported startup parameter:
 * options", when the URL or PGOPTIONS sets `options`): the URL cannot be honoured there (exit 2); retrying cannot help.
 */
export function poolerRefusal(err: unknown, where: string): UsageError | undefined {
  const message = (err as { message?: unknown })?.message;
  const name = typeof message === "string" ? /unsupported startup parameter: (\S+)/.exec(message)?.[1] : undefined;
  if (name === undefined) return undefined;
  return new UsageError(
    `the connection pooler at ${where} refused the startup parameter ${printable(name)}: ${scrubUrl(message as string)}`,
    name === "options"
      ? "PgBouncer does not pass the URL's options (or PGOPTIONS) on: drop them, and set search_path for the role instead (ALTER ROLE … SET search_path), see references/postgres.md"
      : `add ${printable(name)} to ignore_startup_parameters in pgbouncer.ini, or connect to the server directly`,
  );
}
