// Installs (or finds in the cache) the pinned Node 24 and openclaw before any test, so an install never counts
// against a test's timeout, and hands their paths to the tests.
import type { TestProject } from "vitest/node";
import { openclawEnv } from "../../scripts/env/openclaw-env.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    /** The Node 24 binary from the cache. */
    openclawNode: string;
    /** openclaw.mjs of the cached openclaw package. */
    openclawEntry: string;
  }
}

export default function setup(project: TestProject): void {
  const env = openclawEnv();
  project.provide("openclawNode", env.node);
  project.provide("openclawEntry", env.openclaw);
}
