// doctor on what cron jobs keep in the store: run files (jobs/<job>.jsonl) and state documents (state/<name>.json).
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRunRecords } from "../../src/store/job-runs.ts";
import { cli, tempDir } from "../support/helpers.ts";
import { codes, doctor, repair } from "../support/store-helpers.ts";

/** A store with a task, two runs of a cron job and a state document. */
async function cronStore(store = tempDir()) {
  await cli({ store }, "create", "-q", "A", "--start");
  expect((await cli({ store }, "run", "--job", "nightly", "-q", "--", "true")).code).toBe(0);
  expect((await cli({ store }, "run", "--job", "nightly", "-q", "--", "sh", "-c", "echo hi")).code).toBe(0);
  expect((await cli({ store }, "state", "set", "daily", '{"a":1}')).code).toBe(0);
  return store;
}

const finding = (r: { json: { data: { findings: { code: string }[] } } }, code: string) =>
  // biome-ignore lint/suspicious/noExplicitAny: findings are plain JSON here
  r.json.data.findings.find((f) => f.code === code) as any;

const damagedCopies = (dir: string, name: string) => readdirSync(dir).filter((f) => f.startsWith(`${name}.damaged-`));

describe("doctor on a store with cron jobs and state documents", () => {
  it("a healthy store with run files and documents has no findings", async () => {
    const store = await cronStore();
    const r = await doctor(store);
    expect(r.code).toBe(0);
    expect(r.json.data).toMatchObject({ healthy: true, findings: [] });
    expect((await repair(store)).json.data.repaired).toEqual([]);
  });

  it("a torn run-file line: reported, dropped by a rewrite that keeps the original aside; a second repair changes nothing", async () => {
    const store = await cronStore();
    const file = join(store, "jobs", "nightly.jsonl");
    appendFileSync(file, '{"v":1,"kind":"sta');
    expect((await cli({ store }, "run", "--job", "nightly", "-q", "--", "true")).code).toBe(0);
    const original = readFileSync(file, "utf8");
    const runs = readRunRecords(store, "nightly");
    expect(runs).toHaveLength(6);
    const check = await doctor(store);
    expect(check.code).toBe(6);
    expect(codes(check)).toEqual(["job-runs-invalid-lines"]);
    expect(finding(check, "job-runs-invalid-lines")).toMatchObject({ severity: "warning", file: "jobs/nightly.jsonl" });
    const r = await repair(store);
    expect(r.code).toBe(0);
    expect(r.json.data.repaired.join("\n")).toMatch(/rewrote jobs\/nightly\.jsonl with its 6 valid line\(s\)/);
    expect(readFileSync(file, "utf8")).not.toContain('"kind":"sta\n');
    expect(readFileSync(file, "utf8").trimEnd().split("\n")).toHaveLength(6);
    expect(readRunRecords(store, "nightly")).toEqual(runs);
    const copies = damagedCopies(join(store, "jobs"), "nightly.jsonl");
    expect(copies).toHaveLength(1);
    expect(readFileSync(join(store, "jobs", copies[0] as string), "utf8")).toBe(original);
    expect(codes(await doctor(store))).toEqual(["damaged-copy"]);
  });

  it("a run file with a line of a newer version: reported, and --repair changes nothing", async () => {
    const store = await cronStore();
    const file = join(store, "jobs", "nightly.jsonl");
    appendFileSync(file, '{"v":2,"kind":"started"}\n{"torn\n');
    const before = readFileSync(file, "utf8");
    const r = await repair(store);
    expect(r.code).toBe(6);
    expect(codes(r)).toContain("newer-version");
    expect(finding(r, "newer-version").file).toBe("jobs/nightly.jsonl");
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(readdirSync(join(store, "jobs"))).toEqual(["nightly.jsonl"]);
  });

  it("a corrupt document: exit 6; --repair keeps it aside, then the store is healthy and `state get` reports no document", async () => {
    const store = await cronStore();
    writeFileSync(join(store, "state", "daily.json"), '{"schemaVersion":1,"na');
    expect((await cli({ store }, "state", "get", "daily")).code).toBe(6);
    const check = await doctor(store);
    expect(check.code).toBe(6);
    expect(codes(check)).toEqual(["doc-corrupt"]);
    expect(finding(check, "doc-corrupt")).toMatchObject({ severity: "error", file: "state/daily.json" });
    const r = await repair(store);
    expect(r.code).toBe(0);
    expect(r.json.data.repaired.join("\n")).toMatch(/kept state\/daily\.json aside as state\/daily\.json\.damaged-/);
    const copies = damagedCopies(join(store, "state"), "daily.json");
    expect(copies).toHaveLength(1);
    expect(readFileSync(join(store, "state", copies[0] as string), "utf8")).toBe('{"schemaVersion":1,"na');
    expect(codes(await doctor(store))).toEqual(["damaged-copy"]);
    expect((await cli({ store }, "state", "get", "daily")).code).toBe(3);
    expect((await cli({ store }, "state", "set", "daily", '{"a":2}')).code).toBe(0);
    expect((await doctor(store)).code).toBe(0);
  });

  it("a document of a newer schemaVersion: reported, and --repair changes nothing", async () => {
    const store = await cronStore();
    const newer = '{"schemaVersion":2,"name":"daily","rev":9,"value":{}}';
    writeFileSync(join(store, "state", "daily.json"), newer);
    const r = await repair(store);
    expect(r.code).toBe(6);
    expect(codes(r)).toEqual(["newer-version"]);
    expect(readFileSync(join(store, "state", "daily.json"), "utf8")).toBe(newer);
  });

  it("links and loose permissions under jobs/ and state/ are reported and repaired; link targets are untouched", async () => {
    const store = await cronStore();
    const outside = join(tempDir("tp-outside-"), "target");
    writeFileSync(outside, "outside\n");
    symlinkSync(outside, join(store, "jobs", "linked.jsonl"));
    symlinkSync(outside, join(store, "state", "linked.json"));
    chmodSync(join(store, "jobs"), 0o755);
    chmodSync(join(store, "jobs", "nightly.jsonl"), 0o644);
    chmodSync(join(store, "state", "daily.json"), 0o644);
    const check = await doctor(store);
    expect(check.code).toBe(6);
    expect(codes(check)).toEqual(["link", "link", "permissions"]);
    const links = check.json.data.findings.filter((f: { code: string }) => f.code === "link").map((f: { action: string }) => f.action);
    expect(links).toEqual([
      expect.stringMatching(/run history starts again with its next run$/),
      expect.stringMatching(/document is then absent: `taskpulse state set` saves it again$/),
    ]);
    expect(finding(check, "permissions").message).toMatch(/^3 path\(s\).*jobs, jobs\/nightly\.jsonl, state\/daily\.json$/);
    const r = await repair(store);
    expect(r.code).toBe(0);
    expect(readFileSync(outside, "utf8")).toBe("outside\n");
    expect(existsSync(join(store, "jobs", "linked.jsonl"))).toBe(false);
    expect(existsSync(join(store, "state", "linked.json"))).toBe(false);
    expect(statSync(join(store, "jobs")).mode & 0o777).toBe(0o700);
    expect(statSync(join(store, "jobs", "nightly.jsonl")).mode & 0o777).toBe(0o600);
    expect(statSync(join(store, "state", "daily.json")).mode & 0o777).toBe(0o600);
  });

  it("files taskpulse does not know under jobs/ and state/ are noted only", async () => {
    const store = await cronStore();
    writeFileSync(join(store, "jobs", "notes.txt"), "x", { mode: 0o600 });
    writeFileSync(join(store, "state", "backup.json.bak"), "x", { mode: 0o600 });
    // a run's live output (jobs --follow) is known, not noted
    writeFileSync(join(store, "jobs", "nightly.rmwtawpgf9yx4.live"), "x", { mode: 0o600 });
    const r = await doctor(store);
    expect(r.code).toBe(0);
    expect(codes(r)).toEqual(["unknown-file"]);
    expect(finding(r, "unknown-file")).toMatchObject({ severity: "info" });
    expect(finding(r, "unknown-file").message).toMatch(/jobs\/notes\.txt, state\/backup\.json\.bak$/);
  });

  it("a stale document lock is reported and removed; a fresh one is only noted; a stale temp file in jobs/ is deleted", async () => {
    const store = await cronStore();
    const lock = join(store, "state", "daily.json.lock");
    mkdirSync(lock);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    const temp = join(store, "jobs", ".nightly.jsonl.tmp-999999-abc123"); // older than the stale time: stale either way
    writeFileSync(temp, "partial", { mode: 0o600 });
    utimesSync(temp, old, old);
    const check = await doctor(store);
    expect(codes(check).sort()).toEqual(["lock-stale", "temp-file"]);
    expect(finding(check, "lock-stale").message).toMatch(/the lock of state document 'daily' is \d+ s old/);
    const r = await repair(store);
    expect(r.code).toBe(0);
    expect(existsSync(lock)).toBe(false);
    expect(existsSync(temp)).toBe(false);
    mkdirSync(lock);
    const fresh = await doctor(store);
    expect(fresh.code).toBe(0);
    expect(codes(fresh)).toEqual(["lock-held"]);
  });
});
