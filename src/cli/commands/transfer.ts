// `taskpulse export`, `taskpulse import` and `taskpulse migrate` (src/app/transfer.ts): the options and the text.
import type { Command } from "commander";
import { exportStore, type ImportOptions, importStore, migrateStore } from "../../app/transfer.ts";
import type { CliCtx } from "../cli-context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

export function registerTransfer(program: Command, app: App): void {
  program
    .command("export")
    .description("print everything the store holds (tasks, history, audit journal, jobs and runs, state documents) as one JSON document")
    .addHelpText("after", example("taskpulse export > store.json", "taskpulse --store postgres://tp@db/taskpulse export > store.json"))
    .action(app.action((ctx) => exportCommand(ctx)));
  program
    .command("import")
    .description("write an exported store into this store (refused when it already holds data, unless --merge)")
    .argument("<file>", "the file `taskpulse export` wrote, or - for standard input")
    .option("--merge", "add to a store that holds data; refused (nothing imported) if any task id, job or state document exists in both")
    .addHelpText(
      "after",
      example(
        "taskpulse --store ~/.openclaw/taskpulse export > store.json",
        "taskpulse --store postgres://tp@db/taskpulse import store.json",
      ),
    )
    .action(app.action((ctx, file: string, opts: ImportOptions) => importCommand(ctx, file, opts)));
  program
    .command("migrate")
    .description("bring the store's schema up to this version (PostgreSQL: also done automatically by the first write)")
    .addHelpText("after", example("taskpulse --store postgres://tp@db/taskpulse migrate"))
    .action(app.action((ctx) => migrate(ctx)));
}

async function exportCommand(ctx: CliCtx): Promise<Outcome> {
  const doc = await exportStore(ctx);
  const text = JSON.stringify(doc);
  return { data: doc, lines: [text], quiet: text };
}

async function importCommand(ctx: CliCtx, file: string, opts: ImportOptions): Promise<Outcome> {
  const { store: where, ...summary } = await importStore(ctx, file, opts);
  return {
    data: { store: where, ...summary },
    lines: [
      t(
        ctx,
        `imported ${summary.tasks} task(s), ${summary.archived} archived task(s), ${summary.auditEntries} audit entries, ${summary.jobs} job(s) with ${summary.runs} run record(s), ${summary.docs} state document(s) into ${where}`,
        `已导入 ${summary.tasks} 个任务、${summary.archived} 个归档任务、${summary.auditEntries} 条审计记录、${summary.jobs} 个定时任务（${summary.runs} 条运行记录）、${summary.docs} 个状态文档到 ${where}`,
      ),
    ],
    quiet: String(summary.tasks + summary.archived),
  };
}

async function migrate(ctx: CliCtx): Promise<Outcome> {
  const result = await migrateStore(ctx);
  const where = result.store;
  const line =
    result.from === result.to
      ? t(ctx, `${where}: schema version ${result.to}, up to date`, `${where}：结构版本 ${result.to}，已是最新`)
      : t(
          ctx,
          `${where}: schema ${result.from === null ? "created" : `migrated from version ${result.from}`} at version ${result.to}`,
          `${where}：结构已${result.from === null ? "创建" : `从版本 ${result.from} 升级`}，当前版本 ${result.to}`,
        );
  return { data: result, lines: [line], quiet: String(result.to) };
}
