// `taskpulse heartbeat-line --era scratch` against a real gateway: the recipe finds the agent's heartbeat job
// (whose name, heartbeat-main, is not an id), appends the missing entries to its scratch text and writes it back
// only at the revision it read, so an edit made in between is never overwritten.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { spawnCliSync, tempDir, until } from "../support/helpers.ts";
import { cronJobs, type Gateway, startGateway } from "./gateway.ts";
import { commandsDir, OPENCLAW_ENTRY, OPENCLAW_NODE, openclaw } from "./openclaw.ts";

let gw: Gateway;
let jobId: string;

beforeAll(async () => {
  gw = await startGateway();
  jobId = await until("OpenClaw has made main's heartbeat job", () => cronJobs(gw).find((j) => j.declarationKey === "heartbeat:main")?.id);
});

/** A PATH with `openclaw` (the real one, on Node 24) and `node`; `before` runs first when a call has `--file`. */
function pathWith(before = ""): string {
  const bin = commandsDir(join(tempDir("tp-oc-bin-"), "bin"), before ? { openclaw: true, beforeFile: before } : { openclaw: true });
  return `${bin}:${join(OPENCLAW_NODE, "..")}:${process.env.PATH}`;
}

function scratch(): { content: string | null; revision: number } {
  const r = openclaw(gw, ["cron", "scratch", jobId, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  const got = r.json as { scratch: { content: string } | null; currentRevision: number };
  return { content: got.scratch?.content ?? null, revision: got.currentRevision };
}

function recipe(...args: string[]): string {
  const r = spawnCliSync(tempDir(), ["heartbeat-line", "--era", "scratch", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** Runs a recipe with `sh`, as a user pipes it, against the gateway. */
function runRecipe(script: string, path = pathWith()) {
  const r = spawnSync("sh", ["-c", script], { env: { ...gw.env, PATH: path }, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("heartbeat-line --era scratch, on a real gateway", () => {
  it("appends the entries once to the heartbeat job's scratch, keeping the rest of the text", () => {
    const before = "Check the calendar.\nIf `$HOME` has \"quotes\" and 'apostrophes', keep them.\n- old entry";
    expect(openclaw(gw, ["cron", "scratch", jobId, "--set", before]).code).toBe(0);
    const script = recipe("--agent", "main");
    const first = runRecipe(script);
    expect(first.code, first.stderr).toBe(0);
    const after = scratch();
    expect(after.content).toMatch(
      /^Check the calendar\.\nIf `\$HOME` has "quotes" and 'apostrophes', keep them\.\n- old entry\n- taskpulse: run `taskpulse cleanup -q`/,
    );
    const entries = (after.content ?? "").split("\n").filter((l) => l.startsWith("- taskpulse:"));
    expect(entries).toHaveLength(3);
    expect(entries[1]).toContain("`taskpulse status --alerts`");
    expect(entries[2]).toContain("`taskpulse start --agent main -q`");
    expect(entries[2]).toContain("reply NO_REPLY");
    // again: every entry is there, nothing is written (the revision stays)
    const again = runRecipe(script);
    expect(again.code, again.stderr).toBe(0);
    expect(scratch()).toEqual(after);
    // the job can also be named (--job takes its name or its id)
    expect(openclaw(gw, ["cron", "scratch", jobId, "--set", "- only this"]).code).toBe(0);
    const byName = runRecipe(recipe("--agent", "main", "--job", "heartbeat-main"));
    expect(byName.code, byName.stderr).toBe(0);
    expect(scratch().content?.startsWith("- only this\n- taskpulse: run")).toBe(true);
  });

  it("never overwrites an edit made between its read and its write: it fails and says so", () => {
    expect(openclaw(gw, ["cron", "scratch", jobId, "--set", "first text"]).code).toBe(0);
    // the real openclaw, but someone else edits the scratch just before the recipe writes
    const meanwhile = `"${OPENCLAW_NODE}" "${OPENCLAW_ENTRY}" cron scratch ${jobId} --set "edited meanwhile" > /dev/null`;
    const r = runRecipe(recipe("--agent", "main"), pathWith(meanwhile));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/changed concurrently/);
    expect(scratch().content).toBe("edited meanwhile");
  });

  it("an agent without a heartbeat job: a clear failure, nothing written", () => {
    const before = scratch();
    const r = runRecipe(recipe("--agent", "nobody"));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("no heartbeat job of agent nobody");
    expect(scratch()).toEqual(before);
  });
});
