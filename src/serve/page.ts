// The dashboard page: one self-contained HTML document (inline CSS and JS, no external requests), in Chinese or
// English. The document holds no data: page-script.ts draws it from the `snapshot` events of /api/events. The token
// comes from `#token=` in the link `taskpulse serve` prints (or is typed in), is checked by the server before it is
// kept (sessionStorage, this tab only), and never goes into a URL; reads beyond loopback carry it in an HttpOnly
// cookie the server sets.
import type { Lang } from "../app/identity.ts";
import { PAGE_CSS } from "./page-css.ts";
import { PAGE_SCRIPT } from "./page-script.ts";

export interface PageOptions {
  lang: Lang;
  /** The CSP nonce that lets this response's own style and script run. */
  nonce: string;
  /** Bound beyond loopback: the page must send the token with its reads too. */
  readsNeedToken: boolean;
  /** The event stream's ping interval: a page that hears nothing for a few of them calls its data stale. */
  heartbeatMs: number;
}

export function renderPage(options: PageOptions): string {
  const boot = JSON.stringify({ lang: options.lang, readsNeedToken: options.readsNeedToken, heartbeatMs: options.heartbeatMs }).replace(
    /</g,
    "\\u003c",
  );
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
<style nonce="${options.nonce}">${PAGE_CSS}</style>
</head>
<body>
<header class="top">
  <div class="brand"><span class="logo">◉</span> <span id="title"></span></div>
  <div class="live" id="live" data-state="connecting"><span class="dot"></span><span id="live-text"></span></div>
  <nav class="tools">
    <a id="lang-switch" href="#"></a>
    <button type="button" id="token-button" class="ghost"></button>
  </nav>
  <div id="stale" class="stale" role="alert" hidden></div>
</header>
<section id="attention" class="attention" aria-live="polite" hidden>
  <h2 id="attention-title"></h2>
  <ul id="attention-list"></ul>
  <button type="button" id="attention-more" class="more" hidden></button>
</section>
<div class="controls">
  <div id="counts" class="counts" role="group"></div>
  <div class="filters">
    <input id="filter" type="search" autocomplete="off" spellcheck="false">
    <div class="segmented" role="group"><button type="button" id="layout-agents"></button><button type="button" id="layout-board"></button></div>
    <div class="segmented" role="group"><button type="button" id="density-compact"></button><button type="button" id="density-detailed"></button></div>
  </div>
</div>
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
  <section id="board" class="board" hidden></section>
  <section id="recent-section" class="panel"><h2 id="recent-title"></h2><div id="recent"></div></section>
  <section id="jobs-section" class="panel"><h2 id="jobs-title"></h2><div id="jobs"></div></section>
</main>
<footer id="footer"></footer>
<noscript>This dashboard needs JavaScript. / 此看板需要启用 JavaScript。</noscript>
<script id="boot" type="application/json">${boot}</script>
<script nonce="${options.nonce}">${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
