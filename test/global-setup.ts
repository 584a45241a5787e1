// The spawned-binary tests run dist/taskpulse.cjs: build it once before any test so they never test a stale bundle.
import { execFileSync } from "node:child_process";

export default function setup(): void {
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
}
