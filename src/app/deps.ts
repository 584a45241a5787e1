// Everything that varies between a real run and a test: injected once, so tests pass a fixed clock and capture
// output instead of faking timers or globals. The process's own is processDeps() in src/cli/deps.ts.
export interface Deps {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  home: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  now: () => Date;
  random: () => number;
  isTTY: boolean;
  columns: number;
  /** Raw byte writers for output passed through from a child process (`run`); absent: decoded into stdout/stderr. */
  passthrough?: { stdout(chunk: Uint8Array): void; stderr(chunk: Uint8Array): void };
  /** All of standard input, for `-` arguments (`state set <name> -`); usage error (exit 2) past `maxBytes`. */
  readStdin?: (maxBytes?: number) => Promise<string>;
}
