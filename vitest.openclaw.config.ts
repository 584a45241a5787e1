// The real-client tier (npm run test:openclaw): taskpulse's pushes checked by the real openclaw package on Node 24,
// installed once into a cache outside the repository (scripts/env/openclaw-env.mjs). Kept apart from the unit suite,
// which must not need a 650 MB download. references/openclaw-real.md says what each test checks.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/openclaw-real/**/*.test.ts"],
    globalSetup: ["test/openclaw-real/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: "forks",
    // .ci/run adds this report's counts to its closing "N passed, N failed" line.
    reporters: ["default", ["json", { outputFile: ".tmp/vitest-openclaw-report.json" }]],
  },
});
