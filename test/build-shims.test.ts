// The build replaces a few modules inside dependencies (scripts/build.mjs, SHIMS). A rule that replaces nothing
// means a dependency renamed or dropped the module: the build must fail rather than change what taskpulse runs.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildAll, SHIMS } from "../scripts/build.mjs";
import { tempDir } from "./support/helpers.ts";

describe("the build's shim rules", () => {
  it("fails, naming the rule, when one replaces nothing", async () => {
    const out = tempDir();
    const renamed = { dependency: "commander", module: /^no-such-module$/, shim: "scripts/shims/child-process.cjs" };
    const failure = await buildAll({ outDir: out, shims: [...SHIMS, renamed] }).catch((err: Error) => err.message);
    // only the extra rule is named: the real ones all matched in the same build
    expect(failure).toBe("shim rules that replaced nothing (did a dependency rename or drop the module?): /^no-such-module$/ in commander");
    expect(existsSync(join(out, "taskpulse.cjs"))).toBe(true);
  });

  it("passes with the rules as they are", async () => {
    await expect(buildAll({ outDir: tempDir() })).resolves.toBeUndefined();
  });
});
