// Core units for cron-job health: streaks, alert episodes, lost runs, delivery streaks, and the exact texts.
import { describe, expect, it } from "vitest";
import type { Failure, Job, OpenRun } from "../../src/core/job-model.ts";
import {
  announceText,
  buildJobPush,
  configureJob,
  finishRun,
  isLost,
  type JobNotification,
  LOST_AFTER_MS,
  lastLine,
  newJob,
  notificationText,
  openRun,
  reapLostRuns,
  recordDelivery,
} from "../../src/core/jobs.ts";
import { textTail, utf8Tail } from "../../src/core/utf8.ts";

const T0 = Date.UTC(2026, 4, 1, 10, 0, 0);
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

let seq = 0;
function run(job: Job, outcome: "success" | "failed", minute: number, failure?: Failure) {
  const id = `r${++seq}`;
  const open: OpenRun = { id, startedAt: at(minute).toISOString(), pid: 1, host: "h", command: "x" };
  const opened = openRun(job, open, at(minute));
  return finishRun(
    opened,
    {
      id,
      startedAt: open.startedAt,
      finishedAt: at(minute + 1).toISOString(),
      durationMs: 60_000,
      outcome,
      failure: outcome === "failed" ? (failure ?? { cause: "exit", exitCode: 1, line: "boom" }) : undefined,
    },
    at(minute + 1),
  );
}

/** Runs a sequence like "FFFSF" and collects the notifications. */
function play(pattern: string, config: Parameters<typeof configureJob>[1] = {}): { job: Job; notes: (JobNotification | undefined)[] } {
  let job = configureJob(newJob("daily-news", at(0)), config);
  const notes: (JobNotification | undefined)[] = [];
  [...pattern].forEach((c, i) => {
    const r = run(job, c === "S" ? "success" : "failed", i * 10);
    job = r.job;
    notes.push(r.notification);
  });
  return { job, notes };
}

describe("streaks and alert episodes", () => {
  it("counts streaks and totals; a success resets the failure streak and vice versa", () => {
    const { job } = play("SSFS");
    expect(job).toMatchObject({ failures: 0, successes: 1, totals: { runs: 4, succeeded: 3, failed: 1, lost: 0 } });
    const { job: failing } = play("SFF");
    expect(failing).toMatchObject({ failures: 2, successes: 0 });
    expect(failing.alert).toBeUndefined();
  });

  it("opens one alert at the third failure, stays quiet after, and recovers once", () => {
    const { job, notes } = play("FFFFFFS");
    expect(notes.map((n) => n?.kind ?? "-")).toEqual(["-", "-", "alert", "-", "-", "-", "recovery"]);
    expect(notes[2]).toMatchObject({ kind: "alert", failures: 3, reminder: false });
    expect(notes[6]).toMatchObject({ kind: "recovery", failures: 6 });
    expect(job.alert).toBeUndefined();
    expect(job.lastAlert).toMatchObject({ failures: 6 });
    expect(job.alertsOpened).toBe(1);
  });

  it("the open alert is updated by further failures without a new message", () => {
    const { job } = play("FFFFF");
    expect(job.alert).toMatchObject({ failures: 5, notifiedAt: 3 });
  });

  it("a new episode after recovery has a new id", () => {
    const { notes } = play("FFFSFFF");
    const first = notes[2];
    const second = notes[6];
    expect(first?.kind).toBe("alert");
    expect(second?.kind).toBe("alert");
    expect(first?.episode).not.toBe(second?.episode);
    expect(buildJobPush(first as JobNotification, "zh", undefined).id).not.toBe(
      buildJobPush(second as JobNotification, "zh", undefined).id,
    );
  });

  it("--alert-after and --remind-every change the thresholds", () => {
    expect(play("FF", { alertAfter: 2 }).notes.map((n) => n?.kind ?? "-")).toEqual(["-", "alert"]);
    const { notes } = play("FFFFFFFF", { remindEvery: 2 });
    expect(notes.map((n) => (n ? (n.kind === "alert" && n.reminder ? "R" : "A") : "-")).join("")).toBe("--A-R-R-");
  });

  it("a success without an open alert says nothing", () => {
    expect(play("FFS").notes).toEqual([undefined, undefined, undefined]);
  });
});

