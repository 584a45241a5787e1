// The dashboard's script: plain ES2020 for the browser, served inline under the page's CSP nonce. Kept free of
// template-literal `${…}` so it can live inside these TypeScript strings. It draws everything from the `snapshot`
// events of /api/events and builds the DOM with textContent only, so task names and messages never become markup.
//
// What it keeps in the browser: the token in sessionStorage (this tab only; checked by POST /api/session before it
// is kept, which also sets the HttpOnly cookie the event stream carries when reads need the token), and in
// localStorage only display choices (board or agents, compact or detailed, folded agents).
//
// The script comes in pieces by concern, joined here in the order the browser runs them; each piece is a part of
// the one function below, not a module of its own.
import { PAGE_BASE } from "./page-base.ts";
import { PAGE_CONTROLS } from "./page-controls.ts";
import { PAGE_LIVE } from "./page-live.ts";
import { PAGE_RENDER } from "./page-render.ts";
import { PAGE_TASKS } from "./page-tasks.ts";
import { PAGE_TEXT } from "./page-text.ts";

const OPENING = `
(function () {
  "use strict";
  var boot = JSON.parse(document.getElementById("boot").textContent);
  var lang = boot.lang;`;

const CLOSING = `
})();
`;

export const PAGE_SCRIPT = OPENING + PAGE_TEXT + PAGE_BASE + PAGE_CONTROLS + PAGE_TASKS + PAGE_RENDER + PAGE_LIVE + CLOSING;
