// `taskpulse delivery <job> <messageId> [sent|failed] [error…]`: after sending a job's notification, record whether
// it reached chat (the message id the `message` tool returned). It is attached to the job's last finished run
// (or --run); failed deliveries have their own streak, shown by `jobs` and `alerts`.
import type { Command } from "commander";
import { recordJobDelivery } from "../../app/job-views.ts";
import type { CliCtx } from "../cli-context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

export function registerDelivery(program: Command, app: App): void {
  program
    .command("delivery")
    .description("record whether a job's notification reached chat (sent or failed, with the message id)")
    .argument("<job>", "job name")
    .argument("<messageId>", "the id the message tool returned (any text when sending failed, e.g. -)")
    .argument("[status]", "sent (default) or failed")
    .argument("[error...]", "what went wrong, for failed")
    .option("--run <id>", "the run the message was about (default: the job's last finished run)")
    .addHelpText(
      "after",
      example(
        "taskpulse delivery daily-news 4711 sent",
        'taskpulse delivery daily-news - failed "Channel is required when multiple channels are configured"',
      ),
    )
    .action(
      app.action((ctx, job: string, messageId: string, status: string | undefined, error: string[], opts: { run?: string }) =>
        delivery(ctx, job, messageId, status, error.join(" "), opts),
      ),
    );
}

async function delivery(
  ctx: CliCtx,
  jobArg: string,
  messageIdArg: string,
  statusArg: string | undefined,
  errorArg: string,
  opts: { run?: string },
): Promise<Outcome> {
  const { jobId, messageId, status, job, delivery: d } = await recordJobDelivery(ctx, jobArg, messageIdArg, statusArg, errorArg, opts);
  const lines =
    status === "sent"
      ? [t(ctx, `📨 ${jobId}: message ${messageId} delivered`, `📨 ${jobId}: 消息 ${messageId} 已送达`)]
      : [t(ctx, `📭 ${jobId}: delivery failed (${d?.failures ?? 1} in a row)`, `📭 ${jobId}: 送达失败（连续 ${d?.failures ?? 1} 次）`)];
  return { data: { job, delivery: d }, lines, quiet: status };
}
