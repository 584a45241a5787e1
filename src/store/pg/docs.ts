// State documents in PostgreSQL (table taskpulse_docs): read without a lock; changed read-modify-write in one
// transaction under the document's own advisory lock, so concurrent updates from any host are never lost. The
// value is kept as the JSON text it was given (key order and all), and `bytes` is the size the JSON store's file
// would have, so `state get` and `state list` print the same on both backends.
import type { Client } from "pg";
import { docText, UNCHANGED } from "../doc-format.ts";
import type { StateDoc } from "../state-docs.ts";
import { LOCK_NS_DOC } from "./schema.ts";
import { commitMarker } from "./tx.ts";

export async function readDocRow(client: Client, name: string): Promise<StateDoc | undefined> {
  const r = await client.query<{ rev: number; updated_at: string | null; value: string }>(
    "SELECT rev, updated_at, value FROM taskpulse_docs WHERE name = $1",
    [name],
  );
  const row = r.rows[0];
  return row ? { name, rev: row.rev, updatedAt: row.updated_at, value: JSON.parse(row.value) } : undefined;
}

export async function writeDocRow(client: Client, doc: StateDoc): Promise<void> {
  const bytes = Buffer.byteLength(docText(doc));
  await client.query(
    `INSERT INTO taskpulse_docs (name, rev, updated_at, value, bytes) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (name) DO UPDATE SET rev = EXCLUDED.rev, updated_at = EXCLUDED.updated_at, value = EXCLUDED.value, bytes = EXCLUDED.bytes`,
    [doc.name, doc.rev, doc.updatedAt, JSON.stringify(doc.value), bytes],
  );
}

/** The lock a document's changes are made under: its name's, in the documents' namespace. */
export function docLock(name: string): { sql: string; params: unknown[] } {
  return { sql: "SELECT pg_advisory_xact_lock($1, hashtext($2))", params: [LOCK_NS_DOC, name] };
}

/**
 * `begin`: what opens the transaction (tx.ts beginSql). `commit`: commits, given the key of the commit's marker
 * when something was written (PgStore.commit, which judges a COMMIT whose answer was lost by it).
 */
export async function updateDocRow(
  client: Client,
  begin: string,
  name: string,
  fn: (current: StateDoc | undefined) => unknown,
  now: Date,
  commit: (marker: string | undefined) => Promise<void>,
): Promise<{ doc: StateDoc; changed: boolean }> {
  try {
    await client.query(begin);
    const lock = docLock(name);
    await client.query(lock.sql, lock.params);
    const current = await readDocRow(client, name);
    const value = fn(current);
    if (value === UNCHANGED) {
      if (!current) throw new Error("an update of a missing document must produce a value");
      await commit(undefined);
      return { doc: current, changed: false };
    }
    const doc: StateDoc = { name, rev: (current?.rev ?? 0) + 1, updatedAt: now.toISOString(), value };
    await writeDocRow(client, doc);
    const marker = commitMarker(false);
    await client.query(`${marker.with} SELECT 1`, [marker.key]);
    await commit(marker.key);
    return { doc, changed: true };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  }
}
