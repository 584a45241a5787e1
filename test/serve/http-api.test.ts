// The HTTP API (`serve --api`), end to end: real `taskpulse serve` processes, an agent in another process driving the
// lifecycle with fetch, per-agent tokens, the limits a public server needs, and the OpenAPI document against the
// routes the server answers. Every success answer is checked against the --json schema of its CLI command.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import { commandData, errorEnvelopeSchema, successEnvelope } from "../../src/cli/schemas.ts";
import { EXIT_HEADER, STATUS_OF_EXIT } from "../../src/serve/api.ts";
import { API_ROUTES } from "../../src/serve/api-routes.ts";
import { cli, ROOT, spawnCli, spawnCollect, tempDir } from "../support/helpers.ts";
import { freshDatabase, storeEnv } from "../support/pg-helpers.ts";
import { type Reply, request, type Served, startServe } from "../support/serve-helpers.ts";

const ADMIN = "admin-token-for-the-tests-0123456789";

/** references/openapi.json, and a validator for one of its schemas (its $refs resolved within the document). */
const OPENAPI = JSON.parse(readFileSync(join(ROOT, "references", "openapi.json"), "utf8"));
const DEFS = JSON.parse(JSON.stringify(OPENAPI.components.schemas).replaceAll("#/components/schemas/", "#/$defs/"));
function declared(ref: string): z.ZodType {
  return z.fromJSONSchema({ $defs: DEFS, $ref: ref.replace("#/components/schemas/", "#/$defs/") } as never);
}

async function makeToken(store: string, agent: string, env: Record<string, string> = {}): Promise<{ id: string; token: string }> {
  const r = await spawnCli(store, ["token", "create", "--agent", agent, "--json"], env);
  expect(r.code, r.stderr).toBe(0);
  const data = JSON.parse(r.stdout).data;
  return { id: data.id, token: data.token };
}

