// One priority scale: integers 1-10, higher runs first (agent-task-list). OpenTask's labels map onto it
// (P0 most urgent): P0 = 10, P1 = 8, P2 = 5 (the default of both originals), P3 = 3. Ties run oldest first.
import { UsageError } from "./errors.ts";
import { printable } from "./names.ts";

export const DEFAULT_PRIORITY = 5;
const LABELS: Record<string, number> = { P0: 10, P1: 8, P2: 5, P3: 3 };

export function parsePriority(input: string): number {
  const text = input.trim().toUpperCase();
  const label = LABELS[text];
  if (label !== undefined) return label;
  if (/^\d{1,2}$/.test(text)) {
    const n = Number(text);
    if (n >= 1 && n <= 10) return n;
  }
  throw new UsageError(
    `invalid priority '${printable(input)}'`,
    "use 1-10 (higher runs first) or P0-P3 (P0 most urgent; P0=10, P1=8, P2=5, P3=3)",
    { detail: { key: "invalid_value", what: "priority", value: printable(input) } },
  );
}

export function priorityLabel(p: number): string {
  for (const [label, value] of Object.entries(LABELS)) if (value === p) return `${p} (${label})`;
  return String(p);
}
