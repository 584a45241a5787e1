// The dashboard's HTTP routes. Reads go through the same read-side code as `query` and `status`; changes go through
// changes.ts (the CLI's transitions and transaction). Every request passes the Host/Origin checks first; a change
// also needs the token, and nothing is read from the request body or the store before it has been checked. A token
// in the URL (`?token=`, accepted by earlier versions) is refused outright, so it is not left in logs unnoticed.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { Ctx } from "../app/context.ts";
import type { Lang } from "../app/identity.ts";
import { parseQuery, type QueryOptions } from "../app/query.ts";
import { describeTask } from "../app/status.ts";
import { allSummaries, findAnyTask } from "../app/summaries.ts";
import { TaskpulseError, UsageError } from "../core/errors.ts";
import { runQuery } from "../core/insight.ts";
import { LIMITS } from "../core/model.ts";
import { printable, validateAgent } from "../core/names.ts";
import { type ApiContext, handleApi } from "./api.ts";
import { API_PREFIX } from "./api-routes.ts";
import { checkOrigin, checkToken, type Denial, type Guard, headerToken, presentedToken, tokenCookie } from "./auth.ts";
import { cancelQueuedFromPage, requestStopFromPage } from "./changes.ts";
import type { EventHub } from "./events.ts";
import { readJobs } from "./jobs.ts";
import { renderPage } from "./page.ts";
import { dashboardView } from "./view.ts";

/** Who the page's changes are recorded as (stop requester, audit operator). */
const DASHBOARD_OPERATOR = "dashboard";
const MAX_BODY = 16 * 1024;

export interface RouteContext {
  /** The serve command's context; each request gets a copy with the current time. */
  base: Ctx;
  clock: () => Date;
  guard: Guard;
  hub: EventHub;
  /** With `serve --api`: the HTTP API under /api/v1/ (api.ts). */
  api?: ApiContext;
}

/**
 * A context for one request: the time now, no push decided (the page sends no chat message, so none is recorded)
 * unless `serve --send` delivers it.
 */
function requestCtx(rc: RouteContext): Ctx {
  return { ...rc.base, now: rc.clock(), agent: DASHBOARD_OPERATOR, announce: rc.base.send };
}

export async function handle(rc: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const origin = checkOrigin(rc.guard, req.headers);
  if (origin) return deny(res, origin);
  const method = req.method ?? "GET";
  const path = url.pathname;
  if (url.searchParams.has("token")) {
    return deny(res, {
      status: 400,
      code: "token_in_url",
      message: "the token is not accepted in the URL, where it ends up in history and logs",
      hint: "send it as Authorization: Bearer <token>; a browser opens the page and types it in (or uses the #token= link serve prints)",
    });
  }
  if (rc.api && path.startsWith(`${API_PREFIX}/`)) return handleApi(rc.api, req, res, url);
  if (path === "/api/session") return session(rc, req, res, method);

  if (method === "POST") {
    const m = /^\/api\/tasks\/([^/]+)\/(stop|cancel)$/.exec(path);
    if (!m) return sendError(res, 404, "not_found", `no such change: POST ${printable(path)}`);
    // Changes take the token from a header only: the cookie is for reads, which a form on another site cannot make.
    const denied = checkToken(rc.guard, headerToken(req.headers));
    if (denied) return deny(res, denied);
    const id = decodeId(m[1] as string);
    const body = await readBody(req);
    const ctx = requestCtx(rc);
    const data =
      m[2] === "stop" ? await requestStopFromPage(ctx, id, body.reason ?? "") : await cancelQueuedFromPage(ctx, id, body.reason ?? "");
    return sendJson(res, 200, data);
  }
  if (method !== "GET" && method !== "HEAD") {
    res.setHeader("Allow", path.startsWith("/api/tasks/") ? "GET, HEAD, POST" : "GET, HEAD");
    return sendError(res, 405, "method_not_allowed", `${printable(method)} is not supported here`);
  }

  // The page itself holds no data, so it is served to anyone who passed the Host/Origin checks.
  if (path === "/") return sendPage(rc, req, res, url);
  if (rc.guard.readsNeedToken) {
    // Bound beyond this machine: reads need the token too, from a header or the page's cookie (EventSource cannot
    // send headers).
    const denied = checkToken(rc.guard, presentedToken(req.headers)?.token);
    if (denied) return deny(res, denied);
  }
  const ctx = requestCtx(rc);
  if (path === "/api/events") {
    if (method === "HEAD") return sendHead(res, "text/event-stream; charset=utf-8");
    return rc.hub.add(res);
  }
  if (path === "/api/overview") {
    const store = ctx.store("serve");
    return sendJson(res, 200, dashboardView(await store.read(), ctx.now, ctx.stallMs, await readJobs(store)));
  }
  if (path === "/api/jobs") return sendJson(res, 200, await readJobs(ctx.store("serve")));
  if (path === "/api/tasks") {
    const { opts, agent } = queryOptions(url.searchParams);
    const q = parseQuery(ctx, opts, agent);
    const range: { from?: string; to?: string } = {};
    if (q.by === "finished" && q.from) range.from = q.from.toISOString();
    if (q.by === "finished" && q.to) range.to = q.to.toISOString();
    const { summaries } = await allSummaries(ctx, "serve", { range });
    return sendJson(res, 200, runQuery(summaries, q));
  }
  const one = /^\/api\/tasks\/([^/]+)$/.exec(path);
  if (one) {
    const { task, snapshot, archived } = await findAnyTask(ctx, "serve", decodeId(one[1] as string));
    return sendJson(res, 200, { task, ...describeTask(ctx, task, (id) => snapshot.get(id)), archived });
  }
  return sendError(res, 404, "not_found", `nothing at ${printable(path)}`);
}

