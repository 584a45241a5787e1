// Who is calling the HTTP API, and how often they may. Guarantees: every API request carries a token (the serve
// token, for people: any agent; or an agent's token from `taskpulse token create`: that agent only), checked before
// the body is read; an agent's token never acts on another agent's task (the check runs under the store lock, on the
// task the change applies to: Ctx.mayActOn); each token has its own request budget (a token bucket), so one
// runaway agent cannot starve the others.

import { findApiToken } from "../app/api-tokens.ts";
import type { Ctx } from "../app/context.ts";
import { EXIT, TaskpulseError } from "../core/errors.ts";
import type { Task } from "../core/model.ts";
import { validateAgent } from "../core/names.ts";
import { checkToken, type Guard } from "./auth.ts";

/** An answer the API gives without a use case behind it (no exit code): 401, 403, 404, 405, 413, 415, 429. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * An agent's token acting on another agent's task: 403. A TaskpulseError, because it is thrown inside a store
 * transaction, which passes those through as they are (and rolls back); its exit code is never shown.
 */
export class ForbiddenError extends TaskpulseError {
  constructor(message: string, hint?: string) {
    super("forbidden", EXIT.usage, message, hint);
  }
}

export type Caller = { kind: "admin" } | { kind: "agent"; agent: string; tokenId: string };

const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="taskpulse"' };
const HINT = "send a token as Authorization: Bearer <token>: an agent's (taskpulse token create --agent <name>) or the serve token";

/** The caller a token names; 401 when there is none or it is unknown (or revoked). */
export async function authenticate(ctx: Ctx, guard: Guard, given: string | undefined): Promise<Caller> {
  if (given === undefined || given === "") throw new ApiError(401, "unauthorized", "the API needs a token", HINT, CHALLENGE);
  if (checkToken(guard, given) === undefined) return { kind: "admin" };
  const found = await findApiToken(ctx.store("serve"), given);
  if (!found) throw new ApiError(401, "unauthorized", "unknown or revoked token", HINT, CHALLENGE);
  return { kind: "agent", agent: found.agent, tokenId: found.id };
}

/** The agent a request acts as: an agent's token, its own; the admin, the `agent` it names (or `fallback`). */
export function actingAgent(caller: Caller, asked: string | undefined, fallback: () => string): string {
  const named = asked === undefined ? undefined : validateAgent(asked);
  if (caller.kind === "admin") return named ?? fallback();
  if (named !== undefined && named !== caller.agent) {
    throw new ApiError(403, "forbidden", `this token acts as agent ${caller.agent}, not ${named}`, "use that agent's own token");
  }
  return caller.agent;
}

/** Ctx.mayActOn for a caller: an agent's token may act only on its agent's tasks. */
export function ownTasksOnly(caller: Caller): ((task: Task) => void) | undefined {
  if (caller.kind === "admin") return undefined;
  return (task) => {
    if (task.agent !== caller.agent) {
      throw new ForbiddenError(
        `task ${task.id} belongs to agent ${task.agent}; this token acts as ${caller.agent}`,
        "use that agent's own token",
      );
    }
  };
}

export interface Rate {
  /** Requests a token may make at once (the bucket's size) and per `perMs` on average. */
  count: number;
  perMs: number;
}

/** A token bucket per caller: `count` requests at once, refilled evenly over `perMs`. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rate: Rate,
    private readonly clock: () => number,
  ) {}

  /** Takes one request from the caller's budget; 429 with Retry-After (whole seconds) when it is spent. */
  take(caller: Caller): void {
    const key = caller.kind === "admin" ? "admin" : caller.tokenId;
    const now = this.clock();
    const perMsRate = this.rate.count / this.rate.perMs;
    const bucket = this.buckets.get(key) ?? { tokens: this.rate.count, at: now };
    bucket.tokens = Math.min(this.rate.count, bucket.tokens + (now - bucket.at) * perMsRate);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    const wait = Math.max(1, Math.ceil((1 - bucket.tokens) / perMsRate / 1000));
    throw new ApiError(
      429,
      "rate_limited",
      `too many requests with this token (at most ${this.rate.count} per ${this.rate.perMs / 1000} s)`,
      `retry after ${wait} s`,
      { "Retry-After": String(wait) },
    );
  }
}
