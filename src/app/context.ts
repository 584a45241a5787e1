// The per-call context a use case runs with: resolved globals (store, agent, clock, language, push route) and the
// store itself, opened lazily so commands that do not need it never touch the disk.
import { UsageError } from "../core/errors.ts";
import { DEFAULT_STALL_MS } from "../core/liveness.ts";
import type { NotifyPolicy, Route, Task } from "../core/model.ts";
import { NOTIFY_POLICIES } from "../core/model-constants.ts";
import { cleanName, printable } from "../core/names.ts";
import { parseDuration } from "../core/time.ts";
import { listOpenclawAgents } from "../jobs/openclaw-agents-list.ts";
import { isPostgresUrl, scrubAnyUrl, scrubUrl, urlScheme } from "../store/location.ts";
import { openStore } from "../store/open-store.ts";
import { configuredWorkspaces } from "../store/openclaw-agents.ts";
import type { Store } from "../store/store.ts";
import type { Deps } from "./deps.ts";
import { LANG_FLAG, type Lang, resolveAgent, resolveLang, resolveStoreDir } from "./identity.ts";

/**
 * The global options that say only how a result is shown (--json, -q, --no-color). Parsed with the others, read by
 * the caller that shows the result (src/cli/cli-context.ts), never by a use case: the context has none of them.
 */
export interface DisplayOptions {
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
}

export interface GlobalOptions extends DisplayOptions {
  now?: string;
  store?: string;
  agent?: string;
  lang?: string;
  debug?: boolean;
  channel?: string;
  target?: string;
  account?: string;
  thread?: string;
  send?: boolean;
  /**
   * Not a flag: whether the caller will show or send the pushes this call produces (the CLI: not -q; the library:
   * not `pushes: false`). Default true; --send makes it true whatever it is.
   */
  announce?: boolean;
}

export interface Ctx {
  deps: Deps;
  /**
   * This call's time: --now, else the host's clock at the start, moved by the store's clock offset once the store
   * is connected (PostgreSQL's server clock is the authority for the times it keeps; the JSON store's offset is 0).
   */
  readonly now: Date;
  /** The store's clock minus the host's (ms; 0 with --now, before connecting, and for the JSON store). */
  clockOffsetMs(): number;
  /** Connects to the store where needed (for `command`), so that `now` is the store's time from then on. */
  syncClock(command: string): Promise<void>;
  agent: string;
  /** True when --agent or TASKPULSE_AGENT named the agent (not derived from the directory). */
  agentExplicit: boolean;
  /** The --agent flag itself: read-side commands (query, stats, history) filter by agent only when it is given. */
  agentFlag: string | undefined;
  lang: Lang;
  /** --send or TASKPULSE_SEND=1: deliver due pushes through `openclaw message` (send.ts). */
  send: boolean;
  /**
   * The caller shows or sends what is pushed (see GlobalOptions.announce). When it does not, no push is decided or
   * recorded, so that none is used up unseen.
   */
  announce: boolean;
  stallMs: number;
  /** Push route given on this call (--channel/--target/--account/--thread). */
  route: Route;
  notifyDefault: NotifyPolicy;
  /** The store's directory, or its postgres:// URL (with the password: never print it; see storeName). */
  storeDir: string;
  /** Where the store is, for messages: the directory, or the URL without its password. */
  storeName: string;
  /** How long a write waits for the store lock (TASKPULSE_LOCK_WAIT, default 15 s). */
  lockWaitMs: number;
  store(command: string): Store;
  /**
   * Called with the task a change, a stop check or a status read is about to act on, under the lock and before anything is
   * written; throws to refuse. The HTTP API sets it for an agent's token, which may act only on its own tasks
   * (src/serve/api-auth.ts). Absent: no limit, as on the command line.
   */
  mayActOn?: (task: Task) => void;
  /** Releases the store (its database connection), if one was opened. */
  close(): Promise<void>;
}

/** The host's own TZ: put back for a later context without TASKPULSE_TZ (in-process tests, the library). */
const HOST_TZ = process.env.TZ;

/**
 * TASKPULSE_TZ (the original's TASK_PULSE_TZ): the time zone of local days and clock times (stats' "today", `log`
 * and job times, the watch clock), whatever the host's. An IANA name (Asia/Shanghai) or UTC; anything else: exit 2.
 */
function applyTimeZone(env: Deps["env"]): void {
  const zone = env.TASKPULSE_TZ;
  let want = HOST_TZ;
  if (zone) {
    try {
      if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(zone)) throw new RangeError(zone);
      // as Intl spells it: Intl accepts asia/shanghai, the runtime's TZ only Asia/Shanghai
      want = new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone;
    } catch {
      throw new UsageError(
        `invalid TASKPULSE_TZ '${printable(zone)}'`,
        "use a time zone name, such as Asia/Shanghai, Europe/Berlin or UTC",
        { detail: { key: "invalid_value", what: "TASKPULSE_TZ", value: printable(zone) } },
      );
    }
  }
  if (process.env.TZ === want) return;
  if (want === undefined) delete process.env.TZ;
  else process.env.TZ = want;
}

