// `edit`: change a queued task before it runs (OpenTask's update): its name, priority, description, dependencies,
// or the agent whose queue it is in. Every edit is one audit entry saying what changed.
import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { actorOf, commitChange, findTask } from "../../app/tasks.ts";
import { UsageError } from "../../core/errors.ts";
import { editTask, type TaskEdit } from "../../core/lifecycle.ts";
import type { Task } from "../../core/model.ts";
import { LIMITS } from "../../core/model-constants.ts";
import { cleanName, cleanText, validateAgent } from "../../core/names.ts";
import { parseTypedPriority } from "../../core/priority.ts";
import type { StoreTx } from "../../store/store.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

export interface EditOptions {
  name?: string;
  priority?: string;
  description?: string;
  assign?: string;
  after: string[];
  noAfter?: boolean;
}

// (previous is false after a --no-after given before it: the last one given counts)
const collect = (value: string, previous: string[] | false) => [...(previous || []), value];

export function registerEdit(program: Command, app: App): void {
  program
    .command("edit")
    .description("change a queued task: name, priority, description, dependencies, or the agent it is queued for")
    .argument("<id>", "task id or unique prefix")
    .option("--name <name>", "new name")
    .option("-p, --priority <p>", "new priority: 1-10 (higher first) or P0-P3")
    .option("-d, --description <text>", "new description")
    .option("--assign <agent>", "move it to this agent's queue (it keeps its place in time)")
    .option("--after <id>", "its dependencies from now on (repeatable; replaces the old ones)", collect, [])
    .option("--no-after", "no dependencies any more")
    .addHelpText(
      "after",
      example("taskpulse edit k3m9xq --priority P0 --assign bob", 'taskpulse edit k3m9xq --name "Weekly summary (EN)" --after a7q2xz'),
    )
    .action(
      app.action((ctx, id: string, opts: EditOptions & { after: string[] | false }) => {
        // commander gives --no-after as after=false (of --after and --no-after, the last one given counts)
        const noAfter = opts.after === false;
        return edit(ctx, id, { ...opts, after: noAfter ? [] : opts.after, noAfter });
      }),
    );
}

export async function edit(ctx: Ctx, id: string, opts: EditOptions): Promise<Outcome> {
  const input: TaskEdit = {};
  if (opts.name !== undefined) input.name = cleanName(opts.name, "--name");
  if (opts.priority !== undefined) input.priority = parseTypedPriority(opts.priority);
  if (opts.description !== undefined) input.description = cleanText(opts.description, "--description");
  if (opts.assign !== undefined) input.agent = validateAgent(opts.assign);
  if (opts.after.length > LIMITS.after) throw new UsageError(`too many --after (at most ${LIMITS.after})`);
  if (Object.keys(input).length === 0 && opts.after.length === 0 && !opts.noAfter) {
    throw new UsageError("nothing to change", "give --name, --priority, --description, --assign, --after or --no-after");
  }
  const store = ctx.store("edit");
  const applied = await store.transaction((tx) => {
    const task = findTask(tx, id);
    const change: TaskEdit = { ...input };
    if (opts.noAfter) change.after = [];
    else if (opts.after.length > 0) change.after = dependenciesOf(tx, task, opts.after);
    return commitChange(ctx, tx, task, editTask(task, change, actorOf(ctx)));
  });
  const task = applied.change.task;
  const said = applied.change.audit?.message;
  const lines = said
    ? [t(ctx, `✏️ edited ${task.id} ${task.name}: ${said}`, `✏️ 已修改 ${task.id} ${task.name}：${said}`)]
    : [t(ctx, `nothing changed: ${task.id} already says so`, `没有变化：${task.id} 本来就是这样`)];
  return { data: { task, changed: said !== undefined }, lines, quiet: task.id };
}

/**
 * The new dependencies as full ids (each a hot task, as for `create --after`), refused when one is the task itself or
 * depends on it, directly or through others: the two would wait for each other for ever.
 */
function dependenciesOf(tx: StoreTx, task: Task, inputs: readonly string[]): string[] {
  const ids = [...new Set(inputs.map((input) => findTask(tx, input).id))];
  const seen = new Set<string>();
  const stack = [...ids];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (id === task.id) {
      throw new UsageError(`task ${task.id} cannot wait for ${ids.length === 1 ? ids[0] : "those tasks"}: they would wait for each other`);
    }
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(tx.get(id)?.after ?? []));
  }
  return ids;
}
