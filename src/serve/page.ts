// The dashboard page: one self-contained HTML document (inline CSS and JS, no external requests), in Chinese or
// English. It draws everything from the `snapshot` events of /api/events and builds the DOM with textContent only,
// so task names and messages can never become markup. The token for changes comes from `#token=` in the URL that
// `taskpulse serve` prints (or is typed in once) and is kept in sessionStorage, never in the URL or a cookie.
import type { Lang } from "../app/identity.ts";

export interface PageOptions {
  lang: Lang;
  /** The CSP nonce that lets this response's own style and script run. */
  nonce: string;
  /** Bound beyond loopback: the page must send the token with its reads too. */
  readsNeedToken: boolean;
}

export function renderPage(options: PageOptions): string {
  const boot = JSON.stringify({ lang: options.lang, readsNeedToken: options.readsNeedToken }).replace(/</g, "\\u003c");
  const title = options.lang === "zh" ? "taskpulse 任务看板" : "taskpulse dashboard";
  return `<!doctype html>
<html lang="${options.lang === "zh" ? "zh-CN" : "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>${title}</title>
<style nonce="${options.nonce}">${CSS}</style>
</head>
<body>
<header class="top">
  <div class="brand"><span class="logo">◉</span> <span id="title"></span></div>
  <div class="live" id="live" data-state="connecting"><span class="dot"></span><span id="live-text"></span></div>
  <nav class="tools">
    <a id="lang-switch" href="#"></a>
    <button type="button" id="token-button" class="ghost"></button>
  </nav>
</header>
<div id="counts" class="counts"></div>
<form id="token-bar" class="token-bar" hidden>
  <label for="token-input" id="token-label"></label>
  <div class="token-row">
    <input id="token-input" type="password" autocomplete="off" spellcheck="false">
    <button type="submit" id="token-save"></button>
  </div>
  <p id="token-hint" class="hint"></p>
</form>
<div id="notice" class="notice" role="status" hidden></div>
<main id="main">
  <section id="agents"></section>
  <section id="recent-section" class="panel"><h2 id="recent-title"></h2><div id="recent"></div></section>
  <section id="jobs-section" class="panel"><h2 id="jobs-title"></h2><div id="jobs"></div></section>
</main>
<footer id="footer"></footer>
<noscript>This dashboard needs JavaScript. / 此看板需要启用 JavaScript。</noscript>
<script id="boot" type="application/json">${boot}</script>
<script nonce="${options.nonce}">${SCRIPT}</script>
</body>
</html>
`;
}

