// Cron-job health, pure: streaks, alert episodes, lost runs, delivery records, and the texts that reach chat.
// Every function takes the job summary and `now` and returns a new summary plus the notification that became due,
// if any. Rules:
// - a failure (non-zero exit, signal, timeout, spawn error, lost run) extends the failure streak; when the streak
//   reaches alertAfter (default 3) and no alert is open, one alert opens and its message is due;
// - further failures update the open alert; a message is due again only every `remindEvery` failures (off by default);
// - the first success closes the alert and one recovery message is due;
// - a run whose wrapper is gone (checked by the caller) is counted as a failure with cause "lost".
import { ConflictError } from "./errors.ts";
import { type Failure, JOB_LIMITS, type Job, type JobAlert, type LastRun, type OpenRun, type RunOutcome } from "./job-model.ts";
import type { Route } from "./model.ts";
import { byCodePoint, shorten } from "./names.ts";
import { messageTool, NO_TARGET_ARGV, type Push, toArgv } from "./push.ts";
import { formatDuration } from "./time.ts";

export type Lang = "zh" | "en";

export const NO_REPLY = "NO_REPLY";

export type JobNotification =
  | { kind: "alert"; job: string; episode: string; failures: number; failure: Failure; reminder: boolean }
  | { kind: "recovery"; job: string; episode: string; failures: number };

export interface JobConfig {
  alertAfter?: number | undefined;
  remindEvery?: number | undefined;
  route?: Route | undefined;
}

export function newJob(id: string, now: Date): Job {
  const at = now.toISOString();
  return {
    id,
    createdAt: at,
    updatedAt: at,
    open: [],
    failures: 0,
    successes: 0,
    totals: { runs: 0, succeeded: 0, failed: 0, lost: 0 },
    alertsOpened: 0,
  };
}

/** Settings given on a call are kept on the job, so later calls (and `jobs`) use them without repeating them. */
export function configureJob(job: Job, config: JobConfig): Job {
  const next = { ...job };
  if (config.alertAfter !== undefined) next.alertAfter = config.alertAfter;
  if (config.remindEvery !== undefined) {
    // 0 turns reminders off
    if (config.remindEvery === 0) delete next.remindEvery;
    else next.remindEvery = config.remindEvery;
  }
  if (config.route !== undefined && Object.keys(config.route).length > 0) next.route = { ...job.route, ...config.route };
  return next;
}

export function alertAfterOf(job: Job): number {
  return job.alertAfter ?? JOB_LIMITS.alertAfter;
}

/** Records a run as started. Refused when too many runs of the job are already open (a runaway schedule). */
export function openRun(job: Job, run: OpenRun, now: Date): Job {
  if (job.open.length >= JOB_LIMITS.openRuns) {
    throw new ConflictError(
      `job ${job.id} already has ${job.open.length} runs in progress`,
      `wait for them to finish, or check \`taskpulse jobs ${job.id}\` for runs whose wrapper hangs`,
    );
  }
  return { ...job, open: [...job.open, run], updatedAt: now.toISOString() };
}

/** What the caller could learn about a run's wrapper process. */
export type WrapperState = "alive" | "dead" | "unknown";

/** Slack after a run's --timeout (kill grace, waiting for the store lock) before an unverifiable wrapper is given up. */
const LOST_GRACE_MS = 10 * 60_000;
/** Without a timeout, an unverifiable wrapper (other host, no /proc) is given up after this long. */
export const LOST_AFTER_MS = 24 * 3_600_000;

/**
 * A run is lost when its wrapper is known to be dead, or when nothing can tell (another host, a pid that cannot be
 * verified) and it has been open longer than its timeout plus a grace period (24 h without a timeout).
 */
export function isLost(run: OpenRun, state: WrapperState, now: Date): boolean {
  if (state === "dead") return true;
  if (state === "alive") return false;
  const bound = run.timeoutMs !== undefined ? run.timeoutMs + LOST_GRACE_MS : LOST_AFTER_MS;
  return now.getTime() - Date.parse(run.startedAt) > bound;
}

interface Applied {
  job: Job;
  notification: JobNotification | undefined;
}

export interface Reaped extends Applied {
  lost: OpenRun[];
}

/** Counts every open run whose wrapper is gone as a failed ("lost") run, oldest first. */
export function reapLostRuns(job: Job, check: (run: OpenRun) => WrapperState, now: Date): Reaped {
  const lost = job.open.filter((run) => isLost(run, check(run), now));
  let current: Job = { ...job, open: job.open.filter((run) => !lost.includes(run)) };
  let notification: JobNotification | undefined;
  for (const run of [...lost].sort((a, b) => byCodePoint(a.startedAt, b.startedAt))) {
    const applied = applyResult(
      current,
      { id: run.id, startedAt: run.startedAt, finishedAt: now.toISOString(), outcome: "failed", failure: { cause: "lost" } },
      now,
    );
    current = applied.job;
    current.totals = { ...current.totals, lost: current.totals.lost + 1 };
    notification = mergeNotifications(notification, applied.notification);
  }
  return { job: current, notification, lost };
}

