// One `openclaw message send|edit … --json` call for `--send` (src/app/send.ts decides when and records the outcome):
// run without a shell, bounded in time, its exit status and --json reply read into sent (with the message id the
// reply names) or failed (with the reason).
import { spawnSync } from "node:child_process";
import { lastLine } from "../core/jobs.ts";
import { parseSendReply } from "../core/message-id.ts";

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

/** Runs one `openclaw message` command line and reads what became of it. */
export function runMessageCommand(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Attempt {
  const what = argv.slice(0, 3).join(" ");
  const r = spawnSync(argv[0] as string, argv.slice(1), {
    env,
    encoding: "utf8",
    timeout: SEND_TIMEOUT_MS,
    killSignal: "SIGKILL",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT") {
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
