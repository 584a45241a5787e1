// Guarantee: a state has at most one successor. The lock keeps writers apart, and the fence checks, just before the
// rename, that the state is still the one the commit read; but a fence and a rename are two steps, and a writer held
// between them (paused, or descheduled on a loaded machine) while its lock is lost to another, for whatever reason,
// would rename a state built on an old one over the newer one. So before its fence a commit claims the succession of
// the state it read: it creates `.<file>.next-<txn read>.<n>` exclusively, holding its token. Only one writer can
// create a name, so of the writers that read the same state, only the one that made the claim can pass the fence;
// the others are fenced and run again on fresh state. The claims of a state are removed after its successor is
// renamed in; a writer that read that state and claims afterwards is fenced by the state's txn, which never comes
// back. A claim whose writer is gone (killed between its claim and its rename: it never renamed) does not bind:
// the next writer claims `<n + 1>`. Whether a writer is gone is judged from /proc as for locks (holder.ts); a claim
// that cannot be judged (another host or PID namespace) binds until it is STALE_MS old, as a lock does.
import { closeSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { judge, newToken, STALE_MS } from "./holder.ts";

/** More dead claims on one state than this is not a crash pattern but a bug or a hostile store: refuse. */
const MAX_CLAIMS = 100;

/** A claim made on the state whose txn is `base` ("" for a store with no state yet). */
export interface Claim {
  base: string;
  /** The claims of that state, in order: this one last. */
  paths: string[];
}

/** Thrown when a live writer has claimed the succession first: the commit is fenced and runs again. */
export class ClaimedError extends Error {}

/** The claim file `n` on state `base` of `file` (a path: the claims sit beside it, hidden). */
function claimPath(file: string, base: string, n: number): string {
  // A txn is base-36 (json-store.ts); anything else (a hand-edited head) shares one name: more refusals, never fewer.
  const tag = base === "" ? "none" : /^[0-9a-z]{1,64}$/.test(base) ? base : "other";
  return join(dirname(file), `.${basename(file)}.next-${tag}.${n}`);
}

/** Claims the succession of state `base` of `file`, or throws ClaimedError when a live writer has claimed it. */
export function claimSuccession(file: string, base: string): Claim {
  const token = newToken();
  // The claim appears whole: the token is written to a file of this process's own, which is then linked to the
  // claim's name (a link fails if the name exists). A claim created empty and then written could be left empty by a
  // writer killed in between, and an empty claim cannot be judged. Where the file system has no hard links, the
  // claim is created exclusively and written, and an empty one is judged by its age.
  const temp = join(dirname(file), `.${basename(file)}.next.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  let linked = true;
  try {
    writeFileSync(temp, token, { flag: "wx", mode: 0o600 });
  } catch {
    linked = false;
  }
  try {
    const paths: string[] = [];
    for (let n = 0; n < MAX_CLAIMS; n++) {
      const path = claimPath(file, base, n);
      paths.push(path);
      let made = linked ? link(temp, path) : create(path, token);
      if (made === undefined) {
        linked = false; // no hard links here: `temp` goes in the finally below
        made = create(path, token);
      }
      if (made) return { base, paths };
      if (binds(path)) throw new ClaimedError(`another writer has claimed the succession of state ${base || "none"}`);
      // its writer is gone and never renamed: the next number
    }
    throw new ClaimedError(`${MAX_CLAIMS} claims on the succession of state ${base || "none"}`);
  } finally {
    unlinkQuiet(temp);
  }
}

/** What link(2) answers on a file system without hard links (FAT, some network and FUSE file systems). */
const NO_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"]);

/** Links `temp` to `path`: true when made, false when `path` exists, undefined when the file system has no links. */
function link(temp: string, path: string): boolean | undefined {
  try {
    linkSync(temp, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    if (code === "EEXIST") return false;
    if (NO_LINKS.has(code)) return undefined;
    throw err;
  }
}

/** Creates `path` holding `token`: true when made, false when it exists. */
function create(path: string, token: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    writeSync(fd, token);
  } finally {
    closeSync(fd);
  }
  return true;
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // removed meanwhile
  }
}

/**
 * Whether a claim that exists binds: its writer lives, or cannot be judged (another host, or an empty claim made
 * without links) and the claim is younger than STALE_MS. One removed meanwhile binds: its writer renamed and
 * removed it (the fence then stops this commit) or was fenced; the commit runs again.
 */
function binds(path: string): boolean {
  const token = tokenOf(path);
  return token === undefined || tokenBinds(path, token);
}

/** Whether claim `path`, read as holding `token`, binds (see binds). */
function tokenBinds(path: string, token: string): boolean {
  const holder = judge(token);
  if (holder) return holder.alive;
  try {
    return statSync(path).mtimeMs >= Date.now() - STALE_MS;
  } catch {
    return true;
  }
}

/** The token a claim holds, or undefined when it is gone. */
function tokenOf(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Removes a claim's files: after its state was renamed in (they bind nobody now), or after it was fenced. */
export function dropClaim(claim: Claim | undefined): void {
  for (const path of claim?.paths ?? []) unlinkQuiet(path);
}

/** `[file, base, n]` of a claim's name (`.state.json.next-<txn>.<n>`), or undefined when `name` is not one. */
export function parseClaimName(name: string): { file: string; base: string; n: number } | undefined {
  const m = /^\.(.+)\.next-([0-9a-z]+)\.(\d+)$/.exec(name);
  return m ? { file: m[1] as string, base: m[2] as string, n: Number(m[3]) } : undefined;
}

/**
 * Whether the writer of a claim file is gone (or, where it cannot be judged, the claim is past STALE_MS), and the
 * claim is still there. A writer removes its claim just before it exits, so a claim read while its writer lived may
 * be judged after it exited: only one that still holds the same token after the judgement was left behind (a
 * writer that is gone removes nothing any more).
 */
export function claimIsStale(path: string): boolean {
  const token = tokenOf(path);
  return token !== undefined && !tokenBinds(path, token) && tokenOf(path) === token;
}
