// Hosts whose clocks disagree (issue 21): with PostgreSQL the server's clock is the one authority for the times it
// stores and judges by, so two agents whose hosts are 90 s behind and 90 s ahead see the same task the same way: no
// false stall, FIFO in the order of creation, no negative durations. The skew is real: each agent process runs under
// libfaketime (Debian's faketime), which moves the clock its system calls read. The JSON store keeps the host clock.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, tempDir } from "../../support/helpers.ts";
import { freshDatabase, pgAdminUrl, storeEnv } from "../../support/pg-helpers.ts";

/** libfaketime's preload library, wherever Debian put it for this architecture. */
function findFaketime(): string | undefined {
  for (const dir of ["/usr/lib", ...(existsSync("/usr/lib") ? readdirSync("/usr/lib").map((d) => join("/usr/lib", d)) : [])]) {
    const lib = join(dir, "faketime", "libfaketime.so.1");
    if (existsSync(lib)) return lib;
  }
  return undefined;
}

const FAKETIME = findFaketime();
// In CI the test must run (.ci/run installs faketime); elsewhere it says why it skipped.
const skip = FAKETIME === undefined && !process.env.CI;
if (skip) console.warn("pg-clock: skipped, libfaketime is missing (apt-get install faketime); in CI it runs");

/** The CLI on `store` on a host whose clock is `skew` off ("-90s", "+90s"), or the real one (""). */
function on(skew: string, store: string, args: string[], extra: Record<string, string> = {}) {
  const env = storeEnv(store, { TASKPULSE_STALL: "2m", ...extra });
  if (skew !== "") Object.assign(env, { LD_PRELOAD: FAKETIME, FAKETIME: skew, FAKETIME_DONT_FAKE_MONOTONIC: "1" });
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: "utf8" });
  // biome-ignore lint/suspicious/noExplicitAny: tests poke into JSON output freely
  const json: any = args.includes("--json") && r.stdout ? JSON.parse(r.stdout) : undefined;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json };
}

describe.skipIf(skip)("hosts whose clocks are 90 s apart", () => {
  beforeAll(() => {
    pgAdminUrl(); // fails loudly when PostgreSQL is not installed
    // the skew is really there: a process under faketime reads a clock 90 s behind
    const behind = spawnSync(process.execPath, ["-e", "process.stdout.write(String(Date.now()))"], {
      env: { ...process.env, LD_PRELOAD: FAKETIME, FAKETIME: "-90s", FAKETIME_DONT_FAKE_MONOTONIC: "1" },
      encoding: "utf8",
    });
    expect(Date.now() - Number(behind.stdout)).toBeGreaterThan(80_000);
  });

  it("PostgreSQL stores the server's time, whichever host writes", async () => {
    const url = await freshDatabase();
    const before = Date.now();
    const created = on("-90s", url, ["--agent", "anna", "create", "report", "a", "b", "--start", "--json"]);
    expect(created.code, created.stderr).toBe(0);
    const after = Date.now();
    const at = Date.parse(created.json.data.task.createdAt);
    // the server's clock is this host's: the stored time lies within the call, not 90 s before it
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(after + 1000);
  });

  it("no false stall, FIFO by creation, no negative durations across the two hosts", async () => {
    const url = await freshDatabase();
    const task = on("-90s", url, ["--agent", "anna", "create", "-q", "deploy", "build", "ship", "--start"]).stdout.trim();
    expect(on("-90s", url, ["heartbeat", task, "building"]).code).toBe(0);
    // On host clocks the host ahead would see 180 s of silence, over the 2 min stall threshold.
    const seen = on("+90s", url, ["status", task, "--json"]);
    expect(seen.json.data.liveness.stalled).toBe(false);
    expect(on("+90s", url, ["query", "--status", "stalled", "-q"]).stdout).toBe("");

    // Queued first on the host ahead, then on the host behind: taken in that order.
    const first = on("+90s", url, ["--agent", "bob", "create", "-q", "first"]).stdout.trim();
    const second = on("-90s", url, ["--agent", "bob", "create", "-q", "second"]).stdout.trim();
    expect(on("-90s", url, ["--agent", "bob", "start", "-q"]).stdout.trim()).toBe(first);
    expect(on("-90s", url, ["done", first]).code).toBe(0);
    expect(on("+90s", url, ["--agent", "bob", "start", "-q"]).stdout.trim()).toBe(second);

    // Started on the host ahead, finished on the host behind: a duration of about nothing, never below zero.
    const quick = on("+90s", url, ["--agent", "cy", "create", "-q", "quick", "--start"]).stdout.trim();
    const done = on("-90s", url, ["done", quick, "--json"]);
    const t = done.json.data.task;
    const ms = Date.parse(t.finishedAt) - Date.parse(t.startedAt);
    // on the hosts' clocks: 180 s below zero
    expect(ms).toBeGreaterThanOrEqual(0);
  });

  it("--now still decides, on any host; the JSON store keeps its host's clock", async () => {
    const url = await freshDatabase();
    const fixed = on("+90s", url, ["--now", "2026-05-01T10:00:00Z", "create", "then", "--json"]);
    expect(fixed.json.data.task.createdAt).toBe("2026-05-01T10:00:00.000Z");
    const dir = tempDir();
    const local = on("-90s", dir, ["create", "here", "--json"]);
    expect(Date.now() - Date.parse(local.json.data.task.createdAt)).toBeGreaterThan(80_000);
  });
});
