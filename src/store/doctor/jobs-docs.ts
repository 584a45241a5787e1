// What the cron feature keeps in the store: run files (jobs/<job>.jsonl, JSON lines checked against the run record
// schema) and state documents (state/<name>.json, any JSON, or the versioned envelope of src/store/state-docs.ts).
import { lstatSync } from "node:fs";
import { join } from "node:path";
import { runRecordSchema } from "../../core/job-model.ts";
import { readStoreFile } from "../atomic-file.ts";
import { JOBS_DIR } from "../job-runs.ts";
import { DOC_VERSION, DOCS_DIR, docVersion } from "../state-docs.ts";
import { type Analysis, newerFinding } from "./findings.ts";
import { checkLinesFiles, readLinesFile } from "./lines.ts";
import { slugBefore } from "./scan.ts";

const runLine = (json: unknown) => runRecordSchema.safeParse(json).success;

/** Reads every run file: torn or invalid lines (a repair drops them) and lines of a newer version (they block it). */
export function checkRunFiles(dir: string, a: Analysis, jobEntries: readonly string[], now: number): void {
  const files = jobEntries
    .filter((f) => slugBefore(f, ".jsonl") !== undefined)
    .map((f) => readLinesFile(dir, join(JOBS_DIR, f), runLine, now));
  checkLinesFiles(a, files);
}

/** Checks each state document parses and is of a version this taskpulse reads; links are reported by the scan. */
export function checkDocs(dir: string, a: Analysis, docEntries: readonly string[]): void {
  for (const entry of docEntries) {
    const name = slugBefore(entry, ".json");
    if (name === undefined) continue;
    const rel = join(DOCS_DIR, entry);
    if (a.links.includes(rel)) continue;
    const problem = docProblem(dir, rel);
    if (problem === undefined) continue;
    if (problem.newer !== undefined) {
      a.blocked = true;
      a.report.findings.push(newerFinding(rel, `state document '${name}' has schemaVersion ${problem.newer}`));
      continue;
    }
    a.corruptDocs.push(name);
    a.report.findings.push({
      code: "doc-corrupt",
      severity: "error",
      file: rel,
      message: `state document '${name}' ${problem.reason}`,
      meaning: `\`taskpulse state get ${name}\` and \`state set ${name}\` refuse it (exit 6); its value cannot be read`,
      action: `run \`taskpulse doctor --repair\`: it keeps the file aside as a damaged copy; \`taskpulse state get ${name}\` then reports no document (exit 3) and \`taskpulse state set ${name} <json>\` saves it again`,
    });
  }
}

/** Why the document at `rel` is unusable (not JSON, a directory, a newer version), or undefined when it is not. */
export function docProblem(dir: string, rel: string): { reason: string; newer?: number } | undefined {
  let raw: string;
  try {
    if (lstatSync(join(dir, rel)).isDirectory()) return { reason: "is a directory, not a file" };
    const read = readStoreFile(join(dir, rel), "a state document", { follow: false });
    if (read === undefined) return undefined;
    raw = read;
  } catch {
    return undefined; // gone meanwhile, or unreadable by its mode (reported as permissions): not damaged
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { reason: "is not valid JSON" };
  }
  const version = docVersion(json);
  if (version !== undefined && version > DOC_VERSION) return { reason: "is of a newer version", newer: version };
  return undefined;
}
