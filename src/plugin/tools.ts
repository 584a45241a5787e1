// taskpulse as native OpenClaw agent tools: each tool is a use case of src/app, run with the identity and route
// OpenClaw hands the tool (its agentId and the conversation's delivery context) instead of guessing them from the
// working directory. Nothing here imports OpenClaw: src/plugin/entry.ts registers these with its SDK, and the tests
// call them directly. What every tool shares (the context, the result, the push) is in tool-results.ts.
import type { Ctx } from "../app/context.ts";
import { type CreateOptions, createTaskFrom } from "../app/create.ts";
import { recordHeartbeat } from "../app/heartbeat.ts";
import { recordPushed } from "../app/pushed.ts";
import { claimNextTask } from "../app/start.ts";
import { statusOverview, taskStatus } from "../app/status.ts";
import { taskFromWords } from "../app/tasks.ts";
import { acknowledgeStop, advanceTask, checkStop, completeTask, failTask } from "../app/transitions.ts";
import type { Task } from "../core/model.ts";
import type { Push } from "../core/push.ts";
import { brief, output, routeOf, withContext } from "./tool-results.ts";
import type { PluginSettings, ToolDefinition, ToolHost, ToolParams, ToolScope } from "./tool-types.ts";

const str = (description: string) => ({ type: "string", description });
const ID = str("Task id or unique prefix. Leave out for your one running task.");

function object(properties: Record<string, unknown>, required: string[] = []) {
  return { type: "object", properties, required, additionalProperties: false };
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
