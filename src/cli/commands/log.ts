import type { Command } from "commander";
import { auditTrailOf } from "../../app/history.ts";
import { oneLine } from "../../core/names.ts";
import { localDateTime } from "../../core/time.ts";
import type { CliCtx } from "../cli-context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

export function registerLog(program: Command, app: App): void {
  program
    .command("log")
    .description("the audit trail of one task, newest first")
    .argument("<id>", "task id or unique prefix")
    .addHelpText("after", example("taskpulse log k3m9xq"))
    .action(app.action((ctx, id: string) => log(ctx, id)));
}

async function log(ctx: CliCtx, id: string): Promise<Outcome> {
  const { task, archived, entries } = await auditTrailOf(ctx, id);
  const lines = entries.map((e) => {
    const when = localDateTime(e.at);
    const move = e.from === null ? `→ ${e.to}` : `${e.from} → ${e.to}`;
    return `${when}  ${e.action.padEnd(7)} ${move.padEnd(20)} ${e.operator}${e.message ? `  ${oneLine(e.message, 100)}` : ""}`;
  });
  if (lines.length === 0) lines.push(t(ctx, "no entries", "没有记录"));
  const head = `${task.id} ${task.name}${archived ? t(ctx, " (archived)", "（已归档）") : ""}`;
  return { data: { task: task.id, archived, entries }, lines: [head, ...lines] };
}
