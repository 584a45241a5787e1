import { spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fdWriter } from "../../src/cli/stdio.ts";
import { ROOT, spawnCliSync, tempDir } from "../support/helpers.ts";

describe("fdWriter", () => {
  it("writes whole texts to the descriptor, in order", () => {
    const file = join(tempDir(), "out");
    const fd = openSync(file, "w");
    const write = fdWriter(fd, () => {
      throw new Error("the stream is not needed");
    });
    write("💓 ok\n");
    write("二\n".repeat(50_000));
    closeSync(fd);
    expect(readFileSync(file, "utf8")).toBe(`💓 ok\n${"二\n".repeat(50_000)}`);
  });

  it("hands the text, and everything after it, to the stream when the descriptor fails", () => {
    const file = join(tempDir(), "out");
    const fd = openSync(file, "w");
    closeSync(fd);
    const seen: string[] = [];
    const write = fdWriter(fd, () => ({ write: (chunk: string | Uint8Array) => seen.push(Buffer.from(chunk).toString()) > 0 }));
    write("a\n");
    write("b\n");
    expect(seen).toEqual(["a\n", "b\n"]);
  });
});

describe("spawned output", () => {
  it("reaches a pipe", () => {
    const store = tempDir();
    expect(spawnCliSync(store, ["status"])).toMatchObject({ code: 0, stdout: "📭 no tasks\n", stderr: "" });
  });
});

describe("stdoutIsTTY", () => {
  it.each([
    ["a pipe", "pipe"],
    ["/dev/null", "ignore"],
    ["a file", "file"],
  ])("gives process.stdout.isTTY's answer for %s", (_name, kind) => {
    const stdio = kind === "file" ? openSync(join(tempDir(), "out"), "w") : (kind as "pipe" | "ignore");
    const code = `import(${JSON.stringify(join(ROOT, "src", "cli", "stdio.ts"))}).then((m) => {
      const fast = m.stdoutIsTTY();
      process.stderr.write(fast + " " + (process.stdout.isTTY === true));
    });`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", code], {
      stdio: ["ignore", stdio, "pipe"],
      encoding: "utf8",
      cwd: ROOT,
    });
    expect(r.stderr).toBe("false false");
  });
});
