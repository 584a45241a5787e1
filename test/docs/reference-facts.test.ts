// Hand-written references that state facts about the code are checked against the code: every exit code is in
// exit-codes.md and in --help with the same meaning, and every environment variable the program reads is in
// environment.md (and nothing there is invented).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../../src/core/errors.ts";
import { cli, ROOT, tempDir } from "../support/helpers.ts";

const read = (p: string) => readFileSync(join(ROOT, p), "utf8");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : full.endsWith(".ts") ? [full] : [];
  });
}

describe("references/exit-codes.md", () => {
  it("lists every exit code the program has, and --help lists the same codes", async () => {
    const doc = read("references/exit-codes.md");
    const documented = [...doc.matchAll(/^\| (\d+) +\|/gm)].map((m) => Number(m[1]));
    const codes = [...new Set(Object.values(EXIT))].sort((a, b) => a - b);
    expect(documented).toEqual(codes);
    const help = (await cli({ store: tempDir() }, "--help")).stdout;
    const inHelp = [...help.slice(help.indexOf("Exit codes:")).matchAll(/^ {2}(\d+) /gm)].map((m) => Number(m[1]));
    expect(inHelp).toEqual(codes);
  });
});

describe("references/environment.md", () => {
  it("documents every environment variable the program reads, and only those", () => {
    const read_ = new Set<string>();
    for (const file of sources(join(ROOT, "src"))) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/\benv\.([A-Z][A-Z0-9_]+)|"([A-Z][A-Z0-9_]+)" in (?:deps\.)?env/g)) read_.add((m[1] ?? m[2]) as string);
    }
    // The locale variables are covered by the TASKPULSE_LANG row.
    for (const locale of ["LANG", "LC_ALL", "LC_MESSAGES"]) read_.delete(locale);
    const doc = read("references/environment.md");
    const rows = new Set([...doc.matchAll(/^\| `([A-Z][A-Z0-9_]+)` +\|/gm)].map((m) => m[1] as string));
    // (TZ: read by the runtime, and by context.ts, which puts the host's back after a TASKPULSE_TZ)
    expect([...read_].sort()).toEqual([...rows].sort());
    expect(doc).toMatch(/LC_ALL.*LC_MESSAGES.*LANG/);
  });
});
