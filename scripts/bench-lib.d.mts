// Types of the parts of bench-lib.mjs that scripts/bench-pg.ts uses.
export function benchEnv(extra?: Record<string, string>): NodeJS.ProcessEnv;
export function taskpulseArgv(args: string[], node?: string): string[];
export function timeRun(argv: string[], env: NodeJS.ProcessEnv): { ms: number; cpuMs: number; stdout: string; stderr: string };
export function runAsync(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }>;
export function interleave<K extends string>(
  commands: Record<K, string[]>,
  options: { runs: number; warmup: number; env: NodeJS.ProcessEnv; cpu?: Record<string, number[]> },
): Record<K, number[]>;
export function median(values: number[]): number;
export function round1(x: number): number;
export function round2(x: number): number;
