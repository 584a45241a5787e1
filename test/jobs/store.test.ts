// Store side of cron jobs, on real temp directories: the jobs collection in state.json (and older files without
// it), bounded run files (compaction, torn lines), retention for cleanup, and a run's live output (jobs --follow).
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunRecord } from "../../src/core/job-model.ts";
import { newJob } from "../../src/core/jobs.ts";
import { cleanupJobRuns } from "../../src/jobs/retention.ts";
import {
  appendRunRecords,
  compactRunFile,
  createLiveOutput,
  LIVE_BYTES,
  liveOutputOf,
  openLiveOutput,
  readRunRecords,
} from "../../src/store/job-runs.ts";
import { JsonStore } from "../../src/store/json-store.ts";
import { cli, tempDir } from "../support/helpers.ts";
import { readState } from "../support/store-fixture.ts";

const owner = { agent: "test", command: "test" };
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 4, 1);

function records(run: string, at: number, tailBytes = 100): RunRecord[] {
  const iso = new Date(at).toISOString();
  const tail = { tail: "y".repeat(tailBytes), bytes: tailBytes, truncated: false };
  return [
    { v: 1, kind: "started", run, at: iso, pid: 1, host: "h", argv: ["true"] },
    {
      v: 1,
      kind: "finished",
      run,
      at: iso,
      startedAt: iso,
      durationMs: 1,
      outcome: "success",
      exitCode: 0,
      signal: null,
      stdout: tail,
      stderr: tail,
    },
  ];
}

