// The library's public types, declared once: lib/index.d.ts is generated from them (`npm run gen`,
// scripts/gen/gen-lib-types.ts), written out in full so that a user reads plain interfaces. The data the use cases
// return is derived from the internal types (src/core, src/app), so a field added, removed or retyped there reaches
// the public types with the next `npm run gen`; test/lib/lib-dts.test.ts fails until it has. Where the public
// contract deliberately shows less, it is stated here: a task's queue counter `seq` is left out and its push
// bookkeeping is an opaque record (both are the store's, and may change shape), and `Push.delivery` is left out (it
// is set only by --send, which the library has not). The options and inputs are the library's own: the use cases
// take the CLI's text options, which a script should not have to build.
import type { CountKey } from "../app/status.ts";
import type { WaitReason } from "../app/wait.ts";
import type { ErrorDetail as CoreErrorDetail, ExitCode as CoreExitCode } from "../core/errors.ts";
import type { Summary as CoreSummary } from "../core/insight.ts";
import type { Liveness as CoreLiveness } from "../core/liveness.ts";
import type * as Model from "../core/model.ts";
import type { PriorityLabel as CorePriorityLabel } from "../core/priority.ts";
import type { MessageToolArgs as CoreMessageToolArgs, Push as CorePush } from "../core/push.ts";
import type { Lang as CoreLang } from "../core/templates.ts";

export type TaskStatus = Model.TaskStatus;
export type StepStatus = Model.StepStatus;
export type NotifyPolicy = Model.NotifyPolicy;
/** The language of push texts. */
export type Lang = CoreLang;
/** The label a priority can be given as: P0 = 10, P1 = 8, P2 = 5, P3 = 3. */
export type PriorityLabel = CorePriorityLabel;
export type Step = Model.Step;
/** A soft stop: the task finishes its current step, then acknowledges (`ack`). */
export type StopRequest = Model.StopRequest;

/** Omit over each member of a union (a task is one member per status). */
type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A task; `status` selects the fields that are set. */
export type Task = Without<Model.Task, "seq" | "push"> & {
  /** Notification bookkeeping (throttle, dedupe, edit-in-place): the store's, opaque to a script. */
  push?: Record<string, unknown> | undefined;
};

/** The argument object of OpenClaw's `message` tool. */
export type MessageToolArgs = CoreMessageToolArgs;
/** A notification that is due: send `tool` with the message tool, or run `argv`. */
export type Push = Omit<CorePush, "delivery">;
/** Whether a running task counts as stalled, derived when read. */
export type Liveness = CoreLiveness;
/** The small form of a task (hot or archived) that `query` returns. */
export type Summary = CoreSummary;

/** A process exit code of the CLI (exit-codes.md). */
export type ExitCode = CoreExitCode;
/** Which message an error is, and its variable parts (`key` names the message). */
export type ErrorDetail = CoreErrorDetail;

export interface OpenStoreOptions {
  /**
   * The store: a directory, or a postgres:// URL (default: $TASKPULSE_STORE, $TASKPULSE_HOME, else
   * $OPENCLAW_STATE_DIR/taskpulse, else ~/.openclaw/taskpulse). With PostgreSQL the handle keeps one connection,
   * which never keeps the process alive while idle.
   */
  home?: string;
  /** The agent calls are made as (default: $TASKPULSE_AGENT, the OpenClaw workspace of the working directory, else main). */
  agent?: string;
  /** Language of push texts (default: $TASKPULSE_LANG, else the locale). */
  lang?: Lang;
  /** Push route for every call (default: the task's own, else $TASKPULSE_CHANNEL / $TASKPULSE_TARGET …). */
  channel?: string;
  target?: string;
  account?: string;
  thread?: string;
  /** Decide and record pushes (default true). With false nothing is pushed, like the CLI's -q. */
  pushes?: boolean;
  /** The clock (default: the system clock). */
  now?: () => Date;
  /** Environment to read defaults from (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Working directory the agent is derived from (default: process.cwd()). */
  cwd?: string;
}

