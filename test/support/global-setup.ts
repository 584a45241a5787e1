// The spawned-binary tests run dist/taskpulse.cjs: build it once before any test so they never test a stale bundle.
// The PostgreSQL tests share one throwaway server (test/support/pg-server.ts), started here and removed at the end. When it
// cannot start (PostgreSQL not installed), the PostgreSQL tests fail with the reason (test/support/pg-helpers.ts): they never
// skip, since CI installs PostgreSQL.
import { execFileSync } from "node:child_process";
import type { TestProject } from "vitest/node";
import { startPgServer } from "./pg-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** postgres://…/postgres of the shared test server, "" when it could not start. */
    pgAdminUrl: string;
    pgError: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
  try {
    const server = await startPgServer();
    project.provide("pgAdminUrl", server.url("postgres"));
    project.provide("pgError", "");
    return () => server.stop();
  } catch (err) {
    project.provide("pgAdminUrl", "");
    project.provide("pgError", (err as Error).message);
    return () => {};
  }
}
