// `--send`: an agent without the `message` tool keeps a live card in the chat with one command per step. taskpulse
// runs the push's `openclaw message send|edit --json` itself (the real openclaw, through a real gateway, to the fake
// Telegram of telegram-fake.ts), keeps the new card's id and edits it to the end; a lost card is sent anew; a push
// that cannot be delivered is reported, and the change stands.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnBin } from "../support/helpers.ts";
import { type Gateway, telegramGateway } from "./gateway.ts";
import { commandsDir } from "./openclaw.ts";
import type { FakeTelegram } from "./telegram-fake.ts";

let gw: Gateway;
let tg: FakeTelegram;
const CHAT = "4711";
const root = mkdtempSync(join(tmpdir(), "tp-oc-send-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(async () => {
  ({ gw, tg } = await telegramGateway());
});

/** taskpulse with --send's environment: `openclaw` (the real one, on Node 24) on PATH, the gateway's variables. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const bin = commandsDir(join(root, "bin"), { openclaw: true });
  return {
    ...gw.env,
    PATH: `${bin}:${process.env.PATH}`,
    TASKPULSE_STORE: join(root, "store"),
    TASKPULSE_SEND: "1",
    TASKPULSE_CHANNEL: "telegram",
    TASKPULSE_TARGET: CHAT,
    TASKPULSE_LANG: "en",
    ...extra,
  };
}

/** One call, run asynchronously (the fake Telegram answers from this process), at minute `m` of a fixed clock. */
async function tp(m: number, args: string[], extra: Record<string, string> = {}) {
  const now = new Date(Date.UTC(2026, 11, 6, 9, m)).toISOString();
  const r = await spawnBin(["--now", now, "--json", ...args], env(extra));
  const json = JSON.parse(r.stdout);
  return { ...r, json };
}

describe("--send, through a real gateway", () => {
  it("one command per step keeps one live card: sent at the start, edited in place, the end a message of its own", async () => {
    const before = tg.delivered.length;
    const create = await tp(0, ["create", "Daily report", "fetch", "write", "publish", "--start"]);
    expect(create.code, create.stderr).toBe(0);
    expect(create.json.push.delivery).toMatchObject({ status: "sent", action: "send", messageId: "100" });
    const id = create.json.data.task.id as string;
    expect((await tp(1, ["next", id, "25 items"])).json.push.delivery).toMatchObject({ status: "sent", action: "edit" });
    expect((await tp(2, ["heartbeat", id, "halfway", "--progress", "50"])).json.push.delivery.status).toBe("sent");
    expect((await tp(3, ["next", id])).json.push.delivery.status).toBe("sent");
    const last = await tp(4, ["next", id, "published"]);
    expect(last.json.push.delivery).toMatchObject({ status: "sent", action: "send" });
    const chat = tg.delivered.slice(before);
    expect(chat.map((d) => [d.method, d.messageId])).toEqual([
      ["sendMessage", 100],
      ["editMessageText", 100],
      ["editMessageText", 100],
      ["editMessageText", 100],
      ["sendMessage", 101],
    ]);
    expect(chat.every((d) => d.chatId === CHAT)).toBe(true);
    expect(chat[0]?.text).toBe("🚀 Started [Daily report]\n📋 fetch → write → publish\n🔄 Current: fetch");
    expect(chat[1]?.text).toBe(
      "🚀 [Daily report] [1/3] ▓▓▓░░░░░░░ 33%\n📋 fetch → write → publish\n🔄 Current: write — ✅ fetch done (25 items)",
    );
    expect(chat[2]?.text).toBe("🚀 [Daily report] [1/3] ▓▓▓▓▓░░░░░ 50%\n📋 fetch → write → publish\n🔄 Current: write — halfway");
    expect(chat[4]?.text).toMatch(/^✅ \[3\/3\] publish done \(published\)\n🎉 \[Daily report\] done!/);
    const status = await tp(5, ["status", id]);
    expect(status.json.data.task.push).toMatchObject({ messageId: "100", messageChannel: "telegram", lastDelivery: { status: "sent" } });
  });

  it("a card that is gone is sent anew and edited from then on", async () => {
    const create = await tp(10, ["create", "Deploy", "build", "ship", "--start"]);
    const id = create.json.data.task.id as string;
    // the card recorded is one Telegram no longer has
    expect((await tp(11, ["pushed", id, "999"], { TASKPULSE_SEND: "" })).code).toBe(0);
    const before = tg.delivered.length;
    const step = await tp(12, ["next", id]);
    expect(step.code).toBe(0);
    expect(step.json.push.delivery.status).toBe("sent");
    expect(step.json.push.delivery.action).toBe("send");
    expect(step.json.push.delivery.editFailed).toMatch(/not found|failed/i);
    const fresh = step.json.push.delivery.messageId as string;
    expect(tg.delivered.slice(before).map((d) => d.method)).toEqual(["sendMessage"]);
    const hb = await tp(13, ["heartbeat", id, "shipping", "--progress", "80"]);
    expect(hb.json.push.delivery).toMatchObject({ status: "sent", action: "edit" });
    expect(tg.delivered.at(-1)).toMatchObject({ method: "editMessageText", messageId: Number(fresh) });
  });

  it("a cron wrapper: `run --send` posts the alert at the third failure and records it as the run's delivery", async () => {
    const before = tg.delivered.length;
    for (let night = 1; night <= 3; night++) {
      const r = await tp(30 + night, ["run", "--job", "nightly-send", "--", "sh", "-c", "echo 'disk full' >&2; exit 3"]);
      expect(r.code).toBe(3); // the job's own status
      if (night < 3) expect(r.json.push).toBeNull();
      else expect(r.json.push.delivery).toMatchObject({ status: "sent", action: "send" });
    }
    expect(tg.delivered.slice(before).map((d) => [d.method, d.text])).toEqual([
      ["sendMessage", "🚨 [nightly-send] failed 3 times in a row\nLast error: disk full"],
    ]);
    const job = (await tp(34, ["jobs", "nightly-send"], { TASKPULSE_SEND: "" })).json.data.job;
    expect(job.delivery).toMatchObject({ sent: 1, failures: 0 });
  });

  it("a push that cannot be delivered is reported; the change stands and is not repeated", async () => {
    const before = tg.delivered.length;
    const create = await tp(20, ["create", "Offline", "a", "b", "--start"], { TASKPULSE_TARGET: "" });
    expect(create.code).toBe(0); // the task exists
    expect(create.json.push.argv).toBeNull();
    expect(create.json.push.delivery).toMatchObject({ status: "failed" });
    expect(create.stderr).toMatch(/warning: the push was not delivered: .*needs --target.*; the change itself is recorded/);
    const id = create.json.data.task.id as string;
    // the gateway down: openclaw fails, taskpulse says so, the step is recorded once
    const next = await tp(21, ["next", id], { OPENCLAW_GATEWAY_PORT: "1" });
    expect(next.code).toBe(0);
    expect(next.json.push.delivery.status).toBe("failed");
    expect(next.json.push.delivery.error).toMatch(/openclaw message send failed/);
    const task = (await tp(22, ["status", id], { TASKPULSE_SEND: "" })).json.data.task;
    expect(task.steps.map((s: { status: string }) => s.status)).toEqual(["done", "running"]);
    expect(task.push.lastDelivery).toMatchObject({ status: "failed" });
    expect(tg.delivered.length).toBe(before);
  });
});
