// Which store and which agent a call is about. Pure functions of the flags, the environment and the working
// directory, so they are tested without touching the disk.
import { join, sep } from "node:path";
import { validateAgent } from "../core/names.ts";

export function resolveStoreDir(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, home: string): string {
  if (flag) return flag;
  if (env.TASKPULSE_STORE) return env.TASKPULSE_STORE;
  if (env.TASKPULSE_HOME) return env.TASKPULSE_HOME;
  if (env.OPENCLAW_STATE_DIR) return join(env.OPENCLAW_STATE_DIR, "taskpulse");
  return join(home, ".openclaw", "taskpulse");
}

/** `--agent` > TASKPULSE_AGENT > the OpenClaw workspace folder we are in (`workspace` → main, `workspace-<id>` → id) > main. */
export function resolveAgent(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  if (flag !== undefined) return validateAgent(flag);
  if (env.TASKPULSE_AGENT) return validateAgent(env.TASKPULSE_AGENT);
  return agentFromWorkspace(cwd) ?? "main";
}

/** The OpenClaw workspace directory that `cwd` is in (`…/workspace` or `…/workspace-<id>`, innermost), if any. */
export function workspaceDir(cwd: string): string | undefined {
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

export function resolveLang(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): Lang {
  const pick = flag ?? env.TASKPULSE_LANG;
  if (pick) return pick.toLowerCase().startsWith("zh") ? "zh" : "en";
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || "";
  return locale.toLowerCase().startsWith("zh") ? "zh" : "en";
}
