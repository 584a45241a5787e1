// A throwaway PostgreSQL server for the tests and the benchmark: initdb into a temporary directory (as the postgres
// user when running as root: the server refuses root), pg_ctl start on a free loopback port with its socket in that
// directory, and stop + remove at the end. Logins over TCP need the password (scram-sha-256), so the tests can
// check a wrong one; the superuser is `taskpulse`.
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PG_USER = "taskpulse";
export const PG_PASSWORD = "s3cret-pw-Zq9";

/** The directory holding initdb and pg_ctl: Debian's /usr/lib/postgresql/<newest>/bin, else PATH. */
export function findPgBin(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(base, versions[0], "bin");
  }
  for (const dir of (process.env.PATH ?? "").split(":")) if (dir && existsSync(join(dir, "initdb"))) return dir;
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface PgServer {
  port: number;
  /** postgres://taskpulse:<password>@127.0.0.1:<port>/<db> */
  url(db: string, password?: string): string;
  stop(): void;
  /** Stops the server immediately (as a crash would), keeping its files; start() brings it back. */
  kill(): void;
  /** Stops it in `mode` (fast: sessions ended, open transactions rolled back; immediate: as a crash) and starts it. */
  restart(mode: "fast" | "immediate"): void;
  start(): void;
}

/** A server certificate and its key (PEM), for a server that takes TLS connections. */
export interface ServerTls {
  cert: string;
  key: string;
  /** Only TLS connections over TCP (pg_hba.conf: hostssl), as a server on a network should be. */
  only?: boolean;
}

/**
 * `durable`: commits are on disk (in the WAL) when acknowledged, as on a real server, so an immediate stop (kill())
 * loses none; by default they are not (synchronous_commit=off, fast for tests that never crash the server).
 * `tls`: the server takes TLS connections with that certificate (ssl=on). `netns`: the server runs in that network
 * namespace, listening on `host` (test/support/netns.ts), and takes logins from its /24. `settings`: more
 * `-c name=value` for the server.
 */
export async function startPgServer(
  options: { durable?: boolean; tls?: ServerTls; netns?: { name: string; host: string }; settings?: string } = {},
): Promise<PgServer> {
  const bin = findPgBin();
  if (!bin) throw new Error("PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin or PATH): apt-get install postgresql");
  const root = mkdtempSync(join(tmpdir(), "tp-pg-"));
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot
    ? { uid: Number(execFileSync("id", ["-u", "postgres"]).toString()), gid: Number(execFileSync("id", ["-g", "postgres"]).toString()) }
    : undefined;
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", join(bin, cmd), ...args]] : [join(bin, cmd), args];
    const inNetns = options.netns ? ["ip", ["netns", "exec", options.netns.name, file as string, ...(argv as string[])]] : [file, argv];
    execFileSync(inNetns[0] as string, inNetns[1] as string[], { stdio: ["ignore", "pipe", "pipe"], cwd: root });
  };
  chmodSync(root, 0o700);
  if (ids) chownSync(root, ids.uid, ids.gid);
  const data = join(root, "data");
  const pwfile = join(root, "pw");
  writeFileSync(pwfile, `${PG_PASSWORD}\n`, { mode: 0o600 });
  if (ids) chownSync(pwfile, ids.uid, ids.gid);
  run("initdb", [
    "-D",
    data,
    "-U",
    PG_USER,
    `--pwfile=${pwfile}`,
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    "-E",
    "UTF8",
    "--no-sync",
  ]);
  let ssl = "";
  if (options.tls) {
    const own = (name: string, text: string) => {
      const path = join(root, name);
      writeFileSync(path, text, { mode: 0o600 });
      if (ids) chownSync(path, ids.uid, ids.gid);
      return path;
    };
    ssl = ` -c ssl=on -c ssl_cert_file=${own("server.crt", options.tls.cert)} -c ssl_key_file=${own("server.key", options.tls.key)}`;
    if (options.tls.only) {
      const hba = join(data, "pg_hba.conf");
      writeFileSync(hba, readFileSync(hba, "utf8").replace(/^host(\s)/gm, "hostssl$1"));
    }
  }
  const host = options.netns?.host ?? "127.0.0.1";
  if (options.netns) {
    const hba = join(data, "pg_hba.conf");
    const subnet = `${host.split(".").slice(0, 3).join(".")}.0/24`;
    writeFileSync(hba, `${readFileSync(hba, "utf8")}host all all ${subnet} scram-sha-256\n`);
  }
  const port = await freePort();
  const commits = options.durable ? "" : " -c synchronous_commit=off";
  const settings = `-p ${port} -k ${root} -c listen_addresses=${host} -c fsync=off${commits} -c full_page_writes=off -c max_connections=200${ssl}${options.settings ? ` ${options.settings}` : ""}`;
  const start = () => run("pg_ctl", ["-D", data, "-l", join(root, "log"), "-o", settings, "-w", "-t", "30", "start"]);
  start();
  return {
    port,
    url: (db, password = PG_PASSWORD) => `postgres://${PG_USER}:${encodeURIComponent(password)}@${host}:${port}/${db}`,
    kill: () => run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]),
    restart: (mode) => {
      run("pg_ctl", ["-D", data, "-m", mode, "-w", "stop"]);
      start();
    },
    start,
    stop() {
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        // already stopped
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
