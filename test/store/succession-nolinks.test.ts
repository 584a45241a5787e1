// Commit claims on a file system without hard links (FAT, some network and FUSE file systems answer link(2) with
// EPERM or ENOTSUP): none of those can be mounted here, so link(2) is made to answer as they do. The claim is then
// created and written in place, and holds the token; nothing of the attempt is left behind.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { ClaimedError, claimSuccession, dropClaim } from "../../src/store/succession.ts";
import { tempDir } from "../support/helpers.ts";

vi.mock("node:fs", async (actual) => {
  const fs = await actual<typeof import("node:fs")>();
  const linkSync = () => {
    throw Object.assign(new Error("EPERM: operation not permitted, link"), { code: "EPERM" });
  };
  return { ...fs, default: { ...fs, linkSync }, linkSync };
});

describe("a commit claim where the file system has no hard links", () => {
  it("is created in place with the token, binds a second claimant, and is removed with its claim", () => {
    const dir = tempDir();
    const file = join(dir, "state.json");
    const claim = claimSuccession(file, "abc123");
    expect(readdirSync(dir)).toEqual([".state.json.next-abc123.0"]);
    expect(readFileSync(join(dir, ".state.json.next-abc123.0"), "utf8")).toMatch(new RegExp(`^tp1 ${process.pid} `));
    // this process lives: a second claim on the same state is refused
    expect(() => claimSuccession(file, "abc123")).toThrow(ClaimedError);
    expect(readdirSync(dir)).toEqual([".state.json.next-abc123.0"]);
    dropClaim(claim);
    expect(readdirSync(dir)).toEqual([]);
  });
});
