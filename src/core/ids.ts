// Task ids: short, safe in shells and file names, never starting with `-`: a random letter, the store's counter in
// base 31 (at least 3 digits), and 2 random characters, from letters and digits without look-alikes (no 0/o, 1/l/i).
// The counter makes an id unique in its store for ever (archived tasks included); the random parts make ids from
// two stores unlikely to collide. Any unique prefix resolves.
import { AmbiguousIdError, NotFoundError, UsageError } from "./errors.ts";
import { printable } from "./names.ts";

const ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz";
const LETTERS = "abcdefghjkmnpqrstuvwxyz";

function pick(alphabet: string, random: () => number): string {
  return alphabet[Math.floor(random() * alphabet.length)] ?? (alphabet[0] as string);
}

/** `random` returns floats in [0, 1); injected so tests are deterministic. */
export function newId(counter: number, random: () => number): string {
  let digits = "";
  for (let n = counter; n > 0; n = Math.floor(n / ALPHABET.length)) digits = (ALPHABET[n % ALPHABET.length] as string) + digits;
  digits = digits.padStart(3, ALPHABET[0]);
  return pick(LETTERS, random) + digits + pick(ALPHABET, random) + pick(ALPHABET, random);
}

/** A run id: the start time in base 36 and 4 random characters (runs are not resolved by prefix). */
export function newRunId(now: Date, random: () => number): string {
  let suffix = "";
  for (let i = 0; i < 4; i++) suffix += pick(ALPHABET, random);
  return `r${now.getTime().toString(36)}${suffix}`;
}

/** The counter an id was made from (the inverse of newId's middle part), or undefined if it is not such an id. */
export function counterOf(id: string): number | undefined {
  if (!/^[a-z][2-9a-z]{5,}$/.test(id) || !LETTERS.includes(id[0] as string)) return undefined;
  let n = 0;
  for (const ch of id.slice(1, -2)) {
    const digit = ALPHABET.indexOf(ch);
    if (digit < 0) return undefined;
    n = n * ALPHABET.length + digit;
  }
  return Number.isSafeInteger(n) ? n : undefined;
}

export function checkIdInput(input: string): string {
  const id = input.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(id)) {
    throw new UsageError(`invalid task id '${printable(input)}'`, "task ids are letters and digits, as printed by `taskpulse create`", {
      detail: { key: "invalid_task_id", value: printable(input) },
    });
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
    throw new NotFoundError(`task '${printable(input)}' not found`, "list tasks with `taskpulse status` or `taskpulse query`", {
      detail: { key: "task_not_found", id: printable(input) },
    });
  }
  throw new AmbiguousIdError(id, matches);
}
