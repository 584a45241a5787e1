// What taskpulse makes of the libpq `options` of a PostgreSQL URL (`?options=-c search_path=myschema`), or of
// PGOPTIONS when the URL has none (the pg client reads both). Settings are passed to the server as they are, with
// three exceptions decided here, before connecting: `search_path` must name one schema (taskpulse's tables live
// there, and the schema is created with them), the settings taskpulse sets itself cannot be overridden (the server
// would silently keep taskpulse's value), and a value that is not a list of `-c name=value` is refused.
import { UsageError } from "../../core/errors.ts";
import { printable } from "../../core/names.ts";

/** Settings taskpulse sets itself (each transaction's SET LOCAL, or at connect): a value in `options` is refused. */
const OWN_SETTINGS: Readonly<Record<string, string>> = {
  lock_timeout: "set TASKPULSE_LOCK_WAIT instead",
  idle_in_transaction_session_timeout: "taskpulse sets it (60 s) so a stopped process cannot hold the store",
  application_name: "taskpulse names each connection after its command",
};

const HINT = "options takes -c name=value settings, e.g. options=-c%20search_path%3Dmyschema (references/postgres.md)";

/** The libpq `options` string the connection will use: the URL's, else PGOPTIONS. */
export function connectionOptions(url: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const query = url.indexOf("?");
  if (query >= 0) {
    const value = new URLSearchParams(url.slice(query + 1)).get("options");
    if (value !== null) return value;
  }
  return env.PGOPTIONS;
}

/**
 * The schema named by `-c search_path=…` in `options` (folded to lower case unless double-quoted, as the server
 * does), or undefined when no search_path is set. Throws a UsageError (exit 2) for a value taskpulse cannot honour.
 */
export function optionsSchema(options: string | undefined): string | undefined {
  if (options === undefined || options.trim() === "") return undefined;
  if (options.includes("\\"))
    throw new UsageError(`the PostgreSQL options '${printable(options)}' use a backslash escape, which taskpulse does not read`, HINT);
  const words = options.trim().split(/\s+/);
  let schema: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    let setting: string | undefined;
    if (word === "-c") setting = words[++i];
    else if (word.startsWith("-c")) setting = word.slice(2);
    else if (word.startsWith("--")) setting = word.slice(2);
    const eq = setting?.indexOf("=") ?? -1;
    if (setting === undefined || eq <= 0) {
      throw new UsageError(`the PostgreSQL options '${printable(options)}' are not a list of -c name=value settings`, HINT);
    }
    const name = setting.slice(0, eq).toLowerCase().replace(/-/g, "_");
    const value = setting.slice(eq + 1);
    const own = OWN_SETTINGS[name];
    if (own !== undefined) throw new UsageError(`the PostgreSQL options may not set ${name}`, own);
    if (name === "search_path") schema = parseSchema(value);
  }
  return schema;
}

function parseSchema(value: string): string {
  const quoted = /^"((?:[^"]|"")+)"$/.exec(value);
  const schema = quoted
    ? (quoted[1] as string).replace(/""/g, '"')
    : /^[A-Za-z_][A-Za-z0-9_$]*$/.test(value)
      ? value.toLowerCase()
      : undefined;
  if (schema === undefined || schema === "$user" || schema.startsWith("pg_temp")) {
    throw new UsageError(
      `search_path '${printable(value)}' in the PostgreSQL options is not one schema`,
      "name exactly one schema (search_path=myschema): taskpulse's tables live in it, and a list would let a read find another store's tables",
    );
  }
  return schema;
}

/** `name` as an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
