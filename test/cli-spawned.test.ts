// Spawned runs of the real binary for what only a real process shows.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { BIN, tempDir } from "./helpers.ts";

describe("output to a closed pipe", () => {
  it("a reader that goes away early (| head, | true) is not an error: no stack trace", () => {
    const store = tempDir();
    const r = spawnSync("sh", ["-c", `(sleep 0.3; "${process.execPath}" "${BIN}" --help; echo "exit=$?" >&2) | true`], {
      env: { PATH: process.env.PATH, TASKPULSE_HOME: store, LANG: "C" },
      encoding: "utf8",
    });
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.stderr).toContain("exit=0");
  });
});
