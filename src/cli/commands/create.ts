import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { actorOf, commitChange, findTask } from "../../app/tasks.ts";
import { UsageError } from "../../core/errors.ts";
import { newId } from "../../core/ids.ts";
import { createTask } from "../../core/lifecycle.ts";
import { type Meta, metaText, parseMetaPair } from "../../core/meta.ts";
import { LIMITS, type NotifyPolicy, notifyPolicySchema } from "../../core/model.ts";
import { cleanName, cleanText, printable, validateSlug } from "../../core/names.ts";
import { DEFAULT_PRIORITY, type PriorityLabel, parseTypedPriority } from "../../core/priority.ts";
import { parseDuration } from "../../core/time.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { renderTaskLine } from "../render/task-text.ts";
import { t } from "./common.ts";

export interface CreateOptions {
  name?: string;
  step: string[];
  priority?: string;
  description?: string;
  tag: string[];
  after: string[];
  group?: string;
  meta: string[];
  start?: boolean;
  maxRetries?: string;
  stallAfter?: string;
  notify?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerCreate(program: Command, app: App): void {
  program
    .command("create")
    .description("create a task: a live task with steps, or a queued task for an agent")
    .argument("[name]", "task name (or use --name)")
    .argument("[steps...]", "step names, in order; `name:2m` gives a step a time budget")
    .option("--name <name>", "task name")
    .option("--step <name>", "a step (repeatable)", collect, [])
    .option("-p, --priority <p>", "1-10 (higher first) or P0-P3 (P0 most urgent)")
    .option("-d, --description <text>", "description")
    .option("--tag <tag>", "a tag (repeatable)", collect, [])
    .option("--after <id>", "run only after this task is done (repeatable)", collect, [])
    .option("--group <name>", "group label")
    .option("--meta <key=value>", "a parameter, its value JSON or text (repeatable)", collect, [])
    .option("--start", "start it now (a live task); the agent's running limit does not apply")
    .option("--max-retries <n>", "how often `retry` may requeue it (default 3)")
    .option("--stall-after <duration>", "call it stalled after this much silence (default 180s)")
    .option("--notify <policy>", "push policy: all, steps, final or silent")
    .addHelpText(
      "after",
      example(
        'taskpulse create "日报发布" 抓取 写稿 发布 --start',
        'TASK_ID=$(taskpulse create -q --agent agent-coder --name "实现登录" --priority 8)',
      ),
    )
    .action(app.action((ctx, name: string | undefined, steps: string[], opts: CreateOptions) => create(ctx, name, steps, opts)));
}

export async function create(ctx: Ctx, nameArg: string | undefined, stepArgs: string[], opts: CreateOptions): Promise<Outcome> {
  const input = { ...parseCreate(nameArg, stepArgs, opts), route: Object.keys(ctx.route).length > 0 ? ctx.route : undefined };
  const applied = await ctx.store("create").transaction((tx) => {
    const after = input.after.map((id) => findTask(tx, id).id);
    const seq = tx.nextCounter();
    const id = newId(seq, ctx.deps.random);
    const change = createTask({ ...input, id, seq, agent: ctx.agent, after }, actorOf(ctx));
    return commitChange(ctx, tx, undefined, change);
  });
  const task = applied.change.task;
  const state = task.status === "running" ? t(ctx, "running", "执行中") : t(ctx, "queued", "排队中");
  const steps = task.steps.length > 0 ? t(ctx, `, ${task.steps.length} steps`, `，${task.steps.length} 步`) : "";
  return {
    data: { task },
    lines: [t(ctx, `created ${task.id} (${state}${steps})`, `已创建 ${task.id}（${state}${steps}）`), renderTaskLine(ctx, task)],
    quiet: task.id,
    push: applied.push,
  };
}

function parseCreate(nameArg: string | undefined, stepArgs: string[], opts: CreateOptions) {
  let name = opts.name;
  let rawSteps = [...stepArgs, ...opts.step];
  if (name === undefined) {
    name = nameArg;
  } else if (nameArg !== undefined) {
    rawSteps = [nameArg, ...rawSteps];
  }
  if (name === undefined) throw new UsageError("a task needs a name", 'taskpulse create "name" [steps…] or taskpulse create --name "name"');
  if (rawSteps.length > LIMITS.steps) {
    throw new UsageError(`too many steps (${rawSteps.length}, at most ${LIMITS.steps})`, undefined, {
      detail: { key: "too_many", what: "steps", count: rawSteps.length, max: LIMITS.steps },
    });
  }
  const steps = rawSteps.map(parseStep);
  const tags = opts.tag.map((tag) => validateSlug(tag, "tag"));
  if (tags.length > LIMITS.tags) tooMany("tags", LIMITS.tags);
  if (opts.after.length > LIMITS.after) tooMany("--after", LIMITS.after);
  const meta: Meta = {};
  for (const pair of opts.meta) {
    const { key, value } = parseMetaPair(cleanText(pair, "--meta", Number.POSITIVE_INFINITY), "--meta");
    // a JSON string is cleaned as text is (JSON can spell control characters as escapes)
    meta[key] = typeof value === "string" ? cleanText(value, "--meta value", LIMITS.metaValue) : value;
    const length = metaText(meta[key]).length;
    if (length > LIMITS.metaValue) {
      throw new UsageError(`--meta value is too long (${length} characters, at most ${LIMITS.metaValue})`, undefined, {
        detail: { key: "too_long", what: "--meta value", length, max: LIMITS.metaValue },
      });
    }
  }
  if (Object.keys(meta).length > LIMITS.meta) tooMany("--meta", LIMITS.meta);
  let maxRetries = 3;
  if (opts.maxRetries !== undefined) {
    if (!/^\d{1,3}$/.test(opts.maxRetries)) invalid("--max-retries", opts.maxRetries, "use 0-999");
    maxRetries = Number(opts.maxRetries);
  }
  let notify: NotifyPolicy | undefined;
  if (opts.notify !== undefined) {
    const parsed = notifyPolicySchema.safeParse(opts.notify);
    if (!parsed.success) invalid("--notify", opts.notify, "use all, steps, final or silent");
    notify = parsed.data;
  }
  return {
    name: cleanName(name, "task name"),
    description: opts.description === undefined ? undefined : cleanText(opts.description, "description"),
    ...typedPriority(opts.priority),
    steps,
    tags,
    after: opts.after,
    group: opts.group === undefined ? undefined : validateSlug(opts.group, "group"),
    meta,
    maxRetries,
    stallAfterMs: opts.stallAfter === undefined ? undefined : positive(parseDuration(opts.stallAfter, "--stall-after"), "--stall-after"),
    notify,
    start: opts.start === true,
  };
}

/** `抓取:2m` is the step 抓取 with a 2-minute budget, when what follows the last colon is a duration. */
export function parseStep(raw: string): { name: string; budgetMs?: number } {
  const colon = raw.lastIndexOf(":");
  if (colon > 0) {
    const suffix = raw.slice(colon + 1).trim();
    if (/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/i.test(suffix)) {
      return { name: cleanName(raw.slice(0, colon), "step name"), budgetMs: positive(parseDuration(suffix, "step budget"), "step budget") };
    }
  }
  return { name: cleanName(raw, "step name") };
}

function positive(ms: number, what: string): number {
  if (ms <= 0) throw new UsageError(`${what} must be more than zero`, undefined, { detail: { key: "not_positive", what } });
  return ms;
}

/** The priority option as CreateInput holds it (the default, 5, has no label). */
function typedPriority(option: string | undefined): { priority: number; priorityLabel?: PriorityLabel } {
  if (option === undefined) return { priority: DEFAULT_PRIORITY };
  const typed = parseTypedPriority(option);
  return typed.label ? { priority: typed.priority, priorityLabel: typed.label } : { priority: typed.priority };
}

function invalid(what: string, value: string, hint?: string): never {
  throw new UsageError(`invalid ${what} '${printable(value)}'`, hint, { detail: { key: "invalid_value", what, value: printable(value) } });
}

function tooMany(what: string, max: number): never {
  throw new UsageError(`too many ${what} (at most ${max})`, undefined, { detail: { key: "too_many", what, max } });
}
