import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The real-client tier has its own config (vitest.openclaw.config.ts, npm run test:openclaw).
    exclude: [...configDefaults.exclude, "test/openclaw-real/**"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The JSON report is what .ci/run counts to print its closing "N passed, N failed" line (its second run of the
    // suite, on Node 24, writes its own report: TASKPULSE_VITEST_REPORT).
    reporters: ["default", ["json", { outputFile: process.env.TASKPULSE_VITEST_REPORT || ".tmp/vitest-report.json" }]],
  },
});
