// How the dashboard stays live, and how it starts: the /api/events stream (with the token first when reads need
// it), the watch on its pings, and the wiring of the page's fixed controls.
// A piece of the one function in page-script.ts (it shares that function's names), kept free of `${…}` like the
// rest of the script. It begins with a newline so the pieces join line by line.
export const PAGE_LIVE = `
  // ---- live updates ----
  // The server pings the stream every boot.heartbeatMs. A paused server, or a proxy that holds the connection open,
  // raises no error on the page's side: hearing nothing for this many pings is what says the data is stale.
  var SILENT_PINGS = 3;
  // When the stream last said anything (or was opened), on this page's clock; and the server's time then, up to
  // which the data shown is known to be current (a snapshot comes whenever it changes, a ping says it did not).
  var heardAt = 0;
  var currentAt = null;
  function heard(confirms) {
    heardAt = performance.now();
    if (confirms) currentAt = new Date(serverNow()).toISOString();
  }
  function setLive(state) {
    $("live").setAttribute("data-state", state);
    $("live-text").textContent = state === "live" ? T.live : state === "down" ? T.down : T.connecting;
    stale = state === "down";
    document.body.classList.toggle("is-stale", stale);
    var banner = $("stale");
    banner.hidden = !stale;
    if (stale) fill(banner, view ? [T.staleA, since(currentAt || view.now, "ago"), T.staleB] : [T.staleNever]);
    setTitle();
  }
  // A stream that went silent is closed and opened again; while the server stays silent, the banner stays and the
  // page tries again after as many pings more. One closed for good (a refused token) is start()'s to reopen.
  function watchStream() {
    if (!source || source.readyState === 2 || performance.now() - heardAt < SILENT_PINGS * boot.heartbeatMs) return;
    setLive("down");
    connect();
  }
  function connect() {
    if (source) source.close();
    heard(false);
    // A ping vouches for the view only once this connection has sent one: the server may ping before it is ready.
    var sent = false;
    source = new EventSource("/api/events");
    source.addEventListener("snapshot", function (e) {
      sent = true;
      receivedAt = performance.now();
      view = JSON.parse(e.data);
      skew = Date.parse(view.now) - Date.now();
      heard(true);
      setLive("live");
      if ($("notice").getAttribute("data-problem")) { $("notice").hidden = true; $("notice").removeAttribute("data-problem"); }
      render();
    });
    source.addEventListener("ping", function () {
      heard(sent);
      if (stale && sent) setLive("live");
    });
    source.addEventListener("problem", function (e) {
      heard(false);
      var msg = ""; try { msg = JSON.parse(e.data).message; } catch (err) {}
      notice(T.problem + " " + msg, "bad");
      $("notice").setAttribute("data-problem", "1");
    });
    source.onopen = function () { heard(false); if (view) setLive("live"); };
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
  setInterval(function () { tick(false); }, 1000);
  setInterval(watchStream, Math.min(1000, boot.heartbeatMs));`;
