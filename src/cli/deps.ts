// Everything that varies between a real run and a test: injected once, so tests pass a fixed clock and capture
// output instead of faking timers or globals.
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
}

export function processDeps(): Deps {
  // A reader that goes away early (`taskpulse status | head -1`) closes the pipe: the rest of the output has nowhere
  // to go, which is not an error. Without a listener, Node would print a stack trace for EPIPE and exit 1.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") throw err;
    });
  }
  return {
    env: process.env,
    cwd: process.cwd(),
    home: process.env.HOME ?? "",
    stdout: (text) => {
      process.stdout.write(text);
    },
    stderr: (text) => {
      process.stderr.write(text);
    },
    now: () => new Date(),
    random: Math.random,
    isTTY: process.stdout.isTTY === true,
    columns: process.stdout.columns ?? 80,
  };
}
