// Step control (ClawLog's per-step status): `skip` passes over the current step with its own push, or, with --step,
// a step still to come; `next` then goes past it. Both are in the log. `error --step` fails the task at a named step.
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "../support/helpers.ts";

describe("skip", () => {
  it("skips the current step (push in both languages), a later one with --step, and the task ends done", async () => {
    const store = tempDir();
    const run = (...argv: string[]) => cli({ store }, "--json", ...argv);
    const id = (await run("create", "report", "fetch", "write", "publish", "--start")).json.data.task.id;
    const skipped = await run("skip", id, "no", "new", "items");
    expect(skipped.code).toBe(0);
    expect(skipped.json.push.tool.message).toBe("⏭ [0/3] fetch skipped (no new items)\n🔄 → write");
    const later = await run("skip", id, "--step", "publish", "dry run");
    expect(later.json.push).toBeNull(); // a change of plan, not news
    expect(later.json.data.task.steps.map((s: { status: string }) => s.status)).toEqual(["skipped", "running", "skipped"]);
    const last = await run("next", id, "written");
    expect(last.json.data.task.status).toBe("done");
    expect(last.json.push.tool.message).toMatch(/^✅ \[3\/3\] write done \(written\)\n🎉 \[report\] done!/);
    const log = (await run("log", id)).json.data.entries.map((e: { message?: string }) => e.message);
    expect(log).toContain("fetch (skipped): no new items");
    expect(log).toContain("publish (skipped): dry run");
    const zh = await cli({ store }, "--json", "--lang", "zh", "create", "日报", "抓取", "写稿", "--start");
    const zhSkip = await cli({ store }, "--json", "--lang", "zh", "skip", zh.json.data.task.id);
    expect(zhSkip.json.push.tool.message).toBe("⏭ [0/2] 抓取已跳过\n🔄 → 写稿");
  });

  it("a step that is not still to come is refused (exit 4, naming those that are); a finished task too", async () => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "t", "a", "b", "--start")).stdout.trim();
    const r = await cli({ store }, "skip", id, "--step", "nope");
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("has no step 'nope' still to come");
    expect(r.stderr).toContain("steps still to come: b");
    expect((await cli({ store }, "done", id)).code).toBe(0);
    expect((await cli({ store }, "skip", id)).code).toBe(4);
  });
});

describe("error --step", () => {
  it("fails the task at a step to come: the steps before it count as done, the push and status name it", async () => {
    const store = tempDir();
    const run = (...argv: string[]) => cli({ store }, "--json", ...argv);
    const id = (await run("create", "report", "fetch", "write", "publish", "verify", "--start")).json.data.task.id;
    const r = await run("error", id, "upload", "refused", "--step", "publish");
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.data.task.status).toBe("failed");
    expect(r.json.data.task.steps.map((s: { status: string }) => s.status)).toEqual(["done", "done", "failed", "pending"]);
    expect(r.json.data.task.steps[2].message).toBe("upload refused");
    expect(r.json.push.tool.message).toBe("❌ [report] failed\nError: upload refused\nCurrent step: publish [2/4]");
    const text = (await cli({ store }, "status", id)).stdout;
    expect(text).toContain("   ❌ publish — upload refused");
    expect((await run("log", id)).json.data.entries[0]).toMatchObject({ action: "fail", message: "upload refused" });
    // the current step named: as without --step
    const other = (await run("create", "t", "a", "b", "--start")).json.data.task.id;
    const same = await run("error", other, "boom", "--step", "a");
    expect(same.json.data.task.steps.map((s: { status: string }) => s.status)).toEqual(["failed", "pending"]);
  });

  it("a step that is not open is refused (exit 4, naming those that are), and nothing changes", async () => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "t", "a", "b", "c", "--start")).stdout.trim();
    expect((await cli({ store }, "next", id)).code).toBe(0);
    for (const step of ["a", "nope"]) {
      const r = await cli({ store }, "error", id, "boom", "--step", step);
      expect(r.code, step).toBe(4);
      expect(r.stderr).toContain(`has no step '${step}' still open`);
      expect(r.stderr).toContain("steps still open: b, c");
    }
    const task = (await cli({ store }, "status", id, "--json")).json.data.task;
    expect(task.status).toBe("running");
    expect(task.steps.map((s: { status: string }) => s.status)).toEqual(["done", "running", "pending"]);
  });
});
