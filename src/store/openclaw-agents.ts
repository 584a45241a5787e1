// Which OpenClaw agent owns a directory, as OpenClaw itself decides it: each configured agent has a workspace (its
// own `workspace`, else `<agents.defaults.workspace>/<id>`, else `<state dir>/workspace-<id>`; the default agent the
// default workspace), and a directory belongs to the agent with the longest workspace that contains it. Rather than
// re-implement OpenClaw's config rules (JSON5, profiles, legacy rosters), taskpulse asks the real thing, `openclaw
// agents list --json` (run by the caller's `list`: src/jobs/openclaw-agents-list.ts), once per version of the config
// file, and keeps the answer in the user's cache directory (~/.cache/taskpulse), keyed by that file's path, size and
// mtime and the variables that move workspaces. Without a config file (a single default agent) or without
// `openclaw`, callers fall back to the directory rule (identity.ts). references/integration.md says so.
import { lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve, sep } from "node:path";

export interface AgentWorkspace {
  id: string;
  workspace: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** OpenClaw's state directory: $OPENCLAW_STATE_DIR, else ~/.openclaw. */
export function openclawStateDir(env: Env, home: string): string {
  return env.OPENCLAW_STATE_DIR?.trim() || join(home, ".openclaw");
}

/** The default agent's workspace when the config names none: $OPENCLAW_WORKSPACE_DIR, else <state dir>/workspace. */
export function defaultWorkspace(env: Env, home: string): string {
  const given = env.OPENCLAW_WORKSPACE_DIR?.trim();
  return given ? resolve(given) : join(openclawStateDir(env, home), "workspace");
}

function configPath(env: Env, home: string): string {
  const given = env.OPENCLAW_CONFIG_PATH?.trim();
  if (given) return given.startsWith("~/") ? join(home, given.slice(2)) : resolve(given);
  return join(openclawStateDir(env, home), "openclaw.json");
}

/** A short stable hash of a string (FNV-1a, 32 bits, twice): names the cache file of one config version. */
function hashOf(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    a = Math.imul(a ^ text.charCodeAt(i), 0x01000193) >>> 0;
    b = Math.imul(b ^ text.charCodeAt(text.length - 1 - i), 0x811c9dc5) >>> 0;
  }
  return a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0");
}

function parseList(text: string): AgentWorkspace[] | undefined {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(list)) return undefined;
  const out: AgentWorkspace[] = [];
  for (const entry of list) {
    const { id, workspace } = (entry ?? {}) as { id?: unknown; workspace?: unknown };
    if (typeof id === "string" && typeof workspace === "string" && isAbsolute(workspace)) out.push({ id, workspace });
  }
  return out;
}

/**
 * The configured agents and their workspaces, or undefined when there is no OpenClaw config file or `openclaw`
 * cannot tell (not installed, a broken config): then the directory rule applies. Costs a stat per call; the first
 * call after the config changed runs `openclaw agents list --json` (a few seconds).
 */
export function configuredWorkspaces(env: Env, home: string, list: (env: Env) => string | undefined): AgentWorkspace[] | undefined {
  const config = configPath(env, home);
  let st: { size: number; mtimeMs: number };
  try {
    st = statSync(config);
  } catch {
    return undefined; // no config: OpenClaw runs one default agent, whose workspace the directory rule knows
  }
  const key = JSON.stringify([config, st.size, st.mtimeMs, env.OPENCLAW_WORKSPACE_DIR, env.OPENCLAW_STATE_DIR, env.OPENCLAW_PROFILE, home]);
  // In the user's own cache directory (not a shared /tmp, where another user could plant an answer), and only when
  // it is a real directory of this user that nobody else can write.
  const dir = join(env.XDG_CACHE_HOME?.trim() || join(home, ".cache"), "taskpulse");
  const cache = join(dir, `openclaw-agents-${hashOf(key)}.json`);
  const ours = () => {
    try {
      const d = lstatSync(dir);
      return d.isDirectory() && d.uid === process.getuid?.() && (d.mode & 0o022) === 0;
    } catch {
      return false;
    }
  };
  if (ours()) {
    try {
      const cached = JSON.parse(readFileSync(cache, "utf8")) as { key: string; agents: AgentWorkspace[] };
      if (cached.key === key && Array.isArray(cached.agents)) return cached.agents;
    } catch {
      // not cached yet
    }
  }
  const listed = list(env);
  const agents = listed === undefined ? undefined : parseList(listed);
  // Only an answer is kept: a missing openclaw (a cron job's short PATH) or a timeout is asked again next time.
  if (agents === undefined) return undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!ours()) return agents;
    const temp = `${cache}.tmp-${process.pid}`;
    try {
      unlinkSync(temp);
    } catch {
      // none left by an earlier process of this pid
    }
    writeFileSync(temp, JSON.stringify({ key, agents }), { mode: 0o600, flag: "wx" });
    renameSync(temp, cache);
  } catch {
    // no cache then: the next call asks again
  }
  return agents;
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function inside(dir: string, path: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/** The agent whose workspace is the longest one containing `cwd` (OpenClaw's rule), with that workspace. */
export function agentOwning(agents: readonly AgentWorkspace[], cwd: string): AgentWorkspace | undefined {
  const here = real(cwd);
  let best: AgentWorkspace | undefined;
  let bestLength = -1;
  for (const agent of agents) {
    const ws = real(agent.workspace);
    if (inside(ws, here) && ws.length > bestLength) {
      best = { id: agent.id, workspace: ws };
      bestLength = ws.length;
    }
  }
  return best;
}