/**
 * `/api/session`: the page's check of a token as it is typed in. `POST` with the token in a header answers 200 and
 * sets the HttpOnly cookie the page's reads (its event stream) then carry; `GET` answers whether the token presented
 * (header or cookie) is the right one. Both are cheap: neither reads the store.
 */
function session(rc: RouteContext, req: IncomingMessage, res: ServerResponse, method: string): void {
  if (method !== "GET" && method !== "HEAD" && method !== "POST") {
    res.setHeader("Allow", "GET, HEAD, POST");
    sendError(res, 405, "method_not_allowed", `${printable(method)} is not supported here`);
    return;
  }
  const given = method === "POST" ? headerToken(req.headers) : presentedToken(req.headers)?.token;
  const denied = checkToken(rc.guard, given);
  if (denied) {
    deny(res, denied);
    return;
  }
  if (method === "POST") res.setHeader("Set-Cookie", tokenCookie(req.headers.host, given ?? ""));
  sendJson(res, 200, { token: "accepted", readsNeedToken: rc.guard.readsNeedToken });
}

/** Maps an error thrown while handling a request to its answer; unknown errors are reported without details. */
export function sendFailure(res: ServerResponse, err: unknown, log: (line: string) => void): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (err instanceof TaskpulseError) {
    const status: Record<string, number> = {
      usage: 400,
      ambiguous_id: 400,
      not_found: 404,
      invalid_transition: 409,
      conflict: 409,
      store_busy: 503,
      store_corrupt: 500,
    };
    if (err.code === "store_busy") res.setHeader("Retry-After", "1");
    sendError(res, status[err.code] ?? 500, err.code, err.message, err.hint);
    return;
  }
  log(`internal error: ${err instanceof Error ? err.message : String(err)}`);
  sendError(res, 500, "internal", "internal error", "see the output of taskpulse serve");
}

const QUERY_PARAMS = new Map<string, keyof QueryOptions | "agent">([
  ["agent", "agent"],
  ["status", "status"],
  ["min-priority", "minPriority"],
  ["minPriority", "minPriority"],
  ["max-priority", "maxPriority"],
  ["maxPriority", "maxPriority"],
  ["tag", "tag"],
  ["group", "group"],
  ["meta", "meta"],
  ["text", "text"],
  ["from", "from"],
  ["to", "to"],
  ["by", "by"],
  ["limit", "limit"],
  ["sort", "sort"],
]);

