// The dashboard server: Node's own http module, one handler, one event hub. Reads never write (no stall alert is
// recorded from here: the page is not a chat), changes go through the CLI's transitions (see routes.ts).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Ctx } from "../app/context.ts";
import { UsageError } from "../core/errors.ts";
import { type Rate, RateLimiter } from "./api-auth.ts";
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
  /** How often each event stream gets a `ping` event, by which the page tells a silent server (default 15 s). */
  heartbeatMs?: number;
  /** `--api`: serve the HTTP API (api.ts), with this request budget per token and body size limit. */
  api?: { rate: Rate; maxBody: number };
  /**
   * A request's headers and body must have arrived within this (default 30 s; the headers within 10 s at most),
   * or the connection is answered 408 and closed: a client that sends slowly cannot hold connections open.
   */
  requestTimeoutMs?: number;
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
  const log = (line: string) => ctx.deps.stderr(`${line}\n`);
  const rc: RouteContext = { base: ctx, clock, guard, hub };
  if (options.api) {
    const limiter = new RateLimiter(options.api.rate, () => performance.now());
    rc.api = { base: ctx, clock, guard, limiter, maxBody: options.api.maxBody, log };
  }
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  // Node looks for expired requests every connectionsCheckingInterval (30 s by default): often enough to matter.
  const checkEvery = Math.max(50, Math.min(1_000, Math.floor(requestTimeout / 4)));
  const server = createServer(
    { requestTimeout, headersTimeout: Math.min(requestTimeout, 10_000), connectionsCheckingInterval: checkEvery },
    (req, res) => {
      handle(rc, req, res).catch((err: unknown) => sendFailure(res, err, log));
    },
  );
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
