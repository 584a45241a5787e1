// A real `taskpulse serve` process for the dashboard tests, and small HTTP and SSE clients for it.
import type { ChildProcess } from "node:child_process";
import { request as httpRequest } from "node:http";
import { BIN, cleanEnv, spawnLive } from "./helpers.ts";

export interface Served {
  child: ChildProcess;
  /** http://127.0.0.1:<port>/ */
  url: string;
  port: number;
  token: string;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM, then the exit code. */
  stop: () => Promise<number | null>;
}

export async function startServe(store: string, args: string[] = [], env: Record<string, string> = {}): Promise<Served> {
  const live = spawnLive(process.execPath, [BIN, "serve", "--port", "0", ...args], { env: cleanEnv(store, env) });
  const { child } = live;
  const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  // Ready when it prints its address (the test's own timeout bounds the wait, not a clock of ours).
  const banner = await new Promise<RegExpExecArray>((res, rej) => {
    const look = () => {
      const m = /(http:\/\/[^\s/]+:(\d+)\/)#token=(\S+)/.exec(live.stdout());
      if (m) res(m);
    };
    child.stdout?.on("data", look);
    look();
    child.on("exit", (code) => rej(new Error(`serve exited ${code}: ${live.stderr()}`)));
  });
  return {
    child,
    url: banner[1] as string,
    port: Number(banner[2]),
    token: decodeURIComponent(banner[3] as string),
    stdout: live.stdout,
    stderr: live.stderr,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests poke into JSON answers freely
  json: any;
}

/** One HTTP request with full control of the headers (fetch would not let a test set Host or Origin). */
export function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((res, rej) => {
    const req = httpRequest(url, { method: options.method ?? "GET", headers: options.headers ?? {} }, (r) => {
      let body = "";
      r.setEncoding("utf8");
      r.on("data", (d) => {
        body += d;
      });
      r.on("end", () => {
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        res({ status: r.statusCode ?? 0, headers: r.headers, body, json });
      });
    });
    req.on("error", rej);
    req.end(options.body);
  });
}

/** A listener on /api/events that collects the parsed `snapshot` events, and counts pings and comments. */
export function listen(url: string) {
  // biome-ignore lint/suspicious/noExplicitAny: snapshots are checked field by field
  const snapshots: any[] = [];
  const problems: string[] = [];
  const waiters: Array<() => void> = [];
  let buffer = "";
  let comments = 0;
  let pings = 0;
  const req = httpRequest(new URL("api/events", url), (r) => {
    r.setEncoding("utf8");
    r.on("data", (d: string) => {
      buffer += d;
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (frame.startsWith(":")) comments++;
        // What EventSource dispatches: a named event with a data line (empty data included).
        if (/^event: ping\ndata:/m.test(frame)) pings++;
        const m = /^event: snapshot\ndata: (.*)$/m.exec(frame);
        if (m) snapshots.push(JSON.parse(m[1] as string));
        const p = /^event: problem\ndata: (.*)$/m.exec(frame);
        if (p) problems.push(JSON.parse(p[1] as string).message);
        for (const w of waiters.splice(0)) w();
      }
    });
  });
  req.on("error", () => {});
  req.end();
  return {
    snapshots,
    problems,
    comments: () => comments,
    pings: () => pings,
    /** Resolves with the first snapshot (from index `from` on) that satisfies `test`. */
    // biome-ignore lint/suspicious/noExplicitAny: see above
    async until(test: (s: any) => boolean, from = 0, timeoutMs = 60_000): Promise<any> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = snapshots.slice(from).find(test);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no matching snapshot among ${snapshots.length}`);
        await new Promise<void>((res) => {
          waiters.push(res);
          setTimeout(res, 200);
        });
      }
    },
    close: () => req.destroy(),
  };
}
