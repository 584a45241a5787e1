// Moving a store between backends (a JSON directory and PostgreSQL) and bringing its schema up to date: export,
// import and migrate. The format is references/postgres.md's export format (src/store/export-format.ts).
import { UsageError } from "../core/errors.ts";
import type { ExportDoc, ImportSummary } from "../store/export-format.ts";
import type { MigrateResult } from "../store/store.ts";
import type { Ctx } from "./context.ts";

export interface ImportOptions {
  merge?: boolean;
}

/** Everything the store holds, as one document. */
export async function exportStore(ctx: Ctx): Promise<ExportDoc> {
  return ctx.store("export").exportData();
}

/**
 * Writes an exported store (the file `file`, or standard input for `-`) into this store: refused when it already
 * holds data, unless `merge` (then refused, nothing imported, if anything exists in both).
 */
export async function importStore(ctx: Ctx, file: string, opts: ImportOptions): Promise<ImportSummary & { store: string }> {
  const { IMPORT_MAX_BYTES, parseExport, readExportFile } = await import("../store/export-file.ts");
  let doc: ExportDoc;
  if (file === "-") {
    if (!ctx.deps.readStdin) throw new UsageError("standard input is not available here");
    doc = parseExport(await ctx.deps.readStdin(IMPORT_MAX_BYTES), "standard input");
  } else {
    doc = await readExportFile(file);
  }
  const summary = await ctx.store("import").importData(doc, { merge: opts.merge === true });
  return { store: ctx.storeName, ...summary };
}

/** Brings the store's schema up to this version. */
export async function migrateStore(ctx: Ctx): Promise<MigrateResult & { store: string }> {
  const result = await ctx.store("migrate").migrate();
  return { store: ctx.storeName, ...result };
}
