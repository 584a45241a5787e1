import { spawn } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { examine } from "../../src/store/doctor.ts";
import type { StateFile } from "../../src/store/state-file.ts";
import { cli, spawnCli, tempDir } from "../support/helpers.ts";
import { readState } from "../support/store-fixture.ts";
import { codes, doctor, repair, rotate } from "../support/store-helpers.ts";

const read = (store: string, file = "state.json") => readFileSync(join(store, file), "utf8");
/** The whole state (a head's parts read in); doctor's repair writes it back whole, tasks inline. */
const stateOf = (store: string): StateFile => readState(store) as unknown as StateFile;
/** A store with history: a live task with steps, a queued task, a finished one, an agent limit. */
async function busyStore(store = tempDir()) {
  const live = (await cli({ store }, "create", "-q", "日报", "抓取", "写稿", "发布", "--start")).stdout.trim();
  await cli({ store }, "next", live, "抓了25条");
  const queued = (await cli({ store }, "create", "-q", "--agent", "anna", "--name", "queued", "-p", "8")).stdout.trim();
  const short = (await cli({ store }, "create", "-q", "short", "--start")).stdout.trim();
  await cli({ store }, "done", short, "ok");
  await cli({ store }, "limit", "2", "--agent", "anna");
  await cli({ store }, "heartbeat", live, "half", "--progress", "50");
  return { store, live, queued, short };
}

/** Appends a record as a writer killed between its journal append and its rename would leave it. */
function appendUncommitted(store: string, taskId: string, message: string, txn = `ghost${message}`): void {
  const state = stateOf(store);
  const task = state.tasks[taskId];
  const record = {
    v: 1,
    seq: state.seq + 1,
    txn,
    prev: state.txn,
    at: "2026-05-01T10:00:00.000Z",
    counter: state.counter,
    ops: [{ k: "task", id: taskId, v: { ...task, lastMessage: message } }],
    audit: [],
  };
  appendFileSync(join(store, "journal.jsonl"), `${JSON.stringify(record)}\n`);
}

describe("doctor on a healthy store", () => {
  it("reports no findings and exits 0", async () => {
    const { store } = await busyStore();
    const r = await doctor(store);
    expect(r.code).toBe(0);
    expect(r.json.data).toMatchObject({ healthy: true, findings: [] });
    const text = await cli({ store }, "doctor");
    expect(text.stdout).toMatch(/no findings\n\nhealthy\n$/);
  });

  it("a store that does not exist is not an error, and doctor (even --repair) creates nothing", async () => {
    const parent = tempDir();
    const store = join(parent, "nothing-here");
    const r = await doctor(store);
    expect(r.code).toBe(0);
    expect(codes(r)).toEqual(["no-store"]);
    expect((await doctor(store, "--repair")).code).toBe(0);
    expect(existsSync(store)).toBe(false);
  });

  it("--repair on a healthy store does nothing", async () => {
    const { store } = await busyStore();
    const before = read(store);
    const r = await repair(store);
    expect(r.code).toBe(0);
    expect(r.json.data.repaired).toEqual([]);
    expect(read(store)).toBe(before);
  });

  it("-q prints healthy or unhealthy", async () => {
    const { store } = await busyStore();
    expect((await cli({ store }, "doctor", "-q")).stdout).toBe("healthy\n");
    writeFileSync(join(store, "state.json"), "{");
    expect(await cli({ store }, "doctor", "-q")).toMatchObject({ code: 6, stdout: "unhealthy\n" });
  });
});

