// Reading an export document given to `taskpulse import` (a file, or standard input's text): parsed and validated
// against the export schema before anything is written. Bad input is a usage error (exit 2) that says where; so is
// input past IMPORT_MAX_BYTES, and a file that is not a regular file or a pipe.
import { closeSync, constants, createReadStream, fstatSync, openSync, readSync, type Stats, statSync } from "node:fs";
import { UsageError } from "../core/errors.ts";
import { printable } from "../core/names.ts";
import { kindOf } from "./atomic-file.ts";
import { EXPORT_FORMAT, EXPORT_VERSION, type ExportDoc } from "./export-format.ts";
import { exportDocSchema } from "./export-schema.ts";

/**
 * The largest export document `taskpulse import` reads, from a file or standard input: a bound, so that an endless
 * input (/dev/zero) is refused instead of filling memory, kept below what one JSON string can be in V8 (~512 MiB).
 */
export const IMPORT_MAX_BYTES = 256 * 1024 * 1024;

/**
 * Reads an export document from `path`: a regular file (its size checked before reading), or a FIFO (a named pipe,
 * or `<(…)` in a shell), read up to the limit. Anything else (a device such as /dev/zero, a directory, a socket) is
 * refused: it is not a document, and a device can be endless. Bad input exits 2.
 */
export async function readExportFile(path: string): Promise<ExportDoc> {
  const where = printable(path);
  const notFound = () => new UsageError(`no such file: ${where}`, "give the file `taskpulse export` wrote, or - for standard input");
  let kind: Stats;
  try {
    kind = statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw notFound();
    throw err;
  }
  // A pipe is opened by the stream, blocking until its writer comes (a first non-blocking open would count as a
  // reader, let the writer write and go, and leave the stream waiting for a writer that never comes).
  if (kind.isFIFO()) return parseExport(await readStreamBounded(createReadStream(path), where), path);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw notFound();
    throw err;
  }
  let text: string;
  try {
    // what was opened, not what was looked at: regular files only from here
    const st = fstatSync(fd);
    if (!st.isFile()) {
      throw new UsageError(
        `${where} is ${kindOf(st)}, not an export file`,
        "give the file `taskpulse export` wrote, or - for standard input",
      );
    }
    if (st.size > IMPORT_MAX_BYTES) throw tooLarge(where);
    text = readBounded(fd, where);
  } finally {
    closeSync(fd);
  }
  return parseExport(text, path);
}

function tooLarge(where: string): UsageError {
  return new UsageError(
    `${where} is larger than ${IMPORT_MAX_BYTES / (1024 * 1024)} MiB, the most \`taskpulse import\` reads`,
    "nothing was imported; give the file `taskpulse export` wrote",
  );
}

/** The file's text, refused when it grows past the limit while being read. */
function readBounded(fd: number, where: string): string {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    total += n;
    if (total > IMPORT_MAX_BYTES) throw tooLarge(where);
    chunks.push(chunk.subarray(0, n));
  }
  return Buffer.concat(chunks, total).toString("utf8");
}

/** A stream's text (a pipe, standard input), refused once it passes the limit. */
async function readStreamBounded(stream: AsyncIterable<unknown> & { destroy(): void }, where: string): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    total += bytes.length;
    if (total > IMPORT_MAX_BYTES) {
      stream.destroy();
      throw tooLarge(where);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, total).toString("utf8");
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
