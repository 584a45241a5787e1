import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach } from "vitest";
import type { Deps } from "../../src/app/deps.ts";
import { run } from "../../src/cli/run.ts";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BIN = join(ROOT, "bin", "taskpulse.js");

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix = "tp-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests poke into JSON output freely
  json: any;
}

export interface CliOptions {
  store: string;
  now?: string;
  env?: Record<string, string>;
  cwd?: string;
  home?: string;
  tty?: boolean;
  columns?: number;
  random?: () => number;
  /** What `-` arguments read as standard input. */
  stdin?: string;
}

/** Quiet Deps for calling src/app directly: a fixed clock, output dropped, the store in TASKPULSE_HOME. */
export function appDeps(store: string, now: Date, options: { lang?: string; columns?: number } = {}): Deps {
  return {
    env: { TASKPULSE_HOME: store, LANG: options.lang ?? "C" },
    cwd: "/",
    home: "/nonexistent-home",
    stdout: () => {},
    stderr: () => {},
    now: () => now,
    random: Math.random,
    isTTY: false,
    columns: options.columns ?? 80,
    readStdin: async () => "",
  };
}

/** Runs the CLI in-process with a scrubbed environment and a fixed clock. */
export async function cli(options: CliOptions, ...argv: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const now = new Date(options.now ?? "2026-05-01T10:00:00Z");
  const deps: Deps = {
    env: { TASKPULSE_HOME: options.store, LANG: "C", ...options.env },
    cwd: options.cwd ?? "/",
    home: options.home ?? "/nonexistent-home",
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    now: () => now,
    random: options.random ?? Math.random,
    isTTY: options.tty ?? false,
    columns: options.columns ?? 80,
    readStdin: async () => options.stdin ?? "",
  };
  const code = await run(argv, deps);
  let json: unknown;
  if (argv.includes("--json")) json = JSON.parse(stdout);
  return { code, stdout, stderr, json };
}

/**
 * The code cache of spawned runs (the loader's, normally ~/.cache/taskpulse): one directory for the whole run, outside
 * every store, so that a test's HOME (often its store) holds only what the store writes.
 */
const CODE_CACHE = join(ROOT, ".tmp", "test-cache");
mkdirSync(CODE_CACHE, { recursive: true, mode: 0o700 });

/** A scrubbed environment for spawned runs: only what the binary needs. */
export function cleanEnv(store: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: store, TASKPULSE_HOME: store, XDG_CACHE_HOME: CODE_CACHE, LANG: "C", ...extra };
}

export function spawnCliSync(store: string, args: string[], extra: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: cleanEnv(store, extra), encoding: "utf8" });
  return { code: r.status ?? -1, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The built CLI with `args` in `env`, as a child running alongside others; resolves when it has closed. `pid` is
 * the child's, for readiness checks (see `watching`).
 */
export function spawnBin(args: string[], env: NodeJS.ProcessEnv): Promise<ChildResult> & { pid: number } {
  return spawnCollect(process.execPath, [BIN, ...args], { env });
}

/** A child running alongside others: its output so far, readable while it runs, and how it ended. */
export interface Live {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  closed: Promise<ChildResult>;
}

/** Any program as a child running alongside others, its output collected as it comes. */
export function spawnLive(command: string, args: readonly string[], options: SpawnOptions): Live {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => {
    stdout += d;
  });
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const closed = new Promise<ChildResult>((res) => child.on("close", (code, signal) => res({ code, signal, stdout, stderr })));
  return { child, pid: child.pid ?? -1, stdout: () => stdout, stderr: () => stderr, closed };
}

/** Any program as a child running alongside others, its output collected; resolves when it has closed. */
export function spawnCollect(command: string, args: readonly string[], options: SpawnOptions): Promise<ChildResult> & { pid: number } {
  const live = spawnLive(command, args, options);
  return Object.assign(live.closed, { pid: live.pid });
}

export function spawnCli(store: string, args: string[], extra: Record<string, string> = {}): Promise<ChildResult> & { pid: number } {
  return spawnBin(args, cleanEnv(store, extra));
}

/** Polls `ready` (which may be async) until it returns a value (not undefined or false); gives up, failing the test, after `giveUpMs`. */
export async function until<T>(
  what: string,
  ready: () => T | undefined | false | Promise<T | undefined | false>,
  giveUpMs = 60_000,
): Promise<T> {
  const give = Date.now() + giveUpMs;
  for (;;) {
    const value = await ready();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > give) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether process `pid` has an inotify watch set up (a store's change feed is watching), from /proc. */
export function watching(pid: number): boolean {
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      let target = "";
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue; // closed meanwhile
      }
      if (target === "anon_inode:inotify" && /^inotify wd:/m.test(readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8"))) return true;
    }
  } catch {
    // exited
  }
  return false;
}