describe("doctor --repair rebuilds the state file", () => {
  it("from the journal when state.json is corrupt: every acknowledged change is back, the damaged file kept byte for byte", async () => {
    const { store, live, queued } = await busyStore();
    const good = stateOf(store);
    writeFileSync(join(store, "state.json"), '{"schemaVersion":1,"seq":6,"tx');
    expect((await cli({ store }, "status")).code).toBe(6);
    const check = await doctor(store);
    expect(check.code).toBe(6);
    expect(codes(check)).toEqual(["state-corrupt"]);
    expect(check.json.data.findings[0]).toMatchObject({ severity: "error", file: "state.json" });

    const r = await repair(store);
    expect(r.code).toBe(0);
    expect(r.json.data.healthy).toBe(true);
    expect(r.json.data.repaired[0]).toMatch(/^state file replaced: kept state.json aside as state\.json\.damaged-\d{8}T\d{6}Z$/);
    expect(r.json.data.repaired[1]).toMatch(
      /^rebuilt state\.json from the empty state \+ 7 journal record\(s\) \(up to seq 7\): 3 hot task\(s\)$/,
    );
    const damaged = readdirSync(store).filter((f) => f.startsWith("state.json.damaged-"));
    expect(damaged).toHaveLength(1);
    expect(read(store, damaged[0])).toBe('{"schemaVersion":1,"seq":6,"tx');
    expect(stateOf(store)).toEqual(good);

    const again = await doctor(store, "--repair");
    expect(again.json.data.repaired).toEqual([]);
    expect(codes(again)).toEqual(["damaged-copy"]);
    expect(again.code).toBe(0);
    expect((await cli({ store }, "status", live, "--json")).json.data.task).toMatchObject({ progress: 50, lastMessage: "half" });
    expect((await cli({ store }, "status", queued, "--json")).json.data.task).toMatchObject({ status: "pending", priority: 8 });
    expect((await cli({ store }, "log", live, "--json")).json.data.entries).toHaveLength(2);
  });

  it("when state.json is missing", async () => {
    const { store } = await busyStore();
    const good = stateOf(store);
    unlinkSync(join(store, "state.json"));
    const check = await doctor(store);
    expect(codes(check)).toEqual(["state-missing"]);
    expect((await repair(store)).code).toBe(0);
    expect(stateOf(store)).toEqual(good);
    expect(readdirSync(store).filter((f) => f.includes("damaged"))).toEqual([]);
  });

  it("when state.json is a directory", async () => {
    const { store } = await busyStore();
    const good = stateOf(store);
    unlinkSync(join(store, "state.json"));
    mkdirSync(join(store, "state.json"), { mode: 0o700 });
    expect(codes(await doctor(store))).toEqual(["state-corrupt"]);
    expect((await repair(store)).code).toBe(0);
    expect(stateOf(store)).toEqual(good);
  });

  it("after a rotation: from checkpoint.json plus the records after it", async () => {
    const { store, live } = await busyStore();
    await rotate(store);
    await cli({ store }, "next", live, "写好了");
    await cli({ store }, "create", "after rotation");
    const good = stateOf(store);
    writeFileSync(join(store, "state.json"), "garbage");
    const r = await repair(store);
    expect(r.code).toBe(0);
    expect(r.json.data.repaired[1]).toMatch(/from checkpoint\.json \+ 2 journal record\(s\)/);
    expect(stateOf(store)).toEqual(good);
  });

  it("right after a rotation (no journal.jsonl yet): the checkpoint is the state", async () => {
    const { store } = await busyStore();
    await rotate(store);
    const good = stateOf(store);
    unlinkSync(join(store, "state.json"));
    expect((await repair(store)).code).toBe(0);
    expect(stateOf(store)).toEqual(good);
  });

  it("with a corrupt checkpoint too: from the beginning, through journal.prev.jsonl and journal.jsonl; a new checkpoint is written", async () => {
    const { store, live } = await busyStore();
    await rotate(store);
    await cli({ store }, "next", live, "写好了");
    const good = stateOf(store);
    writeFileSync(join(store, "state.json"), "garbage");
    writeFileSync(join(store, "checkpoint.json"), "{also garbage");
    const check = await doctor(store);
    expect(codes(check).sort()).toEqual(["checkpoint-corrupt", "state-corrupt"]);
    const r = await repair(store);
    expect(r.code).toBe(0);
    expect(stateOf(store)).toEqual(good);
    expect(r.json.data.repaired.join("\n")).toMatch(/damaged checkpoint: kept checkpoint\.json aside/);
    expect(JSON.parse(read(store, "checkpoint.json"))).toMatchObject({ v: 1, seq: good.seq, txn: good.txn });
    expect((await cli({ store }, "log", live, "--json")).json.data.entries.map((e: { action: string }) => e.action)).toEqual([
      "step",
      "step",
      "create",
    ]);
    expect((await doctor(store)).code).toBe(0);
  });

  it("counter: the rebuilt state never hands out an id again (archived ids included)", async () => {
    const { store, short } = await busyStore();
    await cli({ store, now: "2026-05-20T10:00:00Z" }, "cleanup");
    const counter = stateOf(store).counter;
    writeFileSync(join(store, "state.json"), "garbage");
    await repair(store);
    expect(stateOf(store).counter).toBe(counter);
    expect((await cli({ store }, "log", short, "--json")).json.data.archived).toBe(true);
  });
});

