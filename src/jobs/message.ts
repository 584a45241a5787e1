// One `openclaw message send|edit … --json` call for `--send` (src/app/send.ts decides when and records the outcome):
// run without a shell, bounded in time, its exit status and --json reply read into sent (with the message id the
// reply names) or failed (with the reason). It runs asynchronously: inside the OpenClaw gateway (the plugin) a
// synchronous child would block the very event loop `openclaw message` talks to.
import { spawn } from "node:child_process";
import { lastLine } from "../core/jobs.ts";
import { parseSendReply } from "../core/message-id.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** How long one `openclaw message` call may take (it loads its channel plugins, then talks to the chat network). */
const SEND_TIMEOUT_MS = 120_000;

interface Attempt {
  ok: boolean;
  messageId?: string;
  channel?: string;
  error?: string;
  /** It ran out of time: it may have been delivered all the same, so nothing is sent again. */
  timedOut?: boolean;
}

interface Ran {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  error?: Error;
  timedOut: boolean;
}

/** Runs argv to its end (killed after SEND_TIMEOUT_MS), without blocking the event loop. */
function run(argv: readonly string[], env: Env): Promise<Ran> {
  return new Promise((done) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let failed: Error | undefined;
    const child = spawn(argv[0] as string, argv.slice(1), { env, stdio: ["ignore", "pipe", "pipe"] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, SEND_TIMEOUT_MS);
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.once("error", (e) => {
      failed = e;
    });
    child.once("close", (status, signal) => {
      clearTimeout(timer);
      const ran: Ran = {
        status,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        timedOut,
      };
      if (failed) ran.error = failed;
      done(ran);
    });
  });
}

/** Runs one `openclaw message` command line and reads what became of it. */
export async function runMessageCommand(argv: readonly string[], env: Env): Promise<Attempt> {
  const what = argv.slice(0, 3).join(" ");
  const r = await run(argv, env);
  if (r.timedOut) {
    return { ok: false, timedOut: true, error: `${what} timed out after ${SEND_TIMEOUT_MS / 1000} s (it may have been delivered)` };
  }
  if (r.error) return { ok: false, error: `${argv[0]} could not be run: ${r.error.message}` };
  if (r.status !== 0) {
    const why = lastLine(r.stderr) ?? lastLine(r.stdout) ?? `exit ${r.status ?? r.signal}`;
    return { ok: false, error: `${what} failed: ${why}` };
  }
  // Its --json reply: the (pretty-printed) document that starts at the last unindented "{" (a plugin may print a
  // line before it).
  const start = r.stdout.startsWith("{") ? 0 : r.stdout.lastIndexOf("\n{") + 1;
  const reply = r.stdout.slice(start).trim();
  if (/"ok"\s*:\s*false/.test(reply)) return { ok: false, error: `${what} failed: ${lastLine(reply) ?? "ok: false"}` };
  try {
    if (!reply.startsWith("{")) throw new Error("no JSON reply");
    const parsed = parseSendReply(reply);
    return { ok: true, messageId: parsed.messageId, ...(parsed.channel ? { channel: parsed.channel } : {}) };
  } catch {
    // Exit 0 and no failure said: delivered, but without an id it cannot become the card.
    return { ok: true };
  }
}
