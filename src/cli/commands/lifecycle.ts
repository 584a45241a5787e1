import type { Command } from "commander";
import type { App } from "../program.ts";
import { registerCancel } from "./cancel.ts";
import { registerDone } from "./done.ts";
import { registerFail } from "./fail.ts";
import { registerHeartbeat } from "./heartbeat.ts";
import { registerNext } from "./next.ts";
import { registerRetry } from "./retry.ts";

export function registerLifecycle(program: Command, app: App): void {
  registerNext(program, app);
  registerHeartbeat(program, app);
  registerDone(program, app);
  registerFail(program, app);
  registerRetry(program, app);
  registerCancel(program, app);
}
