// Is a run's wrapper process still there? A run records the wrapper's pid, its start time as the kernel reports it
// (Linux: field 22 of /proc/<pid>/stat, in clock ticks since boot) and the host name. A later call on the same host
// checks the pid: gone or a zombie means dead; a live pid with a different start time is another process that
// reused the number (dead too). Where the start time cannot be read (no /proc) a live pid is "unknown", and so is a
// run from another host; core/jobs.ts then applies a time bound instead.
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { OpenRun } from "../core/job-model.ts";
import type { WrapperState } from "../core/jobs.ts";

export interface ProcessIdentity {
  pid: number;
  pidStart?: string;
  host: string;
}

export function selfIdentity(): ProcessIdentity {
  const id: ProcessIdentity = { pid: process.pid, host: hostname() };
  const start = readStat(process.pid)?.start;
  if (start !== undefined) id.pidStart = start;
  return id;
}

export function wrapperState(run: OpenRun): WrapperState {
  if (run.host !== hostname()) return "unknown";
  const stat = readStat(run.pid);
  if (stat === null) return "dead";
  if (stat !== undefined) {
    if (stat.state === "Z" || stat.state === "X") return "dead";
    if (run.pidStart !== undefined) return stat.start === run.pidStart ? "alive" : "dead";
    return "unknown";
  }
  // no /proc: only the pid can be checked
  try {
    process.kill(run.pid, 0);
    return "unknown";
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM" ? "unknown" : "dead";
  }
}

/** Whether a pid is a live (non-zombie) process. For tests and diagnostics. */
export function pidAlive(pid: number): boolean {
  const stat = readStat(pid);
  if (stat === null) return false;
  if (stat !== undefined) return stat.state !== "Z" && stat.state !== "X";
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** null: no such process; undefined: /proc is not available here. */
function readStat(pid: number): { state: string; start: string } | null | undefined {
  let raw: string;
  try {
    raw = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ESRCH") return procAvailable() ? null : undefined;
    return undefined;
  }
  // the command name (field 2) is in parentheses and may contain spaces: split after the last ')'
  const rest = raw.slice(raw.lastIndexOf(")") + 2).split(" ");
  const state = rest[0];
  const start = rest[19];
  if (state === undefined || start === undefined) return undefined;
  return { state, start };
}

let procChecked: boolean | undefined;
function procAvailable(): boolean {
  if (procChecked === undefined) {
    try {
      readFileSync("/proc/self/stat", "utf8");
      procChecked = true;
    } catch {
      procChecked = false;
    }
  }
  return procChecked;
}
