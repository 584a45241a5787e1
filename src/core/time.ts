// Pure time helpers: durations in and out, relative ages. No clock here: callers pass `now`.
import { UsageError } from "./errors.ts";
import { shorten } from "./names.ts";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses `45s`, `10m`, `1h30m`, `2d`, `500ms`; a bare number means seconds. */
/**
 * The longest delay a Node timer takes (2^31 - 1 ms, ~24.8 days): a longer one fires at once, with a warning. An
 * option that becomes a timer's delay is refused past it (timerDuration), never silently run early.
 */
const MAX_TIMER_MS = 2_147_483_647;

/** parseDuration for an option that becomes a timer's delay: at least `minMs`, at most ~24 days (MAX_TIMER_MS). */
export function timerDuration(input: string, what: string, minMs: number): number {
  const ms = parseDuration(input, what);
  if (ms < minMs) throw new UsageError(`${what} must be at least ${minMs}ms`);
  if (ms > MAX_TIMER_MS) throw new UsageError(`${what} must be at most 24d`, "a longer delay cannot be timed; use 24d or less");
  return ms;
}

export function parseDuration(input: string, what = "duration"): number {
  const text = input.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(text)) return checkDuration(Number(text) * 1000, input, what);
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  for (let m = part.exec(text); m; m = part.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? "s"] ?? 1000);
    matched = part.lastIndex;
  }
  if (text.length === 0 || matched !== text.length) {
    throw new UsageError(`invalid ${what} '${shorten(input, 41)}'`, "use forms like 45s, 10m, 1h30m, 2d", {
      detail: { key: "invalid_value", what, value: shorten(input, 41) },
    });
  }
  return checkDuration(total, input, what);
}

function checkDuration(ms: number, input: string, what: string): number {
  if (!Number.isFinite(ms) || ms > 366 * UNIT_MS.d!) {
    throw new UsageError(`invalid ${what} '${shorten(input, 41)}': too large`, "use at most a year", {
      detail: { key: "value_too_large", what, value: shorten(input, 41) },
    });
  }
  return Math.round(ms);
}

/** Live Task Pulse's duration format: `45s`, `2m5s`, `1h2m`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  if (total < 60) return `${total}s`;
  if (total < 3600) return `${Math.floor(total / 60)}m${total % 60}s`;
  return `${Math.floor(total / 3600)}h${Math.floor((total % 3600) / 60)}m`;
}

/** A compact, rounded duration for tables and stats: `45s`, `25m`, `3h`, `2d`. */
export function formatShortDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.round(h / 24)}d`;
}

/**
 * Date.parse, fast for the form the store writes (`toISOString()`: 2026-05-01T10:00:00.000Z): digits read directly,
 * for readers that go through 100 000 archived tasks. Anything else, or a day past the 28th, goes to Date.parse, so
 * the answer is always Date.parse's.
 */
export function isoMs(iso: string): number {
  if (
    iso.length !== 24 ||
    iso.charCodeAt(4) !== 45 ||
    iso.charCodeAt(7) !== 45 ||
    iso.charCodeAt(10) !== 84 ||
    iso.charCodeAt(13) !== 58 ||
    iso.charCodeAt(16) !== 58 ||
    iso.charCodeAt(19) !== 46 ||
    iso.charCodeAt(23) !== 90
  )
    return Date.parse(iso);
  const n = (from: number, to: number) => {
    let v = 0;
    for (let i = from; i < to; i++) {
      const d = iso.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return -1;
      v = v * 10 + d;
    }
    return v;
  };
  const year = n(0, 4);
  const month = n(5, 7);
  const day = n(8, 10);
  const hour = n(11, 13);
  const minute = n(14, 16);
  const second = n(17, 19);
  const ms = n(20, 23);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > 28 || hour < 0 || hour > 23 || minute < 0 || minute > 59)
    return Date.parse(iso);
  if (second < 0 || second > 59 || ms < 0) return Date.parse(iso);
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/**
 * Parses an ISO date/time, or a relative age like `24h` / `7d` meaning that long before `now`. A bare date is the
 * start of that local day, or with `endOfDay` its last millisecond (so `--to 2026-05-05` includes May 5).
 */
export function parseInstant(input: string, now: Date, what = "time", options: { endOfDay?: boolean } = {}): Date {
  const text = input.trim();
  if (/^\d+(\.\d+)?(ms|s|m|h|d|w)$/i.test(text)) return new Date(now.getTime() - parseDuration(text, what));
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const t = Date.parse(text.length === 10 ? `${text}T${options.endOfDay ? "23:59:59.999" : "00:00:00"}` : text);
    if (!Number.isNaN(t)) return new Date(t);
  }
  throw new UsageError(
    `invalid ${what} '${shorten(input, 41)}'`,
    "use an ISO date such as 2026-05-01 or 2026-05-01T10:00:00Z, or a relative age such as 24h or 7d",
    { detail: { key: "invalid_value", what, value: shorten(input, 41) } },
  );
}

/** A time as a person reads it in the local time zone (TASKPULSE_TZ): `2026-05-01 18:00:00`. */
export function localDateTime(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
