// Who holds a lock, and whether that process still lives. A lock's token names its holder precisely enough for any
// process on the same host to tell, from /proc, whether the holder is still there: a holder that is alive (running,
// sleeping, stopped by SIGSTOP or a debugger, frozen) keeps its lock however old the lock looks; only a holder that
// is gone loses it. Where the token cannot be judged (another boot or host, another PID namespace, no /proc, a token
// of an older taskpulse), undefined is the answer and the lock's age decides, as before (references/store-format.md).
import { readFileSync, readlinkSync } from "node:fs";

interface Identity {
  pid: number;
  /** The process's start time in clock ticks since boot (/proc/<pid>/stat field 22): a reused pid has another one. */
  start: string;
  boot: string;
  pidns: string;
}

/**
 * How long a lock (or a commit claim, succession.ts) whose holder cannot be judged stays its holder's after its
 * last refresh; a holder that can be judged keeps it while it lives, however long.
 */
export const STALE_MS = 10_000;

let self: Identity | null | undefined;

/** This process, or null where /proc does not tell (then its tokens are judged by age, as older ones are). */
function selfIdentity(): Identity | null {
  if (self !== undefined) return self;
  try {
    self = {
      pid: process.pid,
      start: procStat(readFileSync("/proc/self/stat", "utf8")).start,
      boot: readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim(),
      pidns: readlinkSync("/proc/self/ns/pid"),
    };
  } catch {
    self = null;
  }
  return self;
}

/** The state letter and start time of a /proc/<pid>/stat line (the command name before them may hold anything). */
function procStat(line: string): { state: string; start: string } {
  const fields = line.slice(line.lastIndexOf(")") + 2).split(" ");
  // After the name: field 3 (state) is fields[0], field 22 (starttime) is fields[19].
  const state = fields[0];
  const start = fields[19];
  if (state === undefined || start === undefined || !/^\d+$/.test(start)) throw new Error("unexpected /proc stat line");
  return { state, start };
}

/** A new token for a lock this process takes: its identity and a nonce (one process may take several locks). */
export function newToken(): string {
  const me = selfIdentity();
  const nonce = Math.random().toString(36).slice(2, 10);
  // Old style (`<pid>-<nonce>`) where /proc is missing: judged by the lock's age.
  return me ? `tp1 ${me.pid} ${me.start} ${me.boot} ${me.pidns} ${nonce}` : `${process.pid}-${nonce}`;
}

/** Clock ticks per second of /proc's start times (USER_HZ: 100 on every Linux architecture Node runs on). */
const TICKS_PER_SECOND = 100;

/**
 * When process `pid` started (ms since the epoch, to about a second), or undefined where /proc does not tell: a
 * file named after a pid and written before that process started was written by another process of that pid.
 */
export function startedAt(pid: number): number | undefined {
  try {
    const btime = /^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1];
    if (btime === undefined) return undefined;
    const start = Number(procStat(readFileSync(`/proc/${pid}/stat`, "utf8")).start);
    return Number(btime) * 1000 + (start / TICKS_PER_SECOND) * 1000;
  } catch {
    return undefined;
  }
}

export type Liveness = { alive: true; stopped: boolean; pid: number } | { alive: false; pid: number };

/** Whether the process a token names is still alive; undefined when this process cannot tell. */
export function judge(token: string): Liveness | undefined {
  const parts = token.split(" ");
  if (parts.length !== 6 || parts[0] !== "tp1") return undefined;
  const [, pidText, start, boot, pidns] = parts as [string, string, string, string, string];
  const me = selfIdentity();
  if (!me || boot !== me.boot || pidns !== me.pidns || !/^\d+$/.test(pidText)) return undefined;
  const pid = Number(pidText);
  let stat: { state: string; start: string };
  try {
    stat = procStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch (err) {
    // No such process: it has exited (and been reaped).
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ESRCH") return { alive: false, pid };
    return undefined;
  }
  // Another process under a reused pid, or the holder exited and waits to be reaped (a zombie runs no code).
  if (stat.start !== start || stat.state === "Z" || stat.state === "X") return { alive: false, pid };
  return { alive: true, stopped: stat.state === "T" || stat.state === "t", pid };
}