describe("the chain head when the state file cannot tell it", () => {
  it("a record that never committed is reported as information only while state.json is good", async () => {
    const { store, live } = await busyStore();
    appendUncommitted(store, live, "ghost");
    const r = await doctor(store);
    expect(r.code).toBe(0);
    expect(codes(r)).toEqual(["journal-uncommitted"]);
    expect(r.json.data.findings[0].severity).toBe("info");
  });

  it("the damaged file's own txn is used when it survived: the uncommitted record stays out", async () => {
    const { store, live } = await busyStore();
    const good = stateOf(store);
    appendUncommitted(store, live, "ghost");
    writeFileSync(join(store, "state.json"), read(store).slice(0, 120)); // truncated: the head txn is still there
    await repair(store);
    expect(stateOf(store)).toEqual(good);
  });

  it("otherwise the longest chain wins: an uncommitted last record is included (an extra change, never a lost one)", async () => {
    const { store, live } = await busyStore();
    appendUncommitted(store, live, "ghost");
    writeFileSync(join(store, "state.json"), "garbage");
    await repair(store);
    expect(stateOf(store).tasks[live]?.lastMessage).toBe("ghost");
  });

  it("an attempt that tied with a later commit on the same state is left out (the later record wins)", async () => {
    const { store, live } = await busyStore();
    appendUncommitted(store, live, "ghost"); // killed before its rename ...
    expect((await cli({ store }, "heartbeat", live, "real")).code).toBe(0); // ... then the next writer commits
    writeFileSync(join(store, "state.json"), "garbage");
    await repair(store);
    expect(stateOf(store).tasks[live]?.lastMessage).toBe("real");
  });

  it("records of fenced-out attempts (abort records) are never replayed", async () => {
    const { store, live } = await busyStore();
    appendUncommitted(store, live, "fenced", "fencedtxn");
    appendFileSync(join(store, "journal.jsonl"), `${JSON.stringify({ v: 1, abort: "fencedtxn" })}\n`);
    writeFileSync(join(store, "state.json"), "garbage");
    await repair(store);
    expect(stateOf(store).tasks[live]?.lastMessage).toBe("half");
  });
});

describe("a state file that disagrees with the journal", () => {
  it("an older copy put back (state-behind) is rebuilt with the changes it lacks", async () => {
    const { store, live } = await busyStore();
    copyFileSync(join(store, "state.json"), join(store, "old.json"));
    await cli({ store }, "next", live, "two");
    await cli({ store }, "heartbeat", live, "three");
    const good = stateOf(store);
    renameSync(join(store, "old.json"), join(store, "state.json"));
    const check = await doctor(store);
    expect(codes(check)).toEqual(["state-behind"]);
    expect((await repair(store)).code).toBe(0);
    expect(stateOf(store)).toEqual(good);
  });

  it("a hand-edited state.json (state-differs) is rebuilt from the journal and the edited copy kept", async () => {
    const { store, live } = await busyStore();
    const good = stateOf(store);
    const edited = stateOf(store);
    (edited.tasks[live] as { name: string }).name = "edited by hand";
    writeFileSync(join(store, "state.json"), JSON.stringify(edited));
    expect(codes(await doctor(store))).toEqual(["state-differs"]);
    const r = await repair(store);
    expect(r.code).toBe(0);
    expect(stateOf(store)).toEqual(good);
    const kept = readdirSync(store).find((f) => f.startsWith("state.json.damaged-")) as string;
    expect(read(store, kept)).toContain("edited by hand");
  });

  it("a deleted journal (journal-gap): the state is kept and becomes the new checkpoint", async () => {
    const { store, live } = await busyStore();
    const good = read(store);
    unlinkSync(join(store, "journal.jsonl"));
    // (the state file alone still works: commands do not need the journal to read)
    expect(codes(await doctor(store))).toEqual(["journal-gap"]);
    const r = await repair(store);
    expect(r.code).toBe(0);
    expect(read(store)).toBe(good);
    expect(JSON.parse(read(store, "checkpoint.json")).txn).toBe(stateOf(store).txn);
    expect((await cli({ store }, "heartbeat", live, "after")).code).toBe(0);
    expect((await doctor(store)).code).toBe(0);
  });

  it("a damaged record in the middle of the journal with a good state file: re-anchored, nothing lost", async () => {
    const { store } = await busyStore();
    const lines = read(store, "journal.jsonl").split("\n");
    lines[2] = "{damaged";
    writeFileSync(join(store, "journal.jsonl"), lines.join("\n"));
    const good = read(store);
    expect(codes(await doctor(store)).sort()).toEqual(["journal-gap", "journal-invalid-lines"]);
    expect((await repair(store)).code).toBe(0);
    expect(read(store)).toBe(good);
    expect((await doctor(store)).code).toBe(0);
  });

  it("a damaged journal and a damaged state: no silent loss; --force rebuilds what is left", async () => {
    const { store, live } = await busyStore();
    const lines = read(store, "journal.jsonl").split("\n");
    lines[2] = "{damaged";
    writeFileSync(join(store, "journal.jsonl"), lines.join("\n"));
    writeFileSync(join(store, "state.json"), "garbage");
    const r = await repair(store);
    expect(r.code).toBe(6);
    expect(r.json.data.repaired.join("\n")).toMatch(/did not rebuild state\.json: it cannot be done without loss/);
    expect(read(store)).toBe("garbage");
    const forced = await repair(store, "--force");
    expect(forced.code).toBe(0);
    expect(stateOf(store).tasks[live]).toBeDefined();
  });
});

