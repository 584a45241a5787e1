// A throwaway PgBouncer in front of a test PostgreSQL server (test/support/pg-server.ts): its own ini in a temporary
// directory, a free loopback port, pool_mode=transaction, and the server's own SCRAM secret of the user in its
// userlist (read from pg_authid), so clients log in with the real password, as through a production pooler.
// PgBouncer refuses to run as root: as root it runs as the postgres user, as the server does.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { until } from "./helpers.ts";
import { freePort, PG_PASSWORD, PG_USER } from "./pg-server.ts";

/** Debian's pgbouncer lives in /usr/sbin, which is not on every user's PATH. */
export function findPgBouncer(): string | undefined {
  for (const dir of [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/usr/local/sbin"]) {
    if (dir && existsSync(join(dir, "pgbouncer"))) return join(dir, "pgbouncer");
  }
  return undefined;
}

export interface PgBouncer {
  port: number;
  /** The URL of database `db` through the pooler. */
  url(db: string): string;
  /** PgBouncer's log so far (for a failing test's message). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts PgBouncer in front of the server whose admin URL is `adminUrl` (postgres://taskpulse:…@127.0.0.1:<port>/postgres).
 * Every database of that server is reachable through it (`* = host=… port=…`).
 */
export async function startPgBouncer(adminUrl: string, settings: Record<string, string> = {}): Promise<PgBouncer> {
  const bin = findPgBouncer();
  if (!bin) throw new Error("PgBouncer is not installed: apt-get install pgbouncer");
  const server = new URL(adminUrl);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const [row] = (
    await admin
      .query<{ secret: string }>("SELECT rolpassword AS secret FROM pg_authid WHERE rolname = $1", [PG_USER])
      .finally(() => admin.end())
  ).rows;
  if (!row?.secret.startsWith("SCRAM-SHA-256$")) throw new Error(`no SCRAM secret for ${PG_USER} in pg_authid`);
  const root = mkdtempSync(join(tmpdir(), "tp-bouncer-"));
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot
    ? { uid: Number(execFileSync("id", ["-u", "postgres"]).toString()), gid: Number(execFileSync("id", ["-g", "postgres"]).toString()) }
    : undefined;
  const own = (name: string, text: string) => {
    const path = join(root, name);
    writeFileSync(path, text, { mode: 0o600 });
    if (ids) chownSync(path, ids.uid, ids.gid);
    return path;
  };
  chmodSync(root, 0o700);
  if (ids) chownSync(root, ids.uid, ids.gid);
  const port = await freePort();
  const logFile = own("pgbouncer.log", "");
  const ini = own(
    "pgbouncer.ini",
    `${Object.entries({
      listen_addr: "127.0.0.1",
      listen_port: String(port),
      unix_socket_dir: "",
      auth_type: "scram-sha-256",
      auth_file: own("userlist.txt", `"${PG_USER}" "${row.secret}"\n`),
      pool_mode: "transaction",
      default_pool_size: "4",
      max_client_conn: "200",
      logfile: logFile,
      pidfile: join(root, "pgbouncer.pid"),
      ...settings,
    })
      .map(([k, v]) => `${k} = ${v}`)
      .join("\n")
      .replace(/^/, `[databases]\n* = host=${server.hostname} port=${server.port}\n\n[pgbouncer]\n`)}\n`,
  );
  const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", bin, ini]] : [bin, [ini]];
  const child: ChildProcess = spawn(file, argv, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const log = () => `${output}${existsSync(logFile) ? readFileSync(logFile, "utf8") : ""}`;
  // ready when it accepts connections (or failed when it exits first)
  try {
    await until(`pgbouncer listens on ${port}`, async () => {
      if (child.exitCode !== null) throw new Error(`pgbouncer exited ${child.exitCode}: ${log()}`);
      return accepts(port);
    });
  } catch (err) {
    child.kill("SIGKILL");
    throw new Error(`${(err as Error).message}: ${log()}`);
  }
  return {
    port,
    url: (db) => `postgres://${PG_USER}:${encodeURIComponent(PG_PASSWORD)}@127.0.0.1:${port}/${db}`,
    log,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
