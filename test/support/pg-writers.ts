// Writers that create tasks while a PostgreSQL server restarts under them (pg-restart and pg-netns): each writer
// creates w<w>-<k> for k = 1..each, retrying a call that exits 5 (it changed nothing) until it exits 0; each restart
// waits for another share of the commits to be acknowledged, so every restart cuts into the stream.
import { until } from "./helpers.ts";

export type RestartMode = "fast" | "immediate";

export interface Stream {
  calls: number;
  /** Names whose create exited 0. */
  acknowledged: string[];
  /** Calls that exited 5 and were retried. */
  unavailable: number;
  /** Calls that exited otherwise (none expected). */
  unexpected: string[];
  /** Every name the writers were to create. */
  expected: string[];
}

export async function writeThroughRestarts(options: {
  writers: number;
  each: number;
  restarts: readonly RestartMode[];
  create: (writer: number, name: string) => Promise<{ code: number | null; stderr: string }>;
  restart: (mode: RestartMode) => void;
}): Promise<Stream> {
  const { writers, each, restarts } = options;
  const stream: Stream = { calls: 0, acknowledged: [], unavailable: 0, unexpected: [], expected: [] };
  for (let w = 0; w < writers; w++) for (let k = 1; k <= each; k++) stream.expected.push(`w${w}-${k}`);
  const writer = async (w: number) => {
    for (let k = 1; k <= each; k++) {
      const name = `w${w}-${k}`;
      for (;;) {
        stream.calls++;
        const r = await options.create(w, name);
        if (r.code === 0) {
          stream.acknowledged.push(name);
          break;
        }
        if (r.code !== 5) {
          stream.unexpected.push(`${name}: exit ${r.code}: ${r.stderr}`);
          break;
        }
        stream.unavailable++; // nothing changed: try again
      }
    }
  };
  const writing = Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
  const total = writers * each;
  for (const [i, mode] of restarts.entries()) {
    await until(`commits before restart ${i + 1}`, () => stream.acknowledged.length >= ((i + 1) * total) / (restarts.length + 2));
    options.restart(mode);
  }
  await writing;
  stream.acknowledged.sort();
  stream.expected.sort();
  return stream;
}
