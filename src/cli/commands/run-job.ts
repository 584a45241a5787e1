// `taskpulse run --job <id> -- <command> [args…]`: the cron wrapper. The run is recorded as started (under the
// store lock) before the command begins, so a wrapper that is killed leaves a trace the next call counts; the
// command runs without a shell in its own process group, its output passes through and a bounded tail is kept;
// then the result is recorded, streaks and the alert episode move, and the due notification (if any) is returned.
import { StringDecoder } from "node:string_decoder";
import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { effectiveRoute, jobPush, parseCount, reapInTx, validateJob } from "../../app/jobs.ts";
import { actorOf, commitChange } from "../../app/tasks.ts";
import { ConflictError, EXIT, StoreBusyError, StoreCorruptError, TaskpulseError, UsageError } from "../../core/errors.ts";
import { newId, newRunId } from "../../core/ids.ts";
import type { Failure, Job, OpenRun, RunRecord } from "../../core/job-model.ts";
import { JOB_LIMITS } from "../../core/job-model.ts";
import {
  announceText,
  configureJob,
  finishRun,
  type JobNotification,
  lastLine,
  mergeNotifications,
  NO_REPLY,
  newJob,
  openRun,
} from "../../core/jobs.ts";
import { completeTask, createTask, failTask, recordHeartbeat } from "../../core/lifecycle.ts";
import { shorten } from "../../core/names.ts";
import { parseDuration } from "../../core/time.ts";
import { selfIdentity } from "../../jobs/proc.ts";
import { exitCodeOf, type RunReport, runCommand } from "../../jobs/runner.ts";
import type { LiveOutputWriter, Store } from "../../store/store.ts";
import { example, note } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

export interface RunJobOptions {
  job?: string;
  timeout?: string;
  killAfter?: string;
  task?: boolean;
  announce?: boolean;
  passthrough?: boolean;
  exitCode?: boolean;
  alertAfter?: string;
  remindEvery?: string;
}

/** How much of stdout `--announce` (and `--json`'s data.announce) can carry. */
const ANNOUNCE_BYTES = 1024 * 1024;
const ARG_MAX = 1000;
const ARGS_MAX = 200;

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
    .action(app.action((ctx, argv: string[], opts: RunJobOptions) => runJob(ctx, argv, opts)));
}

interface Started {
  job: Job;
  notification: JobNotification | undefined;
  lost: string[];
  task: string | undefined;
}

