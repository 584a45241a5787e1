// Who may do what on the dashboard. Guarantees: no change without the token, sent in a header a cross-site form
// cannot set; no request from another origin (a page elsewhere) gets past the Origin check; and while bound to
// loopback, a Host header naming anything but this machine is refused, so a DNS-rebinding page cannot read either.
// Bound anywhere else, every request needs the token, reads included: in a header, or in the HttpOnly,
// SameSite=Strict cookie that `POST /api/session` sets after checking it (EventSource cannot send headers). Never in
// the URL, where it would end up in history, proxies' logs and Referer headers.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { isIP } from "node:net";

/** Names and addresses that only this machine answers to. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost") || h === "::1") return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  return /^::ffff:127\./.test(h);
}

/** The host name of a Host header (`127.0.0.1:8787`, `[::1]:8787`, `localhost`), without the port. */
export function hostName(hostHeader: string): string {
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d+)?$/.exec(hostHeader.trim());
  return (m?.[1] ?? "").toLowerCase();
}

export type Denial = { status: 400 | 401 | 403; code: string; message: string; hint?: string };

export interface Guard {
  /** Bound to a loopback address: reads are open to this machine, Host headers are checked. */
  loopback: boolean;
  token: string;
  /** Reads (the data, the event stream) need the token too: always when bound beyond loopback. */
  readsNeedToken: boolean;
}

/** Checks that apply to every request: the Host (DNS rebinding) and the Origin (another site's page). */
export function checkOrigin(guard: Guard, headers: IncomingHttpHeaders): Denial | undefined {
  const host = headers.host ?? "";
  if (guard.loopback && !isLoopbackHost(hostName(host))) {
    return {
      status: 403,
      code: "bad_host",
      message: `this dashboard answers only to this machine's own names, not '${hostName(host).slice(0, 60)}'`,
      hint: "open it as http://127.0.0.1:<port>/ or http://localhost:<port>/",
    };
  }
  const origin = headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) {
    return { status: 403, code: "cross_origin", message: "requests from other origins are refused" };
  }
  return undefined;
}

/** Where a request presented its token: a header (any client) or the page's cookie (reads of the page only). */
export type Presented = { token: string; via: "header" | "cookie" };

/**
 * The token a request presents: `Authorization: Bearer …`, then `X-Taskpulse-Token`, then the dashboard's cookie.
 * A malformed Authorization header presents an empty token (refused), not none.
 */
export function presentedToken(headers: IncomingHttpHeaders): Presented | undefined {
  const auth = headers.authorization;
  if (auth !== undefined) return { token: /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] ?? "", via: "header" };
  const own = headers["x-taskpulse-token"];
  const value = Array.isArray(own) ? own[0] : own;
  if (value !== undefined) return { token: value, via: "header" };
  const cookie = cookieValue(headers.cookie, cookieName(headers.host));
  return cookie === undefined ? undefined : { token: cookie, via: "cookie" };
}

/** The token presented in a header only: changes and the API take it so, never from the page's cookie. */
export function headerToken(headers: IncomingHttpHeaders): string | undefined {
  const presented = presentedToken(headers);
  return presented?.via === "header" ? presented.token : undefined;
}

/**
 * The cookie's name carries the port: cookies are shared by every port of a host, and two dashboards on one machine
 * must not overwrite each other's.
 */
export function cookieName(hostHeader: string | undefined): string {
  const port = /:(\d+)$/.exec(hostHeader ?? "")?.[1];
  return port ? `taskpulse_token_${port}` : "taskpulse_token";
}

/** The Set-Cookie value that keeps the token for this browser session: no script can read it, no other site send it. */
export function tokenCookie(hostHeader: string | undefined, token: string): string {
  return `${cookieName(hostHeader)}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return "";
      }
    }
  }
  return undefined;
}

export function checkToken(guard: Guard, given: string | undefined): Denial | undefined {
  const hint = "send the token printed by `taskpulse serve` as Authorization: Bearer <token> (or X-Taskpulse-Token)";
  if (given === undefined || given === "") {
    return { status: 401, code: "unauthorized", message: "this needs the dashboard's token", hint };
  }
  if (!sameSecret(given, guard.token)) return { status: 403, code: "forbidden", message: "wrong token", hint };
  return undefined;
}

/** Constant-time comparison (of digests, so the lengths need not match). */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(a), digest(b));
}
