// The dashboard in a real browser: Debian's Chromium driven by playwright-core (no browser download), against a
// real `taskpulse serve`, with the store changed by real CLI processes.
import { existsSync } from "node:fs";
import type { Browser } from "playwright-core";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnCli, tempDir } from "../support/helpers.ts";
import { type Served, startServe } from "../support/serve-helpers.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
/** How long the page may take to show something: a browser on a loaded machine is slow, and a poll gives up only late. */
const POLL = { timeout: 60_000 };
const SLOW = { timeout: 5 * 60_000 };
// In CI the browser test must run: a missing Chromium there fails the launch instead of skipping.
const skip = !available && !process.env.CI;
if (skip) console.warn(`serve-browser: skipped, ${CHROMIUM} is missing (apt-get install chromium); in CI it runs`);

async function tp(store: string, ...args: string[]): Promise<string> {
  const r = await spawnCli(store, args);
  if (r.code !== 0) throw new Error(`taskpulse ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

describe.skipIf(skip)("dashboard in Chromium", () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Playwright gives each launch a fresh, empty profile directory of its own.
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
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("shows a task created through the CLI, follows `next` live without reloading, and stops it with the token", SLOW, async () => {
    const store = tempDir();
    const id = await tp(store, "create", "-q", "Daily report", "fetch", "write", "publish", "--start");
    const served: Served = await startServe(store);
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    try {
      const page = await context.newPage();
      const external: string[] = [];
      page.on("request", (req) => {
        if (!req.url().startsWith(served.url)) external.push(req.url());
      });
      await page.goto(`${served.url}?lang=en`);
      const card = page.locator(`[data-task="${id}"]`);
      await expect.poll(() => card.textContent(), POLL).toContain("Daily report");
      expect(await card.textContent()).toContain("[0/3]");
      expect(await card.textContent()).toContain("current: fetch");
      expect(await page.locator("#live").getAttribute("data-state")).toBe("live");

      // A marker on the window survives only if the page is not reloaded.
      await page.evaluate("window.marker = 42");
      await tp(store, "next", id, "25 items fetched");
      await expect.poll(() => card.textContent(), POLL).toContain("[1/3]");
      expect(await card.textContent()).toContain("current: write");
      expect(await card.textContent()).toContain("25 items fetched");
      expect(await page.evaluate("window.marker")).toBe(42);

      // Stop without a token first: the page asks for the token before anything else; a wrong one is refused as
      // it is entered (not "saved" and then "refused"), no reason is asked, and nothing changes.
      const dialogs: string[] = [];
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.type());
        void dialog.accept("stopped from the browser test");
      });
      await card.locator('button[data-action="stop"]').click();
      await expect.poll(() => page.locator("#token-bar").isVisible(), POLL).toBe(true);
      await page.fill("#token-input", "not-the-right-token");
      await page.click("#token-save");
      await expect.poll(() => page.locator("#token-hint").textContent(), POLL).toContain("refused");
      expect(await page.locator("#notice").isVisible()).toBe(false);
      expect(dialogs).toEqual([]);
      expect((await spawnCli(store, ["check", id])).code).toBe(0);

      await page.fill("#token-input", served.token);
      await page.click("#token-save");
      await expect.poll(() => card.locator('[data-stop="requested"]').count(), POLL).toBe(1);
      expect(await card.textContent()).toContain("stopped from the browser test");
      expect(await card.locator('button[data-action="stop"]').isDisabled()).toBe(true);
      expect(dialogs).toEqual(["prompt"]);
      const check = await spawnCli(store, ["check", id]);
      expect(check.code).toBe(20);
      expect(check.stdout).toContain("stopped from the browser test");
      expect(external).toEqual([]);
    } finally {
      await context.close();
      expect(await served.stop()).toBe(0);
    }
  });

  it("calls a paused server's page stale, reconnects, and clears once the server answers again", SLOW, async () => {
    const store = tempDir();
    const id = await tp(store, "create", "-q", "Quiet work", "--start");
    // Pinged every second: the page calls its data stale after three pings' worth of silence.
    const served = await startServe(store, ["--ping", "1s"]);
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, locale: "en-US" });
    let paused = false;
    try {
      const page = await context.newPage();
      let streams = 0;
      page.on("request", (req) => {
        if (new URL(req.url()).pathname === "/api/events") streams++;
      });
      await page.goto(served.url);
      await page.waitForSelector(`[data-task="${id}"]`, POLL);
      await page.waitForSelector('#live[data-state="live"]', POLL);

      // SIGSTOP: the connection stays open and nothing on it errs, as behind a proxy holding it; only silence tells.
      const opened = streams;
      served.child.kill("SIGSTOP");
      paused = true;
      await page.waitForSelector("#stale", { state: "visible", ...POLL });
      expect(await page.locator("#stale").textContent()).toMatch(
        /^Connection to the server lost: this page shows data from .* ago and may be out of date/,
      );
      expect(await page.locator("#live").getAttribute("data-state")).toBe("down");
      expect(await page.title()).toContain("⛔");
      expect(await page.locator(`[data-task="${id}"]`).count()).toBe(1);
      // It does not wait on the silent stream: it opens another.
      await expect.poll(() => streams, POLL).toBeGreaterThan(opened);

      served.child.kill("SIGCONT");
      paused = false;
      // All read in one look: on a loaded machine a late ping could flip the page again between two looks.
      const back = await page.waitForFunction(
        (body) => {
          const live = body.querySelector("#live").getAttribute("data-state") === "live";
          const hidden = body.querySelector("#stale").hidden;
          return live && hidden ? { title: body.ownerDocument.title, greyed: body.classList.contains("is-stale") } : false;
        },
        await page.locator("body").elementHandle(),
        POLL,
      );
      expect(await back.jsonValue()).toEqual({ title: "taskpulse", greyed: false });
      expect(await page.locator(`[data-task="${id}"]`).textContent()).toContain("Quiet work");
    } finally {
      if (paused) served.child.kill("SIGCONT");
      await context.close();
      expect(await served.stop()).toBe(0);
    }
  });

  it("takes the token from #token= into sessionStorage, drops it from the URL, and speaks Chinese", SLOW, async () => {
    const store = tempDir();
    const queued = await tp(store, "create", "-q", "--agent", "anna", "翻译文档", "-p", "8");
    const labelled = await tp(store, "create", "-q", "--agent", "anna", "修复登录", "-p", "P0");
    const served = await startServe(store);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
    try {
      const page = await context.newPage();
      await page.goto(`${served.url}#token=${encodeURIComponent(served.token)}`);
      const row = page.locator(`[data-task="${queued}"]`);
      await expect.poll(() => row.textContent(), POLL).toContain("翻译文档");
      // A phone starts compact (one line per task); the detailed view names the priority and the id.
      expect(await page.locator("body.compact").count()).toBe(1);
      await page.click("#density-detailed");
      // priorities as they were typed: a number on the 1-10 scale, a label as a label
      expect(await row.textContent()).toContain(`优先级 8 · ${queued}`);
      expect(await page.locator(`[data-task="${labelled}"]`).textContent()).toContain(`P0 · ${labelled}`);
      expect(await page.locator("#title").textContent()).toBe("taskpulse 任务看板");
      expect(page.url()).toBe(served.url);
      expect(await page.evaluate('sessionStorage.getItem("taskpulse-token")')).toBe(served.token);
      // Cancel a queued task from the page (a confirm dialog first).
      page.on("dialog", (dialog) => void dialog.accept());
      await row.locator('button[data-action="cancel"]').click();
      await expect.poll(() => page.locator(`#recent [data-task="${queued}"]`).count(), POLL).toBe(1);
      const status = JSON.parse((await spawnCli(store, ["status", queued, "--json"])).stdout).data.task;
      expect(status).toMatchObject({ status: "cancelled" });
    } finally {
      await context.close();
      expect(await served.stop()).toBe(0);
    }
  });
});
