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

describe("output to a full disk", () => {
  it("stdout on /dev/full: one message on stderr and exit 6, the command itself carried out; no stack trace", () => {
    const store = tempDir();
    const env = { PATH: process.env.PATH, HOME: store, TASKPULSE_HOME: store, LANG: "C" };
    const id = spawnSync(process.execPath, [BIN, "create", "-q", "x", "--start"], { env, encoding: "utf8" }).stdout.trim();
    // heartbeat goes through the small entry (src/hot.ts), status and query through the full program
    for (const args of [["status"], ["status", "--json"], ["heartbeat", id, "full"], ["heartbeat", id, "--json"], ["query", "--json"]]) {
      const r = spawnSync("sh", ["-c", `"${process.execPath}" "${BIN}" "$@" > /dev/full`, "sh", ...args], { env, encoding: "utf8" });
      expect([args, r.status]).toEqual([args, 6]);
      expect(r.stderr).toMatch(/^error: cannot write the output: ENOSPC[^\n]*\nhint: the command itself was carried out[^\n]*\n$/);
    }
    const status = spawnSync(process.execPath, [BIN, "status", id, "--json"], { env, encoding: "utf8" });
    expect(status.stdout).toContain('"lastMessage":"full"');
  });
});
