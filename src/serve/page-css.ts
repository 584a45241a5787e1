// The dashboard's style sheet (served inline under the page's CSP nonce). Light and dark follow the system.
export const PAGE_CSS = `
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
[hidden] { display: none !important; }
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
main { padding: 12px 16px 24px; display: grid; gap: 14px; grid-template-columns: minmax(0, 1fr); max-width: 1400px; }
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
.stale { width: 100%; order: 10; padding: 6px 10px; border-radius: 8px; background: var(--bad); color: #fff; font-weight: 600; font-size: 14px; }
body.is-stale main, body.is-stale .attention { opacity: .55; filter: grayscale(.6); }
.attention {
  margin: 12px 16px 0; padding: 8px 12px; border-radius: 10px; background: var(--card);
  border: 1px solid var(--warn); border-left-width: 4px;
}
.attention h2 { font-size: 14px; margin: 0 0 4px; color: var(--warn); }
.attention ul { list-style: none; margin: 0; padding: 0; }
.attention li { font-size: 14px; padding: 2px 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.attention li button.link { all: unset; cursor: pointer; }
.attention li button.link:focus-visible { outline: 2px solid var(--run); }
.attention li.failed, .attention li.alert { color: var(--bad); }
.attention .more { min-height: 26px; padding: 1px 10px; font-size: 13px; margin-top: 4px; }
.controls { display: flex; flex-wrap: wrap; gap: 8px 10px; align-items: center; padding: 12px 16px 0; }
.counts { display: flex; gap: 6px; flex-wrap: wrap; }
button.count { background: var(--card); border: 1px solid var(--line); border-radius: 999px; padding: 2px 11px; min-height: 30px; font-size: 14px; }
button.count[aria-pressed="true"] { background: var(--run); border-color: var(--run); color: #fff; }
button.count.alert[aria-pressed="false"] { border-color: var(--warn); color: var(--warn); }
.count b { font-variant-numeric: tabular-nums; }
.filters { display: flex; gap: 6px; align-items: center; flex: 1 1 260px; }
.filters input {
  flex: 1; min-width: 0; font: inherit; font-size: 14px; padding: 5px 10px; min-height: 32px; border-radius: 8px;
  border: 1px solid var(--line); background: var(--card); color: var(--ink);
}
.segmented { display: inline-flex; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.segmented button { border: 0; border-radius: 0; min-height: 32px; padding: 4px 10px; font-size: 13px; }
.segmented button[aria-pressed="true"] { background: var(--chip); color: var(--run); font-weight: 600; }
.agent h2 button.fold { all: unset; cursor: pointer; display: inline-flex; gap: 6px; align-items: baseline; }
.agent h2 button.fold:focus-visible { outline: 2px solid var(--run); }
.agent.collapsed > :not(h2) { display: none; }
.agent.collapsed h2 { margin: 0; }
.compact-row { display: flex; gap: 8px; align-items: center; padding: 5px 0; border-top: 1px solid var(--line); font-size: 14px; min-width: 0; }
.compact-row:first-of-type { border-top: 0; }
.compact-row .name { flex: 1; min-width: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; font-weight: 600; }
.compact-row .right { margin-left: 0; }
.compact-row button { min-height: 26px; padding: 1px 8px; font-size: 13px; }
.compact-row.stalled .name { color: var(--warn); }
body.compact .row { flex-wrap: nowrap; padding: 5px 0; }
body.compact .row .grow { min-width: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.board { display: grid; grid-auto-flow: column; grid-auto-columns: minmax(210px, 1fr); gap: 12px; overflow-x: auto; align-items: start; }
.column { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 8px 10px; }
.column h2 { font-size: 14px; }
.column .compact-row { flex-wrap: wrap; row-gap: 2px; }
.column .compact-row .name { flex: 1 1 calc(100% - 32px); }
.column .compact-row .right { margin-left: auto; }
.column .compact-row .who { width: 100%; font-size: 12.5px; color: var(--muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.agent, .column { content-visibility: auto; contain-intrinsic-size: auto 900px; }
.task { content-visibility: auto; contain-intrinsic-size: auto 170px; }
.compact-row, .row { content-visibility: auto; contain-intrinsic-size: auto 36px; }
.flash { animation: flash 1.6s ease-out 1; }
@keyframes flash { 0% { background: color-mix(in srgb, var(--warn) 30%, transparent); } 100% { background: transparent; } }
footer { padding: 0 16px 24px; color: var(--muted); font-size: 12.5px; }
@media (max-width: 560px) {
  body { font-size: 15px; }
  .top { padding: 8px 12px; gap: 8px; }
  main { padding: 10px 10px 20px; }
  .controls { padding: 8px 10px 0; gap: 6px; }
  .token-bar, .notice, .attention { margin: 8px 10px 0; }
  .brand { font-size: 16px; }
  .panel, .agent { padding: 10px 12px; border-radius: 10px; }
  .right { margin-left: 0; }
}
`;
