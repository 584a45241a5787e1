// One priority scale: integers 1-10, higher runs first (agent-task-list). OpenTask's labels map onto it
// (P0 most urgent): P0 = 10, P1 = 8, P2 = 5 (the default of both originals), P3 = 3. Ties run oldest first.
// A task keeps the label it was given (`priorityLabel`), so it is shown as typed: P0, not 10.
import { UsageError } from "./errors.ts";
import { printable } from "./names.ts";

export const DEFAULT_PRIORITY = 5;
export const PRIORITY_LABELS = ["P0", "P1", "P2", "P3"] as const;
export type PriorityLabel = (typeof PRIORITY_LABELS)[number];
const LABELS: Record<PriorityLabel, number> = { P0: 10, P1: 8, P2: 5, P3: 3 };

/** A priority as typed: its place on the 1-10 scale, and the label when it was given as one. */
export interface TypedPriority {
  priority: number;
  label?: PriorityLabel;
}

export function parseTypedPriority(input: string): TypedPriority {
  const text = input.trim().toUpperCase();
  if (text in LABELS) return { priority: LABELS[text as PriorityLabel], label: text as PriorityLabel };
  if (/^\d{1,2}$/.test(text)) {
    const n = Number(text);
    if (n >= 1 && n <= 10) return { priority: n };
  }
  throw new UsageError(
    `invalid priority '${printable(input)}'`,
    "use 1-10 (higher runs first) or P0-P3 (P0 most urgent; P0=10, P1=8, P2=5, P3=3)",
    { detail: { key: "invalid_value", what: "priority", value: printable(input) } },
  );
}

/** A priority's place on the 1-10 scale (query's bounds, which compare, whatever scale they are typed in). */
export function parsePriority(input: string): number {
  return parseTypedPriority(input).priority;
}

/** The priority as its task was given it: the label (P0) or the number on the 1-10 scale. */
export function priorityText(task: { priority: number; priorityLabel?: string | undefined }): string {
  return task.priorityLabel ?? String(task.priority);
}
