// The HTTP API (`taskpulse serve --api`, references/http-api.md): the task lifecycle for agents that cannot run the
// CLI on the store's host. Each route calls the same use case as its CLI command (src/app) and answers with the
// same envelope, `data` and push as that command's --json, and its exit code in the Taskpulse-Exit-Code header.
// Order of checks, so that nothing is read or written for a request that will be refused: route, token, rate,
// body size and type, body shape; then the use case, whose change is refused under the lock when an agent's token
// names another agent's task.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import type { Ctx } from "../app/context.ts";
import { createTaskFrom } from "../app/create.ts";
import { recordHeartbeat } from "../app/heartbeat.ts";
import { claimNextTask, startTaskById } from "../app/start.ts";
import { taskStatus } from "../app/status.ts";
import { acknowledgeStop, advanceTask, checkStop, completeTask, failTask, requestStop } from "../app/transitions.ts";
import { errorEnvelope, successEnvelope } from "../core/envelope.ts";
import { EXIT, TaskpulseError, UsageError } from "../core/errors.ts";
import type { Route } from "../core/model.ts";
import { cleanName, printable } from "../core/names.ts";
import type { Push } from "../core/push.ts";
import { isDiskError } from "../store/disk-error.ts";
import { ApiError, actingAgent, authenticate, type Caller, ForbiddenError, ownTasksOnly, type RateLimiter } from "./api-auth.ts";
import { type ApiRoute, bodySchemas, matchRoute } from "./api-routes.ts";
import { type Guard, headerToken } from "./auth.ts";

export interface ApiContext {
  /** The serve command's context; each request gets a copy with the time, the agent and the caller's limits. */
  base: Ctx;
  clock: () => Date;
  guard: Guard;
  limiter: RateLimiter;
  /** The largest request body read (bytes); larger ones are answered 413 unread. */
  maxBody: number;
  log: (line: string) => void;
}

/** The HTTP status of each exit code (references/http-api.md). 20 is a success: the envelope says ok. */
export const STATUS_OF_EXIT: Readonly<Record<number, number>> = {
  [EXIT.ok]: 200,
  [EXIT.stopRequested]: 200,
  [EXIT.internal]: 500,
  [EXIT.usage]: 400,
  [EXIT.notFound]: 404,
  [EXIT.conflict]: 409,
  [EXIT.busy]: 503,
  [EXIT.corrupt]: 500,
};

export const EXIT_HEADER = "Taskpulse-Exit-Code";

interface Answer {
  data: unknown;
  push: Push | null;
  exitCode: number;
}

export async function handleApi(ac: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  try {
    const method = req.method ?? "GET";
    const match = matchRoute(method, url.pathname);
    if (!match.route) {
      if (match.allowed.length === 0)
        throw new ApiError(404, "no_route", `no API route ${printable(url.pathname)}`, "see references/http-api.md");
      throw new ApiError(405, "method_not_allowed", `${printable(method)} is not supported here`, undefined, {
        Allow: match.allowed.join(", "),
      });
    }
    const caller = await authenticate(ac.base, ac.guard, headerToken(req.headers));
    ac.limiter.take(caller);
    const route = match.route;
    const body = route.body ? await readBody(req, ac.maxBody, bodySchemas[route.body]) : queryAgent(url);
    const id = match.id === undefined ? undefined : decodeId(match.id);
    const answer = await perform(route, requestCtx(ac, caller, body), id, body);
    send(res, STATUS_OF_EXIT[answer.exitCode] ?? 500, successEnvelope(answer.data, answer.push), {
      [EXIT_HEADER]: String(answer.exitCode),
    });
  } catch (err) {
    sendApiFailure(res, err, ac.log);
  }
}

type Body = { agent?: string | undefined } & Record<string, unknown>;

function requestCtx(ac: ApiContext, caller: Caller, body: Body): Ctx {
  const agent = actingAgent(caller, body.agent, () => "admin");
  const mayActOn = ownTasksOnly(caller);
  return {
    ...ac.base,
    now: ac.clock(),
    agent,
    agentFlag: agent,
    agentExplicit: caller.kind === "agent" || body.agent !== undefined,
    // The caller gets the push in the answer and sends it, as with --json; serve --send does not deliver it.
    announce: true,
    send: false,
    route: routeOf(ac.base.route, body),
    ...(mayActOn ? { mayActOn } : {}),
  };
}

function routeOf(base: Route, body: Body): Route {
  const route: Route = { ...base };
  for (const key of ["channel", "target", "account", "thread"] as const) {
    const value = body[key];
    if (typeof value === "string") route[key] = cleanName(value, key);
  }
  return route;
}

/** Create and claim need an agent: an agent's token names it; the admin must. */
function needAgent(ctx: Ctx): void {
  if (!ctx.agentExplicit) throw new UsageError("the admin token must name the agent", 'send {"agent": "<name>", …}');
}

