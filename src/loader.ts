// Loads a one-file bundle through a V8 code cache, so that a start does not compile again what an earlier start
// compiled. The cache lives in the user's cache directory ($XDG_CACHE_HOME or ~/.cache, under taskpulse/), never
// inside the installed package, which is often read-only.
//
// Why not Node's own compile cache (module.enableCompileCache, Node 22.1 and later): Node makes its cache when it
// compiles a file, before the file runs, so it holds the top level and none of the functions a call compiles
// lazily afterwards; ours is written after a call that succeeded and holds those too, which makes a heartbeat on
// Node 24 measurably cheaper (references/performance.md has the figures).
//
// Guarantee: the cache can make a start faster, never different. A cache is used only when its header names this
// Node (version, V8, arch) and this exact bundle file (the build id the build wrote into its first line, and the
// file's size and change time), and when its payload is intact. Anything else (missing, corrupt, for another Node or
// bundle, rejected by V8, an unwritable directory) runs without the cache, silently, and writes a fresh one where it
// can. A bundle that serves several calls names the call when it saves, so that its one cache comes to hold what
// each compiles (saveCache). Built to dist/loader.cjs and required by bin/taskpulse.js and the shims that load zod
// and pg apart.
//
// Why the payload is stored twice: V8 does not verify a code cache in release builds (a flipped byte in the middle
// crashes the process), so it must be checked before use; hashing it costs more than the rest of the start
// (node:crypto or node:zlib each load ~5 ms of modules, and a hash in JS runs cold), while comparing two copies is
// one memcmp.
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { Script } from "node:vm";

const MAGIC = "taskpulse-code-cache/1";
/** The first line of a bundle written by scripts/build/build.mjs: `// taskpulse-build <id>`. */
const BUILD_LINE = /^\/\/ taskpulse-build ([0-9a-f]+)\n/;

export type CacheUse = "hit" | "miss" | "rejected" | "off";

export interface LoadedBundle<T> {
  exports: T;
  /** How the cache was used: for tests, never for behaviour. */
  cache: CacheUse;
  /**
   * Writes a fresh cache when this start had none it could use, or when `work` names a kind of work the cache does
   * not cover yet. Call it after the work, and only after work that succeeded, so that the cache holds the functions
   * the usual work compiles (an error ends early and compiles few: a cache it wrote would be used, thin, by every
   * later start). Never throws.
   *
   * `work` is for a bundle that serves several kinds of work (the lean entry: heartbeat, next, check and done, on a
   * directory or on PostgreSQL, sending a push or not): a cache written by `check` alone lacks what a heartbeat
   * compiles, and every heartbeat would compile it again. A start whose work the cache does not name writes the
   * cache again, which then holds what both compiled (V8 writes every function compiled so far, those it read from
   * the cache included); after each kind of work has run once, no start writes.
   */
  saveCache(work?: string): void;
}

export interface LoadOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** Where the cache may live, most preferred first; default: the user's cache directory. */
  cacheFiles?: readonly string[];
  /** The bundle's own `require` (it only requires Node's built-in modules). */
  require: NodeJS.Require;
}

export function loadBundle<T>(bundlePath: string, options: LoadOptions): LoadedBundle<T> {
  const env = options.env ?? process.env;
  const off = env.TASKPULSE_CODE_CACHE === "off";
  const { source, size, ctimeMs } = readBundle(bundlePath);
  const buildId = BUILD_LINE.exec(source)?.[1];
  const key = `${MAGIC} node-${process.version} v8-${process.versions.v8} ${process.arch} ${buildId} ${size} ${ctimeMs}`;
  const files = off || buildId === undefined ? [] : (options.cacheFiles ?? defaultCacheFiles(bundlePath, buildId, env));
  const found = readCache(files, key);
  const script = new Script(wrap(source), { filename: bundlePath, ...(found ? { cachedData: found.payload } : {}) });
  const cache: CacheUse = files.length === 0 ? "off" : !found ? "miss" : script.cachedDataRejected ? "rejected" : "hit";
  const module = { exports: {} as T };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, options.require, module, bundlePath, dirname(bundlePath));
  return {
    exports: module.exports,
    cache,
    saveCache(work) {
      const covered = cache === "hit" ? (found?.covers ?? []) : [];
      const covers = work === undefined || covered.includes(work) ? covered : [...covered, work];
      if (cache === "miss" || cache === "rejected" || covers.length > covered.length) writeCache(files, key, covers, script);
    },
  };
}

