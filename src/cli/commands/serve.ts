import { randomBytes } from "node:crypto";
import type { Command } from "commander";
import type { GlobalOptions } from "../../app/context.ts";
import { UsageError } from "../../core/errors.ts";
import { printable } from "../../core/names.ts";
import { parseDuration, timerDuration } from "../../core/time.ts";
import { startServer } from "../../serve/server.ts";
import type { CliCtx } from "../cli-context.ts";
import { example, note } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

export interface ServeCommandOptions {
  port: string;
  host: string;
  token?: string;
  interval?: string;
  ping?: string;
  api?: boolean;
  apiRate?: string;
  apiMaxBody?: string;
  requestTimeout?: string;
}

export function registerServe(program: Command, app: App): void {
  program
    .command("serve")
    .description("serve a live dashboard of the store to a browser (loopback only unless --host says otherwise)")
    .option("--port <n>", "TCP port (0 picks a free one)", "8787")
    .option("--host <address>", "address to listen on; anything but loopback is reachable from the network", "127.0.0.1")
    .option(
      "--token <token>",
      "the token that stop, cancel and the API's admin need (default: $TASKPULSE_TOKEN, which ps does not show; else a random one)",
    )
    .option("--interval <duration>", "how often the store is read again without a change signal (default 2s)")
    .option("--ping <duration>", "how often the page's event stream is pinged; 3 missed and the page says it is stale (default 15s)")
    .option("--api", "also serve the HTTP API under /api/v1/ (agents' tokens: taskpulse token; references/http-api.md)")
    .option("--api-rate <n/period>", "requests each API token may make, e.g. 120/m, 5/s (default 300/m; a burst of n)")
    .option("--api-max-body <bytes>", "the largest API request body, e.g. 65536 or 64kb (default 64kb; larger: 413)")
    .option("--request-timeout <duration>", "a request's headers and body must arrive within this (default 30s; else 408)")
    .addHelpText(
      "after",
      `${example(
        "taskpulse serve",
        "taskpulse serve --port 9000 --lang zh",
        "TASKPULSE_TOKEN=… taskpulse serve --host 0.0.0.0",
        "taskpulse serve --api --api-rate 60/m",
      )}

${note(`Routes: GET / (the page), GET /api/events (Server-Sent Events), GET /api/tasks (query's filters as
parameters), GET /api/tasks/<id>, GET /api/jobs; POST /api/tasks/<id>/stop and /cancel need the token
(Authorization: Bearer <token> or X-Taskpulse-Token). Beyond loopback every read needs it too, in a header or
in the cookie POST /api/session sets for a browser; never in the URL (?token= is refused). See
references/dashboard.md.

With --api, the task lifecycle under /api/v1/ (create, claim, start, next, heartbeat, done, error, stop,
check, ack, status), answered with the --json envelope; every call needs a token: an agent's own
(taskpulse token create --agent <name>), or the serve token (any agent). references/http-api.md,
references/openapi.json. Beyond loopback, put it behind a TLS reverse proxy: tokens travel in clear.

Runs until Ctrl-C (SIGINT) or SIGTERM, then exits 0.`)}`,
    )
    .action(app.action((ctx, opts: ServeCommandOptions) => serve(ctx, opts, program.opts<GlobalOptions>().now !== undefined)));
}

const TOKEN = /^[A-Za-z0-9._~+/=-]{16,256}$/;