const CSS = `
:root {
  --bg: #f5f6f8; --card: #fff; --ink: #1d2430; --muted: #667085; --line: #e3e6ec;
  --run: #2f6fed; --ok: #1f9d55; --bad: #d64545; --warn: #c77700; --idle: #c9ced8; --skip: #9aa3b2;
  --chip: #eef1f6; --shadow: 0 1px 2px rgba(16,24,40,.06), 0 1px 3px rgba(16,24,40,.08);
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1218; --card: #171b23; --ink: #e6e9ef; --muted: #98a2b3; --line: #262c37;
    --run: #5b8cff; --ok: #3fbf7f; --bad: #ff6b6b; --warn: #f0a33a; --idle: #353c4a; --skip: #5d6676;
    --chip: #202634; --shadow: none;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
}
.top {
  position: sticky; top: 0; z-index: 2; display: flex; align-items: center; gap: 12px; flex-wrap: wrap;
  padding: 10px 16px; background: var(--card); border-bottom: 1px solid var(--line);
}
.brand { font-weight: 650; font-size: 17px; }
.logo { color: var(--run); }
.live { display: flex; align-items: center; gap: 6px; font-size: 13px; color: var(--muted); }
.dot { width: 9px; height: 9px; border-radius: 50%; background: var(--idle); }
.live[data-state="live"] .dot { background: var(--ok); box-shadow: 0 0 0 3px color-mix(in srgb, var(--ok) 25%, transparent); }
.live[data-state="down"] .dot { background: var(--bad); }
.tools { margin-left: auto; display: flex; gap: 10px; align-items: center; }
.tools a { color: var(--run); text-decoration: none; font-size: 14px; }
button {
  font: inherit; font-size: 14px; border-radius: 8px; border: 1px solid var(--line); background: var(--card); color: var(--ink);
  padding: 6px 12px; min-height: 34px; cursor: pointer;
}
button:hover { border-color: var(--muted); }
button.ghost { border-color: transparent; background: transparent; color: var(--muted); padding: 6px 8px; }
button.danger { color: var(--bad); border-color: color-mix(in srgb, var(--bad) 45%, var(--line)); }
button.danger:hover { background: color-mix(in srgb, var(--bad) 10%, var(--card)); }
button:disabled { opacity: .55; cursor: default; }
.counts { display: flex; gap: 8px; flex-wrap: wrap; padding: 12px 16px 0; }
.count { background: var(--card); border: 1px solid var(--line); border-radius: 999px; padding: 3px 12px; font-size: 14px; }
.count b { font-variant-numeric: tabular-nums; }
.count.alert { border-color: var(--warn); color: var(--warn); }
.token-bar, .notice {
  margin: 12px 16px 0; padding: 12px 14px; border-radius: 10px; background: var(--card); border: 1px solid var(--line);
}
.token-bar label { display: block; font-weight: 600; margin-bottom: 6px; }
.token-row { display: flex; gap: 8px; }
.token-row input {
  flex: 1; min-width: 0; font: inherit; padding: 6px 10px; border-radius: 8px; border: 1px solid var(--line);
  background: var(--bg); color: var(--ink);
}
.hint { margin: 6px 0 0; color: var(--muted); font-size: 13px; }
.notice.ok { border-color: var(--ok); }
.notice.bad { border-color: var(--bad); color: var(--bad); }
main { padding: 12px 16px 24px; display: grid; gap: 14px; grid-template-columns: 1fr; max-width: 1400px; }
#agents { display: grid; gap: 14px; align-items: start; grid-template-columns: repeat(auto-fill, minmax(min(100%, 420px), 1fr)); }
.panel, .agent { background: var(--card); border: 1px solid var(--line); border-radius: 12px; box-shadow: var(--shadow); padding: 12px 14px; }
h2 { margin: 0 0 8px; font-size: 16px; display: flex; align-items: baseline; gap: 8px; flex-wrap: wrap; }
h2 .sub { font-weight: 400; font-size: 13px; color: var(--muted); }
h3 { margin: 12px 0 6px; font-size: 13px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
.task { border-top: 1px solid var(--line); padding: 10px 0; }
.task:first-of-type { border-top: 0; }
.task-head { display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; }
.task-name { font-weight: 600; overflow-wrap: anywhere; }
.badge {
  font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 999px; background: var(--chip); color: var(--muted); white-space: nowrap;
}
.badge.running { color: var(--run); } .badge.stalled { color: #fff; background: var(--warn); }
.badge.done { color: var(--ok); } .badge.failed { color: var(--bad); } .badge.cancelled { color: var(--skip); }
.right { margin-left: auto; color: var(--muted); font-size: 13px; font-variant-numeric: tabular-nums; white-space: nowrap; }
.bar { display: flex; gap: 3px; height: 8px; margin: 8px 0 6px; }
.seg { flex: 1; border-radius: 3px; background: var(--idle); min-width: 3px; }
.seg.done { background: var(--ok); } .seg.failed { background: var(--bad); } .seg.skipped { background: var(--skip); }
.seg.running { background: var(--run); animation: pulse 1.6s ease-in-out infinite; }
.stalled .seg.running { background: var(--warn); animation: none; }
.fill { height: 100%; border-radius: 3px; background: var(--run); }
.track { flex: 1; background: var(--idle); border-radius: 3px; overflow: hidden; }
@keyframes pulse { 50% { opacity: .45; } }
@media (prefers-reduced-motion: reduce) { .seg.running { animation: none; } }
.line { font-size: 14px; margin-top: 2px; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.warn { color: var(--warn); } .bad { color: var(--bad); } .ok { color: var(--ok); }
.actions { display: flex; gap: 8px; margin-top: 8px; }
details.steps { margin-top: 6px; font-size: 13.5px; }
details.steps summary { cursor: pointer; color: var(--muted); }
details.steps ol { margin: 6px 0 0; padding-left: 22px; }
details.steps li { margin: 2px 0; overflow-wrap: anywhere; }
.row { display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; padding: 7px 0; border-top: 1px solid var(--line); font-size: 14px; }
.row:first-child { border-top: 0; }
.row .grow { flex: 1; min-width: 160px; overflow-wrap: anywhere; }
.row button { min-height: 30px; padding: 3px 10px; font-size: 13px; }
.empty { color: var(--muted); font-size: 14px; padding: 6px 0; }
.job-facts { display: flex; flex-wrap: wrap; gap: 6px 14px; font-size: 13px; color: var(--muted); margin-top: 2px; }
.alert-line { margin-top: 4px; font-size: 14px; color: var(--bad); }
footer { padding: 0 16px 24px; color: var(--muted); font-size: 12.5px; }
@media (max-width: 560px) {
  body { font-size: 15px; }
  .top { padding: 8px 12px; gap: 8px; }
  main { padding: 10px 10px 20px; }
  .counts { padding: 10px 10px 0; }
  .token-bar, .notice { margin: 10px 10px 0; }
  .panel, .agent { padding: 10px 12px; border-radius: 10px; }
  .right { margin-left: 0; }
}
`;

