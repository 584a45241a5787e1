// Types of scripts/env/openclaw-env.mjs, for test/openclaw-real.
export const NODE_VERSION: string;
export const OPENCLAW_VERSION: string;
export function cacheRoot(env?: NodeJS.ProcessEnv): string;
export interface OpenclawEnv {
  /** The Node 24 binary. */
  node: string;
  /** openclaw's entry, openclaw.mjs, to run with `node`. */
  openclaw: string;
  /** The cache entry holding both. */
  dir: string;
  /** True when nothing had to be installed. */
  cached: boolean;
}
export function openclawEnv(options?: { env?: NodeJS.ProcessEnv; log?: (line: string) => void }): OpenclawEnv;
