// `taskpulse run` with real child processes: pass-through, exit codes, signals, timeouts that reach grandchildren,
// --json, --task, and a wrapper killed with SIGKILL counted as a failure by the next call.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pidAlive } from "../../src/jobs/proc.ts";
import { BIN, cleanEnv, cli, spawnCli, tempDir, until } from "../support/helpers.ts";

/**
 * The jobs here sleep SLEEP_S, far longer than a test: a process gone within a minute was killed, not finished. A
 * minute, not seconds, so a loaded machine has time to deliver the signal and reap.
 */
const SLEEP_S = 600;

async function gone(pid: number, withinMs = 60_000): Promise<boolean> {
  const end = Date.now() + withinMs;
  while (Date.now() < end) {
    if (!pidAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !pidAlive(pid);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

describe("run: pass-through and exit codes", () => {
  it("passes both streams through and adds nothing to stdout when no push is due", async () => {
    const store = tempDir();
    const r = await spawnCli(store, ["run", "--job", "pt", "--", "sh", "-c", 'printf "out1\\n"; printf "err1\\n" >&2; printf "out2\\n"']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("out1\nout2\n");
    expect(r.stderr).toContain("err1\n");
    expect(r.stderr).toMatch(/taskpulse: ✅ pt ok/);
  });

  it("streams output while the command is still running", async () => {
    const store = tempDir();
    // the command cannot end before the test creates `go`: "first" seen before that was streamed, not buffered
    const go = join(store, "go");
    const script = `echo first; while [ ! -e "${go}" ]; do sleep 0.05; done; echo second`;
    const child = spawn(process.execPath, [BIN, "run", "--job", "live", "--", "sh", "-c", script], { env: cleanEnv(store) });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    const closed = new Promise<number | null>((res) => child.on("close", res));
    await until("the first line arrives", () => out.includes("first"));
    expect(out).toBe("first\n");
    writeFileSync(go, "");
    expect(await closed).toBe(0);
    expect(out).toBe("first\nsecond\n");
  });

  it("exits with the command's code and records it", async () => {
    const store = tempDir();
    const ok = await cli({ store }, "--json", "run", "--job", "codes", "--", "sh", "-c", "echo fine");
    expect(ok.code).toBe(0);
    expect(ok.json.data.run).toMatchObject({ outcome: "success", exitCode: 0, failure: null });
    const bad = await cli({ store }, "--json", "run", "--job", "codes", "--", "sh", "-c", "echo 'no such table' >&2; exit 3");
    expect(bad.code).toBe(3);
    expect(bad.json.data.run).toMatchObject({
      outcome: "failed",
      exitCode: 3,
      failure: { cause: "exit", exitCode: 3, line: "no such table" },
    });
    expect(bad.json.data.job).toMatchObject({ failures: 1, totals: { runs: 2, succeeded: 1, failed: 1 } });
  });

  it("a command killed by a signal is a failure, exit 128+n", async () => {
    const store = tempDir();
    const r = await cli({ store }, "--json", "run", "--job", "sig", "--", "sh", "-c", "kill -TERM $$");
    expect(r.code).toBe(143);
    expect(r.json.data.run).toMatchObject({ outcome: "failed", signal: "SIGTERM", failure: { cause: "signal", signal: "SIGTERM" } });
  });

  it("a command that cannot be started is a failure, exit 127, recorded", async () => {
    const store = tempDir();
    const r = await cli({ store }, "--json", "run", "--job", "nf", "--", "/nonexistent/command-xyz");
    expect(r.code).toBe(127);
    expect(r.json.data.run.failure).toMatchObject({ cause: "spawn" });
    expect(r.json.data.run.failure.line).toMatch(/ENOENT/);
    expect(r.json.data.job.totals.failed).toBe(1);
  });

  it("runs no shell: arguments arrive as given", async () => {
    const store = tempDir();
    const r = await cli(
      { store },
      "run",
      "--job",
      "argv",
      "--",
      "node",
      "-e",
      "console.log(JSON.stringify(process.argv.slice(1)))",
      "$HOME",
      "a b",
      ";rm",
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual(["$HOME", "a b", ";rm"]);
  });

  it("--json: the job's stdout goes to stderr, stdout holds only the envelope", async () => {
    const store = tempDir();
    const r = await spawnCli(store, ["--json", "run", "--job", "js", "--", "sh", "-c", "echo job-output; echo job-error >&2"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      schemaVersion: 1,
      ok: true,
      push: null,
      data: { run: { outcome: "success", stdout: { tail: "job-output\n" } } },
    });
    expect(r.stderr).toContain("job-output\n");
    expect(r.stderr).toContain("job-error\n");
  });

  it("usage errors: missing --job, bad job name, missing command", async () => {
    const store = tempDir();
    expect((await cli({ store }, "run", "--", "true")).code).toBe(2);
    expect((await cli({ store }, "run", "--job", "../x", "--", "true")).code).toBe(2);
    expect((await cli({ store }, "run", "--job", "x")).code).toBe(2);
    expect(existsSync(join(store, "jobs", "x.jsonl"))).toBe(false);
  });
});

describe("run: timeouts and interrupts", () => {
  it("--timeout kills the whole process group, grandchildren included", async () => {
    const store = tempDir();
    const script = `sleep ${SLEEP_S} & echo $!; sleep ${SLEEP_S}`;
    const r = await cli({ store }, "--json", "run", "--job", "slow", "--timeout", "1s", "--", "sh", "-c", script);
    // ended by the timeout, not by the sleeps (600 s): as the run itself reports it, not by a clock here
    expect(r.json.data.run.timedOut).toBe(true);
    expect(r.code).toBe(124);
    expect(r.json.data.run).toMatchObject({ timedOut: true, outcome: "failed", failure: { cause: "timeout", timeoutMs: 1000 } });
    const grandchild = Number(r.json.data.run.stdout.tail.trim());
    expect(grandchild).toBeGreaterThan(1);
    expect(await gone(grandchild)).toBe(true);
  });

  it("processes that ignore SIGTERM get SIGKILL after --kill-after", async () => {
    const store = tempDir();
    // an ignored signal stays ignored across exec, so the sleeps ignore SIGTERM too
    const r = await cli(
      { store },
      "--json",
      "run",
      "--job",
      "stubborn",
      "--timeout",
      "500ms",
      "--kill-after",
      "500ms",
      "--",
      "sh",
      "-c",
      `trap '' TERM; sleep ${SLEEP_S} & echo $!; sleep ${SLEEP_S}`,
    );
    // ended by SIGKILL after --kill-after: they ignore SIGTERM, and sleep far longer
    expect(r.json.data.run.timedOut).toBe(true);
    expect(r.code).toBe(124);
    const grandchild = Number(r.json.data.run.stdout.tail.trim());
    expect(await gone(grandchild)).toBe(true);
  });

  it("SIGTERM to the wrapper is forwarded to the job and the run is recorded as failed", async () => {
    const store = tempDir();
    const child = spawn(process.execPath, [BIN, "--json", "run", "--job", "term", "--", "sh", "-c", `echo $$; sleep ${SLEEP_S}`], {
      env: cleanEnv(store),
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    // the job's pid arrives on stderr (its stdout, redirected by --json)
    await until("the job prints its pid", () => /^\d+\n/.test(err));
    const jobPid = Number(err.split("\n")[0]);
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((res) => child.on("close", res));
    expect(code).toBe(143);
    expect(JSON.parse(out).data.run).toMatchObject({ outcome: "failed", interrupted: "SIGTERM", failure: { cause: "signal" } });
    expect(await gone(jobPid)).toBe(true);
  });
});

describe("run: a wrapper killed with SIGKILL", () => {
  async function startAndKill(store: string, job: string): Promise<{ jobPid: number; wrapperPid: number }> {
    const child = spawn(process.execPath, [BIN, "run", "--job", job, "--", "sh", "-c", `echo $$; exec sleep ${SLEEP_S}`], {
      env: cleanEnv(store),
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    await until("the job prints its pid", () => /^\d+\n/.test(out));
    const jobPid = Number(out.split("\n")[0]);
    const closed = new Promise((res) => child.on("close", res));
    // while it runs, it is running, not lost
    const during = spawnCli(store, ["--json", "jobs", job]);
    const seen = JSON.parse((await during).stdout).data;
    expect(seen.job.health).toBe("running");
    expect(seen.lost).toEqual([]);
    child.kill("SIGKILL");
    await closed;
    return { jobPid, wrapperPid: child.pid as number };
  }

  it("is counted as a failure by the next `jobs` and the next `run`", async () => {
    const store = tempDir();
    const first = await startAndKill(store, "killed");
    try {
      const listed = await spawnCli(store, ["--json", "jobs"]);
      const doc = JSON.parse(listed.stdout);
      expect(doc.data.lost).toHaveLength(1);
      expect(doc.data.jobs[0]).toMatchObject({
        id: "killed",
        health: "failing",
        failures: 1,
        open: [],
        totals: { runs: 1, failed: 1, lost: 1 },
      });
      expect(doc.data.jobs[0].lastRun.failure).toEqual({ cause: "lost" });
      // counted once: asking again changes nothing
      expect(JSON.parse((await spawnCli(store, ["--json", "jobs"])).stdout).data.lost).toHaveLength(0);
    } finally {
      killQuietly(first.jobPid);
    }
    const second = await startAndKill(store, "killed");
    killQuietly(second.jobPid);
    const next = await cli({ store }, "--json", "run", "--job", "killed", "--", "false");
    expect(next.json.data.lost).toHaveLength(1);
    expect(next.json.data.job).toMatchObject({ failures: 3, totals: { runs: 3, lost: 2 } });
    // the third failure in a row (two lost, one real) opens the alert
    expect(next.json.push.tool.message).toBe("🚨 [killed] failed 3 times in a row\nLast error: exit code 1");
    const history = (await cli({ store }, "--json", "jobs", "killed")).json.data.runs;
    expect(history.map((r: { lost?: unknown; finished?: unknown }) => (r.finished ? "finished" : r.lost ? "lost" : "?"))).toEqual([
      "finished",
      "lost",
      "lost",
    ]);
  });
});

describe("run: records", () => {
  it("keeps output tails out of state.json, bounded in the run file", async () => {
    const store = tempDir();
    const r = await cli(
      { store },
      "--json",
      "run",
      "--job",
      "big",
      "--",
      "node",
      "-e",
      "process.stdout.write('x'.repeat(100000) + '\\nlast line\\n')",
    );
    expect(r.code).toBe(0);
    expect(r.json.data.run.stdout).toMatchObject({ bytes: 100011, truncated: true });
    expect(Buffer.byteLength(r.json.data.run.stdout.tail)).toBe(64 * 1024);
    expect(r.json.data.run.stdout.tail.endsWith("last line\n")).toBe(true);
    expect(statSync(join(store, "state.json")).size).toBeLessThan(4096);
    const lines = readFileSync(join(store, "jobs", "big.jsonl"), "utf8")
      .trim()
      .split("\n");
    expect(lines.map((l) => JSON.parse(l).kind)).toEqual(["started", "finished"]);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ argv: ["node", "-e", expect.any(String)], pid: expect.any(Number) });
  });

  it("a corrupt store stops the run before the job starts: exit 6, the job does not run, the file is kept", async () => {
    const store = tempDir();
    const marker = join(tempDir(), "ran");
    writeFileSync(join(store, "state.json"), "{ not json");
    const r = await cli({ store }, "run", "--job", "soft", "--", "sh", "-c", `echo ran > ${marker}`);
    expect(r.code).toBe(6);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: could not record the start of run r\w+: .*not valid JSON; the job was not run\nhint: /);
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(join(store, "state.json"), "utf8")).toBe("{ not json");
    // with --announce: stdout says so (OpenClaw announces it), stderr stays empty, the status is not 0
    const a = await cli({ store }, "run", "--job", "soft", "--announce", "--", "sh", "-c", `echo ran > ${marker}`);
    expect(a.stdout).toMatch(/^taskpulse: could not record the start of run r\w+: .*not valid JSON; the job was not run\n$/);
    expect(a.stderr).toBe("");
    expect(a.code).toBe(6);
    expect(existsSync(marker)).toBe(false);
    // --json: the error envelope, exit 6
    const j = await cli({ store }, "run", "--job", "soft", "--json", "--", "true");
    expect(j.code).toBe(6);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: { code: "store_corrupt" } });
  });

  it("--task tracks the run as a task that finishes with it", async () => {
    const store = tempDir();
    const ok = await cli({ store }, "--json", "run", "--job", "tracked", "--task", "--", "sh", "-c", "echo published");
    const taskId = ok.json.data.run.task;
    expect(taskId).toMatch(/^[a-z]/);
    const shown = await cli({ store }, "--json", "status", taskId);
    expect(shown.json.data.task).toMatchObject({ name: "tracked", status: "done", result: "published", tags: ["cron"], notify: "silent" });
    const bad = await cli({ store }, "--json", "run", "--job", "tracked", "--task", "--", "sh", "-c", "echo 'login expired' >&2; exit 1");
    const failed = await cli({ store }, "--json", "status", bad.json.data.run.task);
    expect(failed.json.data.task).toMatchObject({ status: "failed", error: "login expired" });
  });

  it("`jobs <id>` shows recent runs with their output tails", async () => {
    const store = tempDir();
    await cli({ store }, "run", "--job", "show", "--", "sh", "-c", "echo line-a; echo line-b; echo warn-c >&2; exit 2");
    const r = await cli({ store }, "jobs", "show", "--lines", "1");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("❌ show failing");
    expect(r.stdout).toContain("│ line-b");
    expect(r.stdout).not.toContain("│ line-a");
    expect(r.stdout).toContain("│ warn-c");
    expect((await cli({ store }, "jobs", "nope")).code).toBe(3);
    expect((await cli({ store }, "jobs", "../etc")).code).toBe(2);
  });

  it("`jobs <id> --tail n`: the last run's last n lines, as cron users read a log", async () => {
    const store = tempDir();
    await cli({ store }, "run", "--job", "log", "--", "sh", "-c", "echo old-run");
    await cli({ store }, "run", "--job", "log", "--", "sh", "-c", "for i in 1 2 3 4 5; do echo line-$i; done");
    const r = await cli({ store }, "jobs", "log", "--tail", "2");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("│ line-4\n");
    expect(r.stdout).toContain("│ line-5");
    expect(r.stdout).not.toContain("line-3");
    expect(r.stdout).not.toContain("old-run");
    expect((await cli({ store }, "jobs", "--tail", "2")).code).toBe(2);
    expect((await cli({ store }, "jobs", "log", "--tail", "2", "--runs", "3")).code).toBe(2);
  });
});
