// Cutting UTF-8 bytes without splitting a character: output tails keep the end of a stream, so a cut lands at the
// start and may fall inside a multi-byte sequence; the continuation bytes before the first whole character go.

/** The last at most `max` bytes of `bytes`, starting on a character boundary. */
export function utf8Tail(bytes: Uint8Array, max: number): Uint8Array {
  if (bytes.length <= max) return bytes;
  let start = bytes.length - max;
  // 10xxxxxx is a continuation byte; a character is at most 4 bytes, so at most 3 are skipped
  for (let i = 0; i < 3 && start < bytes.length && ((bytes[start] ?? 0) & 0xc0) === 0x80; i++) start++;
  return bytes.subarray(start);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8");

/** The end of a text, at most `max` UTF-8 bytes long, cut on a character boundary. */
export function textTail(text: string, max: number): string {
  const bytes = encoder.encode(text);
  if (bytes.length <= max) return text;
  return decoder.decode(utf8Tail(bytes, max));
}

export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** The last `n` lines of `text` (a last line without its newline counts as one), as `tail -n` prints them. */
export function lastLines(text: string, n: number): string {
  if (n <= 0) return "";
  let start = text.endsWith("\n") ? text.length - 1 : text.length;
  for (let count = 0; count < n; count++) {
    const newline = start > 0 ? text.lastIndexOf("\n", start - 1) : -1;
    if (newline < 0) return text;
    start = newline;
  }
  return text.slice(start + 1);
}
