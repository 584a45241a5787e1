// Entry of the bundle: bin/taskpulse.js loads this and sets process.exitCode from run().
import { processDeps } from "./cli/deps.ts";
import { run } from "./cli/run.ts";

export function main(argv: readonly string[]): Promise<number> {
  return run(argv, processDeps());
}
