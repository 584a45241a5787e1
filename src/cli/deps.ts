// The real process as Deps (src/app/deps.ts): its environment, clock and standard streams.
import type { Deps } from "../app/deps.ts";
import { UsageError } from "../core/errors.ts";
import { fdWriter, stdoutIsTTY } from "./stdio.ts";

const quieted = new WeakSet<NodeJS.WriteStream>();
let streamUsed = false;

/**
 * Whether any output went through process.stdout or process.stderr rather than straight to the descriptor. Until it
 * has, everything printed is already written, and the process may exit at once (see bin/taskpulse.js).
 */
export function outputStreamsUsed(): boolean {
  return streamUsed;
}

/**
 * A reader that goes away early (`taskpulse status | head -1`) closes the pipe: the rest of the output has nowhere
 * to go, which is not an error. Without a listener, Node would print a stack trace for EPIPE and exit 1. Attached
 * only when a stream is used at all (the common path writes to the descriptor and never builds the stream).
 */
function quietOnEpipe(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  streamUsed = true;
  if (!quieted.has(stream)) {
    quieted.add(stream);
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") throw err;
    });
  }
  return stream;
}

export function processDeps(): Deps {
  const isTTY = stdoutIsTTY();
  return {
    env: process.env,
    cwd: process.cwd(),
    home: process.env.HOME ?? "",
    stdout: fdWriter(1, () => quietOnEpipe(process.stdout)),
    stderr: fdWriter(2, () => quietOnEpipe(process.stderr)),
    now: () => new Date(),
    random: Math.random,
    isTTY,
    // process.stdout.columns is undefined unless stdout is a terminal
    columns: isTTY ? (process.stdout.columns ?? 80) : 80,
    passthrough: {
      stdout: (chunk) => {
        quietOnEpipe(process.stdout).write(chunk);
      },
      stderr: (chunk) => {
        quietOnEpipe(process.stderr).write(chunk);
      },
    },
    readStdin: async (maxBytes = Number.POSITIVE_INFINITY) => {
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const chunk of process.stdin) {
        total += (chunk as Buffer).length;
        if (total > maxBytes) {
          // stop reading an endless input (`< /dev/zero`): nothing more of it is wanted
          process.stdin.destroy();
          throw new UsageError(`standard input is larger than ${maxBytes} bytes, the most this command reads`);
        }
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks).toString("utf8");
    },
  };
}
