import type { Command } from "commander";
import { agentLimit, setAgentLimit } from "../../app/agents.ts";
import type { CliCtx } from "../cli-context.ts";
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

async function limit(ctx: CliCtx, n: string | undefined): Promise<Outcome> {
  if (n === undefined) {
    const data = await agentLimit(ctx);
    return { data, lines: [`${data.agent}: ${data.limit}`], quiet: String(data.limit) };
  }
  const data = await setAgentLimit(ctx, n);
  return {
    data,
    lines: [t(ctx, `${data.agent} may now run ${data.limit} task(s) at once`, `${data.agent} 现在最多同时执行 ${data.limit} 个任务`)],
    quiet: String(data.limit),
  };
}