export interface RunResult {
  id: string;
  startedAt: string;
  finishedAt: string;
  durationMs?: number | undefined;
  outcome: RunOutcome;
  failure?: Failure | undefined;
}

export interface Finished extends Applied {
  /** The run was no longer open: it had been counted as lost. It is recorded but not counted again. */
  late: boolean;
}

export function finishRun(job: Job, result: RunResult, now: Date): Finished {
  const open = job.open.find((run) => run.id === result.id);
  if (!open) return { job, notification: undefined, late: true };
  const rest = { ...job, open: job.open.filter((run) => run.id !== result.id) };
  return { ...applyResult(rest, result, now), late: false };
}

function applyResult(job: Job, result: RunResult, now: Date): Applied {
  const at = now.toISOString();
  const lastRun: LastRun = { id: result.id, startedAt: result.startedAt, finishedAt: result.finishedAt, outcome: result.outcome };
  if (result.durationMs !== undefined) lastRun.durationMs = result.durationMs;
  if (result.failure) lastRun.failure = result.failure;
  const totals = { ...job.totals, runs: job.totals.runs + 1 };
  if (result.outcome === "success") {
    totals.succeeded += 1;
    const next: Job = {
      ...job,
      lastRun,
      totals,
      failures: 0,
      successes: job.successes + 1,
      lastSuccessAt: result.finishedAt,
      updatedAt: at,
    };
    const alert = job.alert;
    if (!alert) return { job: next, notification: undefined };
    delete next.alert;
    next.lastAlert = { episode: alert.episode, openedAt: alert.openedAt, closedAt: result.finishedAt, failures: job.failures };
    return { job: next, notification: { kind: "recovery", job: job.id, episode: alert.episode, failures: job.failures } };
  }
  totals.failed += 1;
  const failure: Failure = result.failure ?? { cause: "exit" };
  const failures = job.failures + 1;
  const next: Job = { ...job, lastRun, totals, failures, successes: 0, lastFailureAt: result.finishedAt, updatedAt: at };
  if (!job.alert) {
    if (failures < alertAfterOf(job)) return { job: next, notification: undefined };
    const alert: JobAlert = { episode: result.id, openedAt: at, updatedAt: at, failures, notifiedAt: failures, lastFailure: failure };
    next.alert = alert;
    next.alertsOpened = job.alertsOpened + 1;
    return { job: next, notification: { kind: "alert", job: job.id, episode: alert.episode, failures, failure, reminder: false } };
  }
  const remind = job.remindEvery !== undefined && failures - job.alert.notifiedAt >= job.remindEvery;
  next.alert = { ...job.alert, failures, updatedAt: at, lastFailure: failure, notifiedAt: remind ? failures : job.alert.notifiedAt };
  if (!remind) return { job: next, notification: undefined };
  return { job: next, notification: { kind: "alert", job: job.id, episode: job.alert.episode, failures, failure, reminder: true } };
}

/**
 * Several results applied in one call (lost runs found, then the new run): the user hears the latest news. An
 * alert that opened and closed within one call is told as its recovery, which carries the count.
 */
export function mergeNotifications(first: JobNotification | undefined, second: JobNotification | undefined): JobNotification | undefined {
  return second ?? first;
}

export interface DeliveryInput {
  run: string;
  messageId: string;
  status: "sent" | "failed";
  error?: string | undefined;
}

export function recordDelivery(job: Job, input: DeliveryInput, now: Date): Job {
  const before = job.delivery;
  const sent = (before?.sent ?? 0) + (input.status === "sent" ? 1 : 0);
  const failed = (before?.failed ?? 0) + (input.status === "failed" ? 1 : 0);
  const failures = input.status === "sent" ? 0 : (before?.failures ?? 0) + 1;
  const delivery: Job["delivery"] = {
    run: input.run,
    messageId: input.messageId,
    status: input.status,
    at: now.toISOString(),
    failures,
    sent,
    failed,
  };
  if (input.error && input.status === "failed") delivery.error = shorten(input.error, JOB_LIMITS.errorLine);
  return { ...job, delivery, updatedAt: now.toISOString() };
}

/** A one-word health for listings. */
export type JobHealth = "running" | "ok" | "failing" | "alert" | "new";

export function jobHealth(job: Job): JobHealth {
  if (job.open.length > 0) return "running";
  if (job.alert) return "alert";
  if (job.failures > 0) return "failing";
  if (job.lastRun) return "ok";
  return "new";
}

// ---------------------------------------------------------------------------------------------------------------
// Texts

