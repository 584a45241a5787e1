// Delivery records and the troubleshooting views: `delivery`, `jobs`, `alerts`.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "../support/helpers.ts";

describe("delivery", () => {
  it("records sent and failed deliveries on the last run, with their own streak", async () => {
    const store = tempDir();
    const run = await cli({ store }, "--json", "run", "--job", "water", "--", "echo", "喝水提醒");
    const runId = run.json.data.run.id;

    const sent = await cli({ store }, "--json", "delivery", "water", "openclaw-weixin:abc", "sent");
    expect(sent.code).toBe(0);
    expect(sent.json.data.delivery).toMatchObject({ run: runId, messageId: "openclaw-weixin:abc", status: "sent", failures: 0, sent: 1 });

    const f1 = await cli({ store }, "delivery", "water", "-", "failed", "Channel", "is", "required");
    expect(f1.stdout).toBe("📭 water: delivery failed (1 in a row)\n");
    const f2 = await cli({ store }, "--json", "delivery", "water", "-", "failed");
    expect(f2.json.data.delivery).toMatchObject({ status: "failed", failures: 2, failed: 2, sent: 1 });
    // delivery failures are not run failures
    expect(f2.json.data.job.failures).toBe(0);

    const list = await cli({ store }, "jobs");
    expect(list.stdout).toContain("delivery failed ×2");
    const alerts = await cli({ store }, "alerts");
    expect(alerts.stdout).toMatch(/📭 \[water\] delivery failed 2 time\(s\) in a row/);

    const detail = await cli({ store }, "--json", "jobs", "water");
    const deliveries = detail.json.data.runs[0].deliveries;
    expect(deliveries.map((d: { status: string; messageId: string; error?: string }) => [d.status, d.messageId, d.error ?? null])).toEqual([
      ["sent", "openclaw-weixin:abc", null],
      ["failed", "-", "Channel is required"],
      ["failed", "-", null],
    ]);
    const text = await cli({ store }, "jobs", "water");
    expect(text.stdout).toContain("📨 delivered openclaw-weixin:abc");
    expect(text.stdout).toContain("📭 delivery failed - ·");

    await cli({ store }, "delivery", "water", "4712");
    expect((await cli({ store }, "alerts")).stdout).toBe("no alerts\n");
  });

  it("refuses unknown jobs (3), jobs without a finished run (3), bad status (2), bad names (2), unknown --run (3)", async () => {
    const store = tempDir();
    expect((await cli({ store }, "delivery", "ghost", "1")).code).toBe(3);
    await cli({ store }, "run", "--job", "real", "--", "true");
    expect((await cli({ store }, "delivery", "real", "1", "maybe")).code).toBe(2);
    expect((await cli({ store }, "delivery", "../real", "1")).code).toBe(2);
    expect((await cli({ store }, "delivery", "real", "1", "sent", "oops")).code).toBe(2);
    expect((await cli({ store }, "delivery", "real", "1", "--run", "rnope")).code).toBe(3);
  });
});

describe("alerts", () => {
  it("says there are none, in both languages", async () => {
    const store = tempDir();
    expect((await cli({ store }, "alerts")).stdout).toBe("no alerts\n");
    expect((await cli({ store, env: { TASKPULSE_LANG: "zh" } }, "alerts")).stdout).toBe("无告警\n");
    expect((await cli({ store }, "--json", "alerts")).json.data.alerts).toEqual([]);
  });

  it("lists open alerts with the failure count and last error, and suggests disabling at 10", async () => {
    const store = tempDir();
    for (let i = 0; i < 10; i++) await cli({ store }, "run", "--job", "flaky", "--", "sh", "-c", "echo 'rate limited' >&2; exit 1");
    await cli({ store }, "run", "--job", "fine", "--", "true");
    const zh = await cli({ store, env: { TASKPULSE_LANG: "zh" } }, "alerts");
    expect(zh.stdout).toContain("🚨 【flaky】连续失败 10 次");
    expect(zh.stdout).toContain("最后错误: rate limited");
    expect(zh.stdout).toContain("💡 连续失败已达 10 次以上，建议停用此任务");
    const json = (await cli({ store }, "--json", "alerts")).json.data.alerts;
    expect(json).toEqual([expect.objectContaining({ job: "flaky", failures: 10, lastError: "rate limited", suggestDisable: true })]);
    const jobs = await cli({ store }, "--json", "jobs");
    expect(jobs.json.data.jobs.map((j: { id: string; health: string }) => [j.id, j.health])).toEqual([
      ["fine", "ok"],
      ["flaky", "alert"],
    ]);
  });

  it("an empty store: `jobs` explains how to start, and nothing is created", async () => {
    const store = tempDir();
    const r = await cli({ store: `${store}/none` }, "jobs");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no jobs yet/);
    expect((await cli({ store: `${store}/none` }, "alerts")).code).toBe(0);
    expect(existsSync(`${store}/none`)).toBe(false);
  });
});