/** `shared`: a store kept across contexts (the library's handle); the context then leaves closing it to its owner. */
export function createContext(opts: GlobalOptions, deps: Deps, shared?: { store?: Store }): Ctx {
  applyTimeZone(deps.env);
  const now = opts.now === undefined ? deps.now() : parseNow(opts.now);
  if (opts.lang !== undefined && !LANG_FLAG.test(opts.lang)) {
    throw new UsageError(`invalid language '${printable(opts.lang)}'`, "use zh or en");
  }
  // OpenClaw's own answer is asked for only when it matters: no --agent and no TASKPULSE_AGENT.
  const openclaw =
    opts.agent === undefined && !deps.env.TASKPULSE_AGENT ? configuredWorkspaces(deps.env, deps.home, listOpenclawAgents) : undefined;
  const agent = resolveAgent(opts.agent, deps.env, deps.cwd, openclaw);
  const storeDir = resolveStoreDir(opts.store, deps.env, deps.home);
  if (storeDir.trim() === "") throw new UsageError("the store directory must not be empty");
  const scheme = urlScheme(storeDir);
  if (scheme !== undefined && !isPostgresUrl(storeDir)) {
    const from = opts.store ? "--store" : deps.env.TASKPULSE_STORE ? "TASKPULSE_STORE" : "TASKPULSE_HOME";
    throw new UsageError(
      `${from} '${printable(scrubAnyUrl(storeDir))}' is a ${printable(scheme)}:// URL, which taskpulse cannot use as a store`,
      "a store is a directory, or a postgres:// or postgresql:// URL (references/postgres.md)",
    );
  }
  const storeName = isPostgresUrl(storeDir) ? scrubUrl(storeDir) : storeDir;
  const stallEnv = deps.env.TASKPULSE_STALL;
  const stallMs = stallEnv ? parseDuration(stallEnv, "TASKPULSE_STALL") : DEFAULT_STALL_MS;
  const lockWaitMs = deps.env.TASKPULSE_LOCK_WAIT ? parseDuration(deps.env.TASKPULSE_LOCK_WAIT, "TASKPULSE_LOCK_WAIT") : 15_000;
  const route: Route = {};
  if (opts.channel !== undefined) route.channel = cleanName(opts.channel, "--channel");
  if (opts.target !== undefined) route.target = cleanName(opts.target, "--target");
  if (opts.account !== undefined) route.account = cleanName(opts.account, "--account");
  if (opts.thread !== undefined) route.thread = cleanName(opts.thread, "--thread");
  const notifyEnv = deps.env.TASKPULSE_NOTIFY;
  // A plain check, not the zod schema: zod is kept off the hot path (see test/hot-path.test.ts).
  const notifyDefault = (notifyEnv ?? "all") as NotifyPolicy;
  if (!NOTIFY_POLICIES.includes(notifyDefault))
    throw new UsageError(`invalid TASKPULSE_NOTIFY '${printable(notifyEnv ?? "")}'`, "use all, steps, final or silent", {
      detail: { key: "invalid_value", what: "TASKPULSE_NOTIFY", value: printable(notifyEnv ?? "") },
    });
  // For the benchmark (scripts/bench/bench.mjs): how long each transaction waited for the lock, one line on stderr.
  const onLockWait = deps.env.TASKPULSE_BENCH_TIMING
    ? (ms: number) => deps.stderr(`taskpulse-timing lock-wait-ms=${ms.toFixed(1)}\n`)
    : undefined;
  const send = opts.send === true || deps.env.TASKPULSE_SEND === "1";
  let store: Store | undefined;
  const offset = () => (opts.now === undefined ? (store?.clockOffsetMs() ?? 0) : 0);
  const ctx: Ctx = {
    deps,
    get now() {
      const ms = offset();
      return ms === 0 ? now : new Date(now.getTime() + ms);
    },
    clockOffsetMs: offset,
    async syncClock(command) {
      if (opts.now === undefined) await ctx.store(command).clock();
    },
    agent,
    agentExplicit: opts.agent !== undefined || Boolean(deps.env.TASKPULSE_AGENT),
    agentFlag: opts.agent === undefined ? undefined : agent,
    lang: resolveLang(opts.lang, deps.env),
    send,
    announce: opts.announce !== false || send,
    stallMs,
    route,
    notifyDefault,
    storeDir,
    storeName,
    lockWaitMs,
    store(command) {
      store ??= shared?.store ?? openStore(storeDir, { lockWaitMs, owner: { agent, command }, onLockWait });
      if (shared) shared.store = store;
      return store;
    },
    async close() {
      if (!shared) await store?.close();
    },
  };
  return ctx;
}

function parseNow(input: string): Date {
  const t = Date.parse(input);
  if (!/^\d{4}-\d{2}-\d{2}/.test(input.trim()) || Number.isNaN(t)) {
    throw new UsageError(`invalid --now '${printable(input)}'`, "use an ISO time such as 2026-05-01T18:00:00+08:00", {
      detail: { key: "invalid_value", what: "--now", value: printable(input) },
    });
  }
  return new Date(t);
}