export async function serve(ctx: CliCtx, opts: ServeCommandOptions, fixedClock: boolean): Promise<Outcome> {
  if (!/^\d{1,5}$/.test(opts.port) || Number(opts.port) > 65_535) {
    throw new UsageError(`invalid --port '${printable(opts.port)}'`, "use a number from 0 to 65535 (0 picks a free port)", {
      detail: { key: "invalid_value", what: "--port", value: printable(opts.port) },
    });
  }
  const host = opts.host.trim();
  if (!/^[A-Za-z0-9.:%_-]{1,253}$/.test(host.replace(/^\[|\]$/g, ""))) {
    throw new UsageError(`invalid --host '${printable(opts.host)}'`, "use an address such as 127.0.0.1, ::1 or 0.0.0.0", {
      detail: { key: "invalid_value", what: "--host", value: printable(opts.host) },
    });
  }
  const given = opts.token ?? (ctx.deps.env.TASKPULSE_TOKEN || undefined);
  if (given !== undefined && !TOKEN.test(given)) {
    throw new UsageError(
      "the token must be 16-256 characters of letters, digits and . _ ~ + / = -",
      "or leave it out and a random one is made",
    );
  }
  const token = given ?? randomBytes(18).toString("base64url");
  const pollMs = opts.interval === undefined ? undefined : timerDuration(opts.interval, "--interval", 100);
  const heartbeatMs = opts.ping === undefined ? undefined : parseDuration(opts.ping, "--ping");
  if (heartbeatMs !== undefined && (heartbeatMs < 100 || heartbeatMs > 3_600_000)) {
    throw new UsageError(`invalid --ping '${printable(opts.ping ?? "")}'`, "use a duration from 100ms to 1h, such as 15s", {
      detail: { key: "invalid_value", what: "--ping", value: printable(opts.ping ?? "") },
    });
  }
  const requestTimeoutMs = opts.requestTimeout === undefined ? undefined : timerDuration(opts.requestTimeout, "--request-timeout", 100);
  if (!opts.api && (opts.apiRate !== undefined || opts.apiMaxBody !== undefined)) {
    throw new UsageError("--api-rate and --api-max-body need --api", "taskpulse serve --api …");
  }
  const api = opts.api ? { rate: parseRate(opts.apiRate ?? "300/m"), maxBody: parseBytes(opts.apiMaxBody ?? "64kb") } : undefined;
  const server = await startServer({
    ...(pollMs === undefined ? {} : { pollMs }),
    ...(heartbeatMs === undefined ? {} : { heartbeatMs }),
    ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
    ...(api === undefined ? {} : { api }),
    ctx,
    // the host's clock, moved to the store's (PostgreSQL's server clock)
    clock: fixedClock ? () => ctx.now : () => new Date(ctx.deps.now().getTime() + ctx.clockOffsetMs()),
    host: host.replace(/^\[|\]$/g, ""),
    port: Number(opts.port),
    token,
  });
  if (!server.loopback) {
    ctx.deps.stderr(
      `warning: ${t(
        ctx,
        `listening on ${host}: the dashboard${api ? " and the API are" : " is"} reachable from the network; every request needs a token, and traffic is not encrypted (use a TLS reverse proxy)`,
        `正在监听 ${host}：看板${api ? "和 API " : ""}可从网络访问；所有请求都需要令牌，且传输未加密（请使用 TLS 反向代理）`,
      )}\n`,
    );
  }
  // serve is the one command that runs until stopped, so it says where it is now rather than in its outcome.
  const open = `${server.url}#token=${encodeURIComponent(token)}`;
  const banner = ctx.quiet
    ? [open]
    : [
        t(ctx, `📊 taskpulse dashboard: ${server.url}`, `📊 taskpulse 任务看板：${server.url}`),
        t(ctx, `   open with the token: ${open}`, `   带令牌打开：${open}`),
        t(
          ctx,
          `   token: ${token} (stop and cancel need it: Authorization: Bearer <token>)`,
          `   令牌：${token}（停止和取消需要它：Authorization: Bearer <令牌>）`,
        ),
        ...(api
          ? [
              t(
                ctx,
                `   HTTP API: ${server.url}api/v1/ (references/http-api.md)`,
                `   HTTP API：${server.url}api/v1/（references/http-api.md）`,
              ),
            ]
          : []),
        t(ctx, `   store: ${ctx.storeName} · Ctrl-C stops`, `   存储：${ctx.storeName} · Ctrl-C 停止`),
      ];
  if (!ctx.json) ctx.deps.stdout(`${banner.join("\n")}\n`);
  else ctx.deps.stderr(`${banner.join("\n")}\n`);
  const signal = await untilStopSignal();
  await server.close();
  return {
    data: { url: server.url, port: server.port, stoppedBy: signal },
    lines: [t(ctx, "dashboard stopped", "看板已停止")],
    quiet: "",
  };
}

/** `120/m`, `5/s`, `1000/1h`: requests per period. */
function parseRate(input: string): { count: number; perMs: number } {
  const m = /^(\d{1,6})\/(\d*(?:ms|s|m|h))$/.exec(input.trim());
  const count = Number(m?.[1]);
  const perMs = m ? parseDuration(/^\d/.test(m[2] as string) ? (m[2] as string) : `1${m[2]}`, "--api-rate") : 0;
  if (!m || count < 1 || perMs < 1) {
    throw new UsageError(`invalid --api-rate '${printable(input)}'`, "use requests per period: 120/m, 5/s or 1000/1h", {
      detail: { key: "invalid_value", what: "--api-rate", value: printable(input) },
    });
  }
  return { count, perMs };
}

/** `65536`, `64kb`, `1mb` (1024-based). */
function parseBytes(input: string): number {
  const m = /^(\d{1,9})\s*(b|kb|kib|mb|mib)?$/i.exec(input.trim());
  const unit = (m?.[2] ?? "b").toLowerCase();
  const bytes = Number(m?.[1]) * (unit.startsWith("k") ? 1024 : unit.startsWith("m") ? 1024 * 1024 : 1);
  if (!m || bytes < 1 || bytes > 64 * 1024 * 1024) {
    throw new UsageError(`invalid --api-max-body '${printable(input)}'`, "use bytes from 1 to 64mb: 65536, 64kb or 1mb", {
      detail: { key: "invalid_value", what: "--api-max-body", value: printable(input) },
    });
  }
  return bytes;
}

function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    // The listeners stay registered: removing them inside the handler would leave the lock's exit hook (registered
    // by the first change; src/store/exit-hook.ts) as the last listener, and it then raises the signal again, which
    // ends the process.
    const on = (signal: NodeJS.Signals) => resolve(signal);
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}
