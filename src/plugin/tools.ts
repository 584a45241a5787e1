// taskpulse as native OpenClaw agent tools: each tool is a use case of src/app, run with the identity and route
// OpenClaw hands the tool (its agentId and the conversation's delivery context) instead of guessing them from the
// working directory. Nothing here imports OpenClaw: src/plugin/entry.ts registers these with its SDK, and the tests
// call them directly. Results are small and typed for a model, never use the keys OpenClaw grades at the top level
// (status, ok, success, error, timedOut, exitCode), and always say whether a stop is pending.
import { homedir } from "node:os";
import { type Ctx, createContext, type GlobalOptions } from "../app/context.ts";
import { type CreateOptions, createTaskFrom } from "../app/create.ts";
import type { Deps } from "../app/deps.ts";
import { recordHeartbeat } from "../app/heartbeat.ts";
import { recordPushed } from "../app/pushed.ts";
import { deliver } from "../app/send.ts";
import { claimNextTask } from "../app/start.ts";
import { statusOverview, taskStatus } from "../app/status.ts";
import { taskFromWords } from "../app/tasks.ts";
import { acknowledgeStop, advanceTask, checkStop, completeTask, failTask } from "../app/transitions.ts";
import { TaskpulseError } from "../core/errors.ts";
import { stepCounts } from "../core/lifecycle.ts";
import type { Route, Task } from "../core/model.ts";
import { isSlug } from "../core/names.ts";
import type { MessageToolArgs, Push } from "../core/push.ts";

/** What OpenClaw tells a tool about the call (the fields of its tool context taskpulse reads). */
export interface ToolScope {
  agentId?: string | undefined;
  sessionKey?: string | undefined;
  workspaceDir?: string | undefined;
  deliveryContext?:
    | { channel?: string | undefined; to?: string | undefined; accountId?: string | undefined; threadId?: string | number | undefined }
    | undefined;
}

/** The plugin's settings (plugins.entries.taskpulse.config in openclaw.json). */
export interface PluginSettings {
  /** The store: a directory or a postgres:// URL; default as the CLI's (TASKPULSE_STORE, TASKPULSE_HOME, …). */
  store?: string | undefined;
  /** Deliver pushes with `openclaw message … --json` and keep one live card (default true); false: return them. */
  send?: boolean | undefined;
  /** Language of the pushes (en or zh); default as the CLI's. */
  lang?: string | undefined;
}

/** The process around the tools; tests replace it. */
export interface ToolHost {
  env: Readonly<Record<string, string | undefined>>;
  now?: () => Date;
}

/** A task as a model needs it. */
interface TaskBrief {
  id: string;
  name: string;
  state: Task["status"];
  agent: string;
  /** The running step's name, or null. */
  step: string | null;
  stepsDone: number;
  steps: number;
  progress?: number;
  route?: Route;
  /** Set for a finished task: its result, or why it failed. */
  outcome?: string;
}

interface StopNotice {
  task: string;
  name: string;
  reason: string | null;
  requestedAt: string;
  by: string;
}

/** A push, sent by the plugin (sent: true) or to be sent by the agent with its `message` tool. */
interface PushOut {
  reason: string;
  sent: boolean;
  messageId?: string;
  /** The `message` tool's arguments, when the plugin did not send it: send exactly this. */
  message?: MessageToolArgs;
  note?: string;
}

export interface ToolOutput {
  task?: TaskBrief | null;
  /** True when any running task of this agent (or the task at hand) has a stop request not yet acknowledged. */
  stopRequested: boolean;
  stops: StopNotice[];
  push?: PushOut;
  finished?: boolean;
  warnings?: string[];
  [key: string]: unknown;
}

export type ToolParams = Record<string, unknown>;

export interface ToolDefinition {
  name: string;
  label: string;
  description: string;
  parameters: Record<string, unknown>;
  run(call: ToolCall, params: ToolParams): Promise<ToolOutput>;
}

interface ToolCall {
  scope: ToolScope;
  settings: PluginSettings;
  host: ToolHost;
}

