// Helpers for the store tests: real `taskpulse` processes on a real temporary store directory, with optional
// SIGKILL at a chosen moment, and direct reads of the files the store keeps.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { BIN, cleanEnv, cli } from "./helpers.ts";

export interface Run {
  args: string[];
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, in ms. */
  ms: number;
  /** True when this helper sent SIGKILL before the process exited on its own. */
  killed: boolean;
}

export interface RunOptions {
  env?: Record<string, string>;
  /** Send SIGKILL this many ms after spawn, if the process is still running. */
  killAfterMs?: number;
}

export interface Started {
  pid: number;
  /** Sends SIGKILL if the process is still running. */
  kill(): void;
  /** Resolves when the process has exited (never rejects). */
  result: Promise<Run>;
}

/** Spawns the real binary once. */
export function startCli(store: string, args: string[], options: RunOptions = {}): Started {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(store, options.env), stdio: ["ignore", "pipe", "pipe"] });
  let killed = false;
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) killed = child.kill("SIGKILL");
  };
  const result = new Promise<Run>((resolve) => {
    let stdout = "";
    let stderr = "";
    const timer = options.killAfterMs === undefined ? undefined : setTimeout(kill, options.killAfterMs);
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        args,
        pid: child.pid ?? -1,
        code,
        signal,
        stdout,
        stderr,
        ms: performance.now() - started,
        killed: killed && signal === "SIGKILL",
      });
    });
  });
  return { pid: child.pid ?? -1, kill, result };
}

/** Spawns the real binary once and resolves when it has exited (never rejects). */
export function runCli(store: string, args: string[], options: RunOptions = {}): Promise<Run> {
  return startCli(store, args, options).result;
}

/** Starts `count` processes at once and waits for all of them. */
export function runMany(count: number, store: string, args: (i: number) => string[], options: RunOptions = {}): Promise<Run[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => runCli(store, args(i), options)));
}

/**
 * Runs `lanes` loops side by side; each loop runs its steps one after another (the next process starts when the
 * previous one exited), so `lanes` processes compete for the store at every moment.
 */
export async function runLanes<T>(lanes: number, lane: (index: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: lanes }, (_, i) => lane(i)));
}

const parents: string[] = [];
// Removed when the file's tests are done, not after each test: helpers.ts's tempDir (afterEach) and a global
// onTestFinished would pull directories away from tests still running concurrently.
afterAll(() => {
  for (const d of parents.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A store directory that does not exist yet, inside a fresh temporary directory. */
export function newStore(): string {
  const parent = mkdtempSync(join(tmpdir(), "tp-store-"));
  parents.push(parent);
  return join(parent, "store");
}

/**
 * Set-up and inspection steps that are not under test run in-process (same code, no process start-up cost) with
 * the real clock. The command must succeed; returns its trimmed stdout.
 */
export async function must(store: string, ...args: string[]): Promise<string> {
  const r = await cli({ store, now: new Date().toISOString() }, ...args);
  if (r.code !== 0) throw new Error(`taskpulse ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

export interface StoredStep {
  name: string;
  status: string;
  message?: string;
}

export interface StoredTask {
  id: string;
  name: string;
  agent: string;
  status: string;
  steps: StoredStep[];
  lastMessage?: string;
}

export interface StoredState {
  schemaVersion: number;
  seq: number;
  txn: string | null;
  counter: number;
  tasks: Record<string, StoredTask>;
  agents: Record<string, unknown>;
  jobs: Record<string, unknown>;
}

/**
 * The whole state as on disk (throws if a file is torn or not JSON): state.json, with the tasks of its parts when
 * it is a head (schemaVersion 2: tasks/<bucket>.<txn>.json), without the part names.
 */
export function readState(store: string): StoredState {
  const head = JSON.parse(readFileSync(join(store, "state.json"), "utf8")) as StoredState & { parts?: Record<string, string> };
  if (head.parts === undefined) return head;
  // (queue parts and the heads of queues are derived from the tasks: doctor checks them)
  const { parts, queues: _queues, claims: _claims, ...rest } = head as typeof head & { queues?: unknown; claims?: unknown };
  const tasks: Record<string, StoredTask> = {};
  for (const [bucket, txn] of Object.entries(parts as Record<string, string>)) {
    Object.assign(tasks, JSON.parse(readFileSync(join(store, "tasks", `${bucket}.${txn}.json`), "utf8")).tasks);
  }
  return { ...rest, tasks };
}

export interface AuditEntryJson {
  task: string;
  action: string;
  from: string | null;
  to: string;
  message?: string;
}

/** The committed audit trail of a task, through `log --json` (newest first). */
export async function auditOf(store: string, id: string): Promise<AuditEntryJson[]> {
  return (JSON.parse(await must(store, "log", id, "--json")) as { data: { entries: AuditEntryJson[] } }).data.entries;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Exit codes seen, as "code: count" pairs, for readable assertion failures. */
export function tally(runs: readonly Run[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of runs) {
    const key = r.killed ? "killed" : String(r.code ?? r.signal);
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}