describe("jobs in the state file", () => {
  it("a state file written before jobs existed still loads, and gains them on the next run", async () => {
    const store = tempDir();
    writeFileSync(join(store, "state.json"), JSON.stringify({ schemaVersion: 1, seq: 0, txn: null, tasks: {}, agents: {} }));
    expect((await cli({ store }, "--json", "jobs")).json.data.jobs).toEqual([]);
    expect((await cli({ store }, "run", "--job", "first", "--", "true")).code).toBe(0);
    const state = readState(store);
    expect(Object.keys(state.jobs)).toEqual(["first"]);
    // the change is journalled like any other (op kind "job")
    const journal = readFileSync(join(store, "journal.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(journal.flatMap((r) => (r.ops ?? []).map((o: { k: string }) => o.k))).toContain("job");
  });
});

describe("run files", () => {
  it("are compacted to the newest 200 runs through the store, newest tails kept in full", async () => {
    const dir = tempDir();
    // 240 runs already on file (one append), then 10 more through the store: the 250th triggers compaction
    appendRunRecords(dir, "busy", Array.from({ length: 240 }, (_, i) => records(`r${i}`, T0 + i * 1000, 5000)).flat(), false);
    const store = new JsonStore(dir, { lockWaitMs: 15_000, owner });
    let job = newJob("busy", new Date(T0));
    for (let i = 240; i < 250; i++) {
      job = { ...job, totals: { ...job.totals, runs: i + 1 } };
      const j = job;
      await store.transaction((tx) => {
        tx.putJob(j);
        for (const r of records(`r${i}`, T0 + i * 1000, 5000)) tx.appendRun("busy", r);
      });
      if (i === 248) expect(new Set(readRunRecords(dir, "busy").map((r) => r.run)).size).toBe(249);
    }
    const runs = [...new Set(readRunRecords(dir, "busy").map((r) => r.run))];
    expect(runs.length).toBe(200);
    expect(runs[0]).toBe("r50");
    expect(runs.at(-1)).toBe("r249");
    const finished = readRunRecords(dir, "busy").filter((r) => r.kind === "finished");
    const newest = finished.at(-1) as Extract<RunRecord, { kind: "finished" }>;
    const oldest = finished[0] as Extract<RunRecord, { kind: "finished" }>;
    expect(newest.stdout.tail.length).toBe(5000);
    expect(oldest.stdout).toMatchObject({ bytes: 5000, truncated: true });
    expect(oldest.stdout.tail.length).toBe(4096);
  });

  it("skip a torn last line", () => {
    const dir = tempDir();
    appendRunRecords(dir, "j", records("r1", T0), false);
    appendFileSync(join(dir, "jobs", "j.jsonl"), '{"v":1,"kind":"fini');
    expect(readRunRecords(dir, "j").map((r) => r.kind)).toEqual(["started", "finished"]);
    expect(compactRunFile(dir, "j", 200)).toBe(0);
  });

  it("retention drops runs older than 30 days but keeps each job's newest run", async () => {
    const dir = tempDir();
    for (let i = 0; i < 5; i++) appendRunRecords(dir, "old", records(`o${i}`, T0 + i * 1000), false);
    appendRunRecords(dir, "mixed", records("m-old", T0), false);
    appendRunRecords(dir, "mixed", records("m-new", T0 + 40 * DAY), false);
    const store = new JsonStore(dir, { lockWaitMs: 15_000, owner });
    const result = await cleanupJobRuns(store, new Date(T0 + 45 * DAY));
    expect(result).toEqual({ jobs: 2, removedRuns: 5 });
    expect([...new Set(readRunRecords(dir, "old").map((r) => r.run))]).toEqual(["o4"]);
    expect([...new Set(readRunRecords(dir, "mixed").map((r) => r.run))]).toEqual(["m-new"]);
  });
});

describe("live output (jobs --follow)", () => {
  const live = (store: string) => readdirSync(join(store, "jobs")).filter((f) => f.endsWith(".live"));

  it("is written as it comes, read from a line's start, readable until the reader closes though deleted", () => {
    const store = tempDir();
    const writer = createLiveOutput(store, "a.b", "rmwt1", []);
    expect(live(store)).toEqual(["a.b.rmwt1.live"]);
    expect(liveOutputOf("a.b.rmwt1.live")).toEqual({ jobId: "a.b", runId: "rmwt1" });
    expect(liveOutputOf("a.b.jsonl")).toBeUndefined();
    expect(statSync(join(store, "jobs", "a.b.rmwt1.live")).mode & 0o777).toBe(0o600);
    expect(() => createLiveOutput(store, "a.b", "rmwt1", [])).toThrow(/EEXIST/);
    writer.write(Buffer.from("first line\nsecond line\nthi"));
    const reader = openLiveOutput(store, "a.b", "rmwt1");
    if (!reader) throw new Error("no reader");
    // the last 15 bytes start with "second line"; the last 14 inside it, so from the next line
    expect(reader.tail(15).toString()).toBe("second line\nthi");
    expect(reader.tail(14).toString()).toBe("thi");
    expect(reader.next().length).toBe(0);
    writer.write(Buffer.from("rd\n"));
    writer.close();
    expect(existsSync(join(store, "jobs", "a.b.rmwt1.live"))).toBe(false);
    expect(reader.next().toString()).toBe("rd\n");
    reader.close();
    expect(openLiveOutput(store, "a.b", "rmwt1")).toBeUndefined();
    // never a path outside jobs/
    expect(openLiveOutput(store, "a.b", "../../x")).toBeUndefined();
  });

  it("stops at LIVE_BYTES with a note; a new run deletes the files of runs no longer open", () => {
    const store = tempDir();
    const writer = createLiveOutput(store, "big", "rold1", []);
    writer.write(Buffer.alloc(LIVE_BYTES - 10, 0x61));
    writer.write(Buffer.alloc(20, 0x62));
    writer.write(Buffer.from("more\n"));
    const text = readFileSync(join(store, "jobs", "big.rold1.live"), "utf8");
    expect(text.length).toBeLessThan(LIVE_BYTES + 200);
    expect(text).toMatch(/a\n\[taskpulse: the live output stops at 8 MiB; the run's record keeps the end of it\]\n$/);
    // its wrapper "killed": the file stays until the job's next run, which keeps open runs' files only
    createLiveOutput(store, "big", "ropen", []);
    createLiveOutput(store, "other", "rx", []);
    createLiveOutput(store, "big", "rnew", ["ropen"]);
    expect(live(store).sort()).toEqual(["big.rnew.live", "big.ropen.live", "other.rx.live"]);
    unlinkSync(join(store, "jobs", "other.rx.live"));
  });
});
