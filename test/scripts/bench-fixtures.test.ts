// The bench's fixture stores (scripts/bench-store.ts) are built through the store's own code and the real cleanup:
// the figures are only worth something if those stores are what taskpulse itself reads and writes. Here: the made-up
// records are valid tasks with ordered audit trails, and a built store (with a journal rotation, so a checkpoint too)
// is read back correctly by the CLI: stats counts every archived task, log shows an archived task's trail, query
// and history find archived tasks, doctor finds nothing wrong. No timing here: that is the bench's job.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildStore, finishedTask } from "../../scripts/bench-store.ts";
import { seededRandom } from "../../scripts/seeded-random.ts";
import { summarize } from "../../src/core/insight.ts";
import { auditEntrySchema, taskSchema } from "../../src/core/model.ts";
import { cli, tempDir } from "../support/helpers.ts";
import { readState } from "../support/store-fixture.ts";

const LAST_ACTION = { done: "done", failed: "fail", cancelled: "cancel" } as const;
const NOW = Date.parse("2026-05-01T12:00:00Z");
const DAY = 86_400_000;

describe("bench fixtures", () => {
  it("finished tasks are valid, with audit trails in order that end in their status", () => {
    const random = seededRandom(7);
    const statuses = new Set<string>();
    const ids = new Set<string>();
    for (let i = 1; i <= 3000; i++) {
      const { task, audit } = finishedTask(i, Date.parse("2026-04-01T00:00:00Z") + i * 60_000, random);
      expect(taskSchema.parse(task)).toEqual(task);
      for (const e of audit) auditEntrySchema.parse(e);
      expect(audit.every((e) => e.task === task.id)).toBe(true);
      expect(audit.map((e) => e.at)).toEqual(audit.map((e) => e.at).sort());
      expect(audit[0]?.action).toBe("create");
      expect(audit.at(-1)?.action).toBe(LAST_ACTION[task.status as keyof typeof LAST_ACTION]);
      expect(audit.at(-1)?.at).toBe((task as { finishedAt: string }).finishedAt);
      ids.add(task.id);
      statuses.add(task.status);
    }
    expect(ids.size).toBe(3000);
    expect([...statuses].sort()).toEqual(["cancelled", "done", "failed"]);
  });

  it("a built store is read back by the real code: stats, log, query, history, doctor", async () => {
    const dir = tempDir();
    const built = await buildStore({
      dir,
      archived: 600,
      active: 10,
      nowMs: NOW,
      fromMs: NOW - 80 * DAY,
      toMs: NOW - 8 * DAY,
      batch: 150,
      rotateBytes: 256 * 1024,
    });
    expect(built.months).toBe(3);
    expect(built.running).toHaveLength(5);
    expect(built.pending).toHaveLength(5);
    // The files a store with that history has: a rotated journal, its checkpoint, the month archives.
    for (const file of ["state.json", "journal.jsonl", "journal.prev.jsonl", "checkpoint.json"])
      expect(existsSync(join(dir, file))).toBe(true);
    expect(readdirSync(join(dir, "archive")).sort()).toEqual(
      ["2026-02", "2026-03", "2026-04"].flatMap((m) => [`${m}.index.jsonl`, `${m}.tasks.jsonl`]),
    );
    // The hot state holds the active tasks only.
    const state = readState(dir);
    expect(Object.keys(state.tasks).sort()).toEqual([...built.running, ...built.pending].sort());
    expect(state.counter).toBe(610);

    const at = { store: dir, now: new Date(NOW).toISOString() };
    const stats = await cli(at, "stats", "--json");
    expect(stats.code).toBe(0);
    expect(stats.json.data.overall.archived).toBe(600);
    expect(stats.json.data.overall.counts.total).toBe(610);

    // An archived task: its record, its index line (summarize() of it) and its whole trail, as cleanup wrote them.
    const lines = (kind: string) =>
      readdirSync(join(dir, "archive"))
        .filter((f) => f.endsWith(`.${kind}.jsonl`))
        .flatMap((f) =>
          readFileSync(join(dir, "archive", f), "utf8")
            .split("\n")
            .filter(Boolean),
        );
    const records = lines("tasks").map((line) => JSON.parse(line));
    expect(records).toHaveLength(600);
    const some = records[345];
    expect(some.audit.length).toBeGreaterThanOrEqual(2);
    const index = lines("index");
    expect(index).toContain(JSON.stringify(summarize(some.task)));
    const log = await cli(at, "log", some.task.id, "--json");
    expect(log.code).toBe(0);
    expect(JSON.stringify(log.json.data)).toContain(some.task.id);
    expect(log.stdout).toContain(some.audit.at(-1).at);

    const query = await cli(at, "query", "--status", some.task.status, "--text", some.task.name, "--json");
    expect(query.code).toBe(0);
    expect(query.json.data.tasks.map((t: { id: string }) => t.id)).toContain(some.task.id);
    const history = await cli(at, "history", "--limit", "3", "--json");
    expect(history.json.data.total).toBe(600);

    const doctor = await cli(at, "doctor");
    expect(doctor.stdout).toContain("healthy");
    expect(doctor.code).toBe(0);

    // And the hot path works on it: a heartbeat of a running task commits.
    const beat = await cli(
      { ...at, now: new Date(NOW + 1000).toISOString() },
      "heartbeat",
      built.running[0] as string,
      "still going",
      "--progress",
      "60",
    );
    expect(beat.code).toBe(0);
  });
});
