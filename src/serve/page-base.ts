// What the rest of the dashboard script stands on: icons and limits, the state a snapshot fills, the DOM builder
// h() (text goes in through textContent only, so task names and messages never become markup), the cache that
// redraws only what changed, display choices (localStorage), and the times shown as "2m5s ago".
// A piece of the one function in page-script.ts (it shares that function's names), kept free of `${…}` like the
// rest of the script. It begins with a newline so the pieces join line by line.
export const PAGE_BASE = `
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
      else if (typeof v === "function") el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === undefined || c === null || c === false) continue;
      if (!Array.isArray(c)) el.append(c);
      else for (var j = 0; j < c.length; j++) if (c[j]) el.append(c[j]);
    }
    return el;
  }
  function fill(el, children) { el.replaceChildren.apply(el, children.filter(Boolean)); return el; }
  // What is drawn from a snapshot is kept by what it shows (a prefix for the way it is drawn, and its data as JSON):
  // an element whose data did not change is reused as it is, so an update rebuilds only what changed (with 1 000
  // tasks, rebuilding all is what made updates slow), and sync() touches the DOM only where a child differs.
  var cache = new Map();
  var nextCache = new Map();
  // With nothing to reuse (the first snapshot), the keys serve only the next render, and writing 1 000 tasks as JSON
  // is a good part of drawing them: they are made once the page is drawn.
  var reused = false;
  function keep(prefix, data, build) {
    if (!cache.size) {
      var built = build();
      later(function () { cache.set(prefix + JSON.stringify(data), built); });
      return built;
    }
    var key = prefix + JSON.stringify(data);
    var el = cache.get(key);
    if (el) reused = true;
    else el = build();
    nextCache.set(key, el);
    return el;
  }
  // Work that can wait until the page is shown: done when the browser is idle, as much as fits each time (at least
  // one job, and all once the idle wait timed out, so a page that is never idle still gets there), or all at once by
  // the next render, which needs it done first.
  var waiting = [];
  var done = 0;
  function later(job) {
    if (done === waiting.length) whenIdle(catchUp);
    waiting.push(job);
  }
  function catchUp(idle) {
    var all = !idle || idle.didTimeout;
    for (var n = 0; done < waiting.length && (all || n === 0 || idle.timeRemaining() >= 1); n++) waiting[done++]();
    if (done < waiting.length) whenIdle(catchUp);
    else { waiting = []; done = 0; }
  }
  function whenIdle(fn) { if (window.requestIdleCallback) requestIdleCallback(fn, { timeout: 1000 }); else setTimeout(fn, 0); }
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
  function tick(footerOnly) {
    var els = footerOnly ? [] : document.querySelectorAll("[data-since]");
    for (var i = 0; i < els.length; i++) {
      var text = sinceText(els[i].getAttribute("data-since"), els[i].getAttribute("data-mode"));
      if (els[i].textContent !== text) els[i].textContent = text;
    }
    if (view) $("footer").textContent = T.updated + " " + sinceText(view.now, "ago");
  }
`;