/** `query`'s options from a query string (`?agent=anna&status=pending,running&tag=a&tag=b&sort=-priority`). */
export function queryOptions(params: URLSearchParams): { opts: QueryOptions; agent: string | undefined } {
  const opts: QueryOptions = { status: [], tag: [], meta: [], by: "created", limit: "50", sort: "-created" };
  let agent: string | undefined;
  for (const [key, value] of params) {
    const field = QUERY_PARAMS.get(key);
    if (field === undefined) {
      throw new UsageError(
        `unknown filter '${printable(key)}'`,
        "use agent, status, min-priority, max-priority, tag, group, meta, text, from, to, by, limit or sort",
      );
    }
    if (field === "agent") agent = validateAgent(value);
    else if (field === "status" || field === "tag" || field === "meta") opts[field].push(value);
    else opts[field] = value;
  }
  return { opts, agent };
}

const bodySchema = z.object({ reason: z.string().max(LIMITS.text).optional() }).strict();

async function readBody(req: IncomingMessage): Promise<z.infer<typeof bodySchema>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new UsageError(`the request body is too large (at most ${MAX_BODY} bytes)`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError("the request body is not JSON", 'send {"reason": "…"} or nothing');
  }
  const parsed = bodySchema.safeParse(json);
  if (!parsed.success) throw new UsageError("the request body is not understood", 'send {"reason": "…"} or nothing');
  return parsed.data;
}

function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new UsageError(`invalid task id '${printable(raw)}'`);
  }
}

/** `?lang=` first, then the browser's Accept-Language, then the server's own language. */
export function pageLang(url: URL, acceptLanguage: string | undefined, fallback: Lang): Lang {
  const asked = url.searchParams.get("lang")?.toLowerCase();
  if (asked?.startsWith("zh")) return "zh";
  if (asked?.startsWith("en")) return "en";
  let best: { lang: Lang; q: number } | undefined;
  for (const part of (acceptLanguage ?? "").split(",")) {
    const [tag = "", ...params] = part.trim().toLowerCase().split(";");
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    const lang: Lang | undefined = tag.startsWith("zh") ? "zh" : tag.startsWith("en") ? "en" : undefined;
    if (lang && Number.isFinite(q) && q > 0 && (!best || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? fallback;
}

function sendPage(rc: RouteContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const nonce = randomBytes(16).toString("base64");
  const lang = pageLang(url, req.headers["accept-language"], rc.base.lang);
  const html = renderPage({ lang, nonce, readsNeedToken: rc.guard.readsNeedToken, heartbeatMs: rc.hub.heartbeatMs });
  res.writeHead(200, {
    ...SAFE_HEADERS,
    "Content-Type": "text/html; charset=utf-8",
    "Content-Language": lang === "zh" ? "zh-CN" : "en",
    Vary: "Accept-Language",
    "Content-Security-Policy": [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      "connect-src 'self'",
      "img-src data:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join("; "),
  });
  res.end(html);
  // Beyond loopback a page's reads need its token first: no look at the store on behalf of whoever asked for it.
  if (req.method === "GET" && !rc.guard.readsNeedToken) rc.hub.prepare();
}

const SAFE_HEADERS = {
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
};

function sendHead(res: ServerResponse, type: string): void {
  res.writeHead(200, { ...SAFE_HEADERS, "Content-Type": type });
  res.end();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...SAFE_HEADERS, "Content-Type": "application/json; charset=utf-8" });
  res.end(`${JSON.stringify(body)}\n`);
}

function sendError(res: ServerResponse, status: number, code: string, message: string, hint?: string): void {
  const error: Record<string, string> = { code, message };
  if (hint) error.hint = hint;
  sendJson(res, status, { error });
}

function deny(res: ServerResponse, denial: Denial): void {
  if (denial.status === 401) res.setHeader("WWW-Authenticate", 'Bearer realm="taskpulse"');
  // The request may still be sending a body we will not read: close rather than keep the connection.
  res.setHeader("Connection", "close");
  sendError(res, denial.status, denial.code, denial.message, denial.hint);
}
