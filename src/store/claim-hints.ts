// The head of each agent's queue, kept in state.json so that taking the next task reads the task it takes and not
// the agent's whole queue (issue 16: 5 000 queued tasks per agent at 100 000). Per agent: how many of its tasks
// run, how many are queued, and the first CLAIM_HINT_SIZE queued ones in queue order (their order keys). Every
// change of an entry updates it (hot-state.ts, updateQueue), so it is exact by construction; doctor recomputes it
// from the tasks. An agent without one (a store written before, or a head drained of its queued tasks while more
// wait) is answered from its whole queue, and the hint is made again from it. The ids of an agent's running tasks
// are kept too while there are at most 100 (the highest limit), so that "busy" is answered without the queue.
import { StoreCorruptError } from "../core/errors.ts";
import { compareQueue, type QueueKey } from "../core/queue.ts";
import type { QueueEntry } from "./parts.ts";

const CLAIM_HINT_SIZE = 16;
/** Running tasks named in a hint: an agent's limit is at most 100, so an agent at its limit has them named. */
const RUNNING_NAMED = 100;

export interface ClaimHint {
  running: number;
  /** The ids of the running tasks, when there are at most RUNNING_NAMED (else, or not known: absent). */
  runningIds?: string[];
  pending: number;
  /** The first queued tasks in queue order: all of them when there are `pending`, else a prefix. */
  next: QueueKey[];
}

const keyOf = (e: QueueKey): QueueKey =>
  e.seq === undefined
    ? { id: e.id, priority: e.priority, queuedAt: e.queuedAt }
    : { id: e.id, priority: e.priority, queuedAt: e.queuedAt, seq: e.seq };

/** The hint of an agent from all of its entries. */
export function hintOf(entries: readonly QueueEntry[]): ClaimHint {
  const pending = entries.filter((e) => e.status === "pending").sort(compareQueue);
  const running = entries.filter((e) => e.status === "running").map((e) => e.id);
  const hint: ClaimHint = { running: running.length, pending: pending.length, next: pending.slice(0, CLAIM_HINT_SIZE).map(keyOf) };
  if (running.length <= RUNNING_NAMED) hint.runningIds = running.sort();
  return hint;
}

/** The hint with `e` (an entry of its agent) added; in place. */
export function addToHint(h: ClaimHint, e: QueueEntry): void {
  if (e.status === "running") {
    h.running += 1;
    if (h.running > RUNNING_NAMED) delete h.runningIds;
    else if (h.runningIds) h.runningIds = [...h.runningIds, e.id].sort();
  }
  if (e.status !== "pending") return;
  const complete = h.next.length === h.pending;
  h.pending += 1;
  const last = h.next[h.next.length - 1];
  // Among the first ones if the hint held them all, or if it sorts before the last one the hint holds.
  if (!complete && (last === undefined || compareQueue(e, last) > 0)) return;
  const at = h.next.findIndex((k) => compareQueue(e, k) < 0);
  h.next.splice(at < 0 ? h.next.length : at, 0, keyOf(e));
  if (h.next.length > CLAIM_HINT_SIZE) h.next.pop();
}

/** The hint with `e` removed, in place; false when it no longer knows the head (its prefix ran out). */
export function removeFromHint(h: ClaimHint, e: QueueEntry): boolean {
  if (e.status === "running") {
    h.running -= 1;
    if (h.runningIds) h.runningIds = h.runningIds.filter((id) => id !== e.id);
  }
  if (e.status !== "pending") return true;
  h.pending -= 1;
  const at = h.next.findIndex((k) => k.id === e.id);
  if (at >= 0) h.next.splice(at, 1);
  return h.next.length > 0 || h.pending === 0;
}

/** The hints as state.json holds them: `{"<agent>": {"running": n, "pending": n, "next": [[id, priority, queuedAt, seq?]…]}}`. */
export function hintsJson(hints: ReadonlyMap<string, ClaimHint>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const agent of [...hints.keys()].sort()) {
    const h = hints.get(agent) as ClaimHint;
    out[agent] = {
      running: h.running,
      ...(h.runningIds ? { runningIds: h.runningIds } : {}),
      pending: h.pending,
      next: h.next.map((k) => (k.seq === undefined ? [k.id, k.priority, k.queuedAt] : [k.id, k.priority, k.queuedAt, k.seq])),
    };
  }
  return out;
}

const count = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** The hints a head holds (none: `claims` absent), checked. Throws StoreCorruptError. */
export function readHints(value: unknown, path: string): Map<string, ClaimHint> {
  const hints = new Map<string, ClaimHint>();
  if (value === undefined) return hints;
  const bad = (what: string) =>
    new StoreCorruptError(`${path} does not validate (claims${what})`, "the file was kept as it is; run `taskpulse doctor`");
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw bad(": not an object");
  for (const [agent, raw] of Object.entries(value)) {
    const h = raw as { running?: unknown; runningIds?: unknown; pending?: unknown; next?: unknown };
    if (h === null || typeof h !== "object" || !count(h.running) || !count(h.pending) || !Array.isArray(h.next)) throw bad(`.${agent}`);
    const next: QueueKey[] = [];
    for (const k of h.next as unknown[]) {
      const [id, priority, queuedAt, seq, ...more] = Array.isArray(k) ? k : [];
      if (
        typeof id !== "string" ||
        !Number.isInteger(priority) ||
        typeof queuedAt !== "string" ||
        !(seq === undefined || count(seq)) ||
        more.length > 0
      )
        throw bad(`.${agent}.next`);
      next.push(seq === undefined ? { id, priority, queuedAt } : { id, priority, queuedAt, seq });
    }
    if (next.length > Math.min(h.pending, CLAIM_HINT_SIZE) || (next.length === 0 && h.pending > 0)) throw bad(`.${agent}.next`);
    const hint: ClaimHint = { running: h.running, pending: h.pending, next };
    if (h.runningIds !== undefined) {
      const ids = h.runningIds;
      if (!Array.isArray(ids) || ids.length !== h.running || !ids.every((id) => typeof id === "string")) throw bad(`.${agent}.runningIds`);
      hint.runningIds = ids as string[];
    }
    hints.set(agent, hint);
  }
  return hints;
}

/** Whether a hint says what the agent's entries say (for doctor). */
export function hintMatches(h: ClaimHint, entries: readonly QueueEntry[]): boolean {
  const want = hintOf(entries);
  return (
    h.running === want.running &&
    (h.runningIds === undefined || JSON.stringify(h.runningIds) === JSON.stringify(want.runningIds)) &&
    h.pending === want.pending &&
    JSON.stringify(h.next.map(keyOf)) === JSON.stringify(want.next.slice(0, h.next.length))
  );
}
