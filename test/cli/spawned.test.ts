// Spawned runs of the real binary for what only a real process shows.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, tempDir } from "../support/helpers.ts";

describe("output to a closed pipe", () => {
  it("a reader that goes away early (| head, | true) is not an error: no stack trace", () => {
    const store = tempDir();
    // The reader closes its end of the pipe, then says so through a FIFO; only then does the CLI start writing: no
    // sleep standing in for "the reader is gone by now".
    const gone = join(store, "reader-gone");
    expect(spawnSync("mkfifo", [gone]).status).toBe(0);
    const script = `(read _ < "$1"; "$2" "$3" --help; echo "exit=$?" >&2) | { exec <&-; echo gone > "$1"; }`;
    const r = spawnSync("sh", ["-c", script, "sh", gone, process.execPath, BIN], {
      env: { PATH: process.env.PATH, TASKPULSE_HOME: store, LANG: "C" },
      encoding: "utf8",
      timeout: 60_000,
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
