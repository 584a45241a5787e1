// `taskpulse run --announce` as the command of a real OpenClaw cron job, delivered to Telegram (the fake chat
// network of telegram-fake.ts): OpenClaw announces a command's stdout and stderr together and stays silent only on
// exactly NO_REPLY, so a quiet run must post nothing, an alert run exactly the alert, and a job's output the output.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnCollect } from "../support/helpers.ts";
import { type Gateway, telegramGateway } from "./gateway.ts";
import { commandsDir, OPENCLAW_ENTRY, OPENCLAW_NODE, openclaw } from "./openclaw.ts";
import type { FakeTelegram } from "./telegram-fake.ts";

let gw: Gateway;
let tg: FakeTelegram;
const CHAT = "123456789";

// Lives as long as the gateway (helpers.ts's tempDir is removed after each test).
const root = mkdtempSync(join(tmpdir(), "tp-oc-cron-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(async () => {
  // `taskpulse` on the gateway's PATH, as an install puts it, with its own store
  const bin = commandsDir(join(root, "bin"), { taskpulse: true });
  ({ gw, tg } = await telegramGateway({ PATH: `${bin}:${process.env.PATH}`, TASKPULSE_STORE: join(root, "store"), LANG: "C" }));
});

/** A cron job whose command is `taskpulse run --job <name> --announce -- sh -c <script>`, announced to CHAT. */
function addJob(name: string, script: string): string {
  const argv = ["taskpulse", "run", "--job", name, "--announce", "--", "sh", "-c", script];
  const r = openclaw(gw, [
    "cron",
    "add",
    "--name",
    name,
    "--every",
    "1h",
    "--command-argv",
    JSON.stringify(argv),
    "--announce",
    "--channel",
    "telegram",
    "--to",
    CHAT,
    "--json",
  ]);
  expect(r.code, r.stderr).toBe(0);
  return (r.json as { id: string }).id;
}

/**
 * Runs the job now and waits for it to finish (delivery included); returns what reached the chat meanwhile. Not
 * with the synchronous helper: the fake Telegram server answers from this process's event loop.
 */
async function runNow(id: string): Promise<string[]> {
  const before = tg.delivered.length;
  const r = await spawnCollect(OPENCLAW_NODE, [OPENCLAW_ENTRY, "cron", "run", id, "--wait"], { cwd: gw.home, env: gw.env });
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(r.stdout).not.toMatch(/"status": "error"/);
  return tg.delivered.slice(before).map((d) => d.text);
}

describe("run --announce in a real cron job", () => {
  it("a quiet run posts nothing, though the job wrote to stderr; a job's output is posted as it is", async () => {
    const quiet = addJob("quiet", "echo NO_REPLY; echo 'progress noise' >&2");
    expect(await runNow(quiet)).toEqual([]);
    const news = addJob("news", "echo 'Today: 25 items'; echo 'fetch log' >&2");
    expect(await runNow(news)).toEqual(["Today: 25 items"]);
  });

  it("a failing job posts exactly one alert, at the third failure in a row, and its recovery once", async () => {
    const id = addJob("nightly", "echo half a report; echo 'disk full' >&2; [ -e \"$HOME/fixed\" ] || exit 3");
    expect(await runNow(id)).toEqual([]);
    expect(await runNow(id)).toEqual([]);
    expect(await runNow(id)).toEqual(["🚨 [nightly] failed 3 times in a row\nLast error: disk full"]);
    expect(await runNow(id)).toEqual([]);
    writeFileSync(join(gw.home, "fixed"), "");
    expect(await runNow(id)).toEqual(["✅ [nightly] recovered (after 4 failures in a row)\n\nhalf a report"]);
    expect(tg.delivered.every((d) => d.chatId === CHAT && d.method === "sendMessage")).toBe(true);
  });
});