const str = (description: string) => ({ type: "string", description });
const ID = str("Task id or unique prefix. Leave out for your one running task.");

function object(properties: Record<string, unknown>, required: string[] = []) {
  return { type: "object", properties, required, additionalProperties: false };
}

/**
 * A chat as taskpulse keeps it: OpenClaw names it `telegram:123` in an agent run's context and `123` where a caller
 * gave it, and `openclaw message --target` takes the bare id.
 */
function bareTarget(channel: string | undefined, target: string): string {
  return channel && target.toLowerCase().startsWith(`${channel.toLowerCase()}:`) ? target.slice(channel.length + 1) : target;
}

/** The conversation's route, from OpenClaw's delivery context (only the parts it has). */
export function routeOf(scope: ToolScope): Route {
  const d = scope.deliveryContext;
  const route: Route = {};
  if (d?.channel) route.channel = d.channel;
  if (d?.to) route.target = bareTarget(d.channel, d.to);
  if (d?.accountId) route.account = d.accountId;
  if (d?.threadId !== undefined && d.threadId !== "") route.thread = String(d.threadId);
  return route;
}

/** A context as the CLI builds one, with the agent OpenClaw named; `route`: this call's route (create only). */
function contextFor(call: ToolCall, route?: Route): Ctx {
  const env = { ...call.host.env };
  if (call.settings.store) env.TASKPULSE_STORE = call.settings.store;
  const deps: Deps = {
    env,
    cwd: call.scope.workspaceDir ?? process.cwd(),
    home: homedir(),
    stdout: () => {},
    stderr: () => {},
    now: call.host.now ?? (() => new Date()),
    random: Math.random,
    isTTY: false,
    columns: 80,
  };
  const opts: GlobalOptions = { agent: call.scope.agentId || "main" };
  if (call.settings.lang) opts.lang = call.settings.lang;
  if (route?.channel) opts.channel = route.channel;
  if (route?.target) opts.target = route.target;
  if (route?.account) opts.account = route.account;
  if (route?.thread) opts.thread = route.thread;
  return createContext(opts, deps);
}

function brief(task: Task): TaskBrief {
  const { done, total } = stepCounts(task);
  const out: TaskBrief = {
    id: task.id,
    name: task.name,
    state: task.status,
    agent: task.agent,
    step: task.steps.find((s) => s.status === "running")?.name ?? null,
    stepsDone: done,
    steps: total,
  };
  if (task.progress !== undefined) out.progress = task.progress;
  if (task.route && Object.keys(task.route).length > 0) out.route = task.route;
  if (task.status === "done" && task.result) out.outcome = task.result;
  if (task.status === "failed") out.outcome = task.error;
  if (task.status === "cancelled") {
    const why = task.summary ?? task.reason;
    if (why) out.outcome = why;
  }
  return out;
}

function notice(task: Task): StopNotice | undefined {
  if (task.status !== "running" || !task.stop) return undefined;
  return { task: task.id, name: task.name, reason: task.stop.reason ?? null, requestedAt: task.stop.requestedAt, by: task.stop.by };
}

/** Every pending stop of this agent's running tasks, and of `also` (the task at hand, whoever's it is). */
async function pendingStops(ctx: Ctx, also?: Task): Promise<StopNotice[]> {
  const snapshot = await ctx.store("check").read();
  const ids = snapshot
    .queue(ctx.agent)
    .filter((t) => t.status === "running")
    .map((t) => t.id);
  if (also && !ids.includes(also.id)) ids.push(also.id);
  return ids.flatMap((id) => {
    const task = snapshot.get(id) ?? (id === also?.id ? also : undefined);
    return (task && notice(task)) ?? [];
  });
}

