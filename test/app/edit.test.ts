// `edit` (OpenTask's update): a queued task's name, priority, description, dependencies and agent change, each edit
// one audit entry; a running task, a dependency cycle or nothing to change is refused and changes nothing.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "../support/helpers.ts";
import { codes, doctor } from "../support/store-helpers.ts";

const at = (min: number) => new Date(Date.UTC(2026, 4, 1, 10, 0, 0) + min * 60_000).toISOString();

async function setUp() {
  const store = tempDir();
  const run = (min: number, ...argv: string[]) => cli({ store, now: at(min) }, ...argv);
  const id = async (min: number, ...argv: string[]) => {
    const r = await run(min, "create", "-q", ...argv);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.trim();
  };
  return { store, run, id };
}

describe("edit", () => {
  it("renames, re-prioritises, reassigns and re-links a queued task; the log says what changed", async () => {
    const { store, run, id } = await setUp();
    const first = await id(0, "first", "--agent", "anna");
    const mine = await id(1, "report", "--agent", "anna", "--after", first);
    const other = await id(2, "other", "--agent", "bob", "-p", "9");
    const r = await run(5, "edit", mine, "--name", "weekly report", "-p", "P0", "--assign", "bob", "--no-after", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.data.changed).toBe(true);
    expect(r.json.data.task).toMatchObject({ name: "weekly report", priority: 10, agent: "bob", after: [], queuedAt: at(1) });
    const log = (await run(6, "log", mine, "--json")).json.data.entries;
    expect(log[0]).toMatchObject({
      action: "edit",
      from: "pending",
      to: "pending",
      message: `name: report → weekly report; priority: 5 → P0; agent: anna → bob; after: ${first} → —`,
    });
    // bob's queue has it first now (P0 beats 9); anna's no longer does
    expect((await run(7, "start", "--agent", "bob", "-q")).stdout.trim()).toBe(mine);
    expect((await run(8, "limit", "5", "--agent", "bob")).code).toBe(0);
    expect((await run(9, "start", "--agent", "bob", "-q")).stdout.trim()).toBe(other);
    expect((await run(10, "start", "--agent", "anna", "-q")).stdout.trim()).toBe(first);
    expect(codes(await doctor(store))).toEqual([]);
  });

  it("--assign alone moves the task to the other agent's queue (its entry and queue head too)", async () => {
    const { store, run, id } = await setUp();
    const job = await id(0, "job one", "--agent", "anna");
    const stays = await id(1, "job two", "--agent", "anna");
    expect((await run(2, "edit", job, "--assign", "bob")).code).toBe(0);
    expect(codes(await doctor(store))).toEqual([]);
    expect((await run(3, "start", "--agent", "anna", "-q")).stdout.trim()).toBe(stays);
    expect((await run(4, "start", "--agent", "bob", "-q")).stdout.trim()).toBe(job);
    const anna = await run(5, "query", "--agent", "anna", "--json");
    expect(anna.json.data.tasks.map((t: { id: string }) => t.id)).toEqual([stays]);
    expect(codes(await doctor(store))).toEqual([]);
    // of --after and --no-after, the last one given counts
    const other = await id(6, "other", "--agent", "bob");
    const dep = await id(7, "dep", "--agent", "bob");
    const last = await run(8, "edit", other, "--no-after", "--after", dep, "--json");
    expect(last.json.data.task.after).toEqual([dep]);
  });

  it("new dependencies wait as create --after does; a cycle is refused (exit 2) and nothing is written", async () => {
    const { store, run, id } = await setUp();
    const a = await id(0, "a", "--agent", "q");
    const b = await id(1, "b", "--agent", "q", "--after", a);
    const c = await id(2, "c", "--agent", "q");
    expect((await run(3, "edit", c, "--after", b)).code).toBe(0);
    const before = readFileSync(join(store, "journal.jsonl"), "utf8");
    const cycle = await run(4, "edit", a, "--after", c);
    expect(cycle.code).toBe(2);
    expect(cycle.stderr).toContain("they would wait for each other");
    expect(readFileSync(join(store, "journal.jsonl"), "utf8")).toBe(before);
    expect((await run(5, "edit", a, "--after", a)).code).toBe(2);
    // c waits for b, which waits for a: the queue hands out a
    expect((await run(6, "start", "--agent", "q", "-q")).stdout.trim()).toBe(a);
  });

  it("refuses a running task (exit 4), nothing to change (exit 2); the same values again change nothing", async () => {
    const { run, id } = await setUp();
    const live = await id(0, "live", "--start");
    const r = await run(1, "edit", live, "--name", "x");
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("`edit` needs a pending task");
    const queued = await id(2, "queued", "--agent", "q", "-p", "P1");
    expect((await run(3, "edit", queued)).code).toBe(2);
    const same = await run(4, "edit", queued, "-p", "p1", "--json");
    expect(same.json.data.changed).toBe(false);
    expect((await run(5, "log", queued, "--json")).json.data.entries).toHaveLength(1);
    // 8 is P1's place on the scale, typed otherwise: shown otherwise from now on, so a change
    const relabelled = await run(6, "edit", queued, "-p", "8", "--json");
    expect(relabelled.json.data).toMatchObject({ changed: true, task: { priority: 8 } });
    expect(relabelled.json.data.task.priorityLabel).toBeUndefined();
  });
});
