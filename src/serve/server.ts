// The dashboard server: Node's own http module, one handler, one event hub. Reads never write (no stall alert is
// recorded from here: the page is not a chat), changes go through the CLI's transitions (see routes.ts).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Ctx } from "../app/context.ts";
import { UsageError } from "../core/errors.ts";
import { isLoopbackHost } from "./auth.ts";
import { EventHub } from "./events.ts";
import { jobViews } from "./jobs.ts";
import { handle, type RouteContext, sendFailure } from "./routes.ts";
import { dashboardView, viewKey } from "./view.ts";

export interface ServeOptions {
  ctx: Ctx;
  /** The clock for each request and snapshot (the real time, unless --now fixed it). */
  clock: () => Date;
  host: string;
  port: number;
  token: string;
  /**
   * Reads need the token too. Default: only when bound beyond loopback; a host shared by several users may want it on
   * loopback as well (the tests use it to exercise the page's token flow without leaving loopback).
   */
  readsNeedToken?: boolean;
  /** How often the store is looked at when no change was signalled (default 2 s). */
  pollMs?: number;
  /** How often idle event streams get a comment line (default 15 s). */
  heartbeatMs?: number;
}

export interface RunningServer {
  /** The base URL, with the port actually bound (`--port 0` picks one). */
  url: string;
  port: number;
  loopback: boolean;
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { ctx, clock } = options;
  const store = ctx.store("serve");
  const hub = new EventHub({
    produce: async () => {
      const snapshot = await store.read();
      const data = JSON.stringify(dashboardView(snapshot, clock(), ctx.stallMs, jobViews(snapshot)));
      return { key: viewKey(data), data };
    },
    openFeed: () => store.changes(),
    pollMs: options.pollMs ?? 2_000,
    heartbeatMs: options.heartbeatMs ?? 15_000,
  });
  const loopback = isLoopbackHost(options.host);
  const guard = { loopback, token: options.token, readsNeedToken: options.readsNeedToken ?? !loopback };
  const rc: RouteContext = { base: ctx, clock, guard, hub };
  const server = createServer((req, res) => {
    handle(rc, req, res).catch((err: unknown) => sendFailure(res, err, (line) => ctx.deps.stderr(`${line}\n`)));
  });
  await listen(server, options.host, options.port);
  const port = (server.address() as AddressInfo).port;
  const shownHost = options.host.includes(":") && !options.host.startsWith("[") ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    loopback,
    close: () =>
      new Promise<void>((resolve) => {
        hub.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE")
        reject(new UsageError(`port ${port} on ${host} is already in use`, "choose another with --port (0 picks a free one)"));
      else if (err.code === "EADDRNOTAVAIL" || err.code === "ENOTFOUND" || err.code === "EAI_AGAIN")
        reject(new UsageError(`cannot bind to '${host}': no such address on this machine`, "use 127.0.0.1 (the default)"));
      else if (err.code === "EACCES") reject(new UsageError(`no permission to bind port ${port}`, "use a port above 1023"));
      else reject(err);
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}
