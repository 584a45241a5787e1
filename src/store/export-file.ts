// Reading an export document given to `taskpulse import` (a file, or standard input's text): parsed and validated
// against the export schema before anything is written. Bad input is a usage error (exit 2) that says where.
import { UsageError } from "../core/errors.ts";
import { printable } from "../core/names.ts";
import { readIfExists } from "./atomic-file.ts";
import { EXPORT_FORMAT, EXPORT_VERSION, type ExportDoc } from "./export-format.ts";
import { exportDocSchema } from "./export-schema.ts";

export function readExportFile(path: string): ExportDoc {
  const text = readIfExists(path, "an export file");
  if (text === undefined)
    throw new UsageError(`no such file: ${printable(path)}`, "give the file `taskpulse export` wrote, or - for standard input");
  return parseExport(text, path);
}

export function parseExport(text: string, source: string): ExportDoc {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${printable(source)} is not JSON: ${(err as Error).message}`, "give the file `taskpulse export` wrote");
  }
  const head = json as { format?: unknown; version?: unknown } | null;
  if (typeof head !== "object" || head === null || head.format !== EXPORT_FORMAT) {
    throw new UsageError(`${printable(source)} is not a taskpulse export`, `its "format" must be "${EXPORT_FORMAT}"`);
  }
  if (typeof head.version === "number" && head.version > EXPORT_VERSION) {
    throw new UsageError(
      `${printable(source)} is export version ${head.version}, newer than this taskpulse reads (${EXPORT_VERSION})`,
      "import it with the taskpulse version that exported it, or a newer one",
    );
  }
  const parsed = exportDocSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `${printable(source)} is not a valid taskpulse export: ${issue ? `${issue.path.join(".") || "(top)"}: ${issue.message}` : "invalid"}`,
      "nothing was imported; give the file `taskpulse export` wrote, unchanged",
    );
  }
  // The document as written, not zod's copy (which reorders keys): the records keep the exact form they were
  // exported in, so export → import → export gives back the same bytes.
  return json as ExportDoc;
}