async function perform(route: ApiRoute, ctx: Ctx, idArg: string | undefined, body: Body): Promise<Answer> {
  const id = idArg ?? "";
  const str = (key: string) => (typeof body[key] === "string" ? (body[key] as string) : undefined);
  const ok = (data: unknown, push: Push | null = null, exitCode: number = EXIT.ok): Answer => ({ data, push, exitCode });
  switch (route.operationId) {
    case "createTask": {
      needAgent(ctx);
      const b = body as z.infer<typeof bodySchemas.create>;
      const opt = <T>(value: T | undefined, f: (v: T) => string) => (value === undefined ? undefined : f(value));
      const { task, push } = await createTaskFrom(ctx, b.name, b.steps ?? [], {
        step: [],
        tag: b.tags ?? [],
        after: b.after ?? [],
        meta: Object.entries(b.meta ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
        start: b.start === true,
        ...defined({
          priority: opt(b.priority, String),
          description: b.description,
          group: b.group,
          maxRetries: opt(b.maxRetries, String),
          stallAfter: b.stallAfter,
          notify: b.notify,
        }),
      });
      return ok({ task }, push);
    }
    case "claimNextTask": {
      needAgent(ctx);
      const d = await claimNextTask(ctx);
      if (d.kind === "claim") return ok({ task: d.task, claimed: true }, d.push);
      if (d.kind === "busy") return ok({ task: null, claimed: false, busy: true, running: d.running.map((r) => r.id), limit: d.limit });
      return ok({ task: null, claimed: false, busy: false, waiting: d.waiting });
    }
    case "getTaskStatus": {
      const { task, archived, push, warnings, ...info } = await taskStatus(ctx, id, true);
      for (const w of warnings) ctx.deps.stderr(`warning: ${w}\n`);
      return ok({ task, ...info, archived }, push);
    }
    case "startTask": {
      const { task, push } = await startTaskById(ctx, id);
      return ok({ task, claimed: true }, push);
    }
    case "nextStep": {
      const { task, push, finished, stopRequested } = await advanceTask(ctx, id, str("message") ?? "");
      return ok({ task, finished, stopRequested }, push, stopRequested ? EXIT.stopRequested : EXIT.ok);
    }
    case "heartbeat": {
      const b = body as z.infer<typeof bodySchemas.heartbeat>;
      const opts = defined({ progress: b.progress === undefined ? undefined : String(b.progress), waiting: b.waiting, for: b.for });
      const { task, push, stop } = await recordHeartbeat(ctx, id, b.message ?? "", opts);
      return ok({ task, stopRequested: stop !== null, stop }, push, stop ? EXIT.stopRequested : EXIT.ok);
    }
    case "completeTask": {
      const { task, push } = await completeTask(ctx, id, str("result") ?? "");
      return ok({ task }, push);
    }
    case "failTask": {
      const b = body as z.infer<typeof bodySchemas.error>;
      const { task, push } = await failTask(ctx, id, b.message, defined({ retry: b.retry, step: b.step }));
      return ok({ task }, push);
    }
    case "requestStop": {
      const { task, push, repeated } = await requestStop(ctx, id, str("reason") ?? "");
      return ok({ task, stop: task.stop ?? null, repeated }, push);
    }
    case "checkStop": {
      const { task, stopRequested, stop } = await checkStop(ctx, id);
      return ok({ task: task.id, status: task.status, stopRequested, stop }, null, stopRequested ? EXIT.stopRequested : EXIT.ok);
    }
    case "acknowledgeStop": {
      const { task, push } = await acknowledgeStop(ctx, id, str("summary") ?? "");
      return ok({ task }, push);
    }
    default:
      throw new Error(`route ${route.operationId} has no handler`);
  }
}

/** The object without its undefined fields (the use cases' options are exact optional properties). */
function defined<T extends Record<string, unknown>>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** A GET's only parameter: `agent` (an admin acting as it). */
function queryAgent(url: URL): Body {
  const body: Body = {};
  for (const [key, value] of url.searchParams) {
    if (key !== "agent") throw new UsageError(`unknown parameter '${printable(key)}'`, "the only parameter is agent");
    body.agent = value;
  }
  return body;
}

async function readBody<S extends z.ZodType>(req: IncomingMessage, maxBody: number, schema: S): Promise<Body & z.infer<S>> {
  const tooLarge = () =>
    new ApiError(413, "body_too_large", `the request body is larger than ${maxBody} bytes`, "send less (see serve --api-max-body)", {
      Connection: "close",
    });
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > maxBody) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBody) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return schema.parse({}) as Body & z.infer<S>;
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "application/json" && !/^application\/[\w.+-]+\+json$/.test(type)) {
    throw new ApiError(415, "unsupported_media_type", "the request body must be JSON", "send Content-Type: application/json");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError("the request body is not valid JSON", "send one JSON object");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
    throw new UsageError(`the request body is not understood${where}: ${issue?.message ?? "invalid"}`, "see references/http-api.md");
  }
  return parsed.data as Body & z.infer<S>;
}

function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new UsageError(`invalid task id '${printable(raw)}'`);
  }
}

/** Every failure as the --json error envelope: use-case errors with their exit code and its HTTP status. */
function sendApiFailure(res: ServerResponse, err: unknown, log: (line: string) => void): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (err instanceof ApiError) {
    send(res, err.status, errorEnvelope(err.code, err.message, err.hint), err.headers);
    return;
  }
  if (err instanceof ForbiddenError) {
    send(res, 403, errorEnvelope(err.code, err.message, err.hint), {});
    return;
  }
  if (err instanceof TaskpulseError) {
    const headers: Record<string, string> = { [EXIT_HEADER]: String(err.exitCode) };
    if (err.exitCode === EXIT.busy) headers["Retry-After"] = "1";
    send(res, STATUS_OF_EXIT[err.exitCode] ?? 500, errorEnvelope(err.code, err.message, err.hint), headers);
    return;
  }
  if (isDiskError(err)) {
    const reason = (err as Error).message;
    const hint = "the previous state is intact; check the store directory's permissions and free space";
    send(res, 500, errorEnvelope("io_error", `cannot use the store: ${reason}`, hint), { [EXIT_HEADER]: String(EXIT.corrupt) });
    return;
  }
  log(`internal error: ${err instanceof Error ? err.message : String(err)}`);
  send(res, 500, errorEnvelope("internal", "internal error", "see the output of taskpulse serve"), {
    [EXIT_HEADER]: String(EXIT.internal),
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  res.writeHead(status, {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Type": "application/json; charset=utf-8",
    ...headers,
  });
  res.end(`${JSON.stringify(body)}\n`);
}