/** Sends the push (when the settings allow) or hands it back ready for the `message` tool: never dropped. */
async function pushOut(ctx: Ctx, call: ToolCall, push: Push | null, warnings: string[]): Promise<PushOut | undefined> {
  if (!push) return undefined;
  const unsent = (note: string): PushOut => ({ reason: push.reason, sent: false, message: push.tool, note });
  const recordHint = "send it with the message tool exactly as given, then call taskpulse_pushed with the messageId it returns";
  if (call.settings.send === false) return unsent(recordHint);
  const delivered = await deliver(ctx, { push, warnings: [] as string[] });
  const d = delivered.push?.delivery;
  if (d?.status === "sent") {
    const out: PushOut = { reason: push.reason, sent: true };
    if (d.messageId !== undefined) out.messageId = d.messageId;
    return out;
  }
  warnings.push(...(delivered.warnings ?? []).map((w) => w.replace("; the change itself is recorded", "")));
  return unsent(`not sent by the plugin (${d?.error ?? "no delivery"}): ${recordHint}`);
}

/** The result every tool returns: the task, the pending stops, the push. */
async function output(
  ctx: Ctx,
  call: ToolCall,
  task: Task | null,
  push: Push | null,
  extra: Record<string, unknown> = {},
): Promise<ToolOutput> {
  const warnings: string[] = [];
  const sent = await pushOut(ctx, call, push, warnings);
  const stops = await pendingStops(ctx, task ?? undefined);
  const out: ToolOutput = { task: task ? brief(task) : null, stopRequested: stops.length > 0, stops, ...extra };
  if (sent) out.push = sent;
  if (warnings.length > 0) out.warnings = warnings;
  return out;
}

/** The task a call names, else the agent's one running task (as `taskpulse next --agent` finds it). */
async function taskId(ctx: Ctx, command: string, params: ToolParams): Promise<string> {
  const id = text(params.id);
  if (id) return id;
  return (await taskFromWords(ctx, command, [])).id;
}

function text(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return undefined;
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.map((v) => String(v)) : [];
}

/** Runs a tool with its context closed afterwards, and taskpulse's errors as one clear message for the model. */
async function withContext(call: ToolCall, route: Route | undefined, body: (ctx: Ctx) => Promise<ToolOutput>): Promise<ToolOutput> {
  const ctx = contextFor(call, route);
  try {
    return await body(ctx);
  } catch (e) {
    if (e instanceof TaskpulseError) throw new Error(`taskpulse: ${e.message}${e.hint ? ` (${e.hint})` : ""}`, { cause: e });
    throw e;
  } finally {
    await ctx.close();
  }
}

/** A tool about one task, named by id or the agent's one running task: `use` runs the use case on it. */
function onTask(
  command: string,
  use: (ctx: Ctx, id: string, params: ToolParams) => Promise<{ task: Task; push: Push | null; finished?: boolean }>,
): ToolDefinition["run"] {
  return (call, params) =>
    withContext(call, undefined, async (ctx) => {
      const r = await use(ctx, await taskId(ctx, command, params), params);
      return output(ctx, call, r.task, r.push, r.finished === undefined ? {} : { finished: r.finished });
    });
}

