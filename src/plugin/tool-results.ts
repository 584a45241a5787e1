// What every taskpulse tool shares around its use case: the route and the context OpenClaw's tool context gives
// (routeOf, withContext), and the result a model reads (output, resultText): the task, every pending stop, and the
// push sent by the plugin or handed back for the `message` tool, never dropped. The results never use the keys
// OpenClaw grades at the top level (status, ok, success, error, timedOut, exitCode).
import { homedir } from "node:os";
import { type Ctx, createContext, type GlobalOptions } from "../app/context.ts";
import type { Deps } from "../app/deps.ts";
import { deliver } from "../app/send.ts";
import { TaskpulseError } from "../core/errors.ts";
import { stepCounts } from "../core/lifecycle.ts";
import type { Route, Task } from "../core/model.ts";
import type { Push } from "../core/push.ts";
import type { PushOut, StopNotice, TaskBrief, ToolCall, ToolOutput, ToolScope } from "./tool-types.ts";

/**
 * A chat as taskpulse keeps it: OpenClaw names it `telegram:123` in an agent run's context and `123` where a caller
 * gave it, and `openclaw message --target` takes the bare id.
 */
export function bareTarget(channel: string | undefined, target: string): string {
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

export function brief(task: Task): TaskBrief {
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
export async function output(
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

/** Runs a tool with its context closed afterwards, and taskpulse's errors as one clear message for the model. */
export async function withContext(call: ToolCall, route: Route | undefined, body: (ctx: Ctx) => Promise<ToolOutput>): Promise<ToolOutput> {
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

/** The text a model reads: a pending stop first, impossible to miss, then the result as JSON. */
export function resultText(out: ToolOutput): string {
  const lines = out.stops.map(
    (s) =>
      `STOP REQUESTED for task ${s.task} (${s.name})${s.reason ? `: ${s.reason}` : ""}. Finish the current step, start nothing new, then call taskpulse_ack with a summary.`,
  );
  return [...lines, JSON.stringify(out)].join("\n");
}
