// The push texts. Chinese reproduces Live Task Pulse exactly (full-width punctuation kept); English says the same.
// At most 3 lines; a field's newlines are flattened; long fields are shortened with an ellipsis on a grapheme
// boundary (never inside a character or an emoji sequence) until the whole message fits the channel's limit.
import { stripInvisible } from "./names.ts";
import type { Card, Notification } from "./notify.ts";

export type Lang = "zh" | "en";

/** Longest field in a notification (clawlog's summary rule); the full text stays in the task. */
const FIELD_MAX = 120;

const LIMITS: Record<string, number> = { telegram: 4096, discord: 2000, slack: 8000, whatsapp: 4000, signal: 4000 };
const DEFAULT_CHANNEL_LIMIT = 2000;

export function channelLimit(channel: string | undefined): number {
  return (channel && LIMITS[channel.toLowerCase()]) || DEFAULT_CHANNEL_LIMIT;
}

// Made on first use: constructing an Intl.Segmenter loads ICU data, a large share of a short call, at the start of every command that
// loads this module (heartbeat does), whether or not a text gets shortened.
let segmenter: Intl.Segmenter | undefined;
function graphemesOf(text: string): Intl.Segments {
  segmenter ??= new Intl.Segmenter("und", { granularity: "grapheme" });
  return segmenter.segment(text);
}

/** Flattens newlines and shortens to `max` graphemes, ending with `…` when shortened. */
export function shorten(text: string, max: number): string {
  // invisible characters go first: text stored before they were cleaned at input (or imported) must not spoof a push
  const flat = stripInvisible(text)
    .replace(/\s*[\r\n]+\s*/g, " ")
    .trim();
  if (flat.length <= max) return flat;
  const graphemes = Array.from(graphemesOf(flat), (s) => s.segment);
  if (graphemes.length <= max) return flat;
  return `${graphemes.slice(0, Math.max(0, max - 1)).join("")}…`;
}

type Field = (max: number) => string;

/** The largest per-field cap used in `lines` (the step list); names and steps have 200, messages FIELD_MAX. */
const LARGEST_FIELD = 400;

/** Renders at decreasing field lengths until the text fits `limit` characters (UTF-16 units, as channels count).
 * The first pass uses each field's own cap, so a 200-character name is not cut to FIELD_MAX when the channel has room. */
export function renderNotification(n: Notification, lang: Lang, limit: number = DEFAULT_CHANNEL_LIMIT): string {
  for (let max = LARGEST_FIELD; ; max = Math.floor(max / 2)) {
    const text = lines(n, lang, (value) => (m: number) => shorten(value, Math.min(m, max)))
      .slice(0, 3)
      .join("\n");
    if (text.length <= limit || max <= 1) return text;
  }
}

/**
 * The live card an edit carries: name, [done/total] and a progress bar, the plan, the current step with the latest
 * message. Fits `limit` as notifications do.
 */
export function renderCard(card: Card, lang: Lang, limit: number = DEFAULT_CHANNEL_LIMIT): string {
  for (let max = LARGEST_FIELD; ; max = Math.floor(max / 2)) {
    const text = cardLines(card, lang, (value) => (m: number) => shorten(value, Math.min(m, max))).join("\n");
    if (text.length <= limit || max <= 1) return text;
  }
}

const BAR_CELLS = 10;

function cardLines(card: Card, lang: Lang, f: (value: string) => Field): string[] {
  const zh = lang === "zh";
  const name = f(card.name)(200);
  const pct = card.progress ?? (card.total > 0 ? Math.round((100 * card.done) / card.total) : undefined);
  const filled = pct === undefined ? 0 : Math.round((pct * BAR_CELLS) / 100);
  const bar = pct === undefined ? "" : ` ${"▓".repeat(filled)}${"░".repeat(BAR_CELLS - filled)} ${pct}%`;
  const count = card.total > 0 ? ` [${card.done}/${card.total}]` : "";
  const out = [`🚀 ${zh ? `【${name}】` : `[${name}]`}${count}${bar}`];
  if (card.steps.length > 0) out.push(`📋 ${f(card.steps.join(" → "))(400)}`);
  let latest = card.message ? f(card.message)(FIELD_MAX) : "";
  if (card.finished) {
    const step = f(card.finished.step)(200);
    const msg = card.finished.message ? f(card.finished.message)(FIELD_MAX) : "";
    latest = zh ? `✅ ${step}完成${msg ? `（${msg}）` : ""}` : `✅ ${step} done${msg ? ` (${msg})` : ""}`;
  }
  const now = [card.current ? f(card.current)(200) : "", latest].filter((x) => x !== "");
  if (now.length > 0) out.push(`🔄 ${zh ? "当前" : "Current"}: ${now.join(" — ")}`);
  return out;
}

