// Export and import of a JSON store (see export-format.ts). An import is staged into one store transaction (one
// journal record with every task, agent, job and audit entry; the archive records and run files written under the
// same lock before the state file is replaced), then the state documents are written, each under its own lock.
import type { RunRecord } from "../core/job-model.ts";
import type { AuditEntry, Task } from "../core/model.ts";
import { readAllArchived, readSummaries } from "./archive.ts";
import {
  checkImport,
  EXPORT_FORMAT,
  EXPORT_VERSION,
  type ExportDoc,
  emptyExport,
  type ImportSummary,
  summarizeImport,
} from "./export-format.ts";
import { listRunFiles, readRunRecords } from "./job-runs.ts";
import type { JsonTx } from "./json-store.ts";
import { type DocLockOptions, listDocs, readDoc, updateDoc } from "./state-docs.ts";
import type { StateFile } from "./state-file.ts";

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function exportJson(dir: string, state: StateFile, trails: ReadonlyMap<string, AuditEntry[]>): ExportDoc {
  const audit: Record<string, AuditEntry[]> = {};
  for (const id of Object.keys(state.tasks)) {
    const trail = trails.get(id);
    if (trail && trail.length > 0) audit[id] = trail;
  }
  const archive = [...readAllArchived(dir).values()]
    .filter((r) => !state.tasks[r.task.id])
    .sort((a, b) => byKey(a.task.id, b.task.id))
    .map((r) => ({ task: r.task, audit: r.audit }));
  const runs: Record<string, RunRecord[]> = {};
  for (const job of listRunFiles(dir).sort(byKey)) {
    const records = readRunRecords(dir, job);
    if (records.length > 0) runs[job] = records;
  }
  const docs: ExportDoc["docs"] = [];
  for (const { name } of listDocs(dir).sort((a, b) => byKey(a.name, b.name))) {
    const doc = readDoc(dir, name);
    if (doc) docs.push({ name, rev: doc.rev, updatedAt: doc.updatedAt, value: doc.value });
  }
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    counter: state.counter,
    tasks: Object.values(state.tasks),
    agents: state.agents,
    jobs: state.jobs,
    audit,
    archive,
    runs,
    docs,
  };
}

/** Checks the import rule against the store as it is under the lock, and stages everything but the documents. */
export function stageImport(dir: string, tx: JsonTx, doc: ExportDoc, options: { merge: boolean }): ImportSummary {
  const current: ExportDoc = {
    ...emptyExport(),
    counter: tx.state.counter,
    tasks: [...tx.tasks],
    agents: tx.agents,
    jobs: tx.jobs,
    archive: [...readSummaries(dir).keys()].map((id) => ({ task: { id } as Task, audit: [] })),
    runs: Object.fromEntries(listRunFiles(dir).map((job) => [job, []])),
    docs: listDocs(dir).map((d) => ({ name: d.name, rev: d.rev, updatedAt: d.updatedAt, value: null })),
  };
  checkImport(current, doc, options);
  for (const task of doc.tasks) tx.put(task);
  tx.audits.push(...Object.values(doc.audit).flat());
  for (const [name, config] of Object.entries(doc.agents)) if (!tx.agent(name)) tx.setAgent(name, config);
  for (const job of Object.values(doc.jobs)) tx.putJob(job);
  tx.raiseCounter(doc.counter);
  tx.importedArchive.push(...doc.archive.map((a) => ({ v: 1 as const, task: a.task, audit: a.audit })));
  for (const [job, records] of Object.entries(doc.runs)) if (records.length > 0) tx.importedRuns.set(job, records);
  return summarizeImport(doc);
}

/** Writes the documents with their revisions and times (stageImport checked that none exists). */
export async function importDocs(dir: string, doc: ExportDoc, options: DocLockOptions): Promise<void> {
  for (const d of doc.docs) {
    await updateDoc(dir, d.name, () => d.value, { ...options, exact: { rev: d.rev, updatedAt: d.updatedAt } });
  }
}
