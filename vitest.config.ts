import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The real-client tier has its own config (vitest.openclaw.config.ts, npm run test:openclaw).
    exclude: [...configDefaults.exclude, "test/openclaw-real/**"],
    globalSetup: ["test/support/global-setup.ts"],
    // Most tests spawn the CLI, many spawn dozens: a time limit must fit a machine 5-10x slower than this one (a
    // loaded CI runner), where the slowest files here take ~30 s under a load of 10. A passing run is no slower for
    // it; a hung test is reported after the limit. Tests that wait out fixed times set their own, longer limits.
    testTimeout: 5 * 60_000,
    hookTimeout: 5 * 60_000,
    pool: "forks",
    // The JSON report is what .ci/run counts to print its closing "N passed, N failed" line (its second run of the
    // suite, on Node 24, writes its own report: TASKPULSE_VITEST_REPORT).
    reporters: ["default", ["json", { outputFile: process.env.TASKPULSE_VITEST_REPORT || ".tmp/vitest-report.json" }]],
  },
});
