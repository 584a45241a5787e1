// The dashboard's controls that talk to the server or narrow the view: the token (checked by POST /api/session,
// kept in sessionStorage for this tab only), notices, stop and cancel requests, and the filter.
// A piece of the one function in page-script.ts (it shares that function's names), kept free of `${…}` like the
// rest of the script. It begins with a newline so the pieces join line by line.
export const PAGE_CONTROLS = `
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
  // A task's stop and cancel buttons answer through this one listener, by the task their row names: a listener of
  // its own for each would cost 1 000 closures on a first render.
  $("main").addEventListener("click", function (e) {
    var button = e.target.closest("button[data-action]");
    var row = button && button.closest("[data-task]");
    if (row) change(row.getAttribute("data-task"), button.getAttribute("data-action"));
  });
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
`;
