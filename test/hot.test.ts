// The commander-free heartbeat entry (src/hot.ts) must answer exactly as the full program does, or hand the command
// line back. Each case runs both, in-process, on two copies of the same store with the same clock and randomness,
// and compares exit code, stdout, stderr and the files written.

import { spawnSync } from "node:child_process";
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../scripts/seeded-random.ts";
import type { Deps } from "../src/app/deps.ts";
import { run } from "../src/cli/run.ts";
import { main, parseHeartbeat } from "../src/hot.ts";
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

async function storeWithTasks(): Promise<{ store: string; id: string; stopped: string }> {
  const store = tempDir();
  const id = (await cli({ store, now: NOW }, "create", "-q", "日报发布", "抓取", "写稿", "--start")).stdout.trim();
  const stopped = (await cli({ store, now: NOW, random: () => 0.9 }, "create", "-q", "stopped", "--start", "--agent", "bob")).stdout.trim();
  await cli({ store, now: NOW }, "stop", stopped, "enough");
  return { store, id, stopped };
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

describe("the heartbeat entry without commander", () => {
  const handled: ((ids: { id: string; stopped: string }) => string[])[] = [
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
    ({ id }) => [id, "--store", "/nonexistent/dir/for/taskpulse"],
  ];
  // Global options may also come before the command word (as the bench and many scripts write them).
  const before: ((ids: { id: string; stopped: string }) => string[])[] = [
    ({ id }) => ["--json", "heartbeat", id],
    ({ id }) => ["--now", "2026-05-01T10:05:00Z", "heartbeat", id, "bench", "--progress", "50"],
    ({ id }) => ["-q", "--agent", "bob", "heartbeat", id, "--lang", "zh"],
    ({ stopped }) => ["--no-color", "--debug", "heartbeat", stopped],
  ];

  it.each([...handled, ...before].map((f, i) => [i, f] as const))(
    "case %i prints and writes what the full program does",
    async (_, make) => {
      const { store, id, stopped } = await storeWithTasks();
      const args = make({ id, stopped });
      const argv = args.includes("heartbeat") ? args : ["heartbeat", ...args];
      expect(parseHeartbeat(argv)).toBeDefined();
      const copy = tempDir();
      cpSync(store, copy, { recursive: true });
      const full = { stdout: "", stderr: "" };
      const hot = { stdout: "", stderr: "" };
      const fullCode = await run(argv, deps(store, full));
      const hotCode = await main(argv, deps(copy, hot));
      expect({ code: hotCode, ...hot }).toEqual({ code: fullCode, ...full });
      expect(files(copy)).toEqual(files(store));
    },
  );

  it.each([
    [["heartbeat"]],
    [["heartbeat", "--help"]],
    [["heartbeat", "abc", "-h"]],
    [["heartbeat", "abc", "--progress=5"]],
    [["heartbeat", "abc", "--", "-x"]],
    [["heartbeat", "abc", "--bogus"]],
    [["heartbeat", "abc", "-q", "--quiet"]],
    [["heartbeat", "abc", "--json", "--json"]],
    [["heartbeat", "abc", "--progress"]],
    [["heartbeat", "abc", "--progress", "-5"]],
    [["heartbeat", "abc", "-"]],
    [["--json", "--json", "heartbeat", "abc"]],
    [["--progress", "5", "heartbeat", "abc"]],
    [["--bogus", "heartbeat", "abc"]],
    [["--store", "heartbeat", "abc"]],
    [["create", "heartbeat"]],
    [["--json", "status", "heartbeat"]],
    [["status"]],
    [["hb", "abc"]],
  ])("hands back %j to the full program", async (argv) => {
    expect(parseHeartbeat(argv)).toBeUndefined();
    const out = { stdout: "", stderr: "" };
    expect(await main(argv, deps(tempDir(), out))).toBeUndefined();
    expect(out).toEqual({ stdout: "", stderr: "" });
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
  });
});
