// What the dashboard draws from a snapshot: the "needs attention" list, the agents or board layout, the recent
// finishes and jobs, and the title.
// A piece of the one function in page-script.ts (it shares that function's names), kept free of `${…}` like the
// rest of the script. It begins with a newline so the pieces join line by line.
export const PAGE_RENDER = `
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
    var box = $("agents");
    // On a first snapshot (nothing to reuse), an agent whose card begins two screens or more down the page gets its
    // header now and its tasks once the page is shown: a card that far off is not laid out (content-visibility), so
    // it takes the same room empty or full, and nothing seen changes. Where a card begins is read from the layout,
    // once per card until one begins that far down: the browser lays out the cards above it for the first picture
    // anyway.
    var first = !cache.size && !filtering();
    var below = false;
    if (first) box.replaceChildren();
    function whenShown(panel, fillTasks) {
      if (!below) {
        box.appendChild(panel);
        below = panel.getBoundingClientRect().top > 2 * window.innerHeight;
      }
      if (below) later(fillTasks);
      else fillTasks();
    }
    var panels = [];
    v.agents.forEach(function (a) {
      var running = a.running.filter(matches);
      var queued = a.queued.filter(matches);
      if (filtering() && !running.length && !queued.length) return;
      var prefix = ["agent", prefs.density, !!prefs.folded[a.name], filter.state, filter.text, ""].join("\\u0000");
      var panel = keep(prefix, a, function () { return agentPanel(a, running, queued, first ? whenShown : null); });
      // A folded card is placed too, so that the cards after it are measured where they will be.
      if (first && !below && !panel.parentNode) box.appendChild(panel);
      panels.push(panel);
    });
    if (!panels.length) panels.push(h("div", { class: "panel empty", text: v.agents.length ? T.noMatch : T.noTasks }));
    sync(box, panels);
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
    catchUp();
    nextCache = new Map();
    reused = false;
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
      var rows = recent.map(function (t) { return keep("recent" + prefs.density, t, function () { return recentRow(t); }); });
      sync($("recent"), rows.length ? rows : [h("div", { class: "empty", text: filtering() ? T.noMatch : T.noRecent })]);
    }
    var jobs = view.jobs.map(function (j) { return keep("job", j, function () { return jobRow(j); }); });
    sync($("jobs"), jobs.length ? jobs : [h("div", { class: "empty", text: T.noJobs })]);
    ["layout-agents", "layout-board", "density-compact", "density-detailed"].forEach(function (id) {
      var parts = id.split("-");
      $(id).setAttribute("aria-pressed", prefs[parts[0] === "layout" ? "layout" : "density"] === parts[1] ? "true" : "false");
    });
    cache = nextCache;
    setTitle();
    // What was just built shows the right ages already; what was reused is brought up to date.
    tick(!reused);
    // For npm run bench (scripts/bench/bench-dashboard.ts): when the last snapshot came, and when it was drawn.
    window.taskpulseRendered = { received: receivedAt, drawn: performance.now(), now: view.now };
  }

  function setTitle() {
    var stalled = view ? view.counts.stalled : 0;
    document.title = (stale ? "⛔ " : "") + (stalled ? "⚠️" + stalled + " " : "") + T.title;
  }
`;
