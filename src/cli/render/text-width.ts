// Terminal display width. CJK ideographs, full-width forms and emoji take two columns; combining marks, joiners and
// variation selectors take none (an emoji selector widens the character before it). Clipping works on grapheme
// clusters, so a shortened name never ends inside a character or an emoji sequence.

const WIDE =
  /[\u1100-\u115f\u231a\u231b\u23e9-\u23ec\u23f0\u23f3\u25fd\u25fe\u2614\u2615\u2648-\u2653\u267f\u2693\u26a1\u26aa\u26ab\u26bd\u26be\u26c4\u26c5\u26ce\u26d4\u26ea\u26f2\u26f3\u26f5\u26fa\u26fd\u2705\u270a\u270b\u2728\u274c\u274e\u2753-\u2755\u2757\u2795-\u2797\u27b0\u27bf\u2b1b\u2b1c\u2b50\u2b55\u2e80-\u303e\u3041-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{1f000}-\u{1faff}\u{20000}-\u{3fffd}]/u;
/** Made on first use (as names.ts's emoji patterns, for the same reason), and asked only about non-ASCII text. */
let mark: RegExp | undefined;

function zeroWidth(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x80) return false;
  mark ??= /\p{Mn}/u;
  return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0e) || (cp >= 0xe0000 && cp <= 0xe007f) || mark.test(ch);
}
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escape sequences is the point
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

// Made on first use, and only for texts with joining characters: constructing an Intl.Segmenter costs ~8-13 ms
// (ICU data).
let segmenter: Intl.Segmenter | undefined;
function graphemesOf(text: string): Intl.Segments {
  segmenter ??= new Intl.Segmenter("und", { granularity: "grapheme" });
  return segmenter.segment(text);
}

function graphemeWidth(g: string): number {
  let w = 0;
  let previous = 0;
  for (const ch of g) {
    if (ch === "\u200d") return Math.max(w, 2); // an emoji ZWJ sequence shows as one wide glyph
    if (ch === "\ufe0f") {
      if (previous === 1) w += 1; // emoji presentation of a narrow symbol (⚠️, ✋️)
      continue;
    }
    if (zeroWidth(ch)) continue;
    previous = WIDE.test(ch) ? 2 : 1;
    w += previous;
  }
  return w;
}

/**
 * Characters that may join with their neighbours into one grapheme: marks and other extenders (halfwidth kana
 * voicing marks), format characters such as joiners and tags, prepended letters, spacing vowels that are not marks
 * (Thai and Lao SARA AM), selectors, skin tones, flags, Hangul jamo, CR LF. A text without any is one grapheme per
 * code point, so it needs no Intl.Segmenter: most names and messages, Chinese ones included.
 */
const JOINING =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: selectors and marks are listed one by one on purpose
  /[\p{M}\p{Grapheme_Extend}\p{Cf}\r\u0d4e\u0e33\u0eb3\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff\ufe00-\ufe0f\u{111c2}\u{111c3}\u{1193f}\u{11941}\u{11a3a}\u{11a84}-\u{11a89}\u{11d46}\u{1f1e6}-\u{1f1ff}\u{1f3fb}-\u{1f3ff}]/u;

/** Display width of `text` in a terminal; ANSI colour codes count zero. */
export function width(text: string): number {
  const plain = text.replace(ANSI, "");
  return JOINING.test(plain) ? segmentedWidth(plain) : graphemeWidth(plain);
}

/** Width summed over Intl.Segmenter's graphemes: what `width` computes, the slow way (exported for a test). */
export function segmentedWidth(text: string): number {
  let w = 0;
  for (const { segment } of graphemesOf(text)) w += graphemeWidth(segment);
  return w;
}

/** The grapheme clusters of `text`, without the segmenter when every code point is one. */
function graphemes(text: string): Iterable<string> {
  if (!JOINING.test(text)) return text;
  return Array.from(graphemesOf(text), (s) => s.segment);
}

/** Shortens `text` to at most `max` columns, ending with `…` when shortened. */
export function clip(text: string, max: number): string {
  if (width(text) <= max) return text;
  if (max <= 0) return "";
  let out = "";
  let used = 0;
  for (const segment of graphemes(text)) {
    const w = graphemeWidth(segment);
    if (used + w > max - 1) break;
    out += segment;
    used += w;
  }
  return `${out.trimEnd()}…`;
}

/** Pads `text` with spaces to `to` columns. */
export function pad(text: string, to: number): string {
  return text + " ".repeat(Math.max(0, to - width(text)));
}
