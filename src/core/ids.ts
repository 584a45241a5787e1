// Task ids: short, safe in shells and file names, never starting with `-`. Random letters and digits without
// look-alikes (no 0/o, 1/l/i); the first character is a letter. Any unique prefix resolves.
import { AmbiguousIdError, NotFoundError, UsageError } from "./errors.ts";
import { printable } from "./names.ts";

const ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz";
const LETTERS = "abcdefghjkmnpqrstuvwxyz";
export const ID_LENGTH = 6;

/** `random` returns floats in [0, 1); injected so tests are deterministic. */
export function newId(random: () => number, taken: (id: string) => boolean): string {
  for (let attempt = 0; attempt < 100; attempt++) {
    const len = ID_LENGTH + Math.floor(attempt / 20);
    let id = LETTERS[Math.floor(random() * LETTERS.length)] ?? "a";
    while (id.length < len) id += ALPHABET[Math.floor(random() * ALPHABET.length)] ?? "2";
    if (!taken(id)) return id;
  }
  throw new Error("could not find a free task id");
}

export function checkIdInput(input: string): string {
  const id = input.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(id)) {
    throw new UsageError(`invalid task id '${printable(input)}'`, "task ids are letters and digits, as printed by `taskpulse create`");
  }
  return id;
}

/** Exact match first, else the single id starting with the prefix. */
export function resolveId(input: string, ids: readonly string[]): string {
  const id = checkIdInput(input);
  if (ids.includes(id)) return id;
  const matches = ids.filter((candidate) => candidate.startsWith(id)).sort();
  if (matches.length === 1) return matches[0] as string;
  if (matches.length === 0) {
    throw new NotFoundError(`task '${printable(input)}' not found`, "list tasks with `taskpulse status` or `taskpulse query`");
  }
  throw new AmbiguousIdError(id, matches);
}
