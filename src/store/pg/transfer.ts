// Export and import of a PostgreSQL store (see export-format.ts). An export reads one consistent snapshot (a
// REPEATABLE READ transaction); an import is one transaction under the store lock: all of it, or nothing.
import type { Client } from "pg";
import type { RunRecord } from "../../core/job-model.ts";
import type { AuditEntry, Task } from "../../core/model.ts";
import { checkImport, EXPORT_FORMAT, EXPORT_VERSION, type ExportDoc, type ImportSummary, summarizeImport } from "../export-format.ts";
import { readDocRow, writeDocRow } from "./docs.ts";
import { HOT_STATE_SQL, hotStateOf, insertArchive, insertAudit, insertRuns, upsertJobs, upsertTasks } from "./tx.ts";

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Everything in the store; the caller runs it inside a transaction or alone (reads only). */
async function collect(client: Client, where: string): Promise<ExportDoc> {
  const hot = await hotStateOf((await client.query<{ k: number; id: string; data: string }>(HOT_STATE_SQL)).rows, where);
  const audit: Record<string, AuditEntry[]> = {};
  const trails = new Map<string, AuditEntry[]>();
  for (const row of (await client.query<{ task: string; entry: string }>("SELECT task, entry FROM taskpulse_audit ORDER BY seq")).rows) {
    trails.set(row.task, [...(trails.get(row.task) ?? []), JSON.parse(row.entry) as AuditEntry]);
  }
  for (const id of hot.tasks.keys()) {
    const trail = trails.get(id);
    if (trail) audit[id] = trail;
  }
  const archive = (await client.query<{ id: string; task: string }>("SELECT id, task FROM taskpulse_archive")).rows
    .sort((a, b) => byKey(a.id, b.id))
    .map((row) => ({ task: JSON.parse(row.task) as Task, audit: trails.get(row.id) ?? [] }));
  const runs: Record<string, RunRecord[]> = {};
  const runRows = (await client.query<{ job: string; record: string }>("SELECT job, record FROM taskpulse_runs ORDER BY seq")).rows;
  for (const job of [...new Set(runRows.map((r) => r.job))].sort(byKey)) {
    runs[job] = runRows.filter((r) => r.job === job).map((r) => JSON.parse(r.record) as RunRecord);
  }
  const names = (await client.query<{ name: string }>("SELECT name FROM taskpulse_docs")).rows.map((r) => r.name).sort(byKey);
  const docs: ExportDoc["docs"] = [];
  for (const name of names) {
    const doc = await readDocRow(client, name);
    if (doc) docs.push({ name, rev: doc.rev, updatedAt: doc.updatedAt, value: doc.value });
  }
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    counter: hot.counter,
    tasks: [...hot.tasks.values()],
    agents: hot.agents,
    jobs: hot.jobs,
    audit,
    archive,
    runs,
    docs,
  };
}

export async function exportPg(client: Client, where: string): Promise<ExportDoc> {
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    return await collect(client, where);
  } finally {
    await client.query("COMMIT").catch(() => {});
  }
}

/** Writes `doc` into the store; the caller holds the store lock inside a transaction. */
export async function importPg(client: Client, doc: ExportDoc, options: { merge: boolean }, where: string): Promise<ImportSummary> {
  const current = await collect(client, where);
  checkImport(current, doc, options);
  if (doc.tasks.length > 0) await upsertTasks(client, doc.tasks);
  const newAgents = Object.entries(doc.agents).filter(([name]) => !(name in current.agents));
  if (newAgents.length > 0) {
    await client.query("INSERT INTO taskpulse_agents (name, data) SELECT * FROM unnest($1::text[], $2::text[])", [
      newAgents.map(([name]) => name),
      newAgents.map(([, config]) => JSON.stringify(config)),
    ]);
  }
  if (Object.keys(doc.jobs).length > 0) await upsertJobs(client, Object.values(doc.jobs));
  const entries = [...Object.values(doc.audit).flat(), ...doc.archive.flatMap((a) => a.audit)];
  if (entries.length > 0) await insertAudit(client, entries);
  if (doc.archive.length > 0)
    await insertArchive(
      client,
      doc.archive.map((a) => a.task),
    );
  const runs = Object.entries(doc.runs).flatMap(([job, records]) => records.map((record) => ({ job, record })));
  if (runs.length > 0) await insertRuns(client, runs, Number.MAX_SAFE_INTEGER);
  for (const d of doc.docs) await writeDocRow(client, d);
  await client.query("UPDATE taskpulse_meta SET value = $1 WHERE key = 'counter'", [String(Math.max(current.counter, doc.counter))]);
  await client.query("SELECT pg_notify('taskpulse_changes', '')");
  return summarizeImport(doc);
}
