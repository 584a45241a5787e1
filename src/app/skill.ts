// `skill install`: the taskpulse skill (SKILL.md and references/, from the package) written into the skills directory
// of an OpenClaw workspace: the one we are in, else the agent's, or the directory given.
import { join, resolve } from "node:path";
import { listOpenclawAgents } from "../jobs/openclaw-agents-list.ts";
import { configuredWorkspaces } from "../store/openclaw-agents.ts";
import { installSkillFiles, readSkillSource, SKILL_NAME } from "../store/skill-files.ts";
import type { Ctx } from "./context.ts";
import { agentWorkspace, currentWorkspace, resolveAgent } from "./identity.ts";

export interface SkillInstallOptions {
  dir?: string;
  force?: boolean;
}

/** Where OpenClaw looks for this agent's skills: the workspace we are in, else the default workspace of main. */
function defaultSkillsDir(ctx: Ctx): string {
  const agents = configuredWorkspaces(ctx.deps.env, ctx.deps.home, listOpenclawAgents);
  // The workspace we are in, unless --agent (or TASKPULSE_AGENT) names another agent than the one it belongs to.
  const here = currentWorkspace(ctx.deps.cwd, agents);
  const mine = here !== undefined && (!ctx.agentExplicit || resolveAgent(undefined, {}, ctx.deps.cwd, agents) === ctx.agent);
  const ws = mine ? here : agentWorkspace(ctx.agent, ctx.deps.env, ctx.deps.home, agents);
  return join(ws, "skills");
}

/** Installs the skill found in the package at `packageRoot`; returns where, and what became of each file. */
export function installSkill(ctx: Ctx, opts: SkillInstallOptions, packageRoot: string) {
  const given = opts.dir?.startsWith("~/") ? join(ctx.deps.home, opts.dir.slice(2)) : opts.dir;
  const skillsDir = given === undefined ? defaultSkillsDir(ctx) : resolve(ctx.deps.cwd, given);
  const dir = join(skillsDir, SKILL_NAME);
  const result = installSkillFiles(dir, readSkillSource(packageRoot), opts.force === true);
  return { dir, result };
}