function lines(n: Notification, lang: Lang, f: (value: string) => Field): string[] {
  const zh = lang === "zh";
  const name = f(n.name)(200);
  switch (n.kind) {
    case "start": {
      const out = [zh ? `🚀 开始【${name}】` : `🚀 Started [${name}]`];
      if (n.steps.length > 0) {
        out.push(`📋 ${f(n.steps.join(" → "))(400)}`);
        out.push(zh ? `🔄 当前: ${f(n.steps[0] as string)(200)}` : `🔄 Current: ${f(n.steps[0] as string)(200)}`);
      }
      return out;
    }
    case "step": {
      const step = f(n.step)(200);
      const msg = n.message ? f(n.message)(FIELD_MAX) : "";
      const first = n.skipped
        ? zh
          ? `⏭ [${n.done}/${n.total}] ${step}已跳过${msg ? `（${msg}）` : ""}`
          : `⏭ [${n.done}/${n.total}] ${step} skipped${msg ? ` (${msg})` : ""}`
        : zh
          ? `✅ [${n.done}/${n.total}] ${step}完成${msg ? `（${msg}）` : ""}`
          : `✅ [${n.done}/${n.total}] ${step} done${msg ? ` (${msg})` : ""}`;
      if (n.next) return [first, `🔄 → ${f(n.next)(200)}`];
      if (n.completed)
        return [first, zh ? `🎉 【${name}】完成！(${n.completed.duration})` : `🎉 [${name}] done! (${n.completed.duration})`];
      return [first];
    }
    case "heartbeat": {
      const pct = n.progress !== undefined ? ` ${n.progress}%` : "";
      const out = [zh ? `💓 【${name}】进行中${pct}` : `💓 [${name}] in progress${pct}`];
      const where = n.step ? `${f(n.step)(200)}${n.total > 0 ? ` [${n.done}/${n.total}]` : ""}` : "";
      const msg = n.message ? f(n.message)(FIELD_MAX) : "";
      // a task without steps: just the message, not a placeholder dash before it
      if (where || msg) out.push(`${zh ? "🔄 当前" : "🔄 Current"}: ${[where, msg].filter((x) => x !== "").join(" — ")}`);
      return out;
    }
    case "done": {
      const out = [zh ? `🎉 【${name}】完成！(${n.duration})` : `🎉 [${name}] done! (${n.duration})`];
      if (n.result) out.push(`${zh ? "结果" : "Result"}: ${f(n.result)(FIELD_MAX)}`);
      return out;
    }
    case "failed": {
      const error =
        n.abandonedHours === undefined
          ? f(n.error)(FIELD_MAX)
          : zh
            ? `无响应，已自动关闭（${n.abandonedHours}小时没有动静）`
            : `abandoned (no sign of life for ${n.abandonedHours}h)`;
      const out = [zh ? `❌ 【${name}】失败` : `❌ [${name}] failed`, `${zh ? "错误" : "Error"}: ${error}`];
      if (n.step) out.push(`${zh ? "当前步骤" : "Current step"}: ${f(n.step)(200)} [${n.done}/${n.total}]`);
      return out;
    }
    case "stalled": {
      const out = [zh ? `⚠️ 【${name}】可能卡住了（${n.minutes}分钟无更新）` : `⚠️ [${name}] may be stuck (no update for ${n.minutes} min)`];
      if (n.step) out.push(`${zh ? "当前步骤" : "Current step"}: ${f(n.step)(200)} [${n.done}/${n.total}]`);
      return out;
    }
    case "stopping": {
      const out = [zh ? `✋ 【${name}】已请求停止` : `✋ [${name}] stop requested`];
      out.push(`${zh ? "请求者" : "By"}: ${f(n.by)(64)}${n.reason ? ` — ${f(n.reason)(FIELD_MAX)}` : ""}`);
      return out;
    }
    case "stopped": {
      const out = [zh ? `⏹ 【${name}】已按请求停止` : `⏹ [${name}] stopped on request`];
      if (n.summary) out.push(`${zh ? "总结" : "Summary"}: ${f(n.summary)(FIELD_MAX)}`);
      return out;
    }
    case "cancelled": {
      const out = [zh ? `⛔ 【${name}】已取消` : `⛔ [${name}] cancelled`];
      if (n.reason) out.push(`${zh ? "原因" : "Reason"}: ${f(n.reason)(FIELD_MAX)}`);
      return out;
    }
  }
}