export async function runJob(ctx: Ctx, argv: string[], opts: RunJobOptions): Promise<Outcome> {
  const jobId = validateJob(opts.job ?? "");
  if (argv.length === 0 || argv[0] === "") throw new UsageError("run needs a command", "taskpulse run --job <id> -- <command> [args…]");
  if (argv.length > ARGS_MAX) throw new UsageError(`too many arguments (${argv.length}, at most ${ARGS_MAX})`);
  const timeoutMs = opts.timeout === undefined ? undefined : parseDuration(opts.timeout, "--timeout");
  if (timeoutMs !== undefined && timeoutMs <= 0) throw new UsageError("--timeout must be more than zero");
  const killGraceMs = opts.killAfter === undefined ? undefined : parseDuration(opts.killAfter, "--kill-after");
  const config = {
    alertAfter: parseCount(opts.alertAfter, "--alert-after", 1, 1000),
    remindEvery: parseCount(opts.remindEvery, "--remind-every", 0, 1000),
    // The global --channel/--target/--account/--thread of this call; kept for the job.
    route: ctx.route,
  };
  const store = ctx.store("run");
  // The run's times in the store's clock (PostgreSQL's server), as every time it keeps. A store that cannot be
  // reached is reported below, as a start that could not be recorded.
  const unreachable = await ctx.syncClock("run").then(
    () => undefined,
    (err: unknown) => err ?? new Error("the store could not be reached"),
  );
  const identity = selfIdentity();
  const runId = newRunId(ctx.now, ctx.deps.random);
  const startedAt = ctx.now.toISOString();
  const commandText = shorten(argv.map((a) => (/\s/.test(a) || a === "" ? JSON.stringify(a) : a)).join(" "), JOB_LIMITS.commandText);
  const open: OpenRun = { id: runId, startedAt, pid: identity.pid, host: identity.host, command: commandText };
  if (identity.pidStart !== undefined) open.pidStart = identity.pidStart;
  if (timeoutMs !== undefined) open.timeoutMs = timeoutMs;
  const startedRecord: RunRecord = {
    v: 1,
    kind: "started",
    run: runId,
    at: startedAt,
    pid: identity.pid,
    host: identity.host,
    argv: argv.map((a) => shorten(a, ARG_MAX)),
    agent: ctx.agent,
  };
  if (timeoutMs !== undefined) startedRecord.timeoutMs = timeoutMs;

  const warnings: string[] = [];
  let storeError: TaskpulseError | Error | undefined;
  // With --announce (and no --passthrough), stdout is exactly what OpenClaw announces and stderr stays empty.
  const silent = opts.announce === true && !opts.passthrough && !ctx.json;

  // 1. Record the start (and count runs of this job whose wrapper died) before the command begins.
  let started: Started | undefined;
  try {
    if (unreachable !== undefined) throw unreachable;
    started = await store.transaction((tx): Started => {
      const existing = tx.job(jobId);
      const reaped = existing ? reapInTx(ctx, tx, existing) : undefined;
      let job = configureJob(reaped?.job ?? newJob(jobId, ctx.now), config);
      let task: string | undefined;
      if (opts.task) {
        const seq = tx.nextCounter();
        const id = newId(seq, ctx.deps.random);
        const change = createTask(
          {
            id,
            seq,
            agent: ctx.agent,
            name: jobId,
            description: commandText,
            priority: 5,
            steps: [],
            tags: ["cron"],
            after: [],
            meta: { job: jobId, run: runId },
            maxRetries: 0,
            notify: "silent",
            start: true,
          },
          actorOf(ctx),
        );
        commitChange(ctx, tx, undefined, change);
        task = id;
      }
      job = openRun(job, task ? { ...open, task } : open, ctx.now);
      tx.putJob(job);
      tx.appendRun(jobId, task ? { ...startedRecord, task } : startedRecord);
      return { job, notification: reaped?.notification, lost: reaped?.lost.map((r) => r.id) ?? [], task };
    });
  } catch (err) {
    if (!isStoreTrouble(err)) throw err;
    // A store that cannot record the start stops the run before the job begins (issue 18): a run nobody can see,
    // count or alert on is worse than a job that waits for its next schedule with the store's exit status (5: busy,
    // run again; 6: damaged or not writable, see `taskpulse doctor`). With --announce, stdout says so: announced.
    const line = `could not record the start of run ${runId}: ${(err as Error).message}; the job was not run`;
    const busy = err instanceof StoreBusyError;
    const exitCode = busy ? EXIT.busy : EXIT.corrupt;
    if (silent)
      return {
        data: { job: null, run: null, notRun: line, exitCode },
        lines: [`taskpulse: ${line}`],
        quiet: `taskpulse: ${line}`,
        push: null,
        exitCode,
        stderr: "none",
      };
    const hint =
      err instanceof TaskpulseError ? err.hint : "check the store directory's permissions and free space, then run `taskpulse doctor`";
    throw busy ? new StoreBusyError(line, hint) : new StoreCorruptError(line, hint);
  }

  // 2. Run it. With --announce or --json, the job's stdout is not ours to print: it goes to stderr; with --announce
  // (and no --passthrough), nowhere: OpenClaw announces a command's stderr too, so a silent run must leave it empty.
  // Its tails are kept in the run record either way.
  const stdoutToStderr = opts.announce === true || ctx.json;
  const out = silent ? DISCARD : writer(ctx, stdoutToStderr ? "stderr" : "stdout");
  const err = silent ? DISCARD : writer(ctx, "stderr");
  const heartbeat = started?.task ? startTaskHeartbeat(ctx, store, started.task) : undefined;
  // Both streams also go, as they come, to the run's live output (`jobs <job> --follow`), deleted once the result
  // is recorded (step 3).
  const live = started ? await startLiveOutput(store, jobId, runId, started.job.open) : undefined;
  const report = await runCommand({
    argv,
    timeoutMs,
    ...(killGraceMs !== undefined ? { killGraceMs } : {}),
    tailBytes: JOB_LIMITS.tailBytes,
    captureBytes: opts.announce || ctx.json ? ANNOUNCE_BYTES : 0,
    onStdout: (chunk) => {
      live?.write(chunk);
      out.write(chunk);
    },
    onStderr: (chunk) => {
      live?.write(chunk);
      err.write(chunk);
    },
    forwardSignals: true,
  });
  out.end();
  err.end();
  await heartbeat?.stop();

  // 3. Record the result.
  const finishedAt = new Date(ctx.now.getTime() + report.durationMs);
  const failure = failureOf(report, timeoutMs);
  const outcome = failure ? "failed" : "success";
  const finishedRecord: RunRecord = {
    v: 1,
    kind: "finished",
    run: runId,
    at: finishedAt.toISOString(),
    startedAt,
    durationMs: report.durationMs,
    outcome,
    exitCode: report.exitCode,
    signal: report.signal,
    stdout: report.stdout,
    stderr: report.stderr,
  };
  if (failure) finishedRecord.failure = failure;

  let finished: { job: Job; notification: JobNotification | undefined; late: boolean; taskWarning: string | undefined } | undefined;
  try {
    finished = await store.transaction((tx) => {
      let job = tx.job(jobId);
      if (!job || !started) {
        // the start could not be recorded: open and finish the run in one go, so it still counts
        job = openRun(configureJob(job ?? newJob(jobId, finishedAt), config), open, finishedAt);
        tx.appendRun(jobId, startedRecord);
      }
      const result = finishRun(
        job,
        { id: runId, startedAt, finishedAt: finishedAt.toISOString(), durationMs: report.durationMs, outcome, failure },
        finishedAt,
      );
      tx.putJob(result.job);
      tx.appendRun(jobId, result.late ? { ...finishedRecord, late: true } : finishedRecord);
      const taskWarning = started?.task ? finishTask(ctx, tx, started.task, failure, report) : undefined;
      return { ...result, taskWarning };
    });
    if (finished.taskWarning) warnings.push(finished.taskWarning);
  } catch (e) {
    if (!isStoreTrouble(e)) throw e;
    storeError = e as Error;
    warnings.push(`could not record the result of run ${runId}: ${(e as Error).message}`);
  } finally {
    live?.close();
  }

  // 4. What to say.
  const notification = mergeNotifications(started?.notification, finished?.notification);
  const job = finished?.job ?? started?.job;
  const push = jobPush(ctx, job, notification, config.route);
  const announce = announceText({ notification, outcome, stdout: report.captured, lang: ctx.lang });
  const jobExit = failure ? exitCodeOf(report) : EXIT.ok;
  let exitCode = opts.announce && !opts.exitCode ? EXIT.ok : jobExit;
  // recording failed: say so by the exit status even when the job itself succeeded
  if (storeError && exitCode === EXIT.ok) exitCode = storeError instanceof TaskpulseError ? storeError.exitCode : EXIT.internal;
  if (finished?.late) warnings.push(`run ${runId} had already been counted as lost; its result is recorded but not counted again`);
  if (report.capturedTruncated && opts.announce)
    warnings.push(`the job printed more than ${ANNOUNCE_BYTES} bytes; the announcement was cut`);

  const data = {
    job: job ?? null,
    run: {
      id: runId,
      job: jobId,
      command: argv,
      startedAt,
      finishedAt: finishedAt.toISOString(),
      durationMs: report.durationMs,
      outcome,
      exitCode: report.exitCode,
      signal: report.signal,
      timedOut: report.timedOut,
      interrupted: report.interrupted ?? null,
      failure: failure ?? null,
      stdout: report.stdout,
      stderr: report.stderr,
      task: started?.task ?? null,
      recorded: finished !== undefined,
    },
    lost: started?.lost ?? [],
    notification: notification ?? null,
    announce,
    route: effectiveRoute(ctx, job, config.route),
    exitCode,
  };
  const notes = [summaryLine(ctx, jobId, report, failure, job, notification)];
  if (opts.announce) {
    // stdout is exactly what OpenClaw should announce: the push is already in it (and in --json's envelope). A silent
    // run's warnings would break its silence: only one that says the run could not be recorded is announced (the
    // exit status then says so too); the others are in --json's warnings and, with --passthrough, on stderr.
    if (!silent) return { data, lines: [announce], quiet: announce, push: ctx.json ? push : null, exitCode, warnings, notes };
    const text = storeError
      ? [announce === NO_REPLY ? undefined : announce, ...warnings.map((w) => `taskpulse: ${w}`)].filter(Boolean).join("\n\n")
      : announce;
    return { data, lines: [text], quiet: text, push: null, exitCode, stderr: "none" };
  }
  // the push goes to stdout after the job's output (run.ts prints it after `lines`); nothing else does
  return { data, lines: [], quiet: undefined, push, exitCode, warnings, notes };
}

