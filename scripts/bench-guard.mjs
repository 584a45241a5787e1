#!/usr/bin/env node
// CI guard against gross start-up regressions: a quick interleaved comparison of `taskpulse heartbeat` with
// `node -e ''`, failing only when heartbeat takes more than 3 × as long. CI machines are noisy, so the real
// targets (1.5 ×, goal 1.2 ×) are checked by the full `npm run bench`, not here. Builds dist/ only if it is missing.
// Exit status: 0 within the limit, 1 over it, 2 if the measurement itself failed.
import { join } from "node:path";
import {
  benchEnv,
  cleanup,
  ENV_NOTE,
  ensureBuilt,
  interleave,
  median,
  round1,
  round2,
  runningTask,
  taskId,
  taskpulseArgv,
  tempRoot,
  writeStore,
} from "./bench-lib.mjs";

const LIMIT = 3;
const RUNS = 15;

let root;
try {
  ensureBuilt(false);
  root = tempRoot();
  const store = writeStore(join(root, "store"), [runningTask(0)]);
  const times = interleave(
    {
      node: [process.execPath, "-e", ""],
      heartbeat: taskpulseArgv(["--store", store, "heartbeat", taskId(0), "guard"]),
    },
    { runs: RUNS, warmup: 2, env: benchEnv() },
  );
  const nodeMs = median(times.node);
  const heartbeatMs = median(times.heartbeat);
  const ratio = heartbeatMs / nodeMs;
  const verdict = ratio > LIMIT ? "FAIL" : "ok";
  console.log(`${ENV_NOTE}`);
  console.log(
    `bench-guard ${verdict}: heartbeat ${round1(heartbeatMs)} ms, node -e '' ${round1(nodeMs)} ms: ${round2(ratio)} × (limit ${LIMIT} ×, medians of ${RUNS})`,
  );
  process.exitCode = ratio > LIMIT ? 1 : 0;
} catch (err) {
  console.error(`bench-guard: could not measure: ${err?.message ?? err}`);
  process.exitCode = 2;
} finally {
  if (root) cleanup(root);
}