describe("lost runs", () => {
  const open = (startMin: number, extra: Partial<OpenRun> = {}): OpenRun => ({
    id: `lost${startMin}`,
    startedAt: at(startMin).toISOString(),
    pid: 999_999,
    host: "h",
    command: "x",
    ...extra,
  });

  it("a dead wrapper's run is a failure; a live one is left alone", () => {
    let job = newJob("j", at(0));
    job = openRun(job, open(0), at(0));
    job = openRun(job, open(1), at(1));
    const reaped = reapLostRuns(job, (r) => (r.id === "lost0" ? "dead" : "alive"), at(2));
    expect(reaped.lost.map((r) => r.id)).toEqual(["lost0"]);
    expect(reaped.job.open.map((r) => r.id)).toEqual(["lost1"]);
    expect(reaped.job).toMatchObject({ failures: 1, totals: { runs: 1, failed: 1, lost: 1 } });
    expect(reaped.job.lastRun?.failure).toEqual({ cause: "lost" });
  });

  it("an unverifiable wrapper is given up after its timeout plus grace, or 24 h without one", () => {
    expect(isLost(open(0, { timeoutMs: 60_000 }), "unknown", at(5))).toBe(false);
    expect(isLost(open(0, { timeoutMs: 60_000 }), "unknown", at(12))).toBe(true);
    expect(isLost(open(0), "unknown", new Date(T0 + LOST_AFTER_MS - 1000))).toBe(false);
    expect(isLost(open(0), "unknown", new Date(T0 + LOST_AFTER_MS + 1000))).toBe(true);
    expect(isLost(open(0), "alive", new Date(T0 + 10 * LOST_AFTER_MS))).toBe(false);
  });

  it("lost runs count toward the alert", () => {
    let job = play("FF").job;
    job = openRun(job, open(100), at(100));
    const reaped = reapLostRuns(job, () => "dead", at(101));
    expect(reaped.notification).toMatchObject({ kind: "alert", failures: 3, failure: { cause: "lost" } });
  });

  it("a result for a run already counted as lost is not counted again", () => {
    let job = openRun(newJob("j", at(0)), open(0), at(0));
    job = reapLostRuns(job, () => "dead", at(1)).job;
    const late = finishRun(
      job,
      { id: "lost0", startedAt: at(0).toISOString(), finishedAt: at(2).toISOString(), outcome: "success" },
      at(2),
    );
    expect(late.late).toBe(true);
    expect(late.job.totals).toEqual(job.totals);
  });
});

describe("texts (exact)", () => {
  const alert = (failures: number, failure: Failure): JobNotification => ({
    kind: "alert",
    job: "daily-news",
    episode: "r1",
    failures,
    failure,
    reminder: false,
  });

  it("alert and recovery in Chinese", () => {
    expect(notificationText(alert(3, { cause: "exit", exitCode: 1, line: "Channel is required" }), "zh")).toBe(
      "🚨 【daily-news】连续失败 3 次\n最后错误: Channel is required",
    );
    expect(notificationText({ kind: "recovery", job: "daily-news", episode: "r1", failures: 4 }, "zh")).toBe(
      "✅ 【daily-news】已恢复（此前连续失败 4 次）",
    );
  });

  it("alert and recovery in English", () => {
    expect(notificationText(alert(3, { cause: "exit", exitCode: 2 }), "en")).toBe(
      "🚨 [daily-news] failed 3 times in a row\nLast error: exit code 2",
    );
    expect(notificationText({ kind: "recovery", job: "daily-news", episode: "r1", failures: 4 }, "en")).toBe(
      "✅ [daily-news] recovered (after 4 failures in a row)",
    );
  });

  it("suggests disabling from 10 failures in a row", () => {
    expect(notificationText(alert(10, { cause: "timeout", timeoutMs: 600_000 }), "zh")).toBe(
      "🚨 【daily-news】连续失败 10 次\n最后错误: 超时（10m0s），已终止\n💡 连续失败已达 10 次以上，建议停用此任务",
    );
    expect(notificationText(alert(12, { cause: "signal", signal: "SIGKILL" }), "en")).toBe(
      "🚨 [daily-news] failed 12 times in a row\nLast error: killed by SIGKILL\n💡 10+ failures in a row: consider disabling this job",
    );
    expect(notificationText(alert(9, { cause: "lost" }), "en").split("\n")).toHaveLength(2);
    expect(notificationText(alert(3, { cause: "timeout", timeoutMs: 500 }), "en")).toBe(
      "🚨 [daily-news] failed 3 times in a row\nLast error: timed out after 500ms and was killed",
    );
  });

  it("the last error line is the last non-empty line, flattened and bounded", () => {
    expect(lastLine("first\nTraceback…\n  ValueError: bad\n\n")).toBe("ValueError: bad");
    expect(lastLine("\u001b[31mred error\u001b[0m\n")).toBe("red error");
    expect(lastLine("   \n")).toBeUndefined();
    const long = lastLine("错".repeat(400)) as string;
    expect(Array.from(long)).toHaveLength(300);
    expect(long.endsWith("…")).toBe(true);
  });
});

