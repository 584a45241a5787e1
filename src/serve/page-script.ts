// The dashboard's script: plain ES2020 for the browser, served inline under the page's CSP nonce. Kept free of
// template-literal `${…}` so it can live inside this TypeScript string. It draws everything from the `snapshot`
// events of /api/events and builds the DOM with textContent only, so task names and messages never become markup.
//
// What it keeps in the browser: the token in sessionStorage (this tab only; checked by POST /api/session before it
// is kept, which also sets the HttpOnly cookie the event stream carries when reads need the token), and in
// localStorage only display choices (board or agents, compact or detailed, folded agents).
export const PAGE_SCRIPT = `
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
      noMatch: "No task matches the filter.",
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
      tokenSave: "Check and save", tokenChecking: "Checking…", tokenNeeded: "Stopping and cancelling need the dashboard's token.",
      tokenWrong: "That token was refused. Paste the one printed by taskpulse serve.", tokenSaved: "Token accepted and saved for this tab.",
      tokenUnreachable: "The token could not be checked: the server does not answer.",
      readsNeedToken: "This dashboard is reachable from the network: enter its token to see anything.",
      updated: "updated", switchTo: "中文", streak: "failure streak", successes: "success streak", lastRun: "last run",
      openAlert: "open alert", runs: "runs", failures: "failures", agentRunning: "running", agentQueued: "queued",
      problem: "The store cannot be read:",
      attention: "Needs attention", showMore: "show all", showLess: "show fewer", failuresInRow: "failures in a row",
      filter: "Filter: name, agent, tag", viewAgents: "Agents", viewBoard: "Board", compact: "Compact", detailed: "Detailed",
      fold: "fold or unfold", staleA: "Connection to the server lost: this page shows data from ",
      staleB: " and may be out of date. Reconnecting…", staleNever: "The server does not answer. Retrying…"
    },
    zh: {
      title: "taskpulse 任务看板", live: "实时", connecting: "连接中…", down: "重新连接中…",
      running: "执行中", stalled: "可能卡住", pending: "排队中", done: "完成", failed: "失败", cancelled: "已取消",
      queued: "排队", runningH: "执行中", recent: "最近完成（24 小时）", jobs: "定时任务",
      noTasks: "还没有任务。代理创建任务后会立即显示在这里（taskpulse create … --start）。",
      noMatch: "没有符合筛选条件的任务。",
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
      tokenSave: "验证并保存", tokenChecking: "验证中…", tokenNeeded: "停止和取消需要看板的令牌。",
      tokenWrong: "令牌被拒绝。请粘贴 taskpulse serve 打印的令牌。", tokenSaved: "令牌已通过验证，保存到当前标签页。",
      tokenUnreachable: "无法验证令牌：服务器没有响应。",
      readsNeedToken: "此看板可从网络访问：请输入令牌后查看。",
      updated: "更新于", switchTo: "English", streak: "连续失败", successes: "连续成功", lastRun: "上次运行",
      openAlert: "未关闭告警", runs: "运行", failures: "失败", agentRunning: "执行中", agentQueued: "排队",
      problem: "无法读取存储：",
      attention: "需要关注", showMore: "全部显示", showLess: "收起", failuresInRow: "次连续失败",
      filter: "筛选：名称、代理、标签", viewAgents: "按代理", viewBoard: "看板", compact: "紧凑", detailed: "详细",
      fold: "折叠或展开", staleA: "与服务器的连接已断开：页面显示的是 ",
      staleB: " 的数据，可能已过时。正在重新连接…", staleNever: "服务器没有响应，正在重试…"
    }
  };
  var T = TEXT[lang] || TEXT.en;
  var ICON = { running: "🔄", stalled: "⚠️", pending: "⏳", done: "✅", failed: "❌", cancelled: "⛔" };
  var STEP_ICON = { pending: "⏳", running: "🔄", done: "✅", failed: "❌", skipped: "⏭" };
  var KEY = "taskpulse-token";
  var ATTENTION_SHOWN = 4;
  var CARDS_PER_AGENT = 12;
  var view = null;
  var skew = 0;
  var openSteps = {};
  var source = null;
  var stale = false;
  var receivedAt = 0;
  var filter = { state: "", text: "" };
  var attentionOpen = false;
  var prefs = loadPrefs();

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
  function fill(el, children) { el.replaceChildren.apply(el, children.filter(Boolean)); return el; }
  // What is drawn from a snapshot is kept by what it shows: an element whose data did not change is reused as it is,
  // so an update rebuilds only what changed (with 1 000 tasks, rebuilding all is what made updates slow), and
  // sync() touches the DOM only where a child differs.
  var cache = new Map();
  var nextCache = new Map();
  function keep(key, build) {
    var el = cache.get(key) || build();
    nextCache.set(key, el);
    return el;
  }
  function sync(parent, children) {
    children = children.filter(Boolean);
    for (var i = 0; i < children.length; i++) {
      var at = parent.childNodes[i];
      if (at !== children[i]) parent.insertBefore(children[i], at || null);
    }
    while (parent.childNodes.length > children.length) parent.removeChild(parent.lastChild);
    return parent;
  }

  // ---- display choices (this browser only) ----
  function loadPrefs() {
    var p = {};
    try { p = JSON.parse(localStorage.getItem("taskpulse-view") || "{}") || {}; } catch (e) {}
    if (p.layout !== "board") p.layout = "agents";
    // A phone gets one line per task unless its owner chose otherwise.
    if (p.density !== "compact" && p.density !== "detailed") p.density = window.matchMedia("(max-width: 560px)").matches ? "compact" : "detailed";
    if (!p.folded || typeof p.folded !== "object") p.folded = {};
    return p;
  }
  function savePrefs() { try { localStorage.setItem("taskpulse-view", JSON.stringify(prefs)); } catch (e) {} }

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
    for (var i = 0; i < els.length; i++) {
      var text = sinceText(els[i].getAttribute("data-since"), els[i].getAttribute("data-mode"));
      if (els[i].textContent !== text) els[i].textContent = text;
    }
    if (view) $("footer").textContent = T.updated + " " + sinceText(view.now, "ago");
  }

  // ---- token: checked by the server when it is entered, kept only once accepted ----
  function token() { try { return sessionStorage.getItem(KEY) || ""; } catch (e) { return ""; } }
  function keepToken(v) { try { if (v) sessionStorage.setItem(KEY, v); else sessionStorage.removeItem(KEY); } catch (e) {} }
  // POST /api/session answers 200 for the right token (and sets the cookie reads carry), 401/403 otherwise.
  function checkToken(v) {
    return fetch("/api/session", { method: "POST", headers: { "Authorization": "Bearer " + v }, credentials: "same-origin" })
      .then(function (res) { return res.ok ? "accepted" : res.status === 401 || res.status === 403 ? "refused" : "unreachable"; },
        function () { return "unreachable"; });
  }
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
    var save = $("token-save");
    save.disabled = true;
    save.textContent = T.tokenChecking;
    checkToken(v).then(function (verdict) {
      save.disabled = false;
      save.textContent = T.tokenSave;
      if (verdict !== "accepted") {
        $("token-hint").textContent = verdict === "refused" ? T.tokenWrong : T.tokenUnreachable;
        $("token-bar").setAttribute("data-verdict", verdict);
        $("token-input").select();
        return;
      }
      keepToken(v);
      $("token-bar").hidden = true;
      $("token-bar").removeAttribute("data-verdict");
      notice(T.tokenSaved, "ok");
      var next = afterToken; afterToken = null;
      if (next) next();
    });
  });
  // The link serve prints carries the token after '#', which no request sends; it leaves the address bar at once.
  function takeTokenFromHash(then) {
    var m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (!m) return then();
    history.replaceState(null, "", location.pathname + location.search);
    var v = "";
    try { v = decodeURIComponent(m[1]); } catch (e) {}
    checkToken(v).then(function (verdict) {
      if (verdict === "accepted") keepToken(v);
      else askToken(verdict === "refused" ? T.tokenWrong : T.tokenUnreachable, null);
      then();
    });
  }

  function notice(text, kind) {
    var n = $("notice");
    n.textContent = text;
    n.removeAttribute("data-problem");
    n.className = "notice " + (kind || "");
    n.hidden = false;
    clearTimeout(notice.timer);
    if (kind === "ok") notice.timer = setTimeout(function () { n.hidden = true; }, 6000);
  }

  // ---- changes: the token first, then the question, then the request ----
  function change(id, kind) {
    if (!token()) { askToken(T.tokenNeeded, function () { change(id, kind); }); return; }
    var body = {};
    if (kind === "stop") {
      var reason = window.prompt(T.stopPrompt, "");
      if (reason === null) return;
      if (reason.trim()) body.reason = reason.trim();
    } else if (!window.confirm(T.cancelConfirm)) return;
    send(id, kind, body);
  }
  function send(id, kind, body) {
    fetch("/api/tasks/" + encodeURIComponent(id) + "/" + kind, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Authorization": "Bearer " + token() },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (res.status === 401 || (res.status === 403 && data.error && data.error.code === "forbidden")) {
          // The server was restarted with another token: ask for it, then send the same change again.
          keepToken("");
          askToken(T.tokenWrong, function () { send(id, kind, body); });
          return;
        }
        if (!res.ok) { notice((data.error && data.error.message) || res.statusText, "bad"); return; }
        notice(kind === "cancel" ? T.cancelledOk : data.repeated ? T.stopRepeated : T.stopSent, "ok");
      });
    }, function (err) { notice(String(err), "bad"); });
  }

  // ---- filters ----
  function matches(t) {
    if (filter.state && t.state !== filter.state) return false;
    if (!filter.text) return true;
    var hay = (t.name + " " + t.agent + " " + t.id + " #" + t.tags.join(" #")).toLowerCase();
    return filter.text.split(/ +/).every(function (w) { return !w || hay.indexOf(w) >= 0; });
  }
  function filtering() { return !!(filter.state || filter.text); }

  // ---- rendering ----
  function bar(t) {
    if (t.total > 0) {
      return h("div", { class: "bar", "aria-label": t.done + "/" + t.total },
        t.steps.map(function (s) { return h("span", { class: "seg " + s.status, title: s.name }); }));
    }
    if (typeof t.progress === "number") {
      var f = h("div", { class: "fill" });
      f.style.width = Math.max(0, Math.min(100, t.progress)) + "%";
      return h("div", { class: "bar" }, h("div", { class: "track" }, f));
    }
    return null;
  }
  function badge(state) { return h("span", { class: "badge " + state, text: T[state] || state }); }
  function progressText(t) { return t.total > 0 ? "[" + t.done + "/" + t.total + "]" : typeof t.progress === "number" ? t.progress + "%" : ""; }
  function stopButton(t, small) {
    return h("button", { type: "button", class: "danger", "data-action": "stop", disabled: !!t.stop, title: T.stop,
      text: small ? "✋" : "✋ " + T.stop, onclick: function () { change(t.id, "stop"); } });
  }
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
    if (t.stall) card.appendChild(h("div", { class: "line warn" }, "⚠️ " + stallText(t) + " ", since(t.stall.since, "for")));
    if (t.waiting) card.appendChild(h("div", { class: "line muted", text: "⏸ " + T.waiting + ": " + t.waiting.reason }));
    if (t.stop) {
      card.appendChild(h("div", { class: "line warn", "data-stop": "requested" },
        "✋ " + T.stopRequested + " (" + T.by + " " + t.stop.by + ", ", since(t.stop.requestedAt, "ago"), ")" +
        (t.stop.reason ? ": " + t.stop.reason : "")));
    }
    card.appendChild(h("div", { class: "line muted mono", text: t.id + " · " + prio(t) + (t.tags.length ? " · #" + t.tags.join(" #") : "") }));
    if (t.total > 0) card.appendChild(stepList(t));
    if (t.status === "running") card.appendChild(h("div", { class: "actions" }, stopButton(t, false)));
    return card;
  }
  function stallText(t) { return t.stall.reason === "step_overrun" ? T.stallOverrun : T.stallNoHeartbeat; }
  // One line per task: the compact view, and the board's cards (which name the agent too).
  function compactRow(t, withAgent) {
    var when = t.finishedAt ? since(t.finishedAt, "ago") : t.startedAt ? since(t.startedAt, "for") : since(t.queuedAt, "ago");
    var row = h("div", { class: "compact-row " + t.state, "data-task": t.id, title: t.lastMessage || t.error || "" },
      h("span", { text: ICON[t.state] || "" }),
      h("span", { class: "name", text: t.name }),
      progressText(t) ? h("span", { class: "muted", text: progressText(t) }) : null,
      t.stop ? h("span", { class: "warn", "data-stop": "requested", title: T.stopRequested, text: "✋" }) : null,
      h("span", { class: "right" }, when),
      t.status === "running" ? stopButton(t, true) : null,
      t.status === "pending" ? h("button", { type: "button", "data-action": "cancel", title: T.cancel, text: "✕",
        onclick: function () { change(t.id, "cancel"); } }) : null);
    if (withAgent) row.appendChild(h("span", { class: "who mono", text: t.agent + " · " + t.id + (t.error ? " · " + t.error : "") }));
    return row;
  }
  // The list of steps is built when it is first opened: most stay closed, and a page of 1 000 tasks is lighter so.
  function keptRow(t, withAgent) { return keep("row" + withAgent + JSON.stringify(t), function () { return compactRow(t, withAgent); }); }
  function stepList(t) {
    var d = h("details", { class: "steps" }, h("summary", { text: T.steps + " (" + t.done + "/" + t.total + ")" }));
    function build() {
      if (d.querySelector("ol")) return;
      d.appendChild(h("ol", null, t.steps.map(function (s) {
        var took = s.startedAt ? (s.finishedAt ? dur(Date.parse(s.finishedAt) - Date.parse(s.startedAt)) : null) : null;
        return h("li", null, (STEP_ICON[s.status] || "") + " " + s.name,
          s.status === "running" && s.startedAt ? h("span", { class: "muted" }, " (", since(s.startedAt, "for"), ")") : null,
          took ? h("span", { class: "muted", text: " (" + took + ")" }) : null,
          s.message ? h("span", { class: "muted", text: " — " + s.message }) : null);
      })));
    }
    if (openSteps[t.id]) { build(); d.open = true; }
    d.addEventListener("toggle", function () { openSteps[t.id] = d.open; if (d.open) build(); });
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
        detail && prefs.density === "detailed" ? h("div", { class: "line " + (t.error ? "bad" : "muted"), text: detail }) : null),
      h("span", { class: "right" }, since(t.finishedAt, "ago")));
  }
  function agentPanel(a, running, queued) {
    var stalled = a.running.filter(function (t) { return t.state === "stalled"; }).length;
    var sub = a.running.length + " " + T.agentRunning + (stalled ? " · " + stalled + " " + T.stalled : "") + " · " + a.queuedTotal + " " + T.agentQueued;
    // A filter unfolds what it found: folding is for the unfiltered overview.
    var folded = !!prefs.folded[a.name] && !filtering();
    var panel = h("article", { class: "agent" + (folded ? " collapsed" : ""), "data-agent": a.name },
      h("h2", null, h("button", { type: "button", class: "fold", "aria-expanded": folded ? "false" : "true", title: T.fold,
        onclick: function () {
          if (prefs.folded[a.name]) delete prefs.folded[a.name]; else prefs.folded[a.name] = true;
          savePrefs(); render();
        } }, h("span", { text: (folded ? "▸ " : "▾ ") + a.name })), h("span", { class: "sub", text: sub })));
    if (folded) return panel;
    var compact = prefs.density === "compact";
    // Detailed cards for an agent's first 12 running tasks, one line each for the rest: a card with 60 tasks is a
    // list to scan, and 500 detailed cards are what made a first render of 1 000 tasks slow.
    running.forEach(function (t, i) {
      panel.appendChild(compact || i >= CARDS_PER_AGENT ? keptRow(t, false) : keep("card" + JSON.stringify(t), function () { return taskCard(t); }));
    });
    if (queued.length) {
      panel.appendChild(h("h3", { text: T.queued }));
      var list = h("div", null, queued.map(function (t) {
        return compact ? keptRow(t, false) : keep("queued" + JSON.stringify(t), function () { return queuedRow(t); });
      }));
      if (!filtering() && a.queuedTotal > a.queued.length) list.appendChild(h("div", { class: "empty", text: "… " + (a.queuedTotal - a.queued.length) + " " + T.more }));
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
  function countChips(c) {
    var items = [["running", "🔄"], ["stalled", "⚠️"], ["pending", "⏳"], ["done", "✅"], ["failed", "❌"], ["cancelled", "⛔"]];
    return items.filter(function (it) { return it[0] !== "cancelled" || c.cancelled; }).map(function (it) {
      var on = filter.state === it[0];
      return h("button", { type: "button", class: "count" + (it[0] === "stalled" && c.stalled ? " alert" : ""), "data-count": it[0],
        "aria-pressed": on ? "true" : "false",
        onclick: function () { filter.state = on ? "" : it[0]; render(); } },
        it[1] + " " + T[it[0]] + " ", h("b", { text: String(c[it[0]]) }));
    });
  }

  // What someone watching should look at first: stalls, stops no agent has acknowledged yet, failures of the last
  // day, open cron alerts. Each line leads to the task (or job) below.
  function attentionItems(v) {
    var items = [];
    v.agents.forEach(function (a) {
      a.running.forEach(function (t) {
        if (t.stall) items.push({ kind: "stalled", target: t.id, parts: ["⚠️ " + t.name + " · " + t.agent + " · " + stallText(t) + " ", since(t.stall.since, "for")] });
      });
    });
    v.agents.forEach(function (a) {
      a.running.forEach(function (t) {
        if (t.stop) items.push({ kind: "stop", target: t.id, parts: ["✋ " + t.name + " · " + t.agent + " · " + T.stopRequested + " ", since(t.stop.requestedAt, "ago"), t.stop.reason ? ": " + t.stop.reason : ""] });
      });
    });
    (v.failed || []).forEach(function (t) {
      items.push({ kind: "failed", target: t.id, parts: ["❌ " + t.name + " · " + t.agent + " · ", since(t.finishedAt, "ago"), t.error ? " — " + t.error : ""] });
    });
    v.jobs.forEach(function (j) {
      if (j.alert) items.push({ kind: "alert", job: j.id, parts: ["🚨 " + (j.name || j.id) + " · " + j.alert.failures + " " + T.failuresInRow, j.alert.lastError ? " — " + j.alert.lastError : ""] });
    });
    return items;
  }
  function renderAttention(v) {
    var items = attentionItems(v);
    var box = $("attention");
    box.hidden = items.length === 0;
    if (!items.length) return;
    $("attention-title").textContent = "⚠️ " + T.attention + " (" + items.length + ")";
    var shown = attentionOpen ? items : items.slice(0, ATTENTION_SHOWN);
    fill($("attention-list"), shown.map(function (it) {
      return h("li", { class: it.kind, "data-attention": it.kind, "data-target": it.target || it.job },
        h("button", { type: "button", class: "link", onclick: function () { reveal(it); } }, it.parts));
    }));
    var more = $("attention-more");
    more.hidden = items.length <= ATTENTION_SHOWN;
    more.textContent = attentionOpen ? T.showLess : T.showMore + " (" + items.length + ")";
  }
  function reveal(it) {
    filter.state = ""; filter.text = ""; $("filter").value = "";
    if (it.target && prefs.layout === "agents") {
      var agent = null;
      view.agents.forEach(function (a) { a.running.forEach(function (t) { if (t.id === it.target) agent = a.name; }); });
      if (agent) delete prefs.folded[agent];
    }
    render();
    var el = it.job ? document.querySelector('[data-job="' + CSS.escape(it.job) + '"]') : document.querySelector('main [data-task="' + CSS.escape(it.target) + '"]');
    if (el) { el.scrollIntoView({ block: "center" }); el.classList.add("flash"); }
  }

  function renderAgents(v) {
    var panels = [];
    v.agents.forEach(function (a) {
      var running = a.running.filter(matches);
      var queued = a.queued.filter(matches);
      if (filtering() && !running.length && !queued.length) return;
      var key = ["agent", prefs.density, !!prefs.folded[a.name], filter.state, filter.text, JSON.stringify(a)].join("\u0000");
      panels.push(keep(key, function () { return agentPanel(a, running, queued); }));
    });
    if (!panels.length) panels.push(h("div", { class: "panel empty", text: v.agents.length ? T.noMatch : T.noTasks }));
    sync($("agents"), panels);
  }
  function renderBoard(v) {
    var columns = { pending: [], running: [], stalled: [], done: [], failed: [], cancelled: [] };
    v.agents.forEach(function (a) {
      a.running.forEach(function (t) { columns[t.state].push(t); });
      a.queued.forEach(function (t) { columns.pending.push(t); });
    });
    v.recent.forEach(function (t) { columns[t.state].push(t); });
    var order = ["pending", "running", "stalled", "done", "failed", "cancelled"];
    sync($("board"), order.filter(function (s) { return s !== "cancelled" || columns.cancelled.length; }).map(function (s) {
      var shown = columns[s].filter(matches);
      // Queued tasks come 20 per agent (the ones each would take next): the rest are counted, not listed.
      var hidden = s === "pending" && !filtering() ? view.counts.pending - shown.length : 0;
      return h("section", { class: "column", "data-column": s },
        h("h2", null, h("span", { text: ICON[s] + " " + T[s] }), h("span", { class: "sub", text: String(shown.length + hidden) })),
        shown.length ? shown.map(function (t) { return keptRow(t, true); }) : h("div", { class: "empty", text: "—" }),
        hidden > 0 ? h("div", { class: "empty", text: "… " + hidden + " " + T.more }) : null);
    }));
  }
  function render() {
    if (!view) return;
    nextCache = new Map();
    fill($("counts"), countChips(view.counts));
    renderAttention(view);
    var board = prefs.layout === "board";
    document.body.classList.toggle("compact", prefs.density === "compact");
    $("agents").hidden = board;
    $("board").hidden = !board;
    $("recent-section").hidden = board;
    if (board) renderBoard(view); else renderAgents(view);
    if (!board) {
      var recent = view.recent.filter(matches);
      var rows = recent.map(function (t) { return keep("recent" + prefs.density + JSON.stringify(t), function () { return recentRow(t); }); });
      sync($("recent"), rows.length ? rows : [h("div", { class: "empty", text: filtering() ? T.noMatch : T.noRecent })]);
    }
    var jobs = view.jobs.map(function (j) { return keep("job" + JSON.stringify(j), function () { return jobRow(j); }); });
    sync($("jobs"), jobs.length ? jobs : [h("div", { class: "empty", text: T.noJobs })]);
    ["layout-agents", "layout-board", "density-compact", "density-detailed"].forEach(function (id) {
      var parts = id.split("-");
      $(id).setAttribute("aria-pressed", prefs[parts[0] === "layout" ? "layout" : "density"] === parts[1] ? "true" : "false");
    });
    cache = nextCache;
    setTitle();
    tick();
    // For npm run bench (scripts/bench-dashboard.ts): when the last snapshot came, and when it was drawn.
    window.taskpulseRendered = { received: receivedAt, drawn: performance.now(), now: view.now };
  }

  function setTitle() {
    var stalled = view ? view.counts.stalled : 0;
    document.title = (stale ? "⛔ " : "") + (stalled ? "⚠️" + stalled + " " : "") + T.title;
  }

  // ---- live updates ----
  function setLive(state) {
    $("live").setAttribute("data-state", state);
    $("live-text").textContent = state === "live" ? T.live : state === "down" ? T.down : T.connecting;
    stale = state === "down";
    document.body.classList.toggle("is-stale", stale);
    var banner = $("stale");
    banner.hidden = !stale;
    if (stale) fill(banner, view ? [T.staleA, since(view.now, "ago"), T.staleB] : [T.staleNever]);
    setTitle();
  }
  function connect() {
    if (source) source.close();
    source = new EventSource("/api/events");
    source.addEventListener("snapshot", function (e) {
      receivedAt = performance.now();
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
    source.onopen = function () { if (view) setLive("live"); };
    source.onerror = function () {
      setLive("down");
      // EventSource retries by itself, except after an HTTP error (such as a refused token): then it is closed.
      if (source.readyState === 2) {
        if (boot.readsNeedToken) start(); else setTimeout(connect, 3000);
      }
    };
  }
  // Bound beyond loopback, the stream needs the cookie POST /api/session sets: from this tab's token, or from an
  // earlier tab (GET /api/session says whether the cookie is still good), or else the token is asked for first.
  function start() {
    if (!boot.readsNeedToken) return connect();
    var v = token();
    var check = v ? checkToken(v) : fetch("/api/session", { credentials: "same-origin" }).then(
      function (res) { return res.ok ? "accepted" : res.status === 401 || res.status === 403 ? "refused" : "unreachable"; },
      function () { return "unreachable"; });
    check.then(function (verdict) {
      if (verdict === "accepted") return connect();
      if (verdict === "unreachable") { setLive("down"); setTimeout(start, 3000); return; }
      keepToken("");
      askToken(v ? T.tokenWrong : T.readsNeedToken, connect);
    });
  }

  // ---- start ----
  $("title").textContent = T.title;
  $("recent-title").textContent = T.recent;
  $("jobs-title").textContent = T.jobs;
  $("token-button").textContent = T.tokenButton;
  $("token-button").addEventListener("click", function () { askToken(token() ? "" : T.tokenNeeded); });
  $("token-label").textContent = T.tokenLabel;
  $("token-save").textContent = T.tokenSave;
  $("filter").setAttribute("placeholder", T.filter);
  $("filter").setAttribute("aria-label", T.filter);
  $("filter").addEventListener("input", function () { filter.text = $("filter").value.trim().toLowerCase(); render(); });
  [["layout-agents", "layout", "agents", T.viewAgents], ["layout-board", "layout", "board", T.viewBoard],
   ["density-compact", "density", "compact", T.compact], ["density-detailed", "density", "detailed", T.detailed]].forEach(function (b) {
    $(b[0]).textContent = b[3];
    $(b[0]).addEventListener("click", function () { prefs[b[1]] = b[2]; savePrefs(); render(); });
  });
  $("attention-more").addEventListener("click", function () { attentionOpen = !attentionOpen; render(); });
  var sw = $("lang-switch");
  sw.textContent = T.switchTo;
  sw.setAttribute("href", "?lang=" + (lang === "zh" ? "en" : "zh"));
  setLive("connecting");
  takeTokenFromHash(start);
  setInterval(tick, 1000);
})();
`;
