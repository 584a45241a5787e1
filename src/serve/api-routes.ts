// The routes of the HTTP API (`serve --api`), as data: the server dispatches from this table, and references/
// openapi.json is generated from it (scripts/gen-docs.ts), so a route cannot be served without being documented or
// documented without being served (test/serve/http-api.test.ts checks both ways). Request bodies are zod schemas,
// strict: a field the API does not know is refused (400), not ignored.
import { z } from "zod";

const agent = z.string().optional().describe("an admin token: act as this agent; an agent's token: its own agent or nothing");
const text = (what: string) => z.string().optional().describe(what);

export const bodySchemas = {
  create: z
    .object({
      agent,
      name: z.string().describe("the task's name"),
      steps: z.array(z.string()).optional().describe('step names, each optionally with a time budget ("write:2m")'),
      priority: z.union([z.number().int(), z.string()]).optional().describe("1-10 (higher first) or P0-P3"),
      description: text("description"),
      tags: z.array(z.string()).optional(),
      after: z.array(z.string()).optional().describe("ids of tasks it waits for"),
      group: text("group label"),
      meta: z.record(z.string(), z.unknown()).optional().describe("parameters: any JSON values"),
      start: z.boolean().optional().describe("start it now (the agent's running limit does not apply)"),
      maxRetries: z.number().int().optional(),
      stallAfter: text('silence after which it counts as stalled, e.g. "10m"'),
      notify: z.enum(["all", "steps", "final", "silent"]).optional(),
      channel: text("push route: channel"),
      target: text("push route: chat or user id"),
      account: text("push route: account id"),
      thread: text("push route: thread id"),
    })
    .strict(),
  agentOnly: z.object({ agent }).strict(),
  next: z.object({ agent, message: text("what the finished step did") }).strict(),
  heartbeat: z
    .object({
      agent,
      message: text("what is happening"),
      progress: z.union([z.number(), z.string()]).optional().describe('percent (60), "60%", a fraction "0.6" or a count "3/5"'),
      waiting: text("waiting on something outside (not stalled meanwhile)"),
      for: text('with waiting: for how long at most, e.g. "30m"'),
    })
    .strict(),
  done: z.object({ agent, result: text("the result, e.g. a link") }).strict(),
  error: z
    .object({
      agent,
      message: z.string().describe("what went wrong (required)"),
      retry: z.boolean().optional().describe("false: retry refuses it"),
      step: text("the step that failed, when not the running one"),
    })
    .strict(),
  stop: z.object({ agent, reason: text("why") }).strict(),
  ack: z.object({ agent, summary: text("what was done before stopping") }).strict(),
} satisfies Record<string, z.ZodType>;

type BodyName = keyof typeof bodySchemas;

/**
 * One route. `command`: the CLI command whose --json `data` the success answer carries (references/json-schemas.md);
 * `stopExit`: it may answer exit code 20 (a stop is requested), with ok true.
 */
export interface ApiRoute {
  method: "GET" | "POST";
  /** With `{id}` for the task id or unique prefix. */
  path: string;
  operationId: string;
  summary: string;
  command: "create" | "start" | "next" | "heartbeat" | "done" | "error" | "stop" | "check" | "ack" | "status";
  body?: BodyName;
  stopExit?: true;
}

export const API_PREFIX = "/api/v1";

export const API_ROUTES: readonly ApiRoute[] = [
  {
    method: "POST",
    path: "/api/v1/tasks",
    operationId: "createTask",
    summary: "create a task (queued, or started)",
    command: "create",
    body: "create",
  },
  {
    method: "POST",
    path: "/api/v1/claim",
    operationId: "claimNextTask",
    summary: "take the agent's next queued task (`start` without an id)",
    command: "start",
    body: "agentOnly",
  },
  {
    method: "GET",
    path: "/api/v1/tasks/{id}",
    operationId: "getTaskStatus",
    summary: "a task's status (`status <id>`)",
    command: "status",
  },
  {
    method: "POST",
    path: "/api/v1/tasks/{id}/start",
    operationId: "startTask",
    summary: "start a queued task",
    command: "start",
    body: "agentOnly",
  },
  {
    method: "POST",
    path: "/api/v1/tasks/{id}/next",
    operationId: "nextStep",
    summary: "finish the running step, start the next",
    command: "next",
    body: "next",
    stopExit: true,
  },
  {
    method: "POST",
    path: "/api/v1/tasks/{id}/heartbeat",
    operationId: "heartbeat",
    summary: "proof of life, with progress",
    command: "heartbeat",
    body: "heartbeat",
    stopExit: true,
  },
  {
    method: "POST",
    path: "/api/v1/tasks/{id}/done",
    operationId: "completeTask",
    summary: "finish the task",
    command: "done",
    body: "done",
  },
  {
    method: "POST",
    path: "/api/v1/tasks/{id}/error",
    operationId: "failTask",
    summary: "the task failed",
    command: "error",
    body: "error",
  },
  {
    method: "POST",
    path: "/api/v1/tasks/{id}/stop",
    operationId: "requestStop",
    summary: "ask the task to stop",
    command: "stop",
    body: "stop",
  },
  {
    method: "GET",
    path: "/api/v1/tasks/{id}/check",
    operationId: "checkStop",
    summary: "whether a stop is requested (exit code 20)",
    command: "check",
    stopExit: true,
  },
  {
    method: "POST",
    path: "/api/v1/tasks/{id}/ack",
    operationId: "acknowledgeStop",
    summary: "acknowledge a stop",
    command: "ack",
    body: "ack",
  },
];

/** The route and the task id of a method and path, or why there is none. */
export function matchRoute(
  method: string,
  path: string,
): { route: ApiRoute; id: string | undefined } | { route: undefined; allowed: readonly string[] } {
  const allowed: string[] = [];
  for (const route of API_ROUTES) {
    const pattern = new RegExp(`^${route.path.replace("{id}", "([^/]+)")}$`);
    const m = pattern.exec(path);
    if (!m) continue;
    if (route.method === method) return { route, id: m[1] };
    allowed.push(route.method);
  }
  return { route: undefined, allowed };
}
