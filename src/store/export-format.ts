// The export document (`taskpulse export`, `taskpulse import`): everything a store holds, backend-neutral, so a
// store moves between a JSON directory and PostgreSQL with its ids, history, audit journal, job records and state
// documents. Version 1; a newer document is refused on import. Validated with zod when imported (export-schema.ts; this file stays zod-free).
// Deterministic: the same store exports the same bytes whichever backend holds it (hot tasks, agents and jobs in
// store order, archived tasks and documents by id/name, runs by job then oldest first).
import { ConflictError } from "../core/errors.ts";
import type { ExportDoc } from "./export-schema.ts";

export type { ExportDoc } from "./export-schema.ts";

export const EXPORT_FORMAT = "taskpulse-export";
export const EXPORT_VERSION = 1;

export interface ImportSummary {
  tasks: number;
  archived: number;
  auditEntries: number;
  jobs: number;
  runs: number;
  docs: number;
}

export function summarizeImport(doc: ExportDoc): ImportSummary {
  return {
    tasks: doc.tasks.length,
    archived: doc.archive.length,
    auditEntries: Object.values(doc.audit).reduce((n, list) => n + list.length, 0) + doc.archive.reduce((n, a) => n + a.audit.length, 0),
    jobs: Object.keys(doc.jobs).length,
    runs: Object.values(doc.runs).reduce((n, list) => n + list.length, 0),
    docs: doc.docs.length,
  };
}

/** Whether a store (as exported) holds nothing at all. */
export function isEmptyExport(doc: ExportDoc): boolean {
  return (
    doc.counter === 0 &&
    doc.tasks.length === 0 &&
    doc.archive.length === 0 &&
    Object.keys(doc.agents).length === 0 &&
    Object.keys(doc.jobs).length === 0 &&
    Object.keys(doc.runs).length === 0 &&
    doc.docs.length === 0
  );
}

/**
 * What `incoming` would overwrite in a store that holds `current` (same task id, hot or archived; same job; same
 * state document; an agent configured differently). Import --merge refuses when this is not empty.
 */
export function importCollisions(current: ExportDoc, incoming: ExportDoc): string[] {
  const taskIds = new Set([...current.tasks.map((t) => t.id), ...current.archive.map((a) => a.task.id)]);
  const out: string[] = [];
  for (const id of [...incoming.tasks.map((t) => t.id), ...incoming.archive.map((a) => a.task.id)]) {
    if (taskIds.has(id)) out.push(`task ${id}`);
  }
  for (const id of Object.keys(incoming.jobs)) if (id in current.jobs || id in current.runs) out.push(`job ${id}`);
  const docs = new Set(current.docs.map((d) => d.name));
  for (const d of incoming.docs) if (docs.has(d.name)) out.push(`state document ${d.name}`);
  for (const [agent, config] of Object.entries(incoming.agents)) {
    const mine = current.agents[agent];
    if (mine && JSON.stringify(mine) !== JSON.stringify(config)) out.push(`agent ${agent} (configured differently)`);
  }
  return out;
}

export function emptyExport(): ExportDoc {
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    counter: 0,
    tasks: [],
    agents: {},
    jobs: {},
    audit: {},
    archive: [],
    runs: {},
    docs: [],
  };
}

/** The import rule of both backends: an empty store takes anything; a store with data only with --merge and no overlap. */
export function checkImport(current: ExportDoc, doc: ExportDoc, options: { merge: boolean }): void {
  if (isEmptyExport(current)) return;
  if (!options.merge) {
    throw new ConflictError(
      "the store already holds data; nothing was imported",
      "import into an empty store, or pass --merge to add the file's tasks, jobs and documents to what is there",
    );
  }
  const collisions = importCollisions(current, doc);
  if (collisions.length > 0) {
    const shown = collisions.slice(0, 5).join(", ");
    throw new ConflictError(
      `the store already holds ${collisions.length} of the file's records (${shown}${collisions.length > 5 ? ", …" : ""}); nothing was imported`,
      "merge only stores that share no ids (export the two stores and compare), or import into an empty store",
    );
  }
}
