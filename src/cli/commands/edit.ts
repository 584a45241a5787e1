// `edit`: change a queued task before it runs (src/app/edit.ts); this file declares its options and says what changed.
import type { Command } from "commander";
import { type EditOptions, editQueuedTask } from "../../app/edit.ts";
import type { CliCtx } from "../cli-context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

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

async function edit(ctx: CliCtx, id: string, opts: EditOptions): Promise<Outcome> {
  const { task, said } = await editQueuedTask(ctx, id, opts);
  const lines = said
    ? [t(ctx, `✏️ edited ${task.id} ${task.name}: ${said}`, `✏️ 已修改 ${task.id} ${task.name}：${said}`)]
    : [t(ctx, `nothing changed: ${task.id} already says so`, `没有变化：${task.id} 本来就是这样`)];
  return { data: { task, changed: said !== undefined }, lines, quiet: task.id };
}