describe("leftovers, locks, permissions, links", () => {
  it("a temporary file of a dead writer is deleted; one being written now is left alone", async () => {
    const { store } = await busyStore();
    writeFileSync(join(store, ".state.json.tmp-999999-abc123"), "partial", { mode: 0o600 });
    writeFileSync(join(store, `.state.json.tmp-${process.pid}-def456`), "in progress", { mode: 0o600 });
    const check = await doctor(store);
    expect(check.code).toBe(6);
    const temps = check.json.data.findings.filter((f: { code: string }) => f.code === "temp-file");
    expect(temps.map((f: { severity: string }) => f.severity).sort()).toEqual(["info", "warning"]);
    const r = await repair(store);
    expect(r.code).toBe(0);
    expect(r.json.data.repaired).toEqual(["deleted the stale temporary file .state.json.tmp-999999-abc123"]);
    expect(readdirSync(store).filter((f) => f.includes(".tmp-"))).toEqual([`.state.json.tmp-${process.pid}-def456`]);
  });

  it("a temporary file is stale when its pid now runs a process started after it (pids are reused), not by age", async () => {
    const { store } = await busyStore();
    // a process that started after the file was written cannot have written it
    const reused = spawn("sleep", ["60"]);
    const old = new Date(Date.now() - 60_000);
    const stale = join(store, `.state.json.tmp-${reused.pid}-abc123`);
    writeFileSync(stale, "partial", { mode: 0o600 });
    utimesSync(stale, old, old);
    // a minute-old file of a writer that was already running then (pid 1, alive since boot): a writer paused in the
    // middle of its commit keeps its file, however old
    const paused = join(store, ".state.json.tmp-1-def456");
    writeFileSync(paused, "in progress", { mode: 0o600 });
    utimesSync(paused, old, old);
    try {
      expect((await repair(store)).code).toBe(0);
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(paused)).toBe(true);
    } finally {
      reused.kill();
    }
  });

  it("a stale lock is reported and taken over; a fresh one is only noted", async () => {
    const { store } = await busyStore();
    mkdirSync(join(store, "state.lock"));
    expect(codes(await doctor(store))).toEqual(["lock-held"]);
    const old = new Date(Date.now() - 30_000);
    utimesSync(join(store, "state.lock"), old, old);
    const check = await doctor(store);
    expect(check.code).toBe(6);
    expect(codes(check)).toEqual(["lock-stale"]);
    const r = await repair(store);
    expect(r.code).toBe(0);
    expect(r.json.data.repaired).toEqual(["took over the stale store lock"]);
    expect(existsSync(join(store, "state.lock"))).toBe(false);
  });

  it("a lock directory left aside by a waiter killed mid-takeover is reported and removed", async () => {
    const { store } = await busyStore();
    const aside = join(store, ".state.lock.tmp-999999-abc123");
    mkdirSync(aside, { mode: 0o700 });
    writeFileSync(join(aside, "holder"), "999999-x", { mode: 0o600 });
    const check = await doctor(store);
    expect(check.code).toBe(6);
    expect(codes(check)).toEqual(["temp-file"]);
    expect(check.json.data.findings[0].message).toMatch(/^temporary lock directory \.state\.lock\.tmp-999999-abc123/);
    const r = await repair(store);
    expect(r.code).toBe(0);
    expect(r.json.data.repaired).toEqual(["deleted the stale temporary file .state.lock.tmp-999999-abc123"]);
    expect(existsSync(aside)).toBe(false);
    expect(codes(await doctor(store))).toEqual([]);
  });

  it("permissions: files 0600 and directories 0700, restored by --repair", async () => {
    const { store } = await busyStore();
    await cli({ store, now: "2026-05-20T10:00:00Z" }, "cleanup");
    chmodSync(join(store, "state.json"), 0o644);
    chmodSync(join(store, "archive"), 0o755);
    chmodSync(join(store, "archive", "2026-05.tasks.jsonl"), 0o666);
    chmodSync(store, 0o755);
    const check = await doctor(store);
    expect(codes(check)).toEqual(["permissions"]);
    expect(check.json.data.findings[0].message).toMatch(/^4 path\(s\)/);
    expect((await repair(store)).code).toBe(0);
    expect(statSync(store).mode & 0o777).toBe(0o700);
    expect(statSync(join(store, "archive")).mode & 0o777).toBe(0o700);
    expect(statSync(join(store, "state.json")).mode & 0o777).toBe(0o600);
    expect(statSync(join(store, "archive", "2026-05.tasks.jsonl")).mode & 0o777).toBe(0o600);
  });

  it("a planted link is moved aside (its target untouched) and what it stood for is rebuilt", async () => {
    const { store } = await busyStore();
    const outside = join(tempDir("tp-outside-"), "journal");
    copyFileSync(join(store, "journal.jsonl"), outside);
    const before = readFileSync(outside, "utf8");
    unlinkSync(join(store, "journal.jsonl"));
    symlinkSync(outside, join(store, "journal.jsonl"));
    expect(codes(await doctor(store))).toContain("link");
    const r = await repair(store);
    expect(r.code).toBe(0);
    expect(r.json.data.repaired[0]).toMatch(/^symbolic link: kept journal\.jsonl aside as journal\.jsonl\.damaged-/);
    expect(readFileSync(outside, "utf8")).toBe(before);
    expect((await doctor(store)).code).toBe(0);
  });

  it("a torn journal line is dropped by a rewrite; the original file is kept", async () => {
    const { store, live } = await busyStore();
    appendFileSync(join(store, "journal.jsonl"), '{"v":1,"seq":99,"tx');
    await cli({ store }, "heartbeat", live, "after the tear");
    const check = await doctor(store);
    expect(codes(check)).toEqual(["journal-invalid-lines"]);
    expect(check.json.data.findings[0].severity).toBe("warning");
    const r = await repair(store);
    expect(r.code).toBe(0);
    expect(read(store, "journal.jsonl")).not.toContain('"seq":99');
    expect(readdirSync(store).some((f) => f.startsWith("journal.jsonl.damaged-"))).toBe(true);
    const records = read(store, "journal.jsonl")
      .trimEnd()
      .split("\n")
      .filter((l) => !l.includes('"landed"'));
    expect(records.at(-1)).toContain("after the tear");
    expect((await cli({ store }, "log", live, "--json")).json.data.entries).toHaveLength(2);
  });
});

