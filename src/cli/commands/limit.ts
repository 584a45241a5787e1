import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { UsageError } from "../../core/errors.ts";
import { printable } from "../../core/names.ts";
import { DEFAULT_AGENT_LIMIT } from "../../core/queue.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

export function registerLimit(program: Command, app: App): void {
  program
    .command("limit")
    .description("show or set how many tasks `start` (without an id) lets an agent run at once (default 1)")
    .argument("[n]", "the new limit, 1-100")
    .addHelpText("after", example("taskpulse limit 2 --agent agent-coder"))
    .action(app.action((ctx, n: string | undefined) => limit(ctx, n)));
}

export async function limit(ctx: Ctx, n: string | undefined): Promise<Outcome> {
  if (n === undefined) {
    const snapshot = await ctx.store("limit").read();
    const current = snapshot.agent(ctx.agent)?.limit ?? DEFAULT_AGENT_LIMIT;
    return { data: { agent: ctx.agent, limit: current }, lines: [`${ctx.agent}: ${current}`], quiet: String(current) };
  }
  if (!/^\d{1,3}$/.test(n) || Number(n) < 1 || Number(n) > 100) {
    throw new UsageError(`invalid limit '${printable(n)}'`, "use a number from 1 to 100", {
      detail: { key: "invalid_value", what: "limit", value: printable(n) },
    });
  }
  const value = Number(n);
  await ctx.store("limit").transaction((tx) => {
    tx.setAgent(ctx.agent, { ...tx.agent(ctx.agent), limit: value });
  });
  return {
    data: { agent: ctx.agent, limit: value },
    lines: [t(ctx, `${ctx.agent} may now run ${value} task(s) at once`, `${ctx.agent} 现在最多同时执行 ${value} 个任务`)],
    quiet: String(value),
  };
}
