// The dashboard page for a real fleet, in Debian's Chromium (playwright-core): 200 tasks across 8 agents (written
// through the store's own code, as the bench's fixtures are) plus the things that need attention made by real CLI
// processes. What is checked are layout facts and behaviour, never durations: the strip and the chips lie inside a
// phone's first screen, the filters and the board show what they should, the page says so when the server is gone,
// and a token is checked when it is typed in. The timings (first render, update after the CLI returns) are measured
// by `npm run bench` (scripts/bench/bench-dashboard.ts).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildStore } from "../../scripts/bench/bench-store.ts";
import { createContext } from "../../src/app/context.ts";
import { startServer } from "../../src/serve/server.ts";
import { spawnCli, tempDir } from "../support/helpers.ts";
import { request, type Served, startServe } from "../support/serve-helpers.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const skip = !existsSync(CHROMIUM) && !process.env.CI;
const POLL = { timeout: 60_000 };
const SLOW = { timeout: 5 * 60_000 };
const PHONE = { width: 390, height: 844 };
/** Stalls after an hour of silence: the fleet's tasks stay running however slowly the tests run; one is 2 h silent. */
const STALL = { TASKPULSE_STALL: "1h" };

/** A CLI process at a time `minutesAgo` in the past; `codes` are the exit codes expected. */
async function tpAt(store: string, minutesAgo: number, codes: number[], ...args: string[]): Promise<string> {
  const at = new Date(Date.now() - minutesAgo * 60_000).toISOString();
  const r = await spawnCli(store, ["--now", at, ...args], STALL);
  if (!codes.includes(r.code ?? -1)) throw new Error(`taskpulse ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

interface Fleet {
  store: string;
  stalled: string;
  failed: string;
  stopped: string;
}

/** 200 tasks over 8 agents (half running), and one of each thing that needs attention. */
async function fleet(): Promise<Fleet> {
  // tempDir's cleanup runs after each test; this store must outlive them, so it is made by hand.
  const store = mkdtempSync(join(tmpdir(), "tp-page-"));
  await buildStore({ dir: store, archived: 0, active: 200, agents: 8, running: 100 });
  const stalled = await tpAt(store, 120, [0], "create", "-q", "--agent", "a3", "Nightly import", "--start");
  const failed = await tpAt(store, 30, [0], "create", "-q", "--agent", "a5", "Deploy preview", "--start");
  await tpAt(store, 20, [0], "--agent", "a5", "fail", failed, "upload refused: 403");
  const stopped = await tpAt(store, 2, [0], "create", "-q", "--agent", "a1", "Refactor queue", "--start");
  await tpAt(store, 1, [0], "stop", stopped, "wrong branch");
  for (const at of [60, 40, 20])
    await tpAt(store, at, [1], "run", "-q", "--job", "backup", "--", "sh", "-c", "echo 'rsync: refused' >&2; exit 1");
  return { store, stalled, failed, stopped };
}

/** True when the element's whole box lies inside the viewport as first shown (no scrolling). */
async function inFirstScreen(page: Page, selector: string): Promise<boolean> {
  const box = await page.locator(selector).boundingBox();
  const vp = page.viewportSize();
  return !!box && !!vp && box.x >= 0 && box.y >= 0 && box.x + box.width <= vp.width && box.y + box.height <= vp.height;
}

const taskIds = (page: Page, scope: string) =>
  page.locator(`${scope} [data-task]`).evaluateAll((els) => els.map((e) => e.getAttribute("data-task")));

describe.skipIf(skip)("the dashboard page for a fleet", () => {
  let browser: Browser;
  let fl: Fleet;
  let served: Served;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
    fl = await fleet();
    served = await startServe(fl.store, [], STALL);
  }, SLOW.timeout);
  afterAll(async () => {
    await browser?.close();
    if (served) expect(await served.stop()).toBe(0);
    if (fl) rmSync(fl.store, { recursive: true, force: true });
  });

  /** A fresh browser context on the fleet's page, once it shows the fleet; closed when `check` is done. */
  async function onFleetPage(options: BrowserContextOptions, check: (page: Page) => Promise<void>): Promise<void> {
    const context = await browser.newContext(options);
    try {
      const page = await context.newPage();
      await page.goto(served.url);
      await expect.poll(() => page.locator("#agents [data-task]").count(), POLL).toBeGreaterThan(100);
      await check(page);
    } finally {
      await context.close();
    }
  }
  const DESKTOP = { viewport: { width: 1280, height: 900 }, locale: "en-US" };

  it("on a phone: the attention strip and the chips are on the first screen, tasks one line each", SLOW, async () => {
    await onFleetPage({ viewport: PHONE, locale: "zh-CN", colorScheme: "dark" }, async (page) => {
      expect(await page.locator("#attention").isVisible()).toBe(true);
      expect(await inFirstScreen(page, "#attention")).toBe(true);
      expect(await inFirstScreen(page, "#counts")).toBe(true);
      expect(await inFirstScreen(page, "#filter")).toBe(true);
      // Every kind of trouble is named, and the strip shows four lines with a way to see the rest.
      expect(await page.locator("#attention-title").textContent()).toBe("⚠️ 需要关注 (4)");
      const kinds = await page.locator("#attention li").evaluateAll((els) => els.map((e) => e.getAttribute("data-attention")));
      expect(kinds).toEqual(["stalled", "stop", "failed", "alert"]);
      expect(await page.locator(`#attention [data-target="${fl.stalled}"]`).textContent()).toContain("Nightly import · a3 · 无心跳 2h");
      expect(await page.locator(`#attention [data-target="${fl.stopped}"]`).textContent()).toContain("wrong branch");
      expect(await page.locator(`#attention [data-target="${fl.failed}"]`).textContent()).toContain("upload refused: 403");
      expect(await page.locator('#attention [data-target="backup"]').textContent()).toContain("3 次连续失败");
      // Compact by default on a narrow screen: one line per task, nothing wider than the phone.
      expect(await page.locator("body.compact").count()).toBe(1);
      expect(await page.locator("#agents .task").count()).toBe(0);
      const row = await page.locator("#agents .compact-row").first().boundingBox();
      expect(row?.height).toBeLessThan(60);
      expect(await page.evaluate("document.documentElement.scrollWidth")).toBe(PHONE.width);
    });
  });

  it("filters by chip and by text, folds agents, and remembers the fold", SLOW, async () => {
    await onFleetPage(DESKTOP, async (page) => {
      expect(await page.locator("body.compact").count()).toBe(0);
      // Detailed: an agent's first 12 running tasks as cards, the rest (100 over 8 agents) one line each.
      const cards = await page.locator("#agents [data-agent]").evaluateAll((els) => els.map((e) => e.querySelectorAll(".task").length));
      expect(Math.max(...cards)).toBe(12);
      expect(await page.locator("#agents .compact-row").count()).toBeGreaterThan(0);

      await page.click('[data-count="stalled"]');
      expect(await page.locator('[data-count="stalled"]').getAttribute("aria-pressed")).toBe("true");
      expect(await taskIds(page, "#agents")).toEqual([fl.stalled]);
      expect(await page.locator("#recent [data-task]").count()).toBe(0);
      await page.click('[data-count="failed"]');
      expect(await taskIds(page, "#agents")).toEqual([]);
      expect(await taskIds(page, "#recent")).toEqual([fl.failed]);
      await page.click('[data-count="failed"]');
      expect(await page.locator("#agents [data-task]").count()).toBeGreaterThan(100);

      // Text: a name, an agent, a tag.
      await page.fill("#filter", "nightly");
      expect(await taskIds(page, "#agents")).toEqual([fl.stalled]);
      await page.fill("#filter", "a5");
      const agents = await page.locator("#agents [data-agent]").evaluateAll((els) => els.map((e) => e.getAttribute("data-agent")));
      expect(agents).toContain("a5");
      const overview = (await request(`${served.url}api/overview`)).json;
      // biome-ignore lint/suspicious/noExplicitAny: the overview's JSON, checked field by field
      const listed = overview.agents.flatMap((a: any) => [...a.running, ...a.queued]);
      // biome-ignore lint/suspicious/noExplicitAny: as above
      const daily = listed.filter((t: any) => t.tags.includes("daily")).map((t: any) => t.id);
      expect(daily.length).toBeGreaterThan(10);
      await page.fill("#filter", "#daily");
      expect((await taskIds(page, "#agents")).sort()).toEqual(daily.sort());
      await page.fill("#filter", "");

      // Fold an agent: its tasks go, its header stays, and a reload keeps it folded.
      const a3 = page.locator('[data-agent="a3"]');
      expect(await a3.locator("[data-task]").count()).toBeGreaterThan(10);
      await a3.locator("button.fold").click();
      expect(await a3.locator("[data-task]").count()).toBe(0);
      expect(await a3.locator("h2").textContent()).toContain("a3");
      await page.reload();
      await expect.poll(() => page.locator("#agents [data-task]").count(), POLL).toBeGreaterThan(50);
      expect(await page.locator('[data-agent="a3"] [data-task]').count()).toBe(0);
      // The attention strip leads to the task, unfolding its agent.
      await page.click(`#attention [data-target="${fl.stalled}"] button`);
      expect(await page.locator(`#agents [data-task="${fl.stalled}"]`).isVisible()).toBe(true);
    });
  });

  it("redraws only what changed: a row drawn before a filter is the same element after it", SLOW, async () => {
    await onFleetPage(DESKTOP, async (page) => {
      // Agents far down the page get their tasks once the page is shown: wait for all of them.
      const overview = (await request(`${served.url}api/overview`)).json;
      const shown = overview.agents.reduce((n: number, a: { running: []; queued: [] }) => n + a.running.length + a.queued.length, 0);
      await expect.poll(() => page.locator("#agents [data-task]").count(), POLL).toBe(shown);
      const card = page.locator("#agents .task").first();
      const id = await card.getAttribute("data-task");
      await card.evaluate((el) => el.setAttribute("data-marked", ""));
      // Every agent's name has an "a": the filter keeps every task, and what it keeps is reused, not built again.
      await page.fill("#filter", "a");
      expect(await page.locator("#agents [data-task]").count()).toBe(shown);
      expect(await page.locator(`#agents [data-task="${id}"][data-marked]`).count()).toBe(1);
    });
  });

  it("shows a board by status column", SLOW, async () => {
    await onFleetPage(DESKTOP, async (page) => {
      await page.click("#layout-board");
      expect(await page.locator("#agents").isVisible()).toBe(false);
      const columns = await page.locator("#board [data-column]").evaluateAll((els) => els.map((e) => e.getAttribute("data-column")));
      expect(columns).toEqual(["pending", "running", "stalled", "done", "failed"]);
      expect(await taskIds(page, '[data-column="stalled"]')).toEqual([fl.stalled]);
      expect(await taskIds(page, '[data-column="failed"]')).toEqual([fl.failed]);
      expect(await page.locator('[data-column="running"] [data-task]').count()).toBe(101);
      expect(await page.locator('[data-column="pending"] h2').textContent()).toContain("100");
      // Side by side on a desktop, each column inside the window.
      for (const c of columns) expect(await inFirstScreen(page, `[data-column="${c}"] h2`)).toBe(true);
      // The filters apply to the board too.
      await page.fill("#filter", "deploy");
      expect(await taskIds(page, "#board")).toEqual([fl.failed]);
    });
  });
});