export const TOOLS: readonly ToolDefinition[] = [
  {
    name: "taskpulse_create",
    label: "taskpulse: create task",
    description:
      "Create a tracked task with steps; start: true begins it at once (one live progress card in this chat). Returns the task id for the other taskpulse tools.",
    parameters: object(
      {
        name: str("What the task is, shown on the card."),
        steps: { type: "array", items: { type: "string" }, description: 'The steps in order; "fetch:2m" gives a step a 2-minute budget.' },
        priority: str("1-10 (10 most urgent) or P0-P3; default 5."),
        start: { type: "boolean", description: "Start it now (else it is queued for taskpulse_take)." },
        description: str("Longer description."),
        after: { type: "array", items: { type: "string" }, description: "Ids of tasks that must finish first." },
      },
      ["name"],
    ),
    run: (call, params) =>
      withContext(call, routeOf(call.scope), async (ctx) => {
        const opts: CreateOptions = {
          name: String(params.name ?? ""),
          step: list(params.steps),
          tag: [],
          after: list(params.after),
          meta: [],
        };
        const priority = text(params.priority);
        if (priority !== undefined) opts.priority = priority;
        if (params.start === true) opts.start = true;
        const description = text(params.description);
        if (description !== undefined) opts.description = description;
        const { task, push } = await createTaskFrom(ctx, undefined, [], opts);
        return output(ctx, call, task, push);
      }),
  },
  {
    name: "taskpulse_next",
    label: "taskpulse: next step",
    description: "Finish the running step and start the next (the last one finishes the task). Check stopRequested in the result.",
    parameters: object({
      id: ID,
      message: str("What the step achieved."),
      skip: { type: "boolean", description: "Skip the step instead." },
    }),
    run: onTask("next", (ctx, id, params) => advanceTask(ctx, id, text(params.message) ?? "", { skip: params.skip === true })),
  },
  {
    name: "taskpulse_heartbeat",
    label: "taskpulse: heartbeat",
    description: "Proof of life for a long step (every few minutes), with optional progress. Check stopRequested in the result.",
    parameters: object({
      id: ID,
      message: str("What is happening now."),
      progress: str("Percent (60), a fraction (0.6) or a count (3/5)."),
      waiting: str("Waiting on something outside (a reply, a build): not stalled while it lasts."),
      for: str("How long the wait may last, e.g. 30m (with waiting)."),
    }),
    run: onTask("heartbeat", (ctx, id, params) => {
      const opts: { progress?: string; waiting?: string; for?: string } = {};
      for (const key of ["progress", "waiting", "for"] as const) {
        const value = text(params[key]);
        if (value !== undefined) opts[key] = value;
      }
      return recordHeartbeat(ctx, id, text(params.message) ?? "", opts);
    }),
  },
  {
    name: "taskpulse_done",
    label: "taskpulse: done",
    description: "Finish the task successfully, with its result.",
    parameters: object({ id: ID, result: str("The outcome, one or two lines.") }),
    run: onTask("done", (ctx, id, params) => completeTask(ctx, id, text(params.result) ?? "")),
  },
  {
    name: "taskpulse_error",
    label: "taskpulse: failed",
    description: "Mark the task failed, saying what went wrong.",
    parameters: object(
      {
        id: ID,
        message: str("What went wrong."),
        retryable: { type: "boolean", description: "false: retrying cannot help (default true)." },
      },
      ["message"],
    ),
    run: onTask("error", (ctx, id, params) =>
      failTask(ctx, id, text(params.message) ?? "", params.retryable === false ? { retry: false } : {}),
    ),
  },
  {
    name: "taskpulse_status",
    label: "taskpulse: status",
    description: "One task's state, or without id an overview: counts of all tasks and your own running ones.",
    parameters: object({ id: str("Task id or unique prefix; leave out for the overview.") }),
    run: (call, params) =>
      withContext(call, undefined, async (ctx) => {
        const id = text(params.id);
        if (id) {
          const s = await taskStatus(ctx, id, true);
          return output(ctx, call, s.task, s.push, { stalled: s.liveness.stalled, archived: s.archived });
        }
        const { view, push } = await statusOverview(ctx, false, true);
        const mine = view.running.flatMap((r) => {
          const task = r.entry.agent === ctx.agent ? view.taskOf(r.entry.id) : undefined;
          return task ? [{ ...brief(task), stalled: r.liveness.stalled }] : [];
        });
        return output(ctx, call, null, push, { counts: view.data.counts, running: mine });
      }),
  },
  {
    name: "taskpulse_check",
    label: "taskpulse: check for stop",
    description: "Whether someone asked the task to stop. If stopRequested: finish the current step, then call taskpulse_ack.",
    parameters: object({ id: ID }),
    run: onTask("check", async (ctx, id) => ({ task: (await checkStop(ctx, id)).task, push: null })),
  },
  {
    name: "taskpulse_ack",
    label: "taskpulse: acknowledge stop",
    description: "Acknowledge a stop request: the task ends as cancelled, with your summary of what was done.",
    parameters: object({ id: ID, summary: str("What was finished before stopping.") }),
    run: onTask("ack", (ctx, id, params) => acknowledgeStop(ctx, id, text(params.summary) ?? "")),
  },
  {
    name: "taskpulse_take",
    label: "taskpulse: take next queued task",
    description:
      "Start your next queued task (highest priority, then oldest, dependencies done). task is null when there is none or you are at your limit.",
    parameters: object({}),
    run: (call) =>
      withContext(call, undefined, async (ctx) => {
        const claim = await claimNextTask(ctx);
        if (claim.kind === "claim") return output(ctx, call, claim.task, claim.push);
        if (claim.kind === "busy")
          return output(ctx, call, null, null, { idle: "busy", running: claim.running.map((t) => t.id), limit: claim.limit });
        return output(ctx, call, null, null, { idle: "empty", waiting: claim.waiting });
      }),
  },
  {
    name: "taskpulse_pushed",
    label: "taskpulse: record message id",
    description:
      "After sending a push yourself with the message tool: record the messageId it returned, so later pushes edit that message.",
    parameters: object({ id: ID, messageId: str("The messageId the message tool returned.") }, ["messageId"]),
    run: onTask("pushed", async (ctx, id, params) => ({ task: await recordPushed(ctx, id, text(params.messageId) ?? ""), push: null })),
  },
];

