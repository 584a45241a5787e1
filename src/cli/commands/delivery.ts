// `taskpulse delivery <job> <messageId> [sent|failed] [error…]`: after sending a job's notification, record whether
// it reached chat (the message id the `message` tool returned). It is attached to the job's last finished run
// (or --run); failed deliveries have their own streak, shown by `jobs` and `alerts`.
import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { NotFoundError, UsageError } from "../../core/errors.ts";
import { deliveryStatusSchema, JOB_LIMITS } from "../../core/job-model.ts";
import { recordDelivery } from "../../core/jobs.ts";
import { cleanName, cleanText, printable, shorten } from "../../core/names.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";
import { findJob, validateJob } from "./job-common.ts";

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

export async function delivery(
  ctx: Ctx,
  jobArg: string,
  messageIdArg: string,
  statusArg: string | undefined,
  errorArg: string,
  opts: { run?: string },
): Promise<Outcome> {
  const jobId = validateJob(jobArg);
  const messageId = shorten(cleanName(messageIdArg, "message id"), 200);
  const parsed = deliveryStatusSchema.safeParse(statusArg ?? "sent");
  if (!parsed.success) throw new UsageError(`invalid delivery status '${printable(statusArg ?? "")}'`, "use sent or failed");
  const status = parsed.data;
  const error = cleanText(errorArg, "error").trim() || undefined;
  if (error && status === "sent")
    throw new UsageError("an error text goes with `failed`", `taskpulse delivery ${jobId} ${messageId} failed "<error>"`);
  const store = ctx.store("delivery");
  const runs = opts.run === undefined ? undefined : new Set((await store.runRecords(jobId)).map((r) => r.run));
  const result = await store.transaction((tx) => {
    const job = findJob(tx, jobId);
    const run = opts.run ?? job.lastRun?.id;
    if (run === undefined) {
      throw new NotFoundError(
        `job ${jobId} has no finished run to attach a delivery to`,
        "record deliveries after `taskpulse run` finished",
      );
    }
    if (opts.run !== undefined && !runs?.has(run) && job.lastRun?.id !== run && !job.open.some((r) => r.id === run)) {
      throw new NotFoundError(`job ${jobId} has no run '${printable(run)}'`, `see \`taskpulse jobs ${jobId}\``);
    }
    const next = recordDelivery(job, { run, messageId, status, error }, ctx.now);
    tx.putJob(next);
    const record = { v: 1 as const, kind: "delivery" as const, run, at: ctx.now.toISOString(), messageId, status };
    tx.appendRun(jobId, error ? { ...record, error: shorten(error, JOB_LIMITS.errorLine) } : record);
    return next;
  });
  const d = result.delivery;
  const lines =
    status === "sent"
      ? [t(ctx, `📨 ${jobId}: message ${messageId} delivered`, `📨 ${jobId}: 消息 ${messageId} 已送达`)]
      : [t(ctx, `📭 ${jobId}: delivery failed (${d?.failures ?? 1} in a row)`, `📭 ${jobId}: 送达失败（连续 ${d?.failures ?? 1} 次）`)];
  return { data: { job: result, delivery: d }, lines, quiet: status };
}
