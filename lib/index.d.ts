// Public types of the taskpulse library entry (`import { openStore } from "taskpulse"`). Hand-written so they read
// well; src/lib/index.ts implements exactly these signatures and the type-checker holds it to them (it imports
// this file), and test/lib/lib-types.test.ts holds each data type here equal to the one the use cases return, so
// neither side can drift.

export type TaskStatus = "pending" | "running" | "done" | "failed" | "cancelled";
export type StepStatus = "pending" | "running" | "done" | "failed" | "skipped";
export type NotifyPolicy = "all" | "steps" | "final" | "silent";
export type Lang = "zh" | "en";

export interface Step {
  name: string;
  status: StepStatus;
  startedAt?: string | undefined;
  finishedAt?: string | undefined;
  message?: string | undefined;
  budgetMs?: number | undefined;
}

export interface StopRequest {
  requestedAt: string;
  by: string;
  reason?: string | undefined;
}

interface TaskBase {
  id: string;
  agent: string;
  name: string;
  description?: string | undefined;
  /** 1-10, higher runs first. */
  priority: number;
  /** The label the priority was given as (P0 = 10, P1 = 8, P2 = 5, P3 = 3); absent when given as 1-10. */
  priorityLabel?: "P0" | "P1" | "P2" | "P3" | undefined;
  steps: Step[];
  progress?: number | undefined;
  lastMessage?: string | undefined;
  tags: string[];
  after: string[];
  group?: string | undefined;
  /** Structured parameters: JSON values (text where `--meta` was given text). */
  meta: Record<string, unknown>;
  createdBy: string;
  createdAt: string;
  queuedAt: string;
  updatedAt: string;
  /** Last sign of life: the reference for stall detection. */
  lastSeenAt: string;
  attempts: number;
  retries: number;
  maxRetries: number;
  stallAfterMs?: number | undefined;
  notify?: NotifyPolicy | undefined;
  route?:
    | { channel?: string | undefined; target?: string | undefined; account?: string | undefined; thread?: string | undefined }
    | undefined;
  stop?: StopRequest | undefined;
  waiting?: { reason: string; since: string; until?: string | undefined } | undefined;
  stallsSeen?: number | undefined;
  /** Notification bookkeeping (throttle, dedupe, edit-in-place). */
  push?: Record<string, unknown> | undefined;
}

/** A task; `status` selects the fields that are set. */
export type Task =
  | (TaskBase & { status: "pending" })
  | (TaskBase & { status: "running"; startedAt: string })
  | (TaskBase & { status: "done"; startedAt: string; finishedAt: string; result?: string | undefined })
  | (TaskBase & { status: "failed"; startedAt: string; finishedAt: string; error: string; retryable: boolean })
  | (TaskBase & {
      status: "cancelled";
      startedAt?: string | undefined;
      finishedAt: string;
      reason?: string | undefined;
      summary?: string | undefined;
    });

/** The argument object of OpenClaw's `message` tool. */
export interface MessageToolArgs {
  action: "send" | "edit";
  message: string;
  channel?: string;
  target?: string;
  accountId?: string;
  threadId?: string;
  messageId?: string;
}

/** A notification that is due: send `tool` with the message tool, or run `argv`. */
export interface Push {
  due: true;
  reason: string;
  id: string;
  tool: MessageToolArgs;
  /** `openclaw message send|edit … --json`; null without a target (openclaw requires one). */
  argv: string[] | null;
  hint?: string;
}

export interface Liveness {
  stalled: boolean;
  reason?: "no_heartbeat" | "step_overrun";
  since?: string;
  forMs?: number;
  waiting?: { reason: string; until?: string };
}

/** The small form of a task (hot or archived) that `query` returns. */
export interface Summary {
  id: string;
  agent: string;
  name: string;
  description?: string;
  status: TaskStatus;
  priority: number;
  priorityLabel?: "P0" | "P1" | "P2" | "P3";
  tags: string[];
  group?: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  retries: number;
  stallsSeen?: number;
  error?: string;
  after?: string[];
  meta?: Record<string, unknown>;
  state?: "stalled" | "blocked";
  archived?: boolean;
}

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

export interface StatusOverview {
  tasks: { task: Task; done: number; total: number; liveness: Liveness }[];
  counts: { running: number; stalled: number; pending: number; done: number; failed: number; cancelled: number };
  push: Push | null;
}

export interface TaskStatusResult {
  task: Task;
  done: number;
  total: number;
  liveness: Liveness;
  archived: boolean;
  push: Push | null;
}

export interface WaitResult {
  task: Task;
  /** done, failed, cancelled, stop_requested or timeout. */
  reason: string;
}

/** A store opened for one agent; every method is one locked, atomic transaction, like one CLI call. */
export interface TaskpulseStore {
  /** The store's directory, or its URL without the password. */
  readonly location: string;
  readonly agent: string;
  create(input: CreateInput): Promise<TaskResult>;
  /** Start a task by id, or (without id) take the agent's next queued task. */
  start(id?: string): Promise<StartResult>;
  next(id: string, message?: string): Promise<TaskResult & { finished: boolean }>;
  heartbeat(id: string, options?: { message?: string; progress?: number; waiting?: string; for?: string }): Promise<HeartbeatResult>;
  done(id: string, result?: string): Promise<TaskResult>;
  /** `step`: the step that failed, the current one or one to come (the steps before it count as done). */
  fail(id: string, error: string, options?: { retryable?: boolean; step?: string }): Promise<TaskResult>;
  retry(id: string): Promise<TaskResult>;
  cancel(id: string, reason?: string): Promise<TaskResult>;
  stop(id: string, reason?: string): Promise<TaskResult>;
  /** Read-only: whether a stop is requested. */
  check(id: string): Promise<{ stopRequested: boolean; stop: StopRequest | null }>;
  ack(id: string, summary?: string): Promise<TaskResult>;
  status(): Promise<StatusOverview>;
  status(id: string): Promise<TaskStatusResult>;
  query(input?: QueryInput): Promise<{ total: number; tasks: Summary[] }>;
  /** Wait until the task finishes (or, with stop, until a stop is requested); reason "timeout" when it did not. */
  wait(id: string, options?: { timeout?: string; interval?: string; stop?: boolean }): Promise<WaitResult>;
}

/** Errors carry a stable code, the CLI's exit code for the same failure, and a hint. */
export declare class TaskpulseError extends Error {
  readonly code: string;
  readonly exitCode: number;
  readonly hint: string | undefined;
}

export declare function openStore(options?: OpenStoreOptions): TaskpulseStore;
