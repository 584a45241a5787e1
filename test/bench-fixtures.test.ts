// The bench's fixture stores (scripts/bench-lib.mjs) are written directly, not through the CLI: they must be what
// taskpulse itself writes, or the figures measure something else. Archived records validate against the model's
// schemas, their audit trails are in order and end in the task's status, the index lines are exactly summarize(),
// and a store built from them is read back by the store like one that `cleanup` filled.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { summarize } from "../src/core/insight.ts";
import { auditEntrySchema, type Task, taskSchema } from "../src/core/model.ts";
import { JsonStore } from "../src/store/json-store.ts";
import { stateFileSchema } from "../src/store/state-schema.ts";
import { tempDir } from "./helpers.ts";

interface Lib {
  seededRandom(seed: number): () => number;
  archivedRecord(counter: number, finishedMs: number, random: () => number): { v: 1; task: Task; audit: unknown[] };
  summarize(task: Task): unknown;
  writeArchive(dir: string, o: { count: number; fromMs: number; toMs: number; firstCounter?: number; seed?: number }): number;
  writeStore(dir: string, tasks: unknown[], o?: { counter?: number }): string;
  runningTask(i: number, agent?: string): unknown;
  pendingTask(i: number, agent?: string): unknown;
}
const libPath = "../scripts/bench-lib.mjs";
const lib = (await import(libPath)) as Lib;

const LAST_ACTION = { done: "done", failed: "fail", cancelled: "cancel" } as const;

describe("bench fixtures", () => {
  it("archived records are valid tasks with ordered audit trails, and index lines are summarize()", () => {
    const random = lib.seededRandom(7);
    const seen = new Set<string>();
    const statuses = new Set<string>();
    for (let i = 1; i <= 3000; i++) {
      const record = lib.archivedRecord(i, Date.parse("2026-04-01T00:00:00Z") + i * 60_000, random);
      expect(record.v).toBe(1);
      const task = taskSchema.parse(record.task);
      expect(task).toEqual(record.task);
      const audit = record.audit.map((e) => auditEntrySchema.parse(e));
      expect(audit.every((e) => e.task === task.id)).toBe(true);
      expect(audit.map((e) => e.at)).toEqual(audit.map((e) => e.at).sort());
      expect(audit[0]?.action).toBe("create");
      expect(audit.at(-1)?.action).toBe(LAST_ACTION[task.status as keyof typeof LAST_ACTION]);
      expect(audit.at(-1)?.at).toBe((task as { finishedAt: string }).finishedAt);
      expect(JSON.stringify(lib.summarize(task))).toBe(JSON.stringify(summarize(task)));
      expect(seen.has(task.id)).toBe(false);
      seen.add(task.id);
      statuses.add(task.status);
    }
    expect([...statuses].sort()).toEqual(["cancelled", "done", "failed"]);
  });

  it("a store written by the bench reads back like one cleanup filled", async () => {
    const dir = tempDir();
    lib.writeStore(dir, [lib.runningTask(0, "a1"), lib.pendingTask(1)], { counter: 402 });
    stateFileSchema.parse(JSON.parse(readFileSync(join(dir, "state.json"), "utf8")));
    const months = lib.writeArchive(dir, {
      count: 400,
      fromMs: Date.parse("2026-02-20T00:00:00Z"),
      toMs: Date.parse("2026-04-10T00:00:00Z"),
      firstCounter: 3,
    });
    expect(months).toBe(3);
    expect(readdirSync(join(dir, "archive")).sort()).toEqual(
      ["2026-02", "2026-03", "2026-04"].flatMap((m) => [`${m}.index.jsonl`, `${m}.tasks.jsonl`]),
    );
    const store = new JsonStore(dir, { lockWaitMs: 1000, owner: { agent: "test", command: "test" } });
    const summaries = await store.archivedSummaries();
    expect(summaries).toHaveLength(400);
    const lines = readdirSync(join(dir, "archive"))
      .filter((f) => f.endsWith(".tasks.jsonl"))
      .flatMap((f) =>
        readFileSync(join(dir, "archive", f), "utf8")
          .split("\n")
          .filter(Boolean),
      )
      .map((line) => JSON.parse(line) as { task: Task; audit: unknown[] });
    const some = lines[123] as { task: Task; audit: unknown[] };
    expect(await store.archivedTask(some.task.id)).toEqual(some.task);
    expect(await store.auditTrail(some.task.id)).toEqual(some.audit);
    expect(summaries.find((s) => s.id === some.task.id)).toEqual(summarize(some.task));
  });
});
