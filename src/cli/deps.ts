// Everything that varies between a real run and a test: injected once, so tests pass a fixed clock and capture
// output instead of faking timers or globals.
import { fdWriter, stdoutIsTTY } from "./stdio.ts";
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
  /** All of standard input, for `-` arguments (`state set <name> -`). */
  readStdin?: () => Promise<string>;
}

export function processDeps(): Deps {
  const isTTY = stdoutIsTTY();
  return {
    env: process.env,
    cwd: process.cwd(),
    home: process.env.HOME ?? "",
    stdout: fdWriter(1, () => process.stdout),
    stderr: fdWriter(2, () => process.stderr),
    now: () => new Date(),
    random: Math.random,
    isTTY,
    // process.stdout.columns is undefined unless stdout is a terminal
    columns: isTTY ? (process.stdout.columns ?? 80) : 80,
    passthrough: {
      stdout: (chunk) => {
        process.stdout.write(chunk);
      },
      stderr: (chunk) => {
        process.stderr.write(chunk);
      },
    },
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
  };
}