describe("push payload", () => {
  const n: JobNotification = { kind: "recovery", job: "backup", episode: "r9", failures: 3 };

  it("routes when a target is configured, with the same message in argv", () => {
    const push = buildJobPush(n, "en", { channel: "telegram", target: "123", account: "bot2", thread: "7" });
    expect(push.tool).toEqual({
      action: "send",
      channel: "telegram",
      target: "123",
      accountId: "bot2",
      threadId: "7",
      message: "✅ [backup] recovered (after 3 failures in a row)",
    });
    expect(push.argv).toEqual([
      "openclaw",
      "message",
      "send",
      "--channel",
      "telegram",
      "--target",
      "123",
      "--account",
      "bot2",
      "--thread-id",
      "7",
      "--message",
      "✅ [backup] recovered (after 3 failures in a row)",
      "--json",
    ]);
    expect(push).toMatchObject({ due: true, reason: "job-recovery", id: "job:backup:recovery:r9" });
    expect(push.hint).toBeUndefined();
  });

  it("leaves routing out and hints when no target is configured", () => {
    const push = buildJobPush(n, "zh", undefined);
    expect(push.tool).toEqual({ action: "send", message: "✅ 【backup】已恢复（此前连续失败 3 次）" });
    // openclaw message requires --target: no command line rather than one openclaw refuses.
    expect(push.argv).toBeNull();
    expect(push.hint).toMatch(/--target/);
    expect(push.hint).toMatch(/push\.argv is null/);
  });
});

describe("announce", () => {
  const alert: JobNotification = {
    kind: "alert",
    job: "j",
    episode: "r1",
    failures: 3,
    failure: { cause: "exit", line: "down" },
    reminder: false,
  };
  const recovery: JobNotification = { kind: "recovery", job: "j", episode: "r1", failures: 3 };

  it("prints the alert, the recovery (with the job's output), the output, or NO_REPLY", () => {
    expect(announceText({ notification: alert, outcome: "failed", stdout: "partial\n", lang: "zh" })).toBe(
      "🚨 【j】连续失败 3 次\n最后错误: down",
    );
    expect(announceText({ notification: recovery, outcome: "success", stdout: "", lang: "zh" })).toBe(
      "✅ 【j】已恢复（此前连续失败 3 次）",
    );
    expect(announceText({ notification: recovery, outcome: "success", stdout: "news\n", lang: "en" })).toBe(
      "✅ [j] recovered (after 3 failures in a row)\n\nnews",
    );
    expect(announceText({ notification: undefined, outcome: "success", stdout: "news\nline 2\n", lang: "en" })).toBe("news\nline 2");
    expect(announceText({ notification: undefined, outcome: "success", stdout: "  \n", lang: "en" })).toBe("NO_REPLY");
    expect(announceText({ notification: undefined, outcome: "success", stdout: "NO_REPLY\n", lang: "en" })).toBe("NO_REPLY");
    expect(announceText({ notification: undefined, outcome: "failed", stdout: "half a report", lang: "en" })).toBe("NO_REPLY");
  });
});

describe("delivery records", () => {
  it("failed deliveries have their own streak; a sent one resets it", () => {
    let job = play("S").job;
    job = recordDelivery(job, { run: "r1", messageId: "-", status: "failed", error: "chat not found" }, at(1));
    job = recordDelivery(job, { run: "r1", messageId: "-", status: "failed" }, at(2));
    expect(job.delivery).toMatchObject({ status: "failed", failures: 2, failed: 2, sent: 0 });
    expect(job.failures).toBe(0);
    job = recordDelivery(job, { run: "r1", messageId: "4711", status: "sent" }, at(3));
    expect(job.delivery).toMatchObject({ status: "sent", messageId: "4711", failures: 0, failed: 2, sent: 1 });
  });
});

describe("utf-8 tails", () => {
  it("never cut a character in half", () => {
    const bytes = new TextEncoder().encode("a错b");
    // "a错b" is 1 + 3 + 1 bytes: the last 3 start inside "错", the last 4 right at it
    expect(new TextDecoder().decode(utf8Tail(bytes, 3))).toBe("b");
    expect(new TextDecoder().decode(utf8Tail(bytes, 4))).toBe("错b");
    expect(textTail("ab错", 3)).toBe("错");
    expect(textTail("😀😀", 5)).toBe("😀");
  });
});
