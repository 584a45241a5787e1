// Which store and which agent a call is about. Pure functions of the flags, the environment and the working
// directory, so they are tested without touching the disk.
import { join, sep } from "node:path";
import { validateAgent } from "../core/names.ts";
import { type AgentWorkspace, agentOwning, defaultWorkspace, openclawStateDir } from "../store/openclaw-agents.ts";

export function resolveStoreDir(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, home: string): string {
  if (flag) return flag;
  if (env.TASKPULSE_STORE) return env.TASKPULSE_STORE;
  if (env.TASKPULSE_HOME) return env.TASKPULSE_HOME;
  if (env.OPENCLAW_STATE_DIR) return join(env.OPENCLAW_STATE_DIR, "taskpulse");
  return join(home, ".openclaw", "taskpulse");
}

/**
 * `--agent` > TASKPULSE_AGENT > the agent OpenClaw's config gives the directory we are in (`agents`: from
 * `openclaw agents list`, see store/openclaw-agents.ts; the longest workspace containing `cwd`) > the OpenClaw
 * workspace folder we are in (`workspace` → main, `workspace-<id>` → id) > main.
 */
export function resolveAgent(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  agents?: readonly AgentWorkspace[],
): string {
  if (flag !== undefined) return validateAgent(flag);
  if (env.TASKPULSE_AGENT) return validateAgent(env.TASKPULSE_AGENT);
  const owner = agents ? agentOwning(agents, cwd) : undefined;
  if (owner) {
    try {
      return validateAgent(owner.id);
    } catch {
      // an id taskpulse cannot use as a name: the directory rule decides
    }
  }
  return agentFromWorkspace(cwd) ?? "main";
}

/**
 * The workspace of the OpenClaw agent we are in: by OpenClaw's config when there is one, else by the directory rule
 * (`…/workspace` or `…/workspace-<id>`, innermost).
 */
export function currentWorkspace(cwd: string, agents?: readonly AgentWorkspace[]): string | undefined {
  return (agents ? agentOwning(agents, cwd)?.workspace : undefined) ?? workspaceDir(cwd);
}

/**
 * An agent's workspace when we are not in it: as OpenClaw's config says, else OpenClaw's defaults (the default
 * workspace for main: $OPENCLAW_WORKSPACE_DIR, else <state dir>/workspace; <state dir>/workspace-<id> for others).
 */
export function agentWorkspace(
  agent: string,
  env: Readonly<Record<string, string | undefined>>,
  home: string,
  agents?: readonly AgentWorkspace[],
): string {
  const configured = agents?.find((a) => a.id === agent)?.workspace;
  if (configured) return configured;
  return agent === "main" ? defaultWorkspace(env, home) : join(openclawStateDir(env, home), `workspace-${agent}`);
}

/** The OpenClaw workspace directory that `cwd` is in (`…/workspace` or `…/workspace-<id>`, innermost), if any. */
function workspaceDir(cwd: string): string | undefined {
  const parts = cwd.split(sep);
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i] as string;
    if (part === "workspace" || /^workspace-.+$/.test(part)) return parts.slice(0, i + 1).join(sep) || sep;
  }
  return undefined;
}

export function agentFromWorkspace(cwd: string): string | undefined {
  const parts = cwd.split(sep).filter(Boolean);
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i] as string;
    if (part === "workspace") return "main";
    const m = /^workspace-(.+)$/.exec(part);
    if (m?.[1]) {
      try {
        return validateAgent(m[1]);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export type { Lang } from "../core/templates.ts";

import type { Lang } from "../core/templates.ts";

/** What --lang accepts: zh or en, with a region or more after `-` or `_` (zh-CN, en_US.UTF-8). */
export const LANG_FLAG = /^(zh|en)([-_].*)?$/i;

/**
 * The language of a call before commander has read its options: `--lang X` or `--lang=X` (the last one), else as
 * resolveLang. An invalid --lang gives English, the language its own error is said in.
 */
export function langFromArgv(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Lang {
  let flag: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--lang") flag = argv[++i] ?? "";
    else if (arg.startsWith("--lang=")) flag = arg.slice("--lang=".length);
  }
  if (flag !== undefined && !LANG_FLAG.test(flag)) return "en";
  return resolveLang(flag, env);
}

export function resolveLang(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): Lang {
  const pick = flag ?? env.TASKPULSE_LANG;
  if (pick) return pick.toLowerCase().startsWith("zh") ? "zh" : "en";
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || "";
  return locale.toLowerCase().startsWith("zh") ? "zh" : "en";
}
