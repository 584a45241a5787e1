// Types of what test/build-shims.test.ts uses from build.mjs.
export interface ShimRule {
  dependency: string;
  module: RegExp;
  shim: string;
}
export const SHIMS: readonly ShimRule[];
export function buildAll(options?: { outDir?: string; shims?: readonly ShimRule[] }): Promise<void>;
