// The store docs are checked against the code, so they cannot drift: every doctor finding is explained.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FINDING_CODES } from "../../src/store/doctor.ts";
import { ROOT } from "../support/helpers.ts";

const troubleshooting = readFileSync(join(ROOT, "references", "troubleshooting.md"), "utf8");
const format = readFileSync(join(ROOT, "references", "store-format.md"), "utf8");

describe("references/troubleshooting.md", () => {
  it("has one section per doctor finding, and none for findings that do not exist", () => {
    const sections = [...troubleshooting.matchAll(/^### (.+)$/gm)].map((m) => m[1]);
    expect([...sections].sort()).toEqual([...FINDING_CODES].sort());
  });

  it("says that nothing secret is needed or printed", () => {
    expect(troubleshooting).toContain("**Nothing secret is needed or printed.**");
  });
});

describe("references/store-format.md", () => {
  it("documents the journal version and the rebuild rule", () => {
    expect(format).toContain("## journal.jsonl (format v1)");
    expect(format).toContain("readers refuse a\n  higher `v` with exit 6");
    expect(format).toMatch(/longest chain/);
  });
});
