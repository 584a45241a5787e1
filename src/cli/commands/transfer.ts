// `taskpulse export`, `taskpulse import` and `taskpulse migrate`: moving a store between backends (a JSON directory
// and PostgreSQL) and bringing a store's schema up to date. The format is references/postgres.md's export format
// (src/store/export-format.ts).
import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { UsageError } from "../../core/errors.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

export interface ImportOptions {
  merge?: boolean;
}

export function registerTransfer(program: Command, app: App): void {
  program
    .command("export")
    .description("print everything the store holds (tasks, history, audit journal, jobs and runs, state documents) as one JSON document")
    .addHelpText("after", example("taskpulse export > store.json", "taskpulse --store postgres://tp@db/taskpulse export > store.json"))
    .action(app.action((ctx) => exportStore(ctx)));
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
    .action(app.action((ctx, file: string, opts: ImportOptions) => importStore(ctx, file, opts)));
  program
    .command("migrate")
    .description("bring the store's schema up to this version (PostgreSQL: also done automatically by the first write)")
    .addHelpText("after", example("taskpulse --store postgres://tp@db/taskpulse migrate"))
    .action(app.action((ctx) => migrate(ctx)));
}

export async function exportStore(ctx: Ctx): Promise<Outcome> {
  const doc = await ctx.store("export").exportData();
  const text = JSON.stringify(doc);
  return { data: doc, lines: [text], quiet: text };
}

export async function importStore(ctx: Ctx, file: string, opts: ImportOptions): Promise<Outcome> {
  const { IMPORT_MAX_BYTES, parseExport, readExportFile } = await import("../../store/export-file.ts");
  let doc: Awaited<ReturnType<typeof readExportFile>>;
  if (file === "-") {
    if (!ctx.deps.readStdin) throw new UsageError("standard input is not available here");
    doc = parseExport(await ctx.deps.readStdin(IMPORT_MAX_BYTES), "standard input");
  } else {
    doc = await readExportFile(file);
  }
  const summary = await ctx.store("import").importData(doc, { merge: opts.merge === true });
  const where = ctx.storeName;
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

export async function migrate(ctx: Ctx): Promise<Outcome> {
  const result = await ctx.store("migrate").migrate();
  const where = ctx.storeName;
  const line =
    result.from === result.to
      ? t(ctx, `${where}: schema version ${result.to}, up to date`, `${where}：结构版本 ${result.to}，已是最新`)
      : t(
          ctx,
          `${where}: schema ${result.from === null ? "created" : `migrated from version ${result.from}`} at version ${result.to}`,
          `${where}：结构已${result.from === null ? "创建" : `从版本 ${result.from} 升级`}，当前版本 ${result.to}`,
        );
  return { data: { store: where, ...result }, lines: [line], quiet: String(result.to) };
}
