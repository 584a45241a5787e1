// Runs a cron job's command: directly (no shell unless the command is one), in its own process group so that a
// timeout or an interrupt reaches everything it started, with stdout and stderr passed on as they arrive and the
// last `tailBytes` of each kept (cut on a UTF-8 character boundary).
//
// - timeout: SIGTERM to the group; once the command has exited (or after `killGraceMs`) SIGKILL to the group, so
//   grandchildren that ignored SIGTERM or were left in the background are gone too.
// - the wrapper gets SIGINT, SIGTERM or SIGHUP: the signal is forwarded to the group, with the same escalation, and
//   the run is reported (and recorded by the caller) instead of the wrapper dying silently.
// - normal exit: processes the command left in the background are not killed (a job may start a daemon on
//   purpose), but their output is only read for `drainMs` more; then the pipes are closed.
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { performance } from "node:perf_hooks";
import type { StreamTail } from "../core/job-model.ts";
import { decodeUtf8, utf8Tail } from "../core/utf8.ts";

export interface RunSpec {
  argv: readonly string[];
  timeoutMs?: number | undefined;
  killGraceMs?: number;
  drainMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  tailBytes: number;
  /** Keep the first this many bytes of stdout as well (what `--announce` prints); 0 keeps none. */
  captureBytes?: number;
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
  /** Forward SIGINT/SIGTERM/SIGHUP received by this process to the command's group (the CLI does; tests may not). */
  forwardSignals?: boolean;
}

export interface RunReport {
  pid: number | undefined;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** A signal this process received and forwarded. */
  interrupted: NodeJS.Signals | undefined;
  /** The command could not be started (e.g. `spawn ./x ENOENT`). */
  spawnError: { code: string | undefined; message: string } | undefined;
  durationMs: number;
  stdout: StreamTail;
  stderr: StreamTail;
  captured: string;
  capturedTruncated: boolean;
}

const KILL_GRACE_MS = 5_000;
const DRAIN_MS = 2_000;

/** Keeps the last `max` bytes of a stream. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private held = 0;
  total = 0;
  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.chunks.push(chunk);
    this.held += chunk.length;
    while (this.chunks.length > 1 && this.held - (this.chunks[0] as Buffer).length >= this.max) {
      this.held -= (this.chunks.shift() as Buffer).length;
    }
  }

  result(): StreamTail {
    const all = Buffer.concat(this.chunks);
    const tail = utf8Tail(all, this.max);
    return { tail: decodeUtf8(tail), bytes: this.total, truncated: tail.length < this.total };
  }
}

/** Keeps the first `max` bytes of a stream, decoded without a broken last character. */
class HeadBuffer {
  private chunks: Buffer[] = [];
  private held = 0;
  truncated = false;
  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    if (this.held >= this.max) {
      this.truncated ||= chunk.length > 0;
      return;
    }
    const room = this.max - this.held;
    if (chunk.length > room) this.truncated = true;
    const part = chunk.subarray(0, room);
    this.chunks.push(part);
    this.held += part.length;
  }

  text(): string {
    // streaming decode leaves an incomplete trailing sequence out instead of turning it into U+FFFD
    return new TextDecoder("utf-8").decode(Buffer.concat(this.chunks), { stream: true });
  }
}

export function runCommand(spec: RunSpec): Promise<RunReport> {
  const [command, ...args] = spec.argv;
  if (command === undefined) throw new Error("runCommand needs a command");
  const grace = spec.killGraceMs ?? KILL_GRACE_MS;
  const drainMs = spec.drainMs ?? DRAIN_MS;
  const stdout = new TailBuffer(spec.tailBytes);
  const stderr = new TailBuffer(spec.tailBytes);
  const head = new HeadBuffer(spec.captureBytes ?? 0);
  const started = performance.now();

  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: ["inherit", "pipe", "pipe"],
      detached: true,
      env: spec.env ?? process.env,
      cwd: spec.cwd ?? process.cwd(),
    });
    let timedOut = false;
    let interrupted: NodeJS.Signals | undefined;
    let exited = false;
    let escalation: NodeJS.Timeout | undefined;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;

    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // the group is gone
      }
    };
    const terminate = (signal: NodeJS.Signals) => {
      killGroup(signal);
      escalation ??= setTimeout(() => killGroup("SIGKILL"), grace);
    };
    const onSignal = (signal: NodeJS.Signals) => {
      interrupted ??= signal;
      terminate(signal);
    };
    const signals: NodeJS.Signals[] = spec.forwardSignals ? ["SIGINT", "SIGTERM", "SIGHUP"] : [];
    for (const s of signals) process.on(s, onSignal);

    child.stdout.on("data", (chunk: Buffer) => {
      stdout.push(chunk);
      head.push(chunk);
      spec.onStdout(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr.push(chunk);
      spec.onStderr(chunk);
    });

    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, spawnError?: RunReport["spawnError"]) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(escalation);
      for (const s of signals) process.off(s, onSignal);
      resolve({
        pid: child.pid,
        exitCode,
        signal,
        timedOut,
        interrupted,
        spawnError,
        durationMs: Math.round(performance.now() - started),
        stdout: stdout.result(),
        stderr: stderr.result(),
        captured: head.text(),
        capturedTruncated: head.truncated,
      });
    };

    child.on("error", (err: NodeJS.ErrnoException) => {
      // only a failure to start ends the run here; after a successful spawn, 'exit' does
      if (child.pid === undefined) finish(null, null, { code: err.code, message: err.message });
    });

    child.on("exit", (code, signal) => {
      exited = true;
      // a timed-out or interrupted run leaves nothing behind
      if (timedOut || interrupted) killGroup("SIGKILL");
      let streamsOpen = 2;
      const done = () => finish(code, signal);
      const closed = () => {
        streamsOpen -= 1;
        if (streamsOpen === 0) done();
      };
      for (const stream of [child.stdout, child.stderr]) {
        if (stream.readableEnded || stream.destroyed) closed();
        else stream.once("close", closed);
      }
      // background processes may hold the pipes open: stop waiting for them after drainMs
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        done();
      }, drainMs).unref();
    });

    if (spec.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        if (exited) return;
        timedOut = true;
        terminate("SIGTERM");
      }, spec.timeoutMs);
    }
  });
}

/** The exit code `run` reports for a run: the command's own code, else the shell conventions (124 timeout,
 * 126/127 could not execute / not found, 128+n killed by signal n). */
export function exitCodeOf(report: Pick<RunReport, "exitCode" | "signal" | "timedOut" | "spawnError">): number {
  if (report.spawnError) return report.spawnError.code === "ENOENT" ? 127 : 126;
  if (report.timedOut) return 124;
  if (report.signal) return 128 + (constants.signals[report.signal] ?? 0);
  return report.exitCode ?? 1;
}
