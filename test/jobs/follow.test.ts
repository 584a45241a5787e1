// `taskpulse jobs <job> --follow` with real processes: a `run` in the background whose command waits for a file the
// test creates, and a follower started while it runs. Readiness is seen in the followers' own output (or, for one
// that has nothing to print yet, its file watch): no sleeps, and no time limits decide an outcome.
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, cleanEnv, cli, type Live, spawnLive, tempDir, until, watching } from "../support/helpers.ts";

/** The built CLI in the background, its output readable while it runs. */
function start(store: string, args: string[]): Live {
  return spawnLive(process.execPath, [BIN, ...args], { env: cleanEnv(store) });
}

/** A job command that prints `before`, waits until `go` exists, then runs `after`. */
function gated(go: string, before: string, after: string): string[] {
  return ["sh", "-c", `${before}; while [ ! -e "${go}" ]; do sleep 0.05; done; ${after}`];
}

function liveFiles(store: string): string[] {
  const dir = join(store, "jobs");
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".live")) : [];
}

const lines = (prefix: string, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}-${from + i}\n`).join("");

describe("jobs --follow: a run in progress", () => {
  it("prints its last lines, then its new output as it comes, and exits 0 when it succeeds", async () => {
    const store = tempDir();
    const go = join(store, "go");
    const run = start(store, [
      "run",
      "--job",
      "live",
      "--",
      ...gated(go, "for i in $(seq 1 12); do echo early-$i; done", "echo late-1; echo late-2 >&2; echo late-3"),
    ]);
    // `run` writes each chunk to the live output before passing it on: seen here, it is there for the follower
    await until("the job's first lines", () => run.stdout().includes("early-12\n"));
    const follow = start(store, ["jobs", "live", "--follow"]);
    await until("the follower prints the lines so far", () => follow.stdout().includes("early-12\n"));
    expect(follow.stdout()).toBe(lines("early", 3, 12));
    writeFileSync(go, "");
    const ended = await follow.closed;
    expect(ended, follow.stderr()).toMatchObject({ code: 0, signal: null });
    const out = follow.stdout();
    expect(out.startsWith(lines("early", 3, 12))).toBe(true);
    // stdout and stderr are separate pipes: their lines may arrive in either order
    expect(
      out
        .slice(lines("early", 3, 12).length)
        .split("\n")
        .sort(),
    ).toEqual(["", "late-1", "late-2", "late-3"]);
    expect(follow.stderr()).toMatch(/^taskpulse: run r[0-9a-z]+ of live: ✅ succeeded in \d+/);
    expect((await run.closed).code).toBe(0);
    // the live output is gone once the result is recorded
    expect(liveFiles(store)).toEqual([]);
  });

  it("--tail n: the last n lines first; a failing run: exit 7, with the failure", async () => {
    const store = tempDir();
    const go = join(store, "go");
    const run = start(store, [
      "run",
      "--job",
      "flaky",
      "--",
      ...gated(go, "echo one; echo two; echo three", "echo 'disk full' >&2; exit 3"),
    ]);
    await until("the job's first lines", () => run.stdout().includes("three\n"));
    const follow = start(store, ["jobs", "flaky", "-f", "--tail", "2"]);
    await until("the follower prints the lines so far", () => follow.stdout().includes("three\n"));
    writeFileSync(go, "");
    expect(await follow.closed).toMatchObject({ code: 7, signal: null });
    expect(follow.stdout()).toBe("two\nthree\ndisk full\n");
    expect(follow.stderr()).toMatch(/^taskpulse: run r[0-9a-z]+ of flaky: ❌ failed after [^:]+: disk full\n$/);
    expect((await run.closed).code).toBe(3);
  });

  it("Ctrl-C ends it at once, cleanly: exit 130, the run goes on", async () => {
    const store = tempDir();
    const go = join(store, "go");
    const run = start(store, ["run", "--job", "long", "--", ...gated(go, "echo working", "echo done")]);
    await until("the job's first line", () => run.stdout().includes("working\n"));
    const follow = start(store, ["jobs", "long", "--follow"]);
    await until("the follower prints it", () => follow.stdout().includes("working\n"));
    process.kill(follow.pid, "SIGINT");
    expect(await follow.closed).toMatchObject({ code: 130, signal: null });
    expect(follow.stderr()).toBe("");
    writeFileSync(go, "");
    expect((await run.closed).code).toBe(0);
  });

  it("a run whose wrapper is killed: counted as lost, exit 7; the next run deletes its live output", async () => {
    const store = tempDir();
    const go = join(store, "go");
    const run = start(store, ["run", "--job", "doomed", "--", ...gated(go, "echo $$", "true")]);
    await until("the job prints its pid", () => /^\d+\n/.test(run.stdout()));
    const jobPid = Number(run.stdout().split("\n")[0]);
    const follow = start(store, ["jobs", "doomed", "--follow"]);
    await until("the follower prints it", () => follow.stdout() === run.stdout());
    process.kill(run.pid, "SIGKILL");
    await run.closed;
    writeFileSync(go, ""); // the job's own command (its own process group) ends too
    expect(await follow.closed).toMatchObject({ code: 7, signal: null });
    expect(follow.stderr()).toMatch(/^taskpulse: run r[0-9a-z]+ of doomed: 💀 run lost: its wrapper was killed/);
    await until("the job's command ends", () => {
      try {
        process.kill(jobPid, 0);
        return false;
      } catch {
        return true;
      }
    });
    expect(liveFiles(store)).toHaveLength(1);
    expect((await cli({ store }, "run", "--job", "doomed", "--", "true")).code).toBe(0);
    expect(liveFiles(store)).toEqual([]);
  });

  it("a run with no live output (a store that keeps none): its recorded tail when it ends", async () => {
    const store = tempDir();
    const go = join(store, "go");
    const run = start(store, ["run", "--job", "quiet", "--", ...gated(go, "echo rec-1", "echo rec-2")]);
    await until("the job's first line", () => run.stdout().includes("rec-1\n"));
    const [live] = liveFiles(store);
    expect(readFileSync(join(store, "jobs", live as string), "utf8")).toBe("rec-1\n");
    unlinkSync(join(store, "jobs", live as string));
    const follow = start(store, ["jobs", "quiet", "--follow"]);
    await until("the follower waits on the store's change feed", () => watching(follow.pid));
    expect(follow.stdout()).toBe("");
    writeFileSync(go, "");
    expect(await follow.closed).toMatchObject({ code: 0, signal: null });
    expect(follow.stdout()).toBe("rec-1\nrec-2\n");
    expect((await run.closed).code).toBe(0);
  });
});

describe("jobs --follow: no run in progress", () => {
  it("prints the last run's last lines and exits at once, saying so in one line", async () => {
    const store = tempDir();
    await cli({ store }, "run", "--job", "idle", "--", "sh", "-c", "for i in 1 2 3 4; do echo line-$i; done");
    const r = await cli({ store }, "jobs", "idle", "--follow", "--tail", "2");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("line-3\nline-4\n");
    expect(r.stderr).toMatch(/^taskpulse: no run of idle in progress; its last run r[0-9a-z]+: ✅ succeeded in \d+\S*\n$/);
    // -q: the lines only
    expect(await cli({ store }, "jobs", "idle", "-f", "--tail", "1", "-q")).toMatchObject({ code: 0, stdout: "line-4\n", stderr: "" });
  });

  it("a last run that failed: exit 7, its stdout's then its stderr's last lines", async () => {
    const store = tempDir();
    const r0 = await cli({ store }, "run", "--job", "broken", "--", "sh", "-c", "echo out-1; echo out-2; echo 'no such table' >&2; exit 4");
    expect(r0.code).toBe(4);
    const r = await cli({ store }, "jobs", "broken", "--follow", "--tail", "1");
    expect(r.code).toBe(7);
    expect(r.stdout).toBe("out-2\nno such table\n");
    expect(r.stderr).toMatch(/^taskpulse: no run of broken in progress; its last run r[0-9a-z]+: ❌ failed after [^:]+: no such table\n$/);
  });
});

describe("jobs --follow: refused", () => {
  it("with --json (a stream is not one JSON document), without a job, with --runs or --lines; an unknown job", async () => {
    const store = tempDir();
    await cli({ store }, "run", "--job", "j", "--", "true");
    const json = await cli({ store }, "--json", "jobs", "j", "--follow");
    expect(json.code).toBe(2);
    expect(json.json).toMatchObject({ ok: false, error: { code: "usage", message: expect.stringMatching(/cannot be one JSON document/) } });
    const noJob = await cli({ store }, "jobs", "--follow");
    expect(noJob.code).toBe(2);
    expect(noJob.stderr).toMatch(/^error: --follow follows one job's run: give its name\n/);
    expect((await cli({ store }, "jobs", "j", "--follow", "--runs", "2")).code).toBe(2);
    expect((await cli({ store }, "jobs", "j", "--follow", "--lines", "2")).code).toBe(2);
    expect((await cli({ store }, "jobs", "j", "--follow", "--tail", "x")).code).toBe(2);
    expect((await cli({ store }, "jobs", "nope", "--follow")).code).toBe(3);
  });
});
