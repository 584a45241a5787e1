// Makes docs/screenshots/dashboard-desktop.png (English, detailed), dashboard-board.png (English, the board) and
// dashboard-phone.png (Chinese, compact, dark): a demo store filled through the CLI, `taskpulse serve` on a free
// port, and Debian's Chromium driven by playwright-core. The store has one of each thing the attention strip shows
// (a stall, a pending stop, a failure, an open cron alert).
// Run after `npm run build`: node scripts/dashboard-screenshots.mjs
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const ROOT = resolve(import.meta.dirname, "..");
const BIN = join(ROOT, "bin", "taskpulse.js");
const OUT = join(ROOT, "docs", "screenshots");
const store = mkdtempSync(join(tmpdir(), "tp-shots-"));
const env = { PATH: process.env.PATH, HOME: store, TASKPULSE_HOME: store, LANG: "C" };
const minutesAgo = (m) => new Date(Date.now() - m * 60_000).toISOString();

function tp(at, ...args) {
  return tpAllowing([0, 20], at, ...args);
}

function tpAllowing(codes, at, ...args) {
  const r = spawnSync(process.execPath, [BIN, "--now", minutesAgo(at), ...args], { env, encoding: "utf8" });
  if (!codes.includes(r.status)) throw new Error(`taskpulse ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

const report = tp(6, "create", "-q", "日报发布", "抓取", "写稿", "发布", "--start");
tp(3, "next", report, "抓取了25条数据");
tp(1, "heartbeat", report, "第2段写好了", "--progress", "55");
const login = tp(
  24,
  "create",
  "-q",
  "--agent",
  "agent-coder",
  "Implement login",
  "design",
  "code",
  "tests",
  "review",
  "--start",
  "--tag",
  "auth",
);
tp(18, "--agent", "agent-coder", "next", login, "schema agreed");
tp(9, "--agent", "agent-coder", "next", login, "handlers and session store written");
const refactor = tp(14, "create", "-q", "--agent", "agent-coder", "Refactor the queue module", "--start");
tp(1, "--agent", "agent-coder", "heartbeat", refactor, "splitting claim and order", "--progress", "40");
tp(0, "stop", refactor, "wrong branch, please stop");
tp(30, "create", "-q", "--agent", "agent-coder", "Write API docs", "-p", "8");
// Silent for 40 minutes: stalled.
tp(40, "create", "-q", "--agent", "anna", "Nightly import", "download", "load", "--start", "--tag", "etl");
tp(29, "create", "-q", "--agent", "agent-coder", "Fix flaky lock test", "-p", "P3", "--after", login);
tp(12, "create", "-q", "--agent", "anna", "Translate README to Chinese", "--tag", "docs");
const digest = tp(80, "create", "-q", "Weekly digest", "collect", "summarise", "send", "--start");
tp(70, "next", digest, "42 links");
tp(62, "next", digest, "1 page");
tp(60, "next", digest, "sent to #team");
const deploy = tp(50, "create", "-q", "--agent", "anna", "Deploy preview", "build", "upload", "--start");
tp(47, "--agent", "anna", "next", deploy, "built in 2m");
tp(45, "--agent", "anna", "fail", deploy, "upload refused: 403 from the storage bucket");
// Cron jobs: one healthy, one with an open alert after three failures in a row.
for (const at of [1440, 720, 60]) tp(at, "run", "-q", "--job", "daily-news", "--", "true");
for (const at of [180, 120, 20]) {
  tpAllowing([1], at, "run", "-q", "--job", "backup", "--", "sh", "-c", "echo 'rsync: connection refused (backup host)' >&2; exit 1");
}

const server = spawn(process.execPath, [BIN, "serve", "--port", "0"], { env });
const url = await new Promise((res, rej) => {
  let out = "";
  server.stdout.on("data", (d) => {
    out += d;
    const m = /(http:\/\/127\.0\.0\.1:\d+\/)\n/.exec(out);
    if (m) res(m[1]);
  });
  server.on("exit", (code) => rej(new Error(`serve exited ${code}`)));
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  mkdirSync(OUT, { recursive: true });
  const desktop = { width: 1280, height: 860 };
  const shots = [
    { file: "dashboard-desktop.png", lang: "en", viewport: desktop, scale: 1, scheme: "light", full: true },
    { file: "dashboard-board.png", lang: "en", viewport: desktop, scale: 1, scheme: "light", layout: "board" },
    { file: "dashboard-phone.png", lang: "zh", viewport: { width: 390, height: 844 }, scale: 2, scheme: "dark" },
  ];
  for (const shot of shots) {
    // bypassCSP: the style below is not the page's own. The page skips drawing cards off the screen
    // (content-visibility), which a full-page screenshot would show as blank cards.
    const context = await browser.newContext({
      viewport: shot.viewport,
      deviceScaleFactor: shot.scale,
      colorScheme: shot.scheme,
      bypassCSP: true,
    });
    const page = await context.newPage();
    await page.goto(`${url}?lang=${shot.lang}`);
    await page.locator(`[data-task="${login}"]`).first().waitFor();
    await page.addStyleTag({ content: ".agent, .column, .task, .compact-row, .row { content-visibility: visible !important; }" });
    if (shot.layout === "board") await page.click("#layout-board");
    // The detailed view: open one task's steps (built when first opened).
    const details = page.locator(`#agents [data-task="${login}"] details`);
    if (!shot.layout && (await details.count()) > 0) {
      await details.locator("summary").click();
      await details.locator("ol").waitFor();
    }
    await page.screenshot({ path: join(OUT, shot.file), fullPage: shot.full === true, animations: "disabled" });
    await context.close();
    console.log(join(OUT, shot.file));
  }
} finally {
  await browser.close();
  server.kill("SIGTERM");
  rmSync(store, { recursive: true, force: true });
}
