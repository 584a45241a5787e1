import { describe, expect, it } from "vitest";
import { cli, tempDir } from "../support/helpers.ts";

describe("--json with help and version (found by the CLI fuzz test)", () => {
  it.each([
    [["--json", "--version"], "0.1.0\n"],
    [["--json", "-V"], "0.1.0\n"],
    [["--json", "--help"], "Usage: taskpulse"],
    [["--json", "help"], "Usage: taskpulse"],
    [["--json", "help", "create"], "Usage: taskpulse create"],
    [["--json", "doctor", "--help"], "Usage: taskpulse doctor"],
  ])("%j prints one JSON document with the text inside", async (argv, text) => {
    const r = await cli({ store: tempDir() }, ...argv);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ schemaVersion: 1, ok: true, push: null });
    expect(r.json.data.text).toContain(text);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
  });

  it("without --json, help is plain text", async () => {
    const r = await cli({ store: tempDir() }, "--help");
    expect(r.stdout).toMatch(/^Usage: taskpulse/);
  });
});