describe.skipIf(skip)("the dashboard page: all well, server gone, token checked", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("hides the strip when all is well, and says the data is stale once the server is gone", SLOW, async () => {
    const store = tempDir();
    await tpAt(store, 0, [0], "create", "-q", "Healthy", "a", "b", "--start");
    const served = await startServe(store);
    const context = await browser.newContext({ viewport: PHONE, locale: "en-US" });
    try {
      const page = await context.newPage();
      await page.goto(served.url);
      await expect.poll(() => page.locator("#live").getAttribute("data-state"), POLL).toBe("live");
      await expect.poll(() => page.locator("#agents [data-task]").count(), POLL).toBe(1);
      expect(await page.locator("#attention").isVisible()).toBe(false);
      expect(await page.locator("#stale").isVisible()).toBe(false);
      expect(await served.stop()).toBe(0);
      await expect.poll(() => page.locator("#stale").isVisible(), POLL).toBe(true);
      expect(await page.locator("#stale").textContent()).toMatch(
        /^Connection to the server lost: this page shows data from .* and may be out of date/,
      );
      expect(await inFirstScreen(page, "#stale")).toBe(true);
      expect(await page.locator("body.is-stale").count()).toBe(1);
      expect(await page.title()).toContain("⛔");
    } finally {
      await context.close();
      await served.stop();
    }
  });

  it("asks for the token first when reads need it, checks it as it is entered, and keeps it out of every URL", SLOW, async () => {
    const store = tempDir();
    await tpAt(store, 0, [0], "create", "-q", "Private work", "--start");
    const token = "a-token-for-the-page-test";
    const ctx = createContext({}, nodeDeps(store));
    const server = await startServer({ ctx, clock: () => new Date(), host: "127.0.0.1", port: 0, token, readsNeedToken: true });
    const context = await browser.newContext({ viewport: PHONE, locale: "en-US" });
    const urls: string[] = [];
    context.on("request", (r) => urls.push(r.url()));
    try {
      const page = await context.newPage();
      await page.goto(server.url);
      await expect.poll(() => page.locator("#token-bar").isVisible(), POLL).toBe(true);
      expect(await page.locator("#token-hint").textContent()).toContain("enter its token to see anything");
      expect(await page.locator("[data-task]").count()).toBe(0);

      await page.fill("#token-input", "not-the-right-token");
      await page.click("#token-save");
      await expect.poll(() => page.locator("#token-bar").getAttribute("data-verdict"), POLL).toBe("refused");
      expect(await page.locator("#token-hint").textContent()).toContain("refused");
      expect(await page.locator("#notice").isVisible()).toBe(false);
      expect(await page.evaluate('sessionStorage.getItem("taskpulse-token")')).toBeNull();

      await page.fill("#token-input", token);
      await page.click("#token-save");
      await expect.poll(() => page.locator("[data-task]").count(), POLL).toBe(1);
      expect(await page.locator("#token-bar").isVisible()).toBe(false);
      expect(await page.locator("#notice").textContent()).toContain("accepted");
      // HttpOnly: the page's own script cannot read the cookie.
      expect(await page.evaluate("document.cookie")).toBe("");

      // Another tab of the same browser: no token in its sessionStorage, the cookie lets it read.
      const second = await context.newPage();
      await second.goto(server.url);
      await expect.poll(() => second.locator("[data-task]").count(), POLL).toBe(1);
      expect(await second.locator("#token-bar").isVisible()).toBe(false);
      expect(urls.filter((u) => /token/i.test(u))).toEqual([]);
    } finally {
      await context.close();
      await server.close();
    }
  });
});

function nodeDeps(store: string) {
  return {
    env: { TASKPULSE_HOME: store, LANG: "C" },
    cwd: "/",
    home: store,
    stdout: () => {},
    stderr: () => {},
    now: () => new Date(),
    random: Math.random,
    isTTY: false,
    columns: 100,
  };
}
