// Rebuilding the state from the last good copy and the journal, for `taskpulse doctor`. Guarantee: replaying the
// committed records over the copy they chain from gives exactly the state those commits produced (every change to
// the state goes through a journalled op), so a state file lost or damaged after a command returned 0 can be
// rebuilt with that command's change in it. Pure functions over parsed records: reading the files is doctor.ts's.
import { counterOf } from "../core/ids.ts";
import type { JournalRecord } from "./journal.ts";
import { emptyState, type StateFile } from "./state-file.ts";
import { stateFileSchema } from "./state-schema.ts";

/** Where a replay starts: the checkpoint (the state at its txn), or the empty state before the first commit. */
export interface Base {
  state: StateFile;
  txn: string | null;
  from: "checkpoint" | "empty";
}

export function emptyBase(): Base {
  return { state: emptyState(), txn: null, from: "empty" };
}

/**
 * How far each record is from `base` along the `prev` links (base = 0), for records that descend from it; records
 * of aborted attempts are left out. One pass in file order is enough: a record's `prev` was committed, hence
 * appended, before the record itself was written.
 */
export function depthsFrom(
  records: readonly JournalRecord[],
  aborted: ReadonlySet<string>,
  base: string | null,
): Map<string | null, number> {
  const depth = new Map<string | null, number>([[base, 0]]);
  for (const r of records) {
    if (aborted.has(r.txn) || depth.has(r.txn)) continue;
    const d = depth.get(r.prev);
    if (d !== undefined) depth.set(r.txn, d + 1);
  }
  return depth;
}

/**
 * The chain head to rebuild from when the state file cannot tell it (corrupt or missing): the end of the longest
 * chain from `base`, and among chains of equal length the one whose end was written last. Every committed record
 * is on that chain: an attempt that never committed is at most one record past a committed one, so it can only
 * tie with the last commit (the later one wins: an attempt written after a commit based on the same state was
 * fenced out or killed) or extend the chain by one (then the rebuilt state includes a change whose command did not
 * report success; it never lacks one that did).
 */
export function longestChainHead(records: readonly JournalRecord[], aborted: ReadonlySet<string>, base: string | null): string | null {
  const depth = depthsFrom(records, aborted, base);
  let head = base;
  let best = 0;
  for (const r of records) {
    const d = aborted.has(r.txn) ? undefined : depth.get(r.txn);
    if (d !== undefined && d >= best && r.txn !== base) {
      best = d;
      head = r.txn;
    }
  }
  return head;
}

/** The records from just after `base` up to `head`, oldest first; undefined when `head` does not lead back to `base`. */
export function chainBetween(
  records: readonly JournalRecord[],
  aborted: ReadonlySet<string>,
  base: string | null,
  head: string | null,
): JournalRecord[] | undefined {
  const byTxn = new Map<string, JournalRecord>();
  for (const r of records) if (!aborted.has(r.txn)) byTxn.set(r.txn, r);
  const chain: JournalRecord[] = [];
  const seen = new Set<string>();
  for (let txn = head; txn !== base; ) {
    if (txn === null || seen.has(txn)) return undefined;
    seen.add(txn);
    const rec = byTxn.get(txn);
    if (!rec) return undefined;
    chain.push(rec);
    txn = rec.prev;
  }
  return chain.reverse();
}

export class ReplayError extends Error {}

/**
 * Applies the chain's ops to a copy of the base state, generically: an op of kind `k` puts `v` under `id` in the
 * collection `k + "s"` (task -> tasks, agent -> agents; a `jobs` collection added to the state schema later works
 * unchanged), and removes it when `v` is null. seq and txn are the last record's; the id counter is the highest of
 * the base's, the records', and every id seen, so no id is ever handed out twice. The result is validated.
 */
export function replay(base: Base, chain: readonly JournalRecord[]): StateFile {
  const state = structuredClone(base.state) as unknown as Record<string, unknown>;
  let counter = base.state.counter;
  const seeId = (id: string) => {
    counter = Math.max(counter, counterOf(id) ?? 0);
  };
  for (const id of Object.keys(base.state.tasks)) seeId(id);
  for (const r of chain) {
    for (const op of r.ops) {
      const key = `${op.k}s`;
      const collection = state[key];
      if (!isCollection(key, collection)) {
        throw new ReplayError(`record ${r.txn} changes '${op.k}', a kind this taskpulse does not know (written by a newer version?)`);
      }
      if (op.v === null || op.v === undefined) delete collection[op.id];
      else collection[op.id] = op.v;
      if (op.k === "task") seeId(op.id);
    }
    counter = Math.max(counter, r.counter ?? 0);
    state.seq = r.seq;
    state.txn = r.txn;
  }
  state.counter = counter;
  const parsed = stateFileSchema.safeParse(state);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ReplayError(`the replayed state does not validate (${issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid"})`);
  }
  return parsed.data as StateFile;
}

/** The state's keyed collections (tasks, agents, …): the fields of the state schema that are records. */
export const COLLECTIONS: readonly string[] = Object.entries(stateFileSchema.shape)
  .filter(([, schema]) => {
    // `jobs` is a record with a default (absent in older files): look through the default.
    const def = schema.def as { type: string; innerType?: { def: { type: string } } };
    return (def.type === "default" ? def.innerType?.def.type : def.type) === "record";
  })
  .map(([key]) => key);

function isCollection(key: string, value: unknown): value is Record<string, unknown> {
  return COLLECTIONS.includes(key) && value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Same content, whatever the key order: what "the state agrees with the journal" compares. */
export function sameContent(a: StateFile, b: StateFile): boolean {
  return COLLECTIONS.every((key) => canonical((a as Record<string, unknown>)[key]) === canonical((b as Record<string, unknown>)[key]));
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}

/** The highest id counter among these ids (0 when none is a counter id). */
export function highestCounter(ids: Iterable<string>): number {
  let max = 0;
  for (const id of ids) max = Math.max(max, counterOf(id) ?? 0);
  return max;
}
