// Step control (ClawLog's per-step status): `skip` passes over the current step with its own push, or, with --step,
// a step still to come; `next` then goes past it. Both are in the log.
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "./helpers.ts";

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
