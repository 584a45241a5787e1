// `taskpulse run --job <id> -- <command> [args…]`: the cron wrapper. The use case is src/app/run-job.ts (record the
// start, then the result) and run-job-execute.ts (the command runs, without a shell, in its own process group; its
// output passes through and a bounded tail is kept). This file decides where the job's output goes and what is
// printed: with --announce, exactly what OpenClaw should announce.
import { StringDecoder } from "node:string_decoder";
import type { Command } from "commander";
import { type RunJobOptions, recordRunStart } from "../../app/run-job.ts";
import { executeRun } from "../../app/run-job-execute.ts";
import { type RunResult, recordRunResult } from "../../app/run-result.ts";
import type { Failure, Job } from "../../core/job-model.ts";
import { type JobNotification, NO_REPLY } from "../../core/jobs.ts";
import type { RunReport } from "../../jobs/runner.ts";
import type { CliCtx } from "../cli-context.ts";
import { example, note } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

/** How much of stdout `--announce` (and `--json`'s data.announce) can carry. */
const ANNOUNCE_BYTES = 1024 * 1024;

export function registerRunJob(program: Command, app: App): void {
  program
    .command("run")
    .usage("--job <id> [options] -- <command> [args…]")
    .description("run a cron job's command and record it: output tail, exit status, failure streak, one alert per episode")
    .requiredOption("--job <id>", "job name (letters, digits, . _ -)")
    .argument("<command...>", "the command and its arguments, after --")
    .option("--timeout <duration>", "stop the command's whole process group after this long (e.g. 10m): SIGTERM, then SIGKILL")
    .option("--kill-after <duration>", "grace between SIGTERM and SIGKILL on timeout or interrupt (default 5s)")
    .option("--task", "also track the run as a task (running while the job runs)")
    .option("--announce", "print only what should reach chat: the alert or recovery, else the job's output, else NO_REPLY")
    .option(
      "--passthrough",
      "with --announce, also copy the job's output and taskpulse's notes to stderr (OpenClaw then announces them too)",
    )
    .option("--exit-code", "with --announce, still exit with the job's status (default there: 0 once recorded)")
    .option("--alert-after <n>", "failures in a row that open an alert (default 3; kept for the job)")
    .option("--remind-every <n>", "while an alert is open, repeat it every n failures (0 = never, the default; kept)")
    .addHelpText(
      "after",
      `
${note(`Exit status: 0 when the command succeeded; else the command's own exit code, 124 when --timeout killed it,
128+n when it died of signal n, 127/126 when it could not be started.

With --announce: 0 once the run is recorded (OpenClaw would otherwise add its own failure alerts and retries),
unless --exit-code; and stderr stays empty (OpenClaw announces stdout and stderr together, so a silent run must
print only NO_REPLY): the job's output is kept in the run record (taskpulse jobs), or also copied to stderr with
--passthrough.

With --json the command's stdout goes to stderr, and stdout holds only the JSON document.`)}
${example(
  "taskpulse run --job daily-news --announce -- ./daily-news.sh",
  "taskpulse run --job backup --timeout 10m --channel telegram --target 123 -- sh -c 'pg_dump db | gzip > /backup/db.gz'",
)}`,
    )
    .action(app.action((ctx, argv: string[], opts: RunJobOptions & { passthrough?: boolean }) => runJob(ctx, argv, opts)));
}

async function runJob(ctx: CliCtx, argv: string[], opts: RunJobOptions & { passthrough?: boolean }): Promise<Outcome> {
  // With --announce (and no --passthrough), stdout is exactly what OpenClaw announces and stderr stays empty.
  const silent = opts.announce === true && !opts.passthrough && !ctx.json;

  // 1. Record the start (and count runs of this job whose wrapper died) before the command begins.
  const start = await recordRunStart(ctx, argv, opts);
  const { plan } = start;
  if ("notStarted" in start) {
    // With --announce, stdout says so: announced.
    const { notRun, exitCode, error } = start.notStarted;
    if (!silent) throw error;
    return {
      data: { job: null, run: null, notRun, exitCode },
      lines: [`taskpulse: ${notRun}`],
      quiet: `taskpulse: ${notRun}`,
      push: null,
      exitCode,
      stderr: "none",
    };
  }
  const { started } = start;

  // 2. Run it. With --announce or --json, the job's stdout is not ours to print: it goes to stderr; with --announce
  // (and no --passthrough), nowhere: OpenClaw announces a command's stderr too, so a silent run must leave it empty.
  // Its tails are kept in the run record either way.
  const stdoutToStderr = opts.announce === true || ctx.json;
  const out = silent ? DISCARD : writer(ctx, stdoutToStderr ? "stderr" : "stdout");
  const err = silent ? DISCARD : writer(ctx, "stderr");
  const { report, finish } = await executeRun(ctx, plan, started, {
    captureBytes: opts.announce || ctx.json ? ANNOUNCE_BYTES : 0,
    onStdout: (chunk) => out.write(chunk),
    onStderr: (chunk) => err.write(chunk),
  });
  out.end();
  err.end();

  // 3. Record the result.
  let result: RunResult;
  try {
    result = await recordRunResult(ctx, plan, started, report);
  } finally {
    finish();
  }

  // 4. What to say.
  const { exitCode, announce, push } = result;
  const warnings = [...result.warnings];
  if (report.capturedTruncated && opts.announce)
    warnings.push(`the job printed more than ${ANNOUNCE_BYTES} bytes; the announcement was cut`);
  const data = {
    job: result.job ?? null,
    run: {
      id: plan.runId,
      job: plan.jobId,
      command: argv,
      startedAt: plan.startedAt,
      finishedAt: result.finishedAt,
      durationMs: report.durationMs,
      outcome: result.outcome,
      exitCode: report.exitCode,
      signal: report.signal,
      timedOut: report.timedOut,
      interrupted: report.interrupted ?? null,
      failure: result.failure ?? null,
      stdout: report.stdout,
      stderr: report.stderr,
      task: started.task ?? null,
      recorded: result.recorded,
    },
    lost: started.lost,
    notification: result.notification ?? null,
    announce,
    route: result.route,
    exitCode,
  };
  const notes = [summaryLine(ctx, plan.jobId, report, result.failure, result.job, result.notification)];
  if (opts.announce) {
    // stdout is exactly what OpenClaw should announce: the push is already in it (and in --json's envelope). A silent
    // run's warnings would break its silence: only one that says the run could not be recorded is announced (the
    // exit status then says so too); the others are in --json's warnings and, with --passthrough, on stderr.
    if (!silent) return { data, lines: [announce], quiet: announce, push: ctx.json ? push : null, exitCode, warnings, notes };
    const text = result.storeError
      ? [announce === NO_REPLY ? undefined : announce, ...warnings.map((w) => `taskpulse: ${w}`)].filter(Boolean).join("\n\n")
      : announce;
    return { data, lines: [text], quiet: text, push: null, exitCode, stderr: "none" };
  }
  // the push goes to stdout after the job's output (run.ts prints it after `lines`); nothing else does
  return { data, lines: [], quiet: undefined, push, exitCode, warnings, notes };
}

function summaryLine(
  ctx: CliCtx,
  jobId: string,
  report: RunReport,
  failure: Failure | undefined,
  job: Job | undefined,
  n: JobNotification | undefined,
): string {
  const dur = `${(report.durationMs / 1000).toFixed(1)}s`;
  const head = failure
    ? t(ctx, `taskpulse: ❌ ${jobId} failed after ${dur}`, `taskpulse: ❌ ${jobId} 失败，用时 ${dur}`)
    : t(ctx, `taskpulse: ✅ ${jobId} ok in ${dur}`, `taskpulse: ✅ ${jobId} 成功，用时 ${dur}`);
  const parts = [head];
  if (failure && job) parts.push(t(ctx, `${job.failures} failed in a row`, `连续失败 ${job.failures} 次`));
  if (n?.kind === "alert") parts.push(n.reminder ? t(ctx, "alert reminder due", "告警提醒待发送") : t(ctx, "alert opened", "已触发告警"));
  if (n?.kind === "recovery") parts.push(t(ctx, `recovered after ${n.failures} failures`, `已恢复（此前连续失败 ${n.failures} 次）`));
  return parts.join(" · ");
}

/** Where a silent --announce run sends the job's output: its tails are kept by the runner, nothing is printed. */
const DISCARD = { write: (_chunk: Buffer) => {}, end: () => {} };

function writer(ctx: CliCtx, stream: "stdout" | "stderr"): { write(chunk: Buffer): void; end(): void } {
  const raw = ctx.deps.passthrough;
  if (raw) return { write: (chunk) => raw[stream](chunk), end: () => {} };
  const decoder = new StringDecoder("utf8");
  const sink = stream === "stdout" ? ctx.deps.stdout : ctx.deps.stderr;
  return {
    write: (chunk) => sink(decoder.write(chunk)),
    end: () => {
      const rest = decoder.end();
      if (rest) sink(rest);
    },
  };
}
