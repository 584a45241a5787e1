// The lean entry (src/hot.ts) must answer `heartbeat`, `next`, `check` and `done` exactly as the full program does,
// or hand the command line back. Each case runs both, in-process, on two copies of the same store with the same
// clock and randomness, and compares exit code, stdout, stderr and the files written.

import { spawnSync } from "node:child_process";
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../scripts/bench/seeded-random.ts";
import type { Deps } from "../src/app/deps.ts";
import { run } from "../src/cli/run.ts";
import { LEAN_COMMANDS, main, parseHot, work } from "../src/hot.ts";
import { BIN, cleanEnv, cli, tempDir } from "./support/helpers.ts";
import { readState } from "./support/store-fixture.ts";

const NOW = "2026-05-01T10:00:00Z";

function deps(store: string, out: { stdout: string; stderr: string }): Deps {
  const now = new Date("2026-05-01T10:03:00Z");
  const random = seededRandom(7);
  return {
    env: { TASKPULSE_HOME: store, LANG: "C" },
    cwd: "/",
    home: "/nonexistent-home",
    stdout: (s) => {
      out.stdout += s;
    },
    stderr: (s) => {
      out.stderr += s;
    },
    now: () => now,
    random,
    isTTY: false,
    columns: 80,
    readStdin: async () => "",
  };
}

interface Ids {
  id: string;
  stopped: string;
  queued: string;
}

async function storeWithTasks(): Promise<Ids & { store: string }> {
  const store = tempDir();
  const id = (await cli({ store, now: NOW }, "create", "-q", "日报发布", "抓取", "写稿", "--start")).stdout.trim();
  const stopped = (await cli({ store, now: NOW, random: () => 0.9 }, "create", "-q", "stopped", "--start", "--agent", "bob")).stdout.trim();
  await cli({ store, now: NOW }, "stop", stopped, "enough");
  const queued = (await cli({ store, now: NOW, random: () => 0.5 }, "create", "-q", "queued", "--agent", "carol")).stdout.trim();
  return { store, id, stopped, queued };
}

/**
 * The state (whole: its head with the tasks of its parts) and the journal, without what differs between any two
 * commits (transaction ids, wall-clock time).
 */
const files = (store: string) =>
  ["state.json", "journal.jsonl"].map((f) => {
    let text: string;
    try {
      text = f === "state.json" ? JSON.stringify(readState(store)) : readFileSync(join(store, f), "utf8");
    } catch {
      return [];
    }
    return text
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const { txn: _txn, prev: _prev, at: _at, landed: _landed, ...rest } = JSON.parse(line) as Record<string, unknown>;
        return rest;
      });
  });

type Case = (ids: Ids) => string[];