// Plain ES2020 for the browser. Kept free of template-literal `${…}` so it can live inside this TypeScript string.
const SCRIPT = `
(function () {
  "use strict";
  var boot = JSON.parse(document.getElementById("boot").textContent);
  var lang = boot.lang;
  var TEXT = {
    en: {
      title: "taskpulse", live: "live", connecting: "connecting…", down: "reconnecting…",
      running: "running", stalled: "stalled", pending: "queued", done: "done", failed: "failed", cancelled: "cancelled",
      queued: "Queued", runningH: "Running", recent: "Recent finishes (24 h)", jobs: "Cron jobs",
      noTasks: "No tasks yet. Agents appear here as soon as they create one (taskpulse create … --start).",
      noRecent: "Nothing finished in the last 24 hours.", noJobs: "No cron jobs recorded yet (taskpulse run --job <id> -- <command>).",
      current: "current", stallNoHeartbeat: "no heartbeat for", stallOverrun: "step over its budget for",
      waiting: "waiting", stopRequested: "stop requested", by: "by", ago: " ago", justNow: "just now",
      steps: "steps", stop: "Stop", cancel: "Cancel", more: "more queued", priority: "priority",
      blocked: "blocked by", waitsFor: "waits for", result: "result", error: "error", reason: "reason",
      stopPrompt: "Ask this task to stop at its next safe point?\\nReason (optional):",
      cancelConfirm: "Cancel this queued task? It will not run.",
      stopSent: "Stop requested: the agent sees it at its next check or heartbeat.", stopRepeated: "A stop was already requested.",
      cancelledOk: "Cancelled.", tokenButton: "🔑 token", tokenLabel: "Token for changes",
      tokenHint: "Printed by taskpulse serve at start (also in the link it prints). Kept only in this tab.",
      tokenSave: "Save", tokenNeeded: "Stopping and cancelling need the dashboard's token.",
      tokenWrong: "That token was refused. Paste the one printed by taskpulse serve.", tokenSaved: "Token saved for this tab.",
      readsNeedToken: "This dashboard is reachable from the network: enter its token to see anything.",
      updated: "updated", switchTo: "中文", streak: "failure streak", successes: "success streak", lastRun: "last run",
      openAlert: "open alert", runs: "runs", failures: "failures", agentRunning: "running", agentQueued: "queued",
      problem: "The store cannot be read:"
    },
    zh: {
      title: "taskpulse 任务看板", live: "实时", connecting: "连接中…", down: "重新连接中…",
      running: "执行中", stalled: "可能卡住", pending: "排队中", done: "完成", failed: "失败", cancelled: "已取消",
      queued: "排队", runningH: "执行中", recent: "最近完成（24 小时）", jobs: "定时任务",
      noTasks: "还没有任务。代理创建任务后会立即显示在这里（taskpulse create … --start）。",
      noRecent: "最近 24 小时没有完成的任务。", noJobs: "还没有定时任务记录（taskpulse run --job <id> -- <命令>）。",
      current: "当前", stallNoHeartbeat: "无心跳", stallOverrun: "步骤超时", waiting: "等待中",
      stopRequested: "已请求停止", by: "来自", ago: "前", justNow: "刚刚",
      steps: "步骤", stop: "停止", cancel: "取消", more: "个排队中", priority: "优先级",
      blocked: "被阻塞于", waitsFor: "等待", result: "结果", error: "错误", reason: "原因",
      stopPrompt: "请求此任务在下一个安全点停止？\\n原因（可选）：",
      cancelConfirm: "取消这个排队中的任务？它将不会执行。",
      stopSent: "已请求停止：代理会在下次 check 或心跳时收到。", stopRepeated: "之前已经请求过停止。",
      cancelledOk: "已取消。", tokenButton: "🔑 令牌", tokenLabel: "操作令牌",
      tokenHint: "taskpulse serve 启动时打印（也在它打印的链接里）。只保存在当前标签页。",
      tokenSave: "保存", tokenNeeded: "停止和取消需要看板的令牌。",
      tokenWrong: "令牌被拒绝。请粘贴 taskpulse serve 打印的令牌。", tokenSaved: "令牌已保存到当前标签页。",
      readsNeedToken: "此看板可从网络访问：请输入令牌后查看。",
      updated: "更新于", switchTo: "English", streak: "连续失败", successes: "连续成功", lastRun: "上次运行",
      openAlert: "未关闭告警", runs: "运行", failures: "失败", agentRunning: "执行中", agentQueued: "排队",
      problem: "无法读取存储："
    }
  };
  var T = TEXT[lang] || TEXT.en;
  var ICON = { running: "🔄", stalled: "⚠️", pending: "⏳", done: "✅", failed: "❌", cancelled: "⛔" };
  var STEP_ICON = { pending: "⏳", running: "🔄", done: "✅", failed: "❌", skipped: "⏭" };
  var KEY = "taskpulse-token";
  var view = null;
  var skew = 0;
  var openSteps = {};
  var source = null;

  function $(id) { return document.getElementById(id); }
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") el.textContent = v;
      else if (k === "class") el.className = v;
      else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === undefined || c === null || c === false) continue;
      if (Array.isArray(c)) c.forEach(function (x) { if (x) el.appendChild(typeof x === "string" ? document.createTextNode(x) : x); });
      else el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return el;
  }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

  // Live Task Pulse's duration format: 45s, 2m5s, 1h2m.
  function dur(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + "s";
    if (s < 3600) return Math.floor(s / 60) + "m" + (s % 60) + "s";
    if (s < 172800) return Math.floor(s / 3600) + "h" + Math.floor((s % 3600) / 60) + "m";
    return Math.floor(s / 86400) + "d";
  }
  function serverNow() { return Date.now() + skew; }
  function since(iso, mode) {
    return h("span", { "data-since": iso, "data-mode": mode || "ago", text: sinceText(iso, mode || "ago") });
  }
  function sinceText(iso, mode) {
    var ms = serverNow() - Date.parse(iso);
    if (mode === "ago") return ms < 1000 ? T.justNow : dur(ms) + T.ago;
    return dur(ms);
  }
  function tick() {
    var els = document.querySelectorAll("[data-since]");
    for (var i = 0; i < els.length; i++) els[i].textContent = sinceText(els[i].getAttribute("data-since"), els[i].getAttribute("data-mode"));
    if (view) $("footer").textContent = T.updated + " " + sinceText(view.now, "ago");
  }

  // ---- token ----
  function takeTokenFromHash() {
    var m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (!m) return;
    try { sessionStorage.setItem(KEY, decodeURIComponent(m[1])); } catch (e) {}
    history.replaceState(null, "", location.pathname + location.search);
  }
  function token() { try { return sessionStorage.getItem(KEY) || ""; } catch (e) { return ""; } }
  var afterToken = null;
  function askToken(message, then) {
    afterToken = then || null;
    $("token-hint").textContent = (message ? message + " " : "") + T.tokenHint;
    $("token-bar").hidden = false;
    $("token-input").value = "";
    $("token-input").focus();
  }
  $("token-bar").addEventListener("submit", function (e) {
    e.preventDefault();
    var v = $("token-input").value.trim();
    if (!v) return;
    try { sessionStorage.setItem(KEY, v); } catch (err) {}
    $("token-bar").hidden = true;
    notice(T.tokenSaved, "ok");
    var next = afterToken; afterToken = null;
    if (next) next();
  });

  function notice(text, kind) {
    var n = $("notice");
    n.textContent = text;
    n.removeAttribute("data-problem");
    n.className = "notice " + (kind || "");
    n.hidden = false;
    clearTimeout(notice.timer);
    if (kind === "ok") notice.timer = setTimeout(function () { n.hidden = true; }, 6000);
  }

  // ---- changes ----
  function change(id, kind) {
    if (!token()) { askToken(T.tokenNeeded, function () { change(id, kind); }); return; }
    var body = {};
    if (kind === "stop") {
      var reason = window.prompt(T.stopPrompt, "");
      if (reason === null) return;
      if (reason.trim()) body.reason = reason.trim();
    } else if (!window.confirm(T.cancelConfirm)) return;
    fetch("/api/tasks/" + encodeURIComponent(id) + "/" + kind, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Authorization": "Bearer " + token() },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (res.status === 401 || (res.status === 403 && data.error && data.error.code === "forbidden")) {
          try { sessionStorage.removeItem(KEY); } catch (e) {}
          askToken(res.status === 401 ? T.tokenNeeded : T.tokenWrong, function () { change(id, kind); });
          return;
        }
        if (!res.ok) { notice((data.error && data.error.message) || res.statusText, "bad"); return; }
        notice(kind === "cancel" ? T.cancelledOk : data.repeated ? T.stopRepeated : T.stopSent, "ok");
      });
    }, function (err) { notice(String(err), "bad"); });
  }

  // ---- rendering ----
  function bar(t) {
    if (t.total > 0) {
      return h("div", { class: "bar", "aria-label": t.done + "/" + t.total },
        t.steps.map(function (s) { return h("span", { class: "seg " + s.status, title: s.name }); }));
    }
    if (typeof t.progress === "number") {
      var fill = h("div", { class: "fill" });
      fill.style.width = Math.max(0, Math.min(100, t.progress)) + "%";
      return h("div", { class: "bar" }, h("div", { class: "track" }, fill));
    }
    return null;
  }
  function badge(state) { return h("span", { class: "badge " + state, text: T[state] || state }); }
  function taskCard(t) {
    var head = h("div", { class: "task-head" },
      h("span", { text: ICON[t.state] || "" }),
      h("span", { class: "task-name", text: t.name }),
      t.total > 0 ? h("span", { class: "muted", text: "[" + t.done + "/" + t.total + "]" }) : null,
      typeof t.progress === "number" ? h("span", { class: "muted", text: t.progress + "%" }) : null,
      badge(t.state),
      h("span", { class: "right" }, t.startedAt ? since(t.startedAt, "for") : null));
    var card = h("div", { class: "task " + t.state, "data-task": t.id }, head, bar(t));
    if (t.currentStep) {
      card.appendChild(h("div", { class: "line" },
        h("span", { class: "muted", text: T.current + ": " }),
        h("span", { text: t.currentStep }),
        t.lastMessage ? h("span", { class: "muted", text: " — " + t.lastMessage }) : null));
    } else if (t.lastMessage) {
      card.appendChild(h("div", { class: "line" }, h("span", { class: "muted", text: "💬 " }), h("span", { text: t.lastMessage })));
    }
    if (t.stall) {
      card.appendChild(h("div", { class: "line warn" },
        "⚠️ " + (t.stall.reason === "step_overrun" ? T.stallOverrun : T.stallNoHeartbeat) + " ", since(t.stall.since, "for")));
    }
    if (t.waiting) card.appendChild(h("div", { class: "line muted", text: "⏸ " + T.waiting + ": " + t.waiting.reason }));
    if (t.stop) {
      card.appendChild(h("div", { class: "line warn", "data-stop": "requested" },
        "✋ " + T.stopRequested + " (" + T.by + " " + t.stop.by + ", ", since(t.stop.requestedAt, "ago"), ")" +
        (t.stop.reason ? ": " + t.stop.reason : "")));
    }
    card.appendChild(h("div", { class: "line muted mono", text: t.id + " · " + prio(t) + (t.tags.length ? " · #" + t.tags.join(" #") : "") }));
    if (t.total > 0) card.appendChild(stepList(t));
    if (t.status === "running") {
      card.appendChild(h("div", { class: "actions" },
        h("button", { type: "button", class: "danger", "data-action": "stop", disabled: !!t.stop, text: "✋ " + T.stop,
          onclick: function () { change(t.id, "stop"); } })));
    }
    return card;
  }
  function stepList(t) {
    var d = h("details", { class: "steps" }, h("summary", { text: T.steps + " (" + t.done + "/" + t.total + ")" }),
      h("ol", null, t.steps.map(function (s) {
        var took = s.startedAt ? (s.finishedAt ? dur(Date.parse(s.finishedAt) - Date.parse(s.startedAt)) : null) : null;
        return h("li", null, (STEP_ICON[s.status] || "") + " " + s.name,
          s.status === "running" && s.startedAt ? h("span", { class: "muted" }, " (", since(s.startedAt, "for"), ")") : null,
          took ? h("span", { class: "muted", text: " (" + took + ")" }) : null,
          s.message ? h("span", { class: "muted", text: " — " + s.message }) : null);
      })));
    d.open = !!openSteps[t.id];
    d.addEventListener("toggle", function () { openSteps[t.id] = d.open; });
    return d;
  }
  // The priority as the task was given it: its label (P0), or its number on the 1-10 scale.
  function prio(t) { return t.priorityLabel || T.priority + " " + t.priority; }
  function queuedRow(t) {
    var deps = t.dependencies && t.dependencies.state !== "ready"
      ? h("span", { class: t.dependencies.state === "blocked" ? "bad" : "muted",
          text: (t.dependencies.state === "blocked" ? T.blocked : T.waitsFor) + " " + t.dependencies.on.join(", ") })
      : null;
    return h("div", { class: "row", "data-task": t.id },
      h("span", { text: ICON.pending }),
      h("span", { class: "grow" }, h("span", { class: "task-name", text: t.name }), " ",
        h("span", { class: "muted mono", text: prio(t) + " · " + t.id }), " ", deps),
      h("span", { class: "right" }, since(t.queuedAt, "ago")),
      h("button", { type: "button", "data-action": "cancel", text: T.cancel, onclick: function () { change(t.id, "cancel"); } }));
  }
  function recentRow(t) {
    var detail = t.result ? T.result + ": " + t.result : t.error ? T.error + ": " + t.error : t.reason ? T.reason + ": " + t.reason : "";
    var took = t.startedAt && t.finishedAt ? dur(Date.parse(t.finishedAt) - Date.parse(t.startedAt)) : "";
    return h("div", { class: "row", "data-task": t.id },
      h("span", { text: ICON[t.state] || "" }),
      h("span", { class: "grow" },
        h("span", { class: "task-name", text: t.name }), " ",
        t.total > 0 ? h("span", { class: "muted", text: "[" + t.done + "/" + t.total + "] " }) : null,
        badge(t.state), " ",
        h("span", { class: "muted mono", text: t.agent + " · " + t.id + (took ? " · " + took : "") }),
        detail ? h("div", { class: "line " + (t.error ? "bad" : "muted"), text: detail }) : null),
      h("span", { class: "right" }, since(t.finishedAt, "ago")));
  }
  function agentPanel(a) {
    var stalled = a.running.filter(function (t) { return t.state === "stalled"; }).length;
    var sub = a.running.length + " " + T.agentRunning + (stalled ? " · " + stalled + " " + T.stalled : "") + " · " + a.queuedTotal + " " + T.agentQueued;
    var panel = h("article", { class: "agent", "data-agent": a.name },
      h("h2", null, h("span", { text: "● " + a.name }), h("span", { class: "sub", text: sub })));
    a.running.forEach(function (t) { panel.appendChild(taskCard(t)); });
    if (a.queued.length) {
      panel.appendChild(h("h3", { text: T.queued }));
      var list = h("div", null, a.queued.map(queuedRow));
      if (a.queuedTotal > a.queued.length) list.appendChild(h("div", { class: "empty", text: "… " + (a.queuedTotal - a.queued.length) + " " + T.more }));
      panel.appendChild(list);
    }
    return panel;
  }
  // Jobs are drawn from whatever fields the server sends: the well-known ones first, any other plain field as
  // "key: value", so new fields show up without a change here.
  var JOB_KNOWN = { id: 1, name: 1, lastStatus: 1, lastRunAt: 1, lastDurationMs: 1, consecutiveFailures: 1, consecutiveSuccesses: 1, totals: 1, alert: 1 };
  function jobRow(j) {
    var status = j.lastStatus || "";
    var state = status === "ok" || status === "success" || status === "done" ? "done" : status === "running" ? "running" : status ? "failed" : "pending";
    var facts = [];
    if (j.lastRunAt) facts.push(h("span", null, T.lastRun + " ", since(j.lastRunAt, "ago"), j.lastDurationMs != null ? " (" + dur(j.lastDurationMs) + ")" : ""));
    if (j.consecutiveFailures) facts.push(h("span", { class: "bad", text: T.streak + " " + j.consecutiveFailures }));
    else if (j.consecutiveSuccesses) facts.push(h("span", { class: "ok", text: T.successes + " " + j.consecutiveSuccesses }));
    if (j.totals) facts.push(h("span", { text: T.runs + " " + j.totals.runs + " · " + T.failures + " " + j.totals.failures }));
    Object.keys(j).forEach(function (k) {
      var v = j[k];
      if (JOB_KNOWN[k] || v === null || v === undefined || typeof v === "object") return;
      facts.push(h("span", { text: k + ": " + String(v) }));
    });
    var alert = j.alert
      ? h("div", { class: "alert-line" }, "🚨 " + T.openAlert + " · " + T.streak + " " + j.alert.failures + " · ", since(j.alert.openedAt, "ago"),
          j.alert.lastError ? " — " + j.alert.lastError : "")
      : null;
    return h("div", { class: "row", "data-job": j.id },
      h("span", { text: j.alert ? "🚨" : ICON[state] }),
      h("span", { class: "grow" }, h("span", { class: "task-name", text: j.name || j.id }), " ", status ? badge(state) : null,
        h("div", { class: "job-facts" }, facts), alert));
  }
  function countsBar(c) {
    var items = [["running", "🔄"], ["stalled", "⚠️"], ["pending", "⏳"], ["done", "✅"], ["failed", "❌"], ["cancelled", "⛔"]];
    return items.filter(function (it) { return it[0] !== "cancelled" || c.cancelled; }).map(function (it) {
      return h("span", { class: "count" + (it[0] === "stalled" && c.stalled ? " alert" : ""), "data-count": it[0] },
        it[1] + " " + T[it[0]] + " ", h("b", { text: String(c[it[0]]) }));
    });
  }
  function render() {
    if (!view) return;
    clear($("counts"));
    countsBar(view.counts).forEach(function (el) { $("counts").appendChild(el); });
    var agents = clear($("agents"));
    if (!view.agents.length) agents.appendChild(h("div", { class: "panel empty", text: T.noTasks }));
    view.agents.forEach(function (a) { agents.appendChild(agentPanel(a)); });
    var recent = clear($("recent"));
    if (!view.recent.length) recent.appendChild(h("div", { class: "empty", text: T.noRecent }));
    view.recent.forEach(function (t) { recent.appendChild(recentRow(t)); });
    var jobs = clear($("jobs"));
    if (!view.jobs.length) jobs.appendChild(h("div", { class: "empty", text: T.noJobs }));
    view.jobs.forEach(function (j) { jobs.appendChild(jobRow(j)); });
    var stalled = view.counts.stalled;
    document.title = (stalled ? "⚠️" + stalled + " " : "") + T.title;
    tick();
  }

  // ---- live updates ----
  function setLive(state) {
    $("live").setAttribute("data-state", state);
    $("live-text").textContent = state === "live" ? T.live : state === "down" ? T.down : T.connecting;
  }
  function connect() {
    if (source) source.close();
    var url = "/api/events";
    if (boot.readsNeedToken) {
      if (!token()) { askToken(T.readsNeedToken, connect); return; }
      url += "?token=" + encodeURIComponent(token());
    }
    source = new EventSource(url);
    source.addEventListener("snapshot", function (e) {
      view = JSON.parse(e.data);
      skew = Date.parse(view.now) - Date.now();
      setLive("live");
      if ($("notice").getAttribute("data-problem")) { $("notice").hidden = true; $("notice").removeAttribute("data-problem"); }
      render();
    });
    source.addEventListener("problem", function (e) {
      var msg = ""; try { msg = JSON.parse(e.data).message; } catch (err) {}
      notice(T.problem + " " + msg, "bad");
      $("notice").setAttribute("data-problem", "1");
    });
    source.onopen = function () { setLive("live"); };
    source.onerror = function () {
      setLive("down");
      // EventSource retries by itself, except after an HTTP error (such as a refused token): then it is closed.
      if (source.readyState === 2) {
        if (boot.readsNeedToken) { try { sessionStorage.removeItem(KEY); } catch (err) {} askToken(T.tokenWrong, connect); }
        else setTimeout(connect, 3000);
      }
    };
  }

  // ---- start ----
  takeTokenFromHash();
  $("title").textContent = T.title;
  $("recent-title").textContent = T.recent;
  $("jobs-title").textContent = T.jobs;
  $("token-button").textContent = T.tokenButton;
  $("token-button").addEventListener("click", function () { askToken(token() ? "" : T.tokenNeeded); });
  $("token-label").textContent = T.tokenLabel;
  $("token-save").textContent = T.tokenSave;
  var sw = $("lang-switch");
  sw.textContent = T.switchTo;
  sw.setAttribute("href", "?lang=" + (lang === "zh" ? "en" : "zh"));
  setLive("connecting");
  connect();
  setInterval(tick, 1000);
})();
`;