function failureOf(report: RunReport, timeoutMs: number | undefined): Failure | undefined {
  const line = lastLine(report.stderr.tail) ?? lastLine(report.stdout.tail);
  const withLine = (f: Failure): Failure => (line !== undefined ? { ...f, line } : f);
  if (report.spawnError) return { cause: "spawn", line: shorten(report.spawnError.message, JOB_LIMITS.errorLine) };
  if (report.timedOut) {
    const f: Failure = withLine({ cause: "timeout" });
    if (timeoutMs !== undefined) f.timeoutMs = timeoutMs;
    return f;
  }
  if (report.signal) return withLine({ cause: "signal", signal: report.signal });
  if (report.exitCode !== 0) return withLine({ cause: "exit", exitCode: report.exitCode ?? 1 });
  return undefined;
}

function summaryLine(
  ctx: Ctx,
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

function finishTask(
  ctx: Ctx,
  tx: Parameters<Parameters<Store["transaction"]>[0]>[0],
  taskId: string,
  failure: Failure | undefined,
  report: RunReport,
): string | undefined {
  const task = tx.get(taskId);
  if (task?.status !== "running") return `task ${taskId} is ${task?.status ?? "gone"}; the run's result is not applied to it`;
  const change = failure
    ? failTask(task, lastLine(report.stderr.tail) ?? `exit ${exitCodeOf(report)}`, false, actorOf(ctx))
    : completeTask(task, lastLine(report.stdout.tail), actorOf(ctx));
  commitChange(ctx, tx, task, change);
  return undefined;
}

/** Keeps a --task run from looking stalled: a heartbeat every third of the stall threshold (at most every minute). */
function startTaskHeartbeat(ctx: Ctx, store: Store, taskId: string): { stop(): Promise<void> } {
  const every = Math.min(60_000, Math.max(1_000, Math.floor(ctx.stallMs / 3)));
  let inflight: Promise<unknown> | undefined;
  const startMs = Date.now();
  const timer = setInterval(() => {
    if (inflight) return;
    const now = new Date(ctx.now.getTime() + (Date.now() - startMs));
    inflight = store
      .transaction((tx) => {
        const task = tx.get(taskId);
        if (task?.status === "running") tx.put(recordHeartbeat(task, {}, { agent: ctx.agent, now }).task);
      })
      .catch(() => {
        // a missed heartbeat is harmless; the result is recorded at the end
      })
      .finally(() => {
        inflight = undefined;
      });
  }, every);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await inflight;
    },
  };
}

/**
 * The run's live output, where the store keeps one. Without it (a store that cannot make the file, or keeps none)
 * the job runs all the same: followers then see its output when it is recorded.
 */
async function startLiveOutput(
  store: Store,
  jobId: string,
  runId: string,
  open: readonly OpenRun[],
): Promise<LiveOutputWriter | undefined> {
  try {
    return await store.liveOutput?.create(
      jobId,
      runId,
      open.map((run) => run.id),
    );
  } catch {
    return undefined;
  }
}

/** Where a silent --announce run sends the job's output: its tails are kept by the runner, nothing is printed. */
const DISCARD = { write: (_chunk: Buffer) => {}, end: () => {} };

function writer(ctx: Ctx, stream: "stdout" | "stderr"): { write(chunk: Buffer): void; end(): void } {
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

/** Trouble with the store itself (busy, corrupt, disk): the job still runs. Usage errors and conflicts stop it. */
function isStoreTrouble(err: unknown): boolean {
  if (err instanceof StoreBusyError || err instanceof StoreCorruptError) return true;
  if (err instanceof TaskpulseError || err instanceof ConflictError) return false;
  return typeof (err as NodeJS.ErrnoException)?.code === "string";
}
