// Guarantee: one holder at a time per store, across processes. A lock left by a killed process goes stale after
// STALE_MS and is taken over; a waiter keeps trying longer than that, so it never gives up on a dead holder's lock.
// proper-lockfile's default onCompromised throws inside a timer and kills the process: we record it instead and
// the commit is fenced (see json-store.ts).
import { accessSync, constants, readFileSync } from "node:fs";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import { StoreBusyError } from "../core/errors.ts";
import { overwriteNoFollow } from "./atomic-file.ts";

export const STALE_MS = 10_000;

export interface Held {
  compromised: Error | undefined;
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long to keep trying; must exceed STALE_MS so a dead holder's lock is taken over. */
  waitMs: number;
  owner: string;
}

export async function acquireLock(dir: string, options: LockOptions): Promise<Held> {
  const held: Held = { compromised: undefined, release: async () => {} };
  let release: () => Promise<void>;
  // proper-lockfile retries every error, not only "held": a store that cannot be written at all (read-only file
  // system, no write permission) would make each call wait the whole lock wait before failing. Fail at once instead.
  accessSync(dir, constants.W_OK);
  try {
    release = await lockfile.lock(join(dir, "state.json"), {
      realpath: false,
      lockfilePath: join(dir, "state.lock"),
      stale: STALE_MS,
      update: STALE_MS / 4,
      retries: { retries: 100_000, factor: 1.25, minTimeout: 2, maxTimeout: 40, randomize: true, maxRetryTime: options.waitMs },
      onCompromised: (err: Error) => {
        held.compromised = err;
      },
    });
  } catch (err) {
    if ((err as { code?: string }).code === "ELOCKED") {
      throw new StoreBusyError(`store is locked${describeHolder(dir)}; gave up after ${Math.round(options.waitMs / 1000)}s`);
    }
    throw err;
  }
  // Informational only: who holds the lock, for the busy message above. Not fsynced, not trusted for correctness.
  try {
    overwriteNoFollow(join(dir, "lock-owner.json"), options.owner);
  } catch {
    // best effort
  }
  held.release = async () => {
    try {
      await release();
    } catch (err) {
      // Released after being compromised (taken over as stale): our commit was already fenced; nothing to undo.
      if ((err as { code?: string }).code !== "ERELEASED") throw err;
    }
  };
  return held;
}

function describeHolder(dir: string): string {
  try {
    const owner = JSON.parse(readFileSync(join(dir, "lock-owner.json"), "utf8")) as { pid?: number; command?: string; agent?: string };
    return ` by pid ${owner.pid ?? "?"} (${owner.command ?? "?"}, agent ${owner.agent ?? "?"})`;
  } catch {
    return "";
  }
}
