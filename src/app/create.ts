// Creating a task: the options as given (text, from the command line or the library) are checked here, at the
// edge, then the task is created under the lock with its dependencies resolved.
import { UsageError } from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import { createTask } from "../core/lifecycle.ts";
import { type Meta, metaText, parseMetaPair } from "../core/meta.ts";
import { LIMITS, type NotifyPolicy, notifyPolicySchema } from "../core/model.ts";
import { cleanName, cleanText, printable, validateSlug } from "../core/names.ts";
import { DEFAULT_PRIORITY, type PriorityLabel, parseTypedPriority } from "../core/priority.ts";
import { parseDuration } from "../core/time.ts";
import type { Ctx } from "./context.ts";
import { actorOf, commitChange, findTask } from "./tasks.ts";
import type { TaskChange } from "./transitions.ts";

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

/** Creates a task for this call's agent: queued, or running with `start`; `after` names tasks by id or prefix. */
export async function createTaskFrom(ctx: Ctx, nameArg: string | undefined, stepArgs: string[], opts: CreateOptions): Promise<TaskChange> {
  const input = { ...parseCreate(nameArg, stepArgs, opts), route: Object.keys(ctx.route).length > 0 ? ctx.route : undefined };
  const applied = await ctx.store("create").transaction((tx) => {
    const after = input.after.map((id) => findTask(tx, id).id);
    const seq = tx.nextCounter();
    const id = newId(seq, ctx.deps.random);
    const change = createTask({ ...input, id, seq, agent: ctx.agent, after }, actorOf(ctx));
    return commitChange(ctx, tx, undefined, change);
  });
  return { task: applied.change.task, push: applied.push };
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
function parseStep(raw: string): { name: string; budgetMs?: number } {
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
