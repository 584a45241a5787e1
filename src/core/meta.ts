// A task's structured parameters (`--meta key=value`; OpenTask's task_params): each value is JSON when it reads as
// JSON, else the text as given. A number counts as JSON only when JSON writes it back the same way, so `1.0`,
// `007` and a 20-digit id stay text instead of losing digits; `'k="true"'` keeps a word that JSON would read as a
// value as text.
import { UsageError } from "./errors.ts";
import { LIMITS } from "./model-constants.ts";
import { printable } from "./names.ts";

export type Meta = Record<string, unknown>;

const KEY = /^[A-Za-z0-9_.-]+$/;

export function parseMetaValue(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof value === "number" && JSON.stringify(value) !== text.trim()) return text;
  return value;
}

/** `key=value` (create's --meta) or, where `bare` allows it, `key` alone (query's: has the key). */
export function parseMetaPair(pair: string, option: string, bare = false): { key: string; value?: unknown } {
  const eq = pair.indexOf("=");
  const key = eq < 0 ? pair : pair.slice(0, eq);
  if ((eq < 0 && !bare) || key.length === 0) {
    throw new UsageError(
      `invalid ${option} '${printable(pair)}'`,
      bare ? "use key=value, or key alone" : "use key=value (the value may be JSON)",
      { detail: { key: "invalid_value", what: option, value: printable(pair) } },
    );
  }
  if (key.length > LIMITS.metaKey || !KEY.test(key)) {
    // The hint is fixed text (its Chinese is looked up by it): 64 is LIMITS.metaKey.
    throw new UsageError(`invalid ${option} key '${printable(key)}'`, "letters, digits, _ . - (at most 64)", {
      detail: { key: "invalid_value", what: `${option} key`, value: printable(key) },
    });
  }
  return eq < 0 ? { key } : { key, value: parseMetaValue(pair.slice(eq + 1)) };
}

/**
 * How a value is shown, as it would be typed to get it again: text as it is (quoted as JSON where it would read as
 * another value: the text "true"), anything else as compact JSON.
 */
export function metaText(value: unknown): string {
  return typeof value === "string" && parseMetaValue(value) === value ? value : JSON.stringify(value);
}

/** Whether `meta` has `key` (with `value`, when given: equal as JSON, whatever the order of an object's keys). */
export function metaMatches(meta: Meta | undefined, key: string, value?: unknown): boolean {
  if (meta === undefined || !Object.hasOwn(meta, key)) return false;
  return value === undefined || canonical(meta[key]) === canonical(value);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