/** Command lines the lean entry takes, with the command word first unless the case puts global options before it. */
const TAKEN: Record<"heartbeat" | "next" | "check" | "done", Case[]> = {
  heartbeat: [
    ({ id }) => [id],
    ({ id }) => [id, "第2段写好了"],
    ({ id }) => [id, "two", "words", "--progress", "40"],
    ({ id }) => ["--progress", "40", id, "after", "options"],
    ({ id }) => [id, "--json"],
    ({ id }) => [id, "-q", "msg"],
    ({ id }) => [id, "--waiting", "CI pipeline", "--for", "30m"],
    ({ id }) => [id, "--for", "30m"],
    ({ id }) => [id, "--progress", "abc"],
    ({ id }) => [id, "--progress", "101", "--json"],
    ({ id }) => [id, "--lang", "zh", "消息"],
    ({ id }) => [id, "--lang", "xx"],
    ({ id }) => [id, "--agent", "bob", "--channel", "telegram", "--target", "123", "--thread", "9", "--account", "a1"],
    ({ id }) => [id, "--now", "2026-05-01T10:05:00+08:00"],
    ({ id }) => [id, "--now", "garbage"],
    ({ id }) => [id.slice(0, 3), "--no-color", "--debug"],
    () => ["nosuch", "--json"],
    () => [""],
    ({ stopped }) => [stopped, "still here"],
    ({ stopped }) => [stopped, "--json"],
    ({ queued }) => [queued, "--json"],
    ({ id }) => [id, "--store", "/nonexistent/dir/for/taskpulse"],
    ({ id }) => ["--json", "heartbeat", id],
    ({ id }) => ["--now", "2026-05-01T10:05:00Z", "heartbeat", id, "bench", "--progress", "50"],
    ({ id }) => ["-q", "--agent", "bob", "heartbeat", id, "--lang", "zh"],
    ({ stopped }) => ["--no-color", "--debug", "heartbeat", stopped],
  ],
  next: [
    ({ id }) => [id],
    ({ id }) => [id, "抓取了25条数据"],
    ({ id }) => [id, "two", "words", "--json"],
    ({ id }) => [id, "-q"],
    ({ id }) => [id, "--lang", "zh"],
    () => ["--agent", "main", "next", "done by agent"],
    ({ id }) => ["next", "--agent", "main", id, "with id"],
    () => ["--agent", "carol", "next"],
    () => ["--agent", "nobody", "next", "--json"],
    () => [],
    () => ["--json"],
    () => ["nosuch"],
    ({ stopped }) => [stopped, "step"],
    ({ stopped }) => [stopped, "--json"],
    ({ queued }) => [queued],
    ({ id }) => [id, "--now", "garbage"],
    ({ id }) => ["--store", "/nonexistent/dir/for/taskpulse", "next", id],
  ],
  check: [
    ({ id }) => [id],
    ({ id }) => [id, "--json"],
    ({ id }) => [id, "-q"],
    ({ stopped }) => [stopped],
    ({ stopped }) => [stopped, "--json"],
    ({ stopped }) => [stopped, "-q", "--lang", "zh"],
    ({ queued }) => [queued, "--json"],
    () => ["nosuch"],
    () => ["nosuch", "--json", "--lang", "zh"],
    ({ id }) => ["--agent", "bob", "check", id.slice(0, 2)],
  ],
  done: [
    ({ id }) => [id],
    ({ id }) => [id, "发布成功 https://example.com/report"],
    ({ id }) => [id, "two", "words", "--json"],
    ({ id }) => [id, "-q", "--lang", "zh"],
    () => ["--agent", "main", "done", "sent"],
    () => ["--agent", "carol", "done", "--json"],
    () => [],
    () => ["--json"],
    () => ["nosuch", "--json"],
    ({ stopped }) => [stopped, "finished anyway"],
    ({ queued }) => [queued, "--json"],
    ({ id }) => [id, "--now", "2026-04-01T00:00:00Z"],
    ({ id }) => ["--lang", "xx", "done", id],
  ],
};

/** Command lines it hands back: the full program answers them (usage errors, help, forms parseArgs reads otherwise). */
const HANDED_BACK: string[][] = [
  ["heartbeat"],
  ["heartbeat", "--help"],
  ["heartbeat", "abc", "-h"],
  ["heartbeat", "abc", "--progress=5"],
  ["heartbeat", "abc", "--", "-x"],
  ["heartbeat", "abc", "--bogus"],
  ["heartbeat", "abc", "-q", "--quiet"],
  ["heartbeat", "abc", "--json", "--json"],
  ["heartbeat", "abc", "--progress"],
  ["heartbeat", "abc", "--progress", "-5"],
  ["heartbeat", "abc", "-"],
  ["heartbeat", "abc", "-qj"],
  ["--json", "--json", "heartbeat", "abc"],
  ["--progress", "5", "heartbeat", "abc"],
  ["--bogus", "heartbeat", "abc"],
  ["--store", "heartbeat", "abc"],
  ["next", "abc", "--progress", "5"],
  ["next", "--help"],
  ["next", "abc", "--json=1"],
  ["next", "abc", "--", "--json"],
  ["check"],
  ["check", "abc", "extra"],
  ["check", "abc", "--waiting", "x"],
  ["check", "-V"],
  ["done", "abc", "--bogus"],
  ["done", "-1"],
  ["complete", "abc"],
  ["create", "heartbeat"],
  ["--json", "status", "heartbeat"],
  ["status"],
  ["skip", "abc"],
  ["hb", "abc"],
  ["__proto__", "abc"],
  [],
];