function api(
  served: Served,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  return request(`${served.url}api/v1${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

function expectFailure(r: Reply, status: number, code: string): void {
  expect(r.status, r.body).toBe(status);
  expect(errorEnvelopeSchema.safeParse(r.json).error?.issues ?? []).toEqual([]);
  expect(declared("#/components/schemas/ErrorEnvelope").safeParse(r.json).error?.issues ?? []).toEqual([]);
  expect(r.json.error.code).toBe(code);
}

/** The answer matches the --json schema of `command`, and the schema references/openapi.json declares for it. */
function expectEnvelope(command: keyof typeof commandData, r: { status: number; body: unknown }): void {
  const parsed = successEnvelope(commandData[command]).safeParse(r.body);
  expect(parsed.error?.issues ?? [], JSON.stringify(r.body)).toEqual([]);
  const route = API_ROUTES.find((x) => x.command === command);
  const ref =
    OPENAPI.paths[route?.path ?? ""]?.[route?.method.toLowerCase() ?? ""]?.responses["200"].content["application/json"].schema.$ref;
  expect(declared(ref).safeParse(r.body).error?.issues ?? [], JSON.stringify(r.body)).toEqual([]);
}

describe("serve --api on the JSON store", () => {
  let store: string;
  let served: Served;
  let anna: { id: string; token: string };
  let bob: { id: string; token: string };

  beforeAll(async () => {
    // tempDir's cleanup runs after each test; this store must outlive them, so it is made by hand.
    store = mkdtempSync(join(tmpdir(), "tp-api-"));
    anna = await makeToken(store, "anna");
    bob = await makeToken(store, "bob");
    served = await startServe(store, ["--api", "--api-max-body", "2kb"], { TASKPULSE_TOKEN: ADMIN });
  });
  afterAll(async () => {
    expect(await served.stop()).toBe(0);
    rmSync(store, { recursive: true, force: true });
  });

  it("is driven through the whole lifecycle by an agent in another process", async () => {
    const child = await spawnCollect(process.execPath, [join(ROOT, "test", "serve", "api-agent-client.mjs")], {
      env: { PATH: process.env.PATH, TP_BASE: served.url, TP_TOKEN: anna.token, TP_ADMIN: ADMIN },
    });
    expect(child.code, child.stderr).toBe(0);
    const calls = child.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const by = Object.fromEntries(calls.map((c) => [c.step, c]));
    const commandOf: Record<string, keyof typeof commandData> = {
      create: "create",
      claim: "start",
      heartbeat: "heartbeat",
      next: "next",
      done: "done",
      "claim-empty": "start",
      "create-started": "create",
      stop: "stop",
      "heartbeat-stopped": "heartbeat",
      check: "check",
      ack: "ack",
      "check-after": "check",
      "create-broken": "create",
      error: "error",
      status: "status",
      "create-queued": "create",
      start: "start",
    };
    for (const [step, command] of Object.entries(commandOf)) {
      expect(by[step]?.status, `${step}: ${JSON.stringify(by[step]?.body)}`).toBe(200);
      expectEnvelope(command, by[step]);
    }
    expect(by.create.body.data.task).toMatchObject({ agent: "anna", status: "pending", tags: ["ci"], meta: { n: 3 } });
    expect(by.claim.body.data).toMatchObject({ claimed: true, task: { status: "running" } });
    expect(by.claim.body.push.reason).toBe("start");
    expect(by.heartbeat.exit).toBe("0");
    expect(by.next.body.data).toMatchObject({ finished: false, stopRequested: false });
    expect(by.done.body.data.task).toMatchObject({ status: "done", result: "https://ci.example/42" });
    expect(by.done.body.push.reason).toBe("done");
    expect(by["claim-empty"].body.data).toEqual({ task: null, claimed: false, busy: false, waiting: 0 });
    // the stop handshake: exit code 20 is a success (ok: true), said in the header and in the data
    expect(by.stop.body.data.stop.reason).toBe("the user changed their mind");
    expect(by["heartbeat-stopped"]).toMatchObject({ exit: "20", body: { ok: true, data: { stopRequested: true } } });
    expect(by.check).toMatchObject({ exit: "20", body: { data: { stopRequested: true, status: "running" } } });
    expect(by.ack.body.data.task.status).toBe("cancelled");
    expect(by["check-after"]).toMatchObject({ exit: "0", body: { data: { stopRequested: false } } });
    expect(by.error.body.data.task).toMatchObject({ status: "failed", error: "disk full" });
    expect(by.status.body.data).toMatchObject({ archived: false, task: { status: "failed" } });
    expect(by.start.body.data.task.priorityLabel).toBe("P1");
    // a refused change: the CLI's code, its exit code, and the status mapped from it
    expect(by["done-again"]).toMatchObject({ status: 409, exit: "4", body: { ok: false, error: { code: "invalid_transition" } } });
    expect(STATUS_OF_EXIT[4]).toBe(409);

    // The CLI reads what the API wrote, recorded as the agent did it.
    const log = await cli({ store, now: new Date().toISOString() }, "log", by.done.body.data.task.id, "--json");
    expect(log.json.data.entries.map((e: { operator: string }) => e.operator)).toEqual(["anna", "anna", "anna", "anna"]);
  });

  it("keeps an agent's token to its own agent and tasks; the admin token acts as any", async () => {
    const made = await api(served, anna.token, "POST", "/tasks", { name: "Anna's", start: true });
    const id = made.json.data.task.id;
    const before = (await cli({ store }, "log", id, "--json")).json.data.entries.length;
    for (const [method, path, body] of [
      ["POST", `/tasks/${id}/heartbeat`, { message: "not mine" }],
      ["POST", `/tasks/${id}/done`, {}],
      ["POST", `/tasks/${id}/error`, { message: "x" }],
      ["POST", `/tasks/${id}/stop`, {}],
      ["POST", `/tasks/${id}/next`, {}],
      ["POST", `/tasks/${id}/ack`, {}],
      ["GET", `/tasks/${id}/check`, undefined],
      ["GET", `/tasks/${id}`, undefined],
      ["POST", "/tasks", { name: "as anna", agent: "anna" }],
      ["POST", "/claim", { agent: "anna" }],
    ] as const) {
      const r = await api(served, bob.token, method, path, body);
      expectFailure(r, 403, "forbidden");
    }
    expect((await cli({ store }, "log", id, "--json")).json.data.entries.length).toBe(before);
    // its own agent, named or not, is fine
    expect((await api(served, bob.token, "POST", "/tasks", { name: "Bob's", agent: "bob" })).json.data.task.agent).toBe("bob");
    // the admin names the agent it acts as, and may act on any task
    expect((await api(served, ADMIN, "POST", "/tasks", { name: "for carl", agent: "carl" })).json.data.task.agent).toBe("carl");
    expectFailure(await api(served, ADMIN, "POST", "/tasks", { name: "for nobody" }), 400, "usage");
    expect((await api(served, ADMIN, "POST", `/tasks/${id}/done`, {})).json.data.task.status).toBe("done");
    // revoked: refused at the next request
    expect((await spawnCli(store, ["token", "revoke", bob.id])).code).toBe(0);
    const gone = await api(served, bob.token, "GET", `/tasks/${id}/check`);
    expectFailure(gone, 401, "unauthorized");
    expect(gone.headers["www-authenticate"]).toBe('Bearer realm="taskpulse"');
    bob = await makeToken(store, "bob");
  });

  it("answers bad requests with the envelope and a documented status, changing nothing", async () => {
    const id = (await api(served, anna.token, "POST", "/tasks", { name: "Target", start: true })).json.data.task.id;
    const before = (await cli({ store }, "log", id, "--json")).json.data.entries.length;
    expectFailure(await api(served, undefined, "POST", `/tasks/${id}/done`, {}), 401, "unauthorized");
    expectFailure(await api(served, "tpa_not-a-real-token", "POST", `/tasks/${id}/done`, {}), 401, "unauthorized");
    expectFailure(await api(served, anna.token, "POST", `/tasks/${id}/done`, "{not json"), 400, "usage");
    expectFailure(await api(served, anna.token, "POST", `/tasks/${id}/done`, { result: "x", colour: "red" }), 400, "usage");
    expectFailure(await api(served, anna.token, "POST", `/tasks/${id}/error`, {}), 400, "usage");
    expectFailure(await api(served, anna.token, "POST", `/tasks/${id}/heartbeat`, { progress: 140 }), 400, "usage");
    const typed = await api(served, anna.token, "POST", `/tasks/${id}/done`, "result=x", { "Content-Type": "text/plain" });
    expectFailure(typed, 415, "unsupported_media_type");
    expectFailure(await api(served, anna.token, "GET", `/tasks/${id}/check?colour=red`), 400, "usage");
    const missing = await api(served, anna.token, "POST", "/tasks/zzzzzz/done", {});
    expectFailure(missing, 404, "not_found");
    expect(missing.headers[EXIT_HEADER.toLowerCase()]).toBe("3");
    expectFailure(await api(served, anna.token, "GET", "/no-such-route"), 404, "no_route");
    const wrong = await api(served, anna.token, "DELETE", `/tasks/${id}`);
    expectFailure(wrong, 405, "method_not_allowed");
    expect(wrong.headers.allow).toBe("GET");
    expect((await cli({ store }, "log", id, "--json")).json.data.entries.length).toBe(before);
  });

  it("refuses a body over the limit with 413, declared or streamed", async () => {
    const big = JSON.stringify({ name: "x".repeat(3000) });
    expectFailure(await api(served, anna.token, "POST", "/tasks", big), 413, "body_too_large");
    // without Content-Length (chunked): counted as it comes
    const streamed = await new Promise<Reply>((resolve, reject) => {
      const socket = connect(served.port, "127.0.0.1");
      let text = "";
      socket.on("data", (d) => {
        text += d;
      });
      socket.on("error", reject);
      socket.on("close", () => {
        const body = text.slice(text.indexOf("\r\n\r\n") + 4);
        resolve({
          status: Number(text.split(" ")[1]),
          headers: {},
          body,
          json: JSON.parse(body.slice(body.indexOf("{"), body.lastIndexOf("}") + 1)),
        });
      });
      socket.write(
        `POST /api/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${anna.token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      );
      for (let i = 0; i < 4; i++) socket.write(`400\r\n${"x".repeat(0x400)}\r\n`);
    });
    expectFailure(streamed, 413, "body_too_large");
  });

  it("serves exactly the routes references/openapi.json describes", async () => {
    const doc = OPENAPI;
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    // each documented operation is answered by a handler (not "no route", not "method not allowed") ...
    for (const route of API_ROUTES) {
      const r = await api(
        served,
        ADMIN,
        route.method,
        route.path.replace("/api/v1", "").replace("{id}", "zzzzzz"),
        route.method === "POST" ? {} : undefined,
      );
      expect(["no_route", "method_not_allowed"], `${route.method} ${route.path}`).not.toContain(r.json.error?.code);
      // ... and declares the schema its answers were checked against above
      const op = doc.paths[route.path][route.method.toLowerCase()];
      expect(op.responses["200"].content["application/json"].schema.$ref).toBe(`#/components/schemas/Success.${route.command}`);
      expect(doc.components.schemas[`Success.${route.command}`]).toBeDefined();
    }
    // ... and the neighbours of the documented paths are not served
    for (const [method, path] of [
      ["GET", "/tasks"],
      ["PUT", "/tasks/zzzzzz"],
      ["GET", "/tasks/zzzzzz/done"],
      ["POST", "/tasks/zzzzzz/retry"],
      ["GET", "/claim"],
    ] as const) {
      const r = await api(served, ADMIN, method, path);
      expect(["no_route", "method_not_allowed"], `${method} ${path}`).toContain(r.json.error.code);
    }
  });
});