/** The text a model reads: a pending stop first, impossible to miss, then the result as JSON. */
export function resultText(out: ToolOutput): string {
  const lines = out.stops.map(
    (s) =>
      `STOP REQUESTED for task ${s.task} (${s.name})${s.reason ? `: ${s.reason}` : ""}. Finish the current step, start nothing new, then call taskpulse_ack with a summary.`,
  );
  return [...lines, JSON.stringify(out)].join("\n");
}

/** Runs the tool `name` as OpenClaw calls it. */
export async function runTool(
  name: string,
  params: ToolParams,
  scope: ToolScope,
  settings: PluginSettings = {},
  host: ToolHost = { env: process.env },
) {
  const tool = TOOLS.find((t) => t.name === name);
  if (!tool) throw new Error(`no taskpulse tool ${name}`);
  return tool.run({ scope, settings, host }, params);
}

/** What a resolve_exec_env hook's context says about the conversation (PluginHookAgentContext). */
export interface HookFields {
  sessionKey?: string | undefined;
  messageProvider?: string | undefined;
  channel?: string | undefined;
  accountId?: string | undefined;
  chatId?: string | undefined;
  channelId?: string | undefined;
}

/**
 * An exec's route: the hook's own channel and chat, completed with the account and thread from `seen` (what the
 * session's tools last saw in their delivery context, which a hook's context lacks) when it is the same chat.
 */
export function execRoute(hook: HookFields, seen: Route | undefined): Route {
  const channel = hook.channel ?? hook.messageProvider;
  const chat = hook.chatId ?? hook.channelId;
  if (!channel || !chat) return seen ?? {};
  const target = bareTarget(channel, chat);
  const route: Route = { channel, target };
  const same = seen?.channel === channel && seen.target === target;
  const account = hook.accountId ?? (same ? seen?.account : undefined);
  if (account) route.account = account;
  if (same && seen?.thread) route.thread = seen.thread;
  return route;
}

/**
 * The variables `resolve_exec_env` puts into the agent's execs: its identity and, when known, the conversation's
 * route, so `taskpulse` run from a shell (the skill) records the same agent and pushes to the same chat.
 */
export function execEnv(agentId: string | undefined, route: Route, settings: PluginSettings = {}): Record<string, string> {
  const env: Record<string, string> = {};
  // a name taskpulse refuses would fail every call of the exec: then the CLI decides, as without the plugin
  if (agentId && isSlug(agentId)) env.TASKPULSE_AGENT = agentId;
  // a channel without a target is no route (a web chat, a heartbeat run): the message tool answers in place
  if (route.channel && route.target) {
    env.TASKPULSE_CHANNEL = route.channel;
    env.TASKPULSE_TARGET = route.target;
    if (route.account) env.TASKPULSE_ACCOUNT = route.account;
    if (route.thread) env.TASKPULSE_THREAD = route.thread;
  }
  if (settings.store) env.TASKPULSE_STORE = settings.store;
  return env;
}