export interface CreateInput {
  name: string;
  /** Step names in order; `"fetch:2m"` gives a step a 2-minute budget. */
  steps?: string[];
  /** Start it now (a live task). */
  start?: boolean;
  /** 1-10 (higher first) or "P0".."P3". */
  priority?: number | string;
  description?: string;
  tags?: string[];
  /** Ids of tasks that must be done first. */
  after?: string[];
  group?: string;
  /** Structured parameters, any JSON values; stored and returned as given. */
  meta?: Record<string, unknown>;
  maxRetries?: number;
  /** Silence after which the task counts as stalled: "180s", "10m", or milliseconds. */
  stallAfter?: string | number;
  notify?: NotifyPolicy;
}

export interface QueryInput {
  agent?: string;
  status?: string[];
  minPriority?: number | string;
  maxPriority?: number | string;
  tag?: string[];
  group?: string;
  /** Tasks whose parameters hold these values (equal as JSON); a key given undefined: tasks that have the key. */
  meta?: Record<string, unknown>;
  text?: string;
  /** ISO time or a relative age such as "24h". */
  from?: string;
  to?: string;
  by?: "created" | "started" | "finished";
  limit?: number;
  /** created, started, finished, priority, name or agent; prefix "-" for descending (default "-created"). */
  sort?: string;
}

export interface TaskResult {
  task: Task;
  /** The notification that is due, or null. */
  push: Push | null;
}

export interface StartResult {
  /** The task taken, or null when the queue is empty or the agent is busy. */
  task: Task | null;
  push: Push | null;
  busy: boolean;
}

export interface HeartbeatResult extends TaskResult {
  /** A stop was requested: finish the current step, then call ack(). */
  stopRequested: boolean;
}

/** A task with its step counts and liveness. */
export interface TaskView {
  task: Task;
  /** Steps done, of `total`; once the task is done, its skipped steps count as done. */
  done: number;
  total: number;
  liveness: Liveness;
}

export interface StatusOverview {
  /** Every hot task, in creation order. */
  tasks: TaskView[];
  /** Hot tasks by state; a stalled task counts as stalled, not running. */
  counts: Record<CountKey, number>;
  /** The alert for tasks newly stalled, or null. */
  push: Push | null;
}

export interface TaskStatusResult extends TaskView {
  /** The task was found in the archive (finished and moved out of the hot state). */
  archived: boolean;
  /** The alert when this read found the task newly stalled, or null. */
  push: Push | null;
}

export interface WaitResult {
  task: Task;
  /** Why the wait ended: the task finished, a stop was requested (with `stop`), or the time ran out. */
  reason: WaitReason;
}

/** A store opened for one agent; every method is one locked, atomic transaction, like one CLI call. */
export interface TaskpulseStore {
  /** The store's directory, or its URL without the password. */
  readonly location: string;
  readonly agent: string;
  create(input: CreateInput): Promise<TaskResult>;
  /** Start a task by id, or (without id) take the agent's next queued task. */
  start(id?: string): Promise<StartResult>;
  /** Finish the current step and start the next; `finished` when that was the last (the task is done). */
  next(id: string, message?: string): Promise<TaskResult & { finished: boolean }>;
  heartbeat(id: string, options?: { message?: string; progress?: number; waiting?: string; for?: string }): Promise<HeartbeatResult>;
  done(id: string, result?: string): Promise<TaskResult>;
  /** `step`: the step that failed, the current one or one to come (the steps before it count as done). */
  fail(id: string, error: string, options?: { retryable?: boolean; step?: string }): Promise<TaskResult>;
  retry(id: string): Promise<TaskResult>;
  cancel(id: string, reason?: string): Promise<TaskResult>;
  /** Ask a running task to stop after its current step (a soft stop). */
  stop(id: string, reason?: string): Promise<TaskResult>;
  /** Read-only: whether a stop is requested. */
  check(id: string): Promise<{ stopRequested: boolean; stop: StopRequest | null }>;
  /** Acknowledge a stop request: the task ends cancelled, with `summary`. */
  ack(id: string, summary?: string): Promise<TaskResult>;
  status(): Promise<StatusOverview>;
  status(id: string): Promise<TaskStatusResult>;
  query(input?: QueryInput): Promise<{ total: number; tasks: Summary[] }>;
  /** Wait until the task finishes (or, with stop, until a stop is requested); reason "timeout" when it did not. */
  wait(id: string, options?: { timeout?: string; interval?: string; stop?: boolean }): Promise<WaitResult>;
}
