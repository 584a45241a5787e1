// The lock's exit hook (src/store/exit-hook.ts): a lock still held when the process ends is removed at exit and at
// SIGINT, SIGTERM and SIGHUP, and the signal then ends the process as it would have; a signal somebody else handles
// is left to them.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, tempDir } from "../support/helpers.ts";

const HOOK = join(ROOT, "src", "store", "exit-hook.ts");

/** Runs a script that registers the hook (its callback creates `marker`), then does `then`. */
function run(then: string) {
  const marker = join(tempDir(), "called");
  const script = `require(${JSON.stringify(HOOK)}).onExit(() => require("node:fs").writeFileSync(${JSON.stringify(marker)}, "x")); ${then}`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { encoding: "utf8", timeout: 45_000 });
  return { signal: r.signal, status: r.status, stdout: r.stdout, called: existsSync(marker) };
}

describe("the exit hook of the lock", () => {
  it.each(["SIGINT", "SIGTERM", "SIGHUP"])("%s: the hook runs, then the signal ends the process", (signal) => {
    expect(run(`process.kill(process.pid, "${signal}"); setTimeout(() => {}, 5000);`)).toMatchObject({ signal, called: true });
  });

  it("a normal exit and process.exit run it once", () => {
    expect(run("")).toMatchObject({ status: 0, called: true });
    expect(run("process.exit(3)")).toMatchObject({ status: 3, called: true });
  });

  it("a signal another listener handles is theirs: the process goes on, and the hook runs at its exit", () => {
    const r = run(`process.on("SIGTERM", () => { console.log("handled"); setTimeout(() => process.exit(4), 10); });
      process.kill(process.pid, "SIGTERM"); setTimeout(() => {}, 5000);`);
    expect(r).toMatchObject({ status: 4, signal: null, stdout: "handled\n", called: true });
  });

  it("the built command carries this hook, and no other library's (signal-exit's listens to 13 signals)", () => {
    for (const bundle of ["hot.cjs", "taskpulse.cjs"]) {
      const code = readFileSync(join(ROOT, "dist", bundle), "utf8");
      expect(code).toContain("SIGHUP");
      expect(code).not.toContain("SIGVTALRM"); // one of signal-exit's list
    }
  });
});
