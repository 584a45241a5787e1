// `run --announce`: stdout is exactly what OpenClaw should announce for a command payload — the alert when one is
// due, the recovery (plus the job's output), the job's own output, or NO_REPLY — and the exit status is 0 once
// the run is recorded (unless --exit-code).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, spawnCli, tempDir } from "../support/helpers.ts";

const FAIL = ["sh", "-c", "echo 'half a report'; echo 'Channel is required when multiple channels are configured' >&2; exit 1"];
const NEWS = ["sh", "-c", "echo '今日新闻: 25 条'"];
const SILENT = ["sh", "-c", "echo NO_REPLY"];

describe("run --announce", () => {
  it("walks one episode in Chinese: output, NO_REPLY, alert once, quiet, recovery with the output", async () => {
    const store = tempDir();
    const announce = async (argv: string[]) => {
      const r = await cli({ store, env: { TASKPULSE_LANG: "zh" } }, "run", "--job", "daily-news", "--announce", "--", ...argv);
      expect(r.code).toBe(0);
      return r;
    };
    expect((await announce(NEWS)).stdout).toBe("今日新闻: 25 条\n");
    expect((await announce(SILENT)).stdout).toBe("NO_REPLY\n");
    const first = await announce(FAIL);
    expect(first.stdout).toBe("NO_REPLY\n");
    // OpenClaw announces stdout and stderr together: stderr stays empty, and the job's own output is kept in the
    // run record
    expect(first.stderr).toBe("");
    expect((await cli({ store }, "jobs", "daily-news")).stdout).toContain("half a report");
    expect((await announce(FAIL)).stdout).toBe("NO_REPLY\n");
    expect((await announce(FAIL)).stdout).toBe(
      "🚨 【daily-news】连续失败 3 次\n最后错误: Channel is required when multiple channels are configured\n",
    );
    expect((await announce(FAIL)).stdout).toBe("NO_REPLY\n");
    expect((await announce(NEWS)).stdout).toBe("✅ 【daily-news】已恢复（此前连续失败 4 次）\n\n今日新闻: 25 条\n");
    expect((await announce(NEWS)).stdout).toBe("今日新闻: 25 条\n");
  });

  it("recovery without output, in English; --exit-code keeps the job's status", async () => {
    const store = tempDir();
    for (let i = 0; i < 3; i++) {
      const r = await cli({ store }, "run", "--job", "probe", "--announce", "--exit-code", "--", "sh", "-c", "exit 7");
      expect(r.code).toBe(7);
      if (i === 2) expect(r.stdout).toBe("🚨 [probe] failed 3 times in a row\nLast error: exit code 7\n");
    }
    const ok = await cli({ store }, "run", "--job", "probe", "--announce", "--", "true");
    expect(ok.stdout).toBe("✅ [probe] recovered (after 3 failures in a row)\n");
  });

  it("--json carries the same text as data.announce, and the push with routing from the environment", async () => {
    const store = tempDir();
    const env = { TASKPULSE_CHANNEL: "telegram", TASKPULSE_TARGET: "-100123", TASKPULSE_ACCOUNT: "bot" };
    for (let i = 0; i < 2; i++) await cli({ store, env }, "run", "--job", "j", "--alert-after", "2", "--", "false");
    const r = await cli({ store, env }, "--json", "run", "--job", "j", "--announce", "--", "true");
    expect(r.json.data.announce).toBe("✅ [j] recovered (after 2 failures in a row)");
    expect(r.json.push).toMatchObject({
      due: true,
      reason: "job-recovery",
      tool: {
        action: "send",
        channel: "telegram",
        target: "-100123",
        accountId: "bot",
        message: "✅ [j] recovered (after 2 failures in a row)",
      },
      argv: [
        "openclaw",
        "message",
        "send",
        "--channel",
        "telegram",
        "--target=-100123",
        "--account",
        "bot",
        "--message",
        "✅ [j] recovered (after 2 failures in a row)",
        "--json",
      ],
    });
    expect(r.json.push.hint).toBeUndefined();
  });

  it("the spawned binary prints only the announcement on stdout and nothing on stderr; --passthrough copies the rest", async () => {
    const store = tempDir();
    const job = ["sh", "-c", "echo NO_REPLY; echo noise >&2"];
    const r = await spawnCli(store, ["run", "--job", "bin", "--announce", "--", ...job]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("NO_REPLY\n");
    expect(r.stderr).toBe("");
    const loud = await spawnCli(store, ["run", "--job", "bin", "--announce", "--passthrough", "--", ...job]);
    expect(loud.code).toBe(0);
    expect(loud.stdout).toBe("NO_REPLY\n");
    expect(loud.stderr).toContain("noise");
    expect(loud.stderr).toContain("bin");
  });

  it("a run that cannot be recorded is not run: stdout says so, stderr stays empty, the store's exit code", async () => {
    const store = tempDir();
    await cli({ store }, "run", "--job", "rec", "--", "true");
    writeFileSync(join(store, "state.json"), "{");
    const r = await spawnCli(store, ["run", "--job", "rec", "--announce", "--", "sh", "-c", "echo NO_REPLY; echo noise >&2"]);
    expect(r.code).toBe(6);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^taskpulse: could not record the start of run r\w+: .*state\.json.*; the job was not run\n$/);
    expect(r.stdout).not.toContain("NO_REPLY");
  });
});

describe("run without --announce: the push", () => {
  it("is printed after the job's output when the alert opens, with a hint when no target is set", async () => {
    const store = tempDir();
    for (let i = 0; i < 2; i++)
      expect((await cli({ store }, "run", "--job", "plain", "--", "sh", "-c", "echo out; exit 2")).stdout).toBe("out\n");
    const third = await cli({ store }, "run", "--job", "plain", "--", "sh", "-c", "echo out; exit 2");
    expect(third.code).toBe(2);
    expect(third.stdout).toBe(
      "out\n--- push ---\n🚨 [plain] failed 3 times in a row\nLast error: out\n--- end push ---\nhint: a cron run has no conversation to reply to: pass --channel and --target (or set TASKPULSE_CHANNEL and TASKPULSE_TARGET), or use --announce so OpenClaw's cron delivery sends it; push.argv is null: `openclaw message` needs --target\n",
    );
  });

  it("routing given by flags is kept for the job", async () => {
    const store = tempDir();
    await cli({ store }, "run", "--job", "routed", "--alert-after", "1", "--channel", "discord", "--target", "channel:42", "--", "true");
    const r = await cli({ store }, "--json", "run", "--job", "routed", "--", "false");
    expect(r.json.push.tool).toMatchObject({ channel: "discord", target: "channel:42" });
    expect(r.json.data.job).toMatchObject({ alertAfter: 1, route: { channel: "discord", target: "channel:42" } });
  });
});