describe("a last line being appended", () => {
  it("is an append in progress while the file is fresh, and a torn line once older than the stale time", async () => {
    const { store } = await busyStore();
    const journal = join(store, "journal.jsonl");
    appendFileSync(journal, '{"v":1,"seq":99,"tx');
    expect(codes(await doctor(store))).toEqual([]);
    const old = new Date(Date.now() - 60_000);
    utimesSync(journal, old, old);
    expect(codes(await doctor(store))).toEqual(["journal-invalid-lines"]);
  });
});

describe("files doctor must not touch", () => {
  it("a state file of a newer schemaVersion: reported, and --repair changes nothing", async () => {
    const { store } = await busyStore();
    const newer = JSON.stringify({ ...stateOf(store), schemaVersion: 3 });
    writeFileSync(join(store, "state.json"), newer);
    chmodSync(join(store, "state.json"), 0o644);
    const r = await repair(store);
    expect(r.code).toBe(6);
    expect(codes(r)).toContain("newer-version");
    expect(read(store)).toBe(newer);
    expect(statSync(join(store, "state.json")).mode & 0o777).toBe(0o644);
  });

  it("journal ops of a kind this version does not know: reported, nothing rebuilt", async () => {
    const { store } = await busyStore();
    const state = stateOf(store);
    const record = {
      v: 1,
      seq: state.seq + 1,
      txn: "jobtxn",
      prev: state.txn,
      at: "2026-05-01T10:00:00Z",
      ops: [{ k: "widget", id: "backup", v: {} }],
      audit: [],
    };
    appendFileSync(join(store, "journal.jsonl"), `${JSON.stringify(record)}\n`);
    writeFileSync(join(store, "state.json"), "garbage");
    const r = await repair(store);
    expect(r.code).toBe(6);
    expect(r.json.data.findings.find((f: { code: string }) => f.code === "newer-version").message).toMatch(
      /changes 'widget', a kind this taskpulse does not know/,
    );
    expect(read(store)).toBe("garbage");
  });
});

