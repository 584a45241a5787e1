// Validation of names that end up in paths or in other people's terminals. Agent, job and state names never
// contain path separators or `..`, never start with `-`, and are bounded.
import { UsageError } from "./errors.ts";
import { LIMITS } from "./model-constants.ts";

const SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Whether `value` is a valid agent, job or state name (see validateSlug). */
export function isSlug(value: string): boolean {
  return SLUG.test(value) && !value.includes("..");
}

export function validateSlug(value: string, what: string): string {
  if (!isSlug(value)) {
    throw new UsageError(
      `invalid ${what} '${printable(value)}'`,
      `a ${what} is 1-64 letters, digits, '.', '_' or '-', starts with a letter or digit, and has no '..'`,
      { detail: { key: "invalid_name", what, value: printable(value) } },
    );
  }
  return value;
}

export const validateAgent = (value: string): string => validateSlug(value, "agent name");

/** Characters that change how text around them is shown without showing themselves (display spoofing). */
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\u2028\u2029]/;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, "g");
/**
 * A ZWJ that joins two emoji (a family, a person with a skin tone and an object, a rainbow flag): kept, since it is
 * what draws them as one. Made on first use: V8 builds a Unicode property class when it constructs the pattern, not
 * when it first runs it, and every start would pay for these.
 */
let emoji: { before: RegExp; after: RegExp } | undefined;
function joinsEmoji(whole: string, at: number): boolean {
  emoji ??= { before: /(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|\ufe0f)$/u, after: /^\p{Extended_Pictographic}/u };
  return emoji.before.test(whole.slice(Math.max(0, at - 2), at)) && emoji.after.test(whole.slice(at + 1, at + 3));
}

/**
 * `text` without bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F), zero-width characters
 * (U+200B–U+200D, U+2060, U+FEFF) and with the line and paragraph separators U+2028/U+2029 turned into newlines
 * (which names and push fields then flatten). A zero-width joiner between two emoji is kept. A plain test first, so
 * the common text (and the heartbeat hot path) never compiles the Unicode property patterns.
 */
export function stripInvisible(text: string): string {
  if (!INVISIBLE.test(text)) return text;
  return text.replace(INVISIBLE_ALL, (ch, at: number, whole: string) => {
    if (ch === "\u2028" || ch === "\u2029") return "\n";
    if (ch === "\u200d" && joinsEmoji(whole, at)) return ch;
    return "";
  });
}

/** Text on one line (newlines folded into spaces, invisible characters dropped), cut to `max` characters with "…". */
export function oneLine(text: string, max = 120): string {
  const flat = stripInvisible(text)
    .replace(/\s*\n\s*/g, " ")
    .trim();
  const chars = Array.from(flat);
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : flat;
}

/**
 * Free text (names, messages): bounded, no NUL; control characters other than newline and tab are removed, and so
 * are the invisible ones of stripInvisible.
 */
export function cleanText(value: string, what: string, max: number = LIMITS.text): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const cleaned = stripInvisible(value).replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "");
  if (cleaned.length > max) {
    throw new UsageError(`${what} is too long (${cleaned.length} characters, at most ${max})`, undefined, {
      detail: { key: "too_long", what, length: cleaned.length, max },
    });
  }
  return cleaned;
}

/** A one-line name: newlines flattened to spaces, trimmed, not empty. */
export function cleanName(value: string, what: string): string {
  const flat = cleanText(value, what, LIMITS.name * 4)
    .replace(/\s*\n\s*/g, " ")
    .replace(/\t/g, " ")
    .trim();
  if (flat.length === 0) throw new UsageError(`${what} must not be empty`, undefined, { detail: { key: "empty", what } });
  if (flat.length > LIMITS.name) {
    throw new UsageError(`${what} is too long (${flat.length} characters, at most ${LIMITS.name})`, undefined, {
      detail: { key: "too_long", what, length: flat.length, max: LIMITS.name },
    });
  }
  return flat;
}

/** For echoing user input back in an error message: short, no control characters. */
export function printable(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const s = stripInvisible(value).replace(/[\u0000-\u001f\u007f]/g, "?");
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/**
 * Orders ids and ISO times by code point. Not localeCompare: its first call builds an ICU
 * collator (~13 ms, at every start of a command that sorts), and these strings have no linguistic order anyway.
 */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders agent and job names for people: case folded first (alice, bob, Zed), then by code point. */
export function byName(a: string, b: string): number {
  return byCodePoint(a.toLowerCase(), b.toLowerCase()) || byCodePoint(a, b);
}

/** `text` cut to at most `max` code points, the last of them `…` when cut (never inside a character). */
export function shorten(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : text;
}
