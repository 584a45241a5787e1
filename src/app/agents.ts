// The agents as the store knows them: one row of counts and last activity per agent, and how many tasks each may
// run at once (`start` without an id).
import { UsageError } from "../core/errors.ts";
import { byName, printable } from "../core/names.ts";
import { DEFAULT_AGENT_LIMIT } from "../core/queue.ts";
import type { Ctx } from "./context.ts";
import { allSummaries } from "./summaries.ts";

export interface AgentRow {
  agent: string;
  current: number;
  pending: number;
  done: number;
  failed: number;
  cancelled: number;
  lastActivity: string;
}

/** One row per agent that has a task (hot or archived), by name. */
export async function agentRows(ctx: Ctx): Promise<AgentRow[]> {
  const { snapshot, summaries } = await allSummaries(ctx, "agents");
  const rows = new Map<string, AgentRow>();
  for (const s of summaries) {
    const row = rows.get(s.agent) ?? {
      agent: s.agent,
      current: 0,
      pending: 0,
      done: 0,
      failed: 0,
      cancelled: 0,
      lastActivity: s.createdAt,
    };
    if (s.status === "running") row.current++;
    else row[s.status]++;
    // A hot task's last sign of life (heartbeat, step, progress) is activity too, not only its start and finish.
    const last = [
      s.createdAt,
      s.startedAt,
      s.finishedAt,
      // (a hot task's last sign of life: a heartbeat, a step, a retry; read from its bucket)
      s.archived ? undefined : snapshot.get(s.id)?.lastSeenAt,
    ]
      .filter((x): x is string => x !== undefined)
      .sort()
      .pop() as string;
    if (last > row.lastActivity) row.lastActivity = last;
    rows.set(s.agent, row);
  }
  return [...rows.values()].sort((a, b) => byName(a.agent, b.agent));
}

/** How many tasks this call's agent may run at once. */
export async function agentLimit(ctx: Ctx): Promise<{ agent: string; limit: number }> {
  const snapshot = await ctx.store("limit").read();
  return { agent: ctx.agent, limit: snapshot.agent(ctx.agent)?.limit ?? DEFAULT_AGENT_LIMIT };
}

/** Sets how many tasks this call's agent may run at once (`n`: 1-100). */
export async function setAgentLimit(ctx: Ctx, n: string): Promise<{ agent: string; limit: number }> {
  if (!/^\d{1,3}$/.test(n) || Number(n) < 1 || Number(n) > 100) {
    throw new UsageError(`invalid limit '${printable(n)}'`, "use a number from 1 to 100", {
      detail: { key: "invalid_value", what: "limit", value: printable(n) },
    });
  }
  const value = Number(n);
  await ctx.store("limit").transaction((tx) => {
    tx.setAgent(ctx.agent, { ...tx.agent(ctx.agent), limit: value });
  });
  return { agent: ctx.agent, limit: value };
}