describe("serve --api limits", () => {
  it("gives each token its own budget: past it, 429 with Retry-After", async () => {
    const store = tempDir("tp-api-rate-");
    const anna = await makeToken(store, "anna");
    const bob = await makeToken(store, "bob");
    const served = await startServe(store, ["--api", "--api-rate", "3/h"], { TASKPULSE_TOKEN: ADMIN });
    try {
      const id = (await api(served, anna.token, "POST", "/tasks", { name: "t" })).json.data.task.id;
      expect((await api(served, anna.token, "GET", `/tasks/${id}`)).status).toBe(200);
      expect((await api(served, anna.token, "GET", `/tasks/${id}`)).status).toBe(200);
      const limited = await api(served, anna.token, "GET", `/tasks/${id}`);
      expectFailure(limited, 429, "rate_limited");
      expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
      // another token's budget is its own
      expect((await api(served, bob.token, "POST", "/tasks", { name: "b" })).status).toBe(200);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });

  it("closes a connection whose request does not arrive in time (408)", async () => {
    // a server of its own: a short timeout on the shared one could cut off a slow but honest request under load
    const store = tempDir("tp-api-slow-");
    const anna = await makeToken(store, "anna");
    const served = await startServe(store, ["--api", "--request-timeout", "400ms"], { TASKPULSE_TOKEN: ADMIN });
    const slow = (partial: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(served.port, "127.0.0.1");
        let text = "";
        socket.on("data", (d) => {
          text += d;
        });
        socket.on("error", reject);
        socket.on("close", () => resolve(text));
        socket.write(partial);
      });
    try {
      // headers that never end, and a body that never comes: the server, not the client, ends both
      expect(await slow(`POST /api/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${anna.token}\r\n`)).toMatch(
        /^HTTP\/1.1 408/,
      );
      expect(
        await slow(
          `POST /api/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${anna.token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na`,
        ),
      ).toMatch(/^HTTP\/1.1 408/);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });

  it("is off unless asked for, and its options are checked", async () => {
    const store = tempDir("tp-api-off-");
    const anna = await makeToken(store, "anna");
    const served = await startServe(store, [], { TASKPULSE_TOKEN: ADMIN });
    try {
      expect((await api(served, anna.token, "POST", "/tasks", { name: "t" })).status).toBe(404);
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    } finally {
      await served.stop();
    }
    for (const args of [
      ["--api-rate", "3/h"],
      ["--api", "--api-rate", "fast"],
      ["--api", "--api-max-body", "0"],
      ["--request-timeout", "1ms"],
    ]) {
      const r = await cli({ store }, "serve", "--port", "0", ...args);
      expect(r.code, args.join(" ")).toBe(2);
    }
  });
});

describe("token", () => {
  it("prints a token once, keeps only its digest, and refuses bad input without changing anything", async () => {
    const store = tempDir("tp-token-");
    const made = await cli({ store }, "token", "create", "--agent", "anna", "--label", "box", "--json");
    expect(made.code).toBe(0);
    const { id, token } = made.json.data;
    expect(token).toMatch(/^tpa_[A-Za-z0-9_-]{43}$/);
    const file = readFileSync(join(store, "state", "taskpulse.api-tokens.json"), "utf8");
    expect(file).not.toContain(token);
    expect(file).not.toContain(token.slice(4));
    const list = await cli({ store }, "token", "list");
    expect(list.stdout).toContain(id);
    expect(list.stdout).not.toContain(token);
    expect((await cli({ store }, "token", "list", "--json")).json.data.tokens).toEqual([
      { id, agent: "anna", createdAt: "2026-05-01T10:00:00.000Z", label: "box" },
    ]);
    for (const [argv, code] of [
      [["token", "create"], 2],
      [["token", "create", "--agent", "no spaces"], 2],
      [["token", "revoke"], 2],
      [["token", "revoke", "nonsense"], 2],
      [["token", "revoke", "tok_000000000000"], 3],
      [["state", "set", "taskpulse.api-tokens", "{}"], 2],
      [["state", "get", "taskpulse.api-tokens"], 2],
    ] as const) {
      expect((await cli({ store }, ...argv)).code, argv.join(" ")).toBe(code);
    }
    expect(readFileSync(join(store, "state", "taskpulse.api-tokens.json"), "utf8")).toBe(file);
    expect((await cli({ store }, "state", "list", "--json")).json.data.documents).toEqual([]);
    expect((await cli({ store }, "token", "revoke", "--all", "--json")).json.data.revoked.map((k: { id: string }) => k.id)).toEqual([id]);
  });
});

describe("serve --api on PostgreSQL", () => {
  it("keeps tokens in the database and confines them the same way", async () => {
    const url = await freshDatabase();
    const env = storeEnv(url, { TASKPULSE_TOKEN: ADMIN });
    const run = (args: string[]) => spawnCollect(process.execPath, [join(ROOT, "bin", "taskpulse.js"), ...args], { env });
    const tokenOf = async (agent: string) => {
      const r = await run(["token", "create", "--agent", agent, "-q"]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    const anna = await tokenOf("anna");
    const bob = await tokenOf("bob");
    const served = await startServe(tempDir("tp-api-pg-home-"), ["--api"], { TASKPULSE_STORE: url, TASKPULSE_TOKEN: ADMIN });
    try {
      const made = await api(served, anna, "POST", "/tasks", { name: "on pg", steps: ["a"], start: true });
      expectEnvelope("create", { status: made.status, body: made.json });
      const id = made.json.data.task.id;
      const refused = await api(served, bob, "POST", `/tasks/${id}/done`, {});
      expect(refused.status, served.stderr()).toBe(403);
      expectFailure(refused, 403, "forbidden");
      const hb = await api(served, anna, "POST", `/tasks/${id}/heartbeat`, { progress: "1/2" });
      expectEnvelope("heartbeat", { status: hb.status, body: hb.json });
      expect((await api(served, anna, "POST", `/tasks/${id}/done`, { result: "ok" })).json.data.task.status).toBe("done");
      const listed = await run(["token", "list", "--json"]);
      expect(
        JSON.parse(listed.stdout)
          .data.tokens.map((k: { agent: string }) => k.agent)
          .sort(),
      ).toEqual(["anna", "bob"]);
      expect(listed.stdout).not.toContain(anna);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });
});