/** The last non-empty line of a text, flattened and bounded (code points, never mid-character). */
export function lastLine(text: string, max: number = JOB_LIMITS.errorLine): string | undefined {
  const lines = text.split(/\r?\n|\r/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] ?? "").replace(/\t/g, " ").trim();
    // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes are noise in a chat message
    const clean = line.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "").replace(/[\u0000-\u001f\u007f]/g, "");
    if (clean !== "") return shorten(clean, max);
  }
  return undefined;
}

/** What went wrong, in one line: the job's own last error line when it has one, else the cause. */
export function describeFailure(failure: Failure, lang: Lang): string {
  const zh = lang === "zh";
  switch (failure.cause) {
    case "timeout": {
      const ms = failure.timeoutMs;
      const after = ms === undefined ? "" : ms < 1000 ? `${ms}ms` : formatDuration(ms);
      return zh ? `超时${after ? `（${after}）` : ""}，已终止` : `timed out${after ? ` after ${after}` : ""} and was killed`;
    }
    case "signal":
      return zh ? `被信号 ${failure.signal ?? "?"} 终止` : `killed by ${failure.signal ?? "a signal"}`;
    case "lost":
      return zh ? "运行中断：包装进程被杀死，未记录结果" : "run lost: its wrapper was killed before recording a result";
    case "spawn":
      return zh ? `无法启动: ${failure.line ?? "?"}` : `could not start: ${failure.line ?? "?"}`;
    case "exit":
      if (failure.line) return failure.line;
      return zh ? `退出码 ${failure.exitCode ?? "?"}` : `exit code ${failure.exitCode ?? "?"}`;
  }
}

export function notificationText(n: JobNotification, lang: Lang): string {
  if (n.kind === "recovery") {
    return lang === "zh"
      ? `✅ 【${n.job}】已恢复（此前连续失败 ${n.failures} 次）`
      : `✅ [${n.job}] recovered (after ${n.failures} failures in a row)`;
  }
  const lines =
    lang === "zh"
      ? [`🚨 【${n.job}】连续失败 ${n.failures} 次`, `最后错误: ${describeFailure(n.failure, lang)}`]
      : [`🚨 [${n.job}] failed ${n.failures} times in a row`, `Last error: ${describeFailure(n.failure, lang)}`];
  if (n.failures >= JOB_LIMITS.disableAfter) {
    lines.push(
      lang === "zh"
        ? `💡 连续失败已达 ${JOB_LIMITS.disableAfter} 次以上，建议停用此任务`
        : `💡 ${JOB_LIMITS.disableAfter}+ failures in a row: consider disabling this job`,
    );
  }
  return lines.join("\n");
}

function notificationId(n: JobNotification): string {
  if (n.kind === "recovery") return `job:${n.job}:recovery:${n.episode}`;
  return n.reminder ? `job:${n.job}:alert:${n.episode}:${n.failures}` : `job:${n.job}:alert:${n.episode}`;
}

/**
 * The push payload for a job notification: the `message` tool's arguments and the same as an `openclaw message
 * send` command line (toArgv, shared with task pushes). A cron run has no current conversation to fall back on, so a
 * missing target gets a hint.
 */
export function buildJobPush(n: JobNotification, lang: Lang, route: Route | undefined): Push {
  const message = notificationText(n, lang);
  const tool = messageTool("send", message, route);
  const argv = toArgv(tool);
  const push: Push = {
    due: true,
    reason: n.kind === "recovery" ? "job-recovery" : n.reminder ? "job-reminder" : "job-alert",
    id: notificationId(n),
    tool,
    argv,
  };
  if (!route?.target) {
    push.hint = `a cron run has no conversation to reply to: pass --channel and --target (or set TASKPULSE_CHANNEL and TASKPULSE_TARGET), or use --announce so OpenClaw's cron delivery sends it; ${NO_TARGET_ARGV}`;
  }
  return push;
}

/**
 * What `run --announce` prints, i.e. what OpenClaw announces to chat: the alert when one is due; the recovery
 * (followed by the job's own output, when it printed something); else the output of a successful run; else
 * NO_REPLY, which OpenClaw suppresses. A failure that opens no alert announces nothing: that is the point of
 * counting streaks.
 */
export function announceText(input: {
  notification: JobNotification | undefined;
  outcome: RunOutcome;
  stdout: string;
  lang: Lang;
}): string {
  const output = input.stdout.trim() === NO_REPLY ? "" : input.stdout.replace(/\s+$/, "");
  const n = input.notification;
  if (n?.kind === "alert") return notificationText(n, input.lang);
  if (n?.kind === "recovery") {
    const text = notificationText(n, input.lang);
    return output.trim() === "" ? text : `${text}\n\n${output}`;
  }
  if (input.outcome === "success" && output.trim() !== "") return output;
  return NO_REPLY;
}
