// The dashboard part of `npm run bench` (run by bench.mjs with tsx; alone: node --import tsx scripts/bench-dashboard.ts):
// issue 20's page targets, measured in Debian's Chromium (playwright-core) against a real `taskpulse serve` on a
// store of 1 000 hot tasks across 8 agents (half running), built as the bench's other fixtures are.
// A warm-up round first (not counted), then `runs` rounds, a fresh tab each; medians.
//   first render: from navigation start to the first frame after the page drew its first snapshot (fresh tab each
//     run), on a desktop (detailed view) and a phone (compact view); with when the snapshot arrived and how long
//     drawing it took, to tell the server's part from the page's;
//   update: from the moment a `taskpulse heartbeat` process returns to the first frame after the page drew the
//     snapshot that carries its message (negative when the page had it before the process had even exited).
// Prints one JSON object: the figures, or { skipped: reason } without Chromium. Input (argv[2]): { runs }.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Page } from "playwright-core";
import { benchEnv, median, round1, taskpulseArgv, timeRun } from "./bench-lib.mjs";
import { buildStore } from "./bench-store.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const TASKS = 1000;
const input = JSON.parse(process.argv[2] ?? "{}") as { runs?: number };
const runs = input.runs ?? 5;

// In the page before its own script: notes the first animation frame after each render (the page sets
// window.taskpulseRendered when it has drawn a snapshot), with whether the awaited text was in the page then (in
// its markup: the compact view has a task's last message in a title attribute).
const PAINT_PROBE = `
window.benchPaints = [];
(function () {
  var last = null;
  function frame() {
    var r = window.taskpulseRendered;
    if (r && r !== last) {
      last = r;
      requestAnimationFrame(function () {
        var want = window.benchWant;
        window.benchPaints.push({ at: performance.timeOrigin + performance.now(), fromStart: performance.now(),
          received: r.received, drawn: r.drawn, has: !!want && document.body.innerHTML.indexOf(want) >= 0 });
      });
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
})();
`;

interface Paint {
  /** The frame after the render, as a wall-clock time (ms since the epoch), and in ms from navigation start. */
  at: number;
  fromStart: number;
  /** When the snapshot arrived and when the page had drawn it (ms from navigation start). */
  received: number;
  drawn: number;
  has: boolean;
}

const paints = (page: Page) => page.evaluate("window.benchPaints") as Promise<Paint[]>;

async function until<T>(look: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const found = await look();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function main(): Promise<unknown> {
  if (!existsSync(CHROMIUM)) return { skipped: `${CHROMIUM} is missing (apt-get install chromium)` };
  const dir = mkdtempSync(join(tmpdir(), "taskpulse-bench-dash-"));
  const built = await buildStore({ dir, archived: 0, active: TASKS, agents: 8, running: TASKS / 2 });
  const env = benchEnv({ TASKPULSE_STALL: "1h" });
  const server = spawn(process.execPath, taskpulseArgv(["--store", dir, "serve", "--port", "0", "-q"]).slice(1), { env });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      server.stdout.on("data", (d) => {
        out += d;
        const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1] as string);
      });
      server.on("exit", (code) => reject(new Error(`serve exited ${code}`)));
    });
    const figures: Record<string, Record<string, number>> = {};
    for (const [name, viewport] of [
      ["desktop", { width: 1280, height: 900 }],
      ["phone", { width: 390, height: 844 }],
    ] as const) {
      const first: number[] = [];
      const arrived: number[] = [];
      const drawing: number[] = [];
      const update: number[] = [];
      // Run 0 warms up (the server's first views after its start, the browser's caches) and is not counted.
      for (let run = 0; run <= runs; run++) {
        const counted = run > 0;
        const context = await browser.newContext({ viewport, locale: "en-US" });
        await context.addInitScript(PAINT_PROBE);
        const page = await context.newPage();
        await page.goto(url);
        const paint = await until(async () => (await paints(page))[0]);
        if (counted) {
          first.push(paint.fromStart);
          arrived.push(paint.received);
          drawing.push(paint.drawn - paint.received);
        }
        // Two updates a tab: a running task's heartbeat with a new message, timed from the CLI's return.
        for (let k = 0; k < 2; k++) {
          const message = `bench ${name} ${run}.${k}`;
          await page.evaluate(`window.benchWant = ${JSON.stringify(message)}`);
          const id = built.running[(run * 2 + k) % built.running.length] as string;
          timeRun(taskpulseArgv(["--store", dir, "heartbeat", id, message]), env);
          const returned = Date.now();
          const shown = await until(async () => (await paints(page)).find((p) => p.has)?.at);
          if (counted) update.push(shown - returned);
          await page.evaluate("window.benchPaints = []");
        }
        await context.close();
      }
      figures[name] = {
        firstRenderMs: round1(median(first)),
        snapshotArrivedMs: round1(median(arrived)),
        drawMs: round1(median(drawing)),
        updateMs: round1(median(update)),
        runs,
      };
    }
    return { tasks: TASKS, agents: 8, chromium: browser.version(), ...figures };
  } finally {
    await browser.close();
    server.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

process.stdout.write(`${JSON.stringify(await main())}\n`);
