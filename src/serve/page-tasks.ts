// How one thing on the dashboard is drawn: a task as a card or a line, its steps, an agent's panel, a cron job,
// the count chips. All of it is built with h(), so task names and messages stay text.
// A piece of the one function in page-script.ts (it shares that function's names), kept free of `${…}` like the
// rest of the script. It begins with a newline so the pieces join line by line.
export const PAGE_TASKS = `
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
      text: small ? "✋" : "✋ " + T.stop });
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
      t.status === "pending" ? h("button", { type: "button", "data-action": "cancel", title: T.cancel, text: "✕" }) : null);
    if (withAgent) row.appendChild(h("span", { class: "who mono", text: t.agent + " · " + t.id + (t.error ? " · " + t.error : "") }));
    return row;
  }
  // The list of steps is built when it is first opened: most stay closed, and a page of 1 000 tasks is lighter so.
  function keptRow(t, withAgent) { return keep("row" + withAgent, t, function () { return compactRow(t, withAgent); }); }
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
      h("button", { type: "button", "data-action": "cancel", text: T.cancel }));
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
  // An agent's card: its header, then its tasks, now or when whenShown(panel, fillTasks) says (renderAgents).
  function agentPanel(a, running, queued, whenShown) {
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
    // The choices as they are now: the tasks may be added after the choices change (and the card is kept by them).
    var compact = prefs.density === "compact";
    var more = filtering() ? 0 : a.queuedTotal - a.queued.length;
    function fillTasks() {
      // Detailed cards for an agent's first 12 running tasks, one line each for the rest: a card with 60 tasks is a
      // list to scan, and 500 detailed cards are what made a first render of 1 000 tasks slow.
      running.forEach(function (t, i) {
        panel.appendChild(compact || i >= CARDS_PER_AGENT ? keptRow(t, false) : keep("card", t, function () { return taskCard(t); }));
      });
      if (queued.length) {
        panel.appendChild(h("h3", { text: T.queued }));
        var list = h("div", null, queued.map(function (t) {
          return compact ? keptRow(t, false) : keep("queued", t, function () { return queuedRow(t); });
        }));
        if (more > 0) list.appendChild(h("div", { class: "empty", text: "… " + more + " " + T.more }));
        panel.appendChild(list);
      }
    }
    if (whenShown) whenShown(panel, fillTasks);
    else fillTasks();
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
`;
