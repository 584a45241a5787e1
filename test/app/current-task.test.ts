// `done`, `next` and `error` without an id, as agent-task-list allowed: with --agent, the agent's one running task.
// Exit 3 naming the candidates when it runs none or several; without --agent the id stays required (exit 2).
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "../support/helpers.ts";

describe("the agent's current task without its id", () => {
  it("next, error and done act on the one running task; the words are the message", async () => {
    const store = tempDir();
    const run = (...argv: string[]) => cli({ store }, ...argv);
    const a = (await run("create", "-q", "report", "fetch", "write", "--start", "--agent", "anna")).stdout.trim();
    expect((await run("create", "-q", "queued", "--agent", "anna")).code).toBe(0); // queued: not a candidate
    const next = await run("next", "--agent", "anna", "25 items", "--json");
    expect(next.code).toBe(0);
    expect(next.json.data.task).toMatchObject({ id: a, steps: [{ status: "done", message: "25 items" }, { status: "running" }] });
    const failed = await run("fail", "--agent", "anna", "session", "expired", "--json");
    expect(failed.json.data.task).toMatchObject({ id: a, status: "failed", error: "session expired" });
    expect((await run("retry", a)).code).toBe(0);
    expect((await run("start", a)).code).toBe(0);
    const done = await run("complete", "--agent", "anna", "--json");
    expect(done.json.data.task).toMatchObject({ id: a, status: "done" });
    expect(done.json.data.task.result).toBeUndefined();
  });

  it("an exact id still names the task, also with --agent; a prefix there is message text", async () => {
    const store = tempDir();
    const run = (...argv: string[]) => cli({ store }, ...argv);
    const mine = (await run("create", "-q", "mine", "--start", "--agent", "anna")).stdout.trim();
    const other = (await run("create", "-q", "other", "--start", "--agent", "bob")).stdout.trim();
    const byId = await run("done", "--agent", "anna", other, "--json");
    expect(byId.json.data.task).toMatchObject({ id: other, status: "done" });
    const prefix = await run("done", "--agent", "anna", mine.slice(0, 3), "--json");
    expect(prefix.json.data.task).toMatchObject({ id: mine, status: "done", result: mine.slice(0, 3) });
  });

  it("none or several running: exit 3 naming them, nothing changed; no --agent: the id is required (exit 2)", async () => {
    const store = tempDir();
    const run = (...argv: string[]) => cli({ store }, ...argv);
    const none = await run("done", "--agent", "anna");
    expect(none.code).toBe(3);
    expect(none.stderr).toContain("agent anna has no running task");
    const one = (await run("create", "-q", "one", "--start", "--agent", "anna")).stdout.trim();
    const two = (await run("create", "-q", "two", "--start", "--agent", "anna")).stdout.trim();
    const several = await run("next", "--agent", "anna", "step");
    expect(several.code).toBe(3);
    expect(several.stderr).toContain(`agent anna runs 2 tasks: ${one} (one), ${two} (two)`);
    const q = await run("query", "--agent", "anna", "--status", "running", "--json");
    expect(q.json.data.tasks).toHaveLength(2);
    const bare = await run("done");
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("done needs the task id");
    // error without a message stays a usage error, with or without the id
    expect((await run("error", one)).code).toBe(2);
  });
});