describe("the lean entry", () => {
  const cases = Object.entries(TAKEN).flatMap(([command, list]) => list.map((make, i) => [command, i, make] as const));
  const codes = new Set<number>();

  it.each(cases)("%s, case %i, prints and writes what the full program does", async (command, _, make) => {
    const { store, ...ids } = await storeWithTasks();
    const args = make(ids);
    const argv = args.includes(command) ? args : [command, ...args];
    expect(parseHot(argv)).toBeDefined();
    const copy = tempDir();
    cpSync(store, copy, { recursive: true });
    const full = { stdout: "", stderr: "" };
    const hot = { stdout: "", stderr: "" };
    const fullCode = await run(argv, deps(store, full));
    const hotCode = await main(argv, deps(copy, hot));
    expect({ code: hotCode, ...hot }).toEqual({ code: fullCode, ...full });
    expect(files(copy)).toEqual(files(store));
    codes.add(fullCode);
  });

  // (the cases above run first, in order, in this file)
  it("those cases give every exit code these commands give: ok, usage, not found, invalid transition, stop", () => {
    expect([...codes].sort((a, b) => a - b)).toEqual([0, 2, 3, 4, 20]);
  });

  it.each(HANDED_BACK.map((argv) => [argv]))("hands back %j to the full program", async (argv) => {
    expect(parseHot(argv)).toBeUndefined();
    const out = { stdout: "", stderr: "" };
    expect(await main(argv, deps(tempDir(), out))).toBeUndefined();
    expect(out).toEqual({ stdout: "", stderr: "" });
  });

  it("reports the work it did, for its code cache to name: the command, and whether it sends", async () => {
    const { store, id } = await storeWithTasks();
    const out = { stdout: "", stderr: "" };
    expect(await main(["check", id], deps(store, out))).toBe(0);
    expect(work()).toBe("check");
    expect(await main(["--send", "check", id], deps(store, out))).toBe(0);
    expect(work()).toBe("check+send");
    // handed back: this entry did no work
    expect(await main(["check", id, "--help"], deps(store, out))).toBeUndefined();
    expect(work()).toBeUndefined();
  });

  it("bin/taskpulse.js sends it the command lines with a word it takes", () => {
    const bin = readFileSync(BIN, "utf8");
    expect(JSON.parse(/const LEAN = (\[.*\]);/.exec(bin)?.[1] ?? "[]").sort()).toEqual([...LEAN_COMMANDS].sort());
  });

  it("the installed command takes both ways: the small entry, and the full program for what it hands back", async () => {
    const { store, id } = await storeWithTasks();
    const call = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env: cleanEnv(store), encoding: "utf8" });
    expect(call("heartbeat", id, "hi", "-q")).toMatchObject({ status: 0, stdout: "", stderr: "" });
    // it exits as soon as it is done (bin/taskpulse.js): the exit code and the whole output still arrive
    const { store: store2, stopped: bob } = await storeWithTasks();
    const stop = spawnSync(process.execPath, [BIN, "heartbeat", bob, "--json"], { env: cleanEnv(store2), encoding: "utf8" });
    expect(stop.status).toBe(20);
    expect(JSON.parse(stop.stdout)).toMatchObject({ ok: true, data: { stopRequested: true } });
    expect(call("heartbeat", id, "--progress=50")).toMatchObject({ status: 0, stdout: expect.stringMatching(/^💓 ok 50%\n/) });
    expect(call("heartbeat", "--help")).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Usage: taskpulse heartbeat/) });
    expect(call("heartbeat")).toMatchObject({ status: 2, stderr: expect.stringMatching(/missing required argument 'id'/) });
    expect(call("check", id)).toMatchObject({ status: 0, stdout: "no stop requested (running)\n", stderr: "" });
    expect(call("check", id, "extra")).toMatchObject({ status: 2, stderr: expect.stringMatching(/too many arguments for 'check'/) });
    expect(call("next", id, "-q")).toMatchObject({ status: 0, stdout: "", stderr: "" });
    expect(call("done", id, "--json")).toMatchObject({ status: 0, stdout: expect.stringMatching(/^\{"schemaVersion":1,"ok":true/) });
    expect(spawnSync(process.execPath, [BIN, "check", bob], { env: cleanEnv(store2), encoding: "utf8" }).status).toBe(20);
  });
});