function readBundle(path: string): { source: string; size: number; ctimeMs: number } {
  const fd = openSync(path, "r");
  try {
    const stat = fstatSync(fd);
    const buffer = Buffer.allocUnsafe(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return { source: buffer.toString("utf8", 0, read), size: read, ctimeMs: stat.ctimeMs };
  } finally {
    closeSync(fd);
  }
}

/** The same wrapper Node puts around a CommonJS file. */
function wrap(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) { ${source}\n})`;
}

/**
 * A directory of the user's own, never a shared one such as /tmp (a cache is code). The name tells installs and
 * Nodes apart, so that two installs, or one run by two Node versions in turn, do not overwrite each other's cache.
 */
function defaultCacheFiles(bundlePath: string, buildId: string, env: Readonly<Record<string, string | undefined>>): string[] {
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, ".cache") : "");
  const tag = shortTag(`${bundlePath} ${process.version} ${process.arch}`);
  return base ? [join(base, "taskpulse", `${buildId}-${tag}.v8cache`)] : [];
}

/** `<build id>-<tag>.v8cache`, as defaultCacheFiles names a cache. */
const CACHE_NAME = /^[0-9a-f]+-[0-9a-f]{8}\.v8cache$/;

/** A short tag for a text (FNV-1a); it only keeps caches apart, the header check decides. */
function shortTag(path: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/**
 * Creates the directory and, if missing, its parent (~/.cache/taskpulse). Not mkdirSync's `recursive`, which
 * loops forever on some paths (under /proc, for one); a cache is never worth a hang.
 */
function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    if (code !== "ENOENT") throw err;
    mkdirSync(dirname(dir), { mode: 0o700 });
    mkdirSync(dir, { mode: 0o700 });
  }
}

/**
 * A cache file: the line `<key> <payload length>`, followed by ` <work it covers>` (words joined by commas) when
 * the work was named, then the payload twice.
 */
function readCache(files: readonly string[], key: string): { payload: Buffer; covers: string[] } | undefined {
  for (const file of files) {
    let raw: Buffer;
    try {
      raw = readFileSync(file);
    } catch {
      continue;
    }
    const end = raw.indexOf(10);
    if (end < 0 || end > 1024) continue;
    const header = raw.toString("latin1", 0, end);
    if (!header.startsWith(`${key} `)) continue;
    const [size = "", work = ""] = header.slice(key.length + 1).split(" ");
    const length = Number(size);
    if (!Number.isSafeInteger(length) || length <= 0 || raw.length !== end + 1 + 2 * length) continue;
    const payload = raw.subarray(end + 1, end + 1 + length);
    if (payload.equals(raw.subarray(end + 1 + length))) return { payload, covers: work === "" ? [] : work.split(",") };
  }
  return undefined;
}

function writeCache(files: readonly string[], key: string, covers: readonly string[], script: Script): void {
  let payload: Buffer;
  try {
    payload = script.createCachedData();
  } catch {
    return;
  }
  const header = `${key} ${payload.length}${covers.length > 0 ? ` ${covers.join(",")}` : ""}\n`;
  const data = Buffer.concat([Buffer.from(header, "latin1"), payload, payload]);
  for (const file of files) {
    // Temp file and rename: concurrent starts each put a whole cache in place, never a torn one.
    const temp = `${file}.${process.pid}.tmp`;
    try {
      makeDir(dirname(file));
      writeFileSync(temp, data, { mode: 0o600 });
      renameSync(temp, file);
      removeSuperseded(file);
      return;
    } catch {
      unlinkQuiet(temp); // it may never have been written
    }
  }
}

/**
 * After a new cache is in place: the caches of earlier builds of the same bundle under the same Node (same tag,
 * another build id) can never be used again, so an upgrade does not leave one behind each time. Only on a miss,
 * which is rare, so the readdir costs no ordinary start. Never throws.
 */
function removeSuperseded(file: string): void {
  const name = basename(file);
  if (!CACHE_NAME.test(name)) return; // a file the caller named (tests): nothing else is ours to remove
  const tag = name.slice(name.indexOf("-"));
  try {
    for (const other of readdirSync(dirname(file))) {
      if (other !== name && other.endsWith(tag) && CACHE_NAME.test(other)) unlinkQuiet(join(dirname(file), other));
    }
  } catch {
    // an unreadable directory: the old caches stay, harmlessly
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already
  }
}