describe("doctor while others write", () => {
  it("examining during concurrent commits reports notes only (temporary files in progress, the lock held), no false alarm", async () => {
    const { store, live } = await busyStore();
    const from = stateOf(store).seq;
    let writing = true;
    const writer = async () => {
      for (let i = 0; writing; i++) await spawnCli(store, ["heartbeat", live, `w${i}`]);
    };
    const writers = [writer(), writer(), writer()];
    const bad: string[] = [];
    // Examines for a number of commits, not for a time: a loaded machine commits fewer per second.
    const give = Date.now() + 2 * 60_000;
    while (stateOf(store).seq < from + 50 && Date.now() < give) {
      for (const f of examine(store).findings) if (f.severity !== "info") bad.push(`${f.code}: ${f.message}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    writing = false;
    await Promise.all(writers);
    expect(bad).toEqual([]);
    expect(stateOf(store).seq).toBeGreaterThanOrEqual(from + 50);
  });
});

describe("a commit overwritten by another writer (journal-fork)", () => {
  it("is reported with the changes concerned; --repair starts the journal afresh, keeping the records", async () => {
    const { store, live, queued } = await busyStore();
    // As the chaos run found before the seq+txn fence: a commit (a) and one based on it (b) were both acknowledged,
    // then a writer still holding the state before (a) renamed its own state over them.
    const copy = read(store);
    appendUncommitted(store, live, "a", "forka");
    const state = stateOf(store);
    const b = {
      v: 1,
      seq: state.seq + 2,
      txn: "forkb",
      prev: "forka",
      at: "2026-05-01T10:00:00.000Z",
      ops: [{ k: "task", id: queued, v: state.tasks[queued] }],
      audit: [],
    };
    appendFileSync(join(store, "journal.jsonl"), `${JSON.stringify(b)}\n`);
    writeFileSync(join(store, "state.json"), copy);
    expect((await cli({ store }, "heartbeat", live, "overwriting")).code).toBe(0);
    const check = await doctor(store);
    expect(check.code).toBe(6);
    expect(codes(check)).toEqual(["journal-fork"]);
    expect(check.json.data.findings[0].message).toContain(`changes concerned: task ${live}, task ${queued}`);
    const r = await repair(store);
    expect(r.code).toBe(0);
    expect(r.json.data.repaired.join("\n")).toMatch(/wrote a new checkpoint\.json/);
    expect(read(store, "journal.prev.jsonl")).toContain('"txn":"forkb"');
  });

  it("a commit that landed and was replaced by a state not built on it is a fork too, with nothing built on it", async () => {
    // What a writer paused between its fence and its rename did before the lock checked its holder's liveness: a
    // `done` landed (and reported success), then the paused writer's state, built on the one before, replaced it.
    const { store, live } = await busyStore();
    const before = read(store);
    expect((await cli({ store }, "done", live, "shipped")).code).toBe(0);
    expect(read(store, "journal.jsonl")).toMatch(/"landed":"[^"]+"\}\n$/);
    writeFileSync(join(store, "state.json"), before);
    expect((await cli({ store }, "heartbeat", live, "paused writer")).code).toBe(0);
    const check = await doctor(store);
    expect(check.code).toBe(6);
    expect(codes(check)).toEqual(["journal-fork"]);
    expect(check.json.data.findings[0].message).toContain(`changes concerned: task ${live}`);
  });

  it("an attempt that never landed (no landed mark, nothing built on it) stays information", async () => {
    const { store, live } = await busyStore();
    appendUncommitted(store, live, "killed before its rename");
    expect((await cli({ store }, "heartbeat", live, "next writer")).code).toBe(0);
    const check = await doctor(store);
    expect(check.code).toBe(0);
    expect(codes(check)).toEqual(["journal-uncommitted"]);
  });
});
