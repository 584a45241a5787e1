// The code cache may make a start faster, never wrong: whatever is wrong with the cache file, the bundle runs
// without it, and a fresh cache is written where possible, never inside the installed package.
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadBundle } from "../src/loader.ts";
import { cleanEnv, ROOT, tempDir } from "./support/helpers.ts";
import { freshDatabase } from "./support/pg-helpers.ts";

const require = createRequire(import.meta.url);

function writeBundle(dir: string, body = "exports.answer = () => 6 * 7;", id = "0123abcd"): string {
  const path = join(dir, "bundle.cjs");
  writeFileSync(path, `// taskpulse-build ${id}\n"use strict";\n${body}\n`);
  return path;
}

function load(bundle: string, cacheFiles: string[], env: Record<string, string> = {}) {
  return loadBundle<{ answer(): number }>(bundle, { require, cacheFiles, env });
}

describe("loadBundle", () => {
  it("runs without a cache, writes one after the work, and uses it next time", () => {
    const dir = tempDir();
    const bundle = writeBundle(dir);
    const cacheFile = join(dir, "c", "bundle.v8cache");
    const first = load(bundle, [cacheFile]);
    expect(first.cache).toBe("miss");
    expect(first.exports.answer()).toBe(42);
    first.saveCache();
    expect(existsSync(cacheFile)).toBe(true);
    const second = load(bundle, [cacheFile]);
    expect(second.cache).toBe("hit");
    expect(second.exports.answer()).toBe(42);
  });

  it("is written again by a kind of work it does not cover yet, then holds what both compiled, and only then", () => {
    const dir = tempDir();
    // two kinds of work, each calling functions the other never compiles
    const fns = (prefix: string) =>
      Array.from({ length: 40 }, (_, i) => `function ${prefix}${i}(x) { return [x, ${i}].map((y) => y * 2 + ${i}).join("-"); }`);
    const body = [
      ...fns("a"),
      ...fns("b"),
      `exports.a = () => [${fns("a").map((_, i) => `a${i}(1)`)}].length;`,
      `exports.b = () => [${fns("b").map((_, i) => `b${i}(1)`)}].length;`,
    ].join("\n");
    const bundle = writeBundle(dir, body);
    const cacheFile = join(dir, "bundle.v8cache");
    const start = () => loadBundle<{ a(): number; b(): number }>(bundle, { require, cacheFiles: [cacheFile], env: {} });
    const header = () => readFileSync(cacheFile, "latin1").split("\n", 1)[0] ?? "";
    const payloadSize = () => Number(header().split(" ").at(-2));

    const first = start();
    expect(first.exports.a()).toBe(40);
    first.saveCache("a");
    expect(header()).toMatch(/ a$/);
    const onlyA = payloadSize();

    // a hit for the same work, or for no named work, leaves the file alone
    for (const work of ["a", undefined]) {
      const again = start();
      expect(again.cache).toBe("hit");
      again.exports.a();
      const before = readFileSync(cacheFile);
      again.saveCache(work);
      expect(readFileSync(cacheFile).equals(before)).toBe(true);
    }

    // work "b" on a cache made by "a": written again, covering both, with more compiled code in it
    const other = start();
    expect(other.cache).toBe("hit");
    expect(other.exports.b()).toBe(40);
    other.saveCache("b");
    expect(header()).toMatch(/ a,b$/);
    expect(payloadSize()).toBeGreaterThan(onlyA);
    const both = readFileSync(cacheFile);
    for (const work of ["a", "b"]) {
      const later = start();
      expect(later.cache).toBe("hit");
      expect(later.exports.a() + later.exports.b()).toBe(80);
      later.saveCache(work);
      expect(readFileSync(cacheFile).equals(both)).toBe(true);
    }
  });

  it("ignores a cache whose payload was damaged (V8 itself would crash on it) and replaces it", () => {
    const dir = tempDir();
    const bundle = writeBundle(dir);
    const cacheFile = join(dir, "bundle.v8cache");
    load(bundle, [cacheFile]).saveCache();
    const raw = readFileSync(cacheFile);
    const middle = raw.indexOf(10) + 1 + Math.floor((raw.length - raw.indexOf(10)) / 4);
    raw[middle] = (raw[middle] ?? 0) ^ 0xff;
    writeFileSync(cacheFile, raw);
    const damaged = load(bundle, [cacheFile]);
    expect(damaged.cache).toBe("miss");
    expect(damaged.exports.answer()).toBe(42);
    damaged.saveCache();
    expect(load(bundle, [cacheFile]).cache).toBe("hit");
  });

  it.each([
    ["empty", Buffer.alloc(0)],
    ["garbage", Buffer.from("\u0000\u0001garbage\nmore garbage")],
    ["no newline", Buffer.alloc(5000, 1)],
  ])("ignores a cache file that is %s", (_name, content) => {
    const dir = tempDir();
    const bundle = writeBundle(dir);
    const cacheFile = join(dir, "bundle.v8cache");
    writeFileSync(cacheFile, content);
    const loaded = load(bundle, [cacheFile]);
    expect(loaded.cache).toBe("miss");
    expect(loaded.exports.answer()).toBe(42);
  });

  it("ignores a truncated cache", () => {
    const dir = tempDir();
    const bundle = writeBundle(dir);
    const cacheFile = join(dir, "bundle.v8cache");
    load(bundle, [cacheFile]).saveCache();
    const raw = readFileSync(cacheFile);
    writeFileSync(cacheFile, raw.subarray(0, raw.length - 10));
    expect(load(bundle, [cacheFile]).cache).toBe("miss");
  });

  it("ignores the cache of an older bundle", () => {
    const dir = tempDir();
    const cacheFile = join(dir, "bundle.v8cache");
    load(writeBundle(dir, "exports.answer = () => 1;", "aaaa"), [cacheFile]).saveCache();
    const rebuilt = load(writeBundle(dir, "exports.answer = () => 2;", "bbbb"), [cacheFile]);
    expect(rebuilt.cache).toBe("miss");
    expect(rebuilt.exports.answer()).toBe(2);
    // Same build id and length, edited in place: the change time tells.
    load(writeBundle(dir, "exports.answer = () => 3;", "bbbb"), [cacheFile]).saveCache();
    const edited = load(writeBundle(dir, "exports.answer = () => 4;", "bbbb"), [cacheFile]);
    expect(edited.exports.answer()).toBe(4);
  });

  it("runs and writes a fresh cache when V8 rejects the one it is given", () => {
    // In a fresh process: within one, V8 reuses what it compiled before and never looks at the cache.
    const loader = join(ROOT, "dist", "loader.cjs");
    const probe = (bundle: string, cacheFile: string) => {
      const script = `const r = require(${JSON.stringify(loader)}).loadBundle(${JSON.stringify(bundle)}, { require, cacheFiles: [${JSON.stringify(cacheFile)}] });
        console.log(r.cache, r.exports.answer()); r.saveCache();`;
      return spawnSync(process.execPath, ["-e", script], { encoding: "utf8" }).stdout.trim();
    };
    const dir = tempDir();
    const bundle = writeBundle(dir);
    const cacheFile = join(dir, "bundle.v8cache");
    expect(probe(bundle, cacheFile)).toBe("miss 42");
    const other = writeBundle(tempDir(), "exports.answer = () => 'a different script of another length';");
    const otherCache = join(dir, "other.v8cache");
    probe(other, otherCache);
    // A well-formed cache file for this bundle (right key, intact copies) whose payload V8 made for another script.
    const header = readFileSync(cacheFile).toString("latin1").split("\n")[0] as string;
    const key = header.slice(0, header.lastIndexOf(" "));
    const raw = readFileSync(otherCache);
    const start = raw.indexOf(10) + 1;
    const payload = raw.subarray(start, start + (raw.length - start) / 2);
    writeFileSync(cacheFile, Buffer.concat([Buffer.from(`${key} ${payload.length}\n`), payload, payload]));
    expect(probe(bundle, cacheFile)).toBe("rejected 42");
    expect(probe(bundle, cacheFile)).toBe("hit 42");
  });

  it("falls back to the next place when a directory is not writable, and never throws", () => {
    const dir = tempDir();
    const bundle = writeBundle(dir);
    const blocked = join(dir, "a-file");
    writeFileSync(blocked, "");
    const second = join(dir, "second", "bundle.v8cache");
    // paths under a file and under /proc: no one may create a directory there (not even root, which these tests
    // often run as, so a read-only directory would not do)
    const files = [join(blocked, "bundle.v8cache"), "/proc/taskpulse-test/cache/bundle.v8cache", second];
    const loaded = load(bundle, files);
    expect(() => loaded.saveCache()).not.toThrow();
    expect(existsSync(second)).toBe(true);
    expect(load(bundle, files).cache).toBe("hit");
    const nowhere = load(bundle, files.slice(0, 2));
    expect(() => nowhere.saveCache()).not.toThrow();
    expect(nowhere.exports.answer()).toBe(42);
  });

  it("keeps its cache in the user's cache directory, one per install, never next to the bundle", () => {
    const dir = tempDir();
    const bundle = writeBundle(dir);
    const home = tempDir();
    const first = loadBundle(bundle, { require, env: { HOME: home } });
    first.saveCache();
    expect(readdirSync(dir)).toEqual(["bundle.cjs"]);
    expect(readdirSync(join(home, ".cache", "taskpulse"))).toEqual([expect.stringMatching(/^0123abcd-[0-9a-f]{8}\.v8cache$/)]);
    expect(loadBundle(bundle, { require, env: { HOME: home } }).cache).toBe("hit");
    const xdg = tempDir();
    loadBundle(bundle, { require, env: { HOME: home, XDG_CACHE_HOME: xdg } }).saveCache();
    expect(readdirSync(join(xdg, "taskpulse"))).toHaveLength(1);
    // no home at all: no cache, and still the bundle's answer
    const nowhere = loadBundle<{ answer(): number }>(bundle, { require, env: {} });
    expect(nowhere.cache).toBe("off");
    expect(nowhere.exports.answer()).toBe(42);
  });

  it("removes the cache of an earlier build of the same bundle when it writes the new one, and only that", () => {
    const dir = tempDir();
    const home = tempDir();
    loadBundle(writeBundle(dir, undefined, "0123abcd"), { require, env: { HOME: home } }).saveCache();
    const caches = join(home, ".cache", "taskpulse");
    const [old] = readdirSync(caches);
    // another install's cache (another tag) and a file of someone else's stay
    const other = "0123abcd-ffffffff.v8cache";
    writeFileSync(join(caches, other), "x");
    writeFileSync(join(caches, "notes.txt"), "x");
    // an upgrade: the same path, a new build
    const upgraded = loadBundle<{ answer(): number }>(writeBundle(dir, "exports.answer = () => 43;", "4567ef01"), {
      require,
      env: { HOME: home },
    });
    expect(upgraded.cache).toBe("miss");
    upgraded.saveCache();
    const now = readdirSync(caches);
    expect(now).not.toContain(old);
    expect(now).toHaveLength(3);
    expect(now).toEqual(expect.arrayContaining([other, "notes.txt"]));
    expect(now.filter((name) => /^4567ef01-[0-9a-f]{8}\.v8cache$/.test(name))).toHaveLength(1);
  });

  it("can be turned off, and is off for a bundle without a build id", () => {
    const dir = tempDir();
    const cacheFile = join(dir, "bundle.v8cache");
    const off = load(writeBundle(dir), [cacheFile], { TASKPULSE_CODE_CACHE: "off" });
    off.saveCache();
    expect(off.cache).toBe("off");
    expect(existsSync(cacheFile)).toBe(false);
    const plain = join(dir, "plain.cjs");
    writeFileSync(plain, "exports.answer = () => 42;\n");
    const noId = load(plain, [cacheFile]);
    noId.saveCache();
    expect(noId.cache).toBe("off");
    expect(noId.exports.answer()).toBe(42);
    expect(existsSync(cacheFile)).toBe(false);
  });
});

describe("the installed command with its code cache", () => {
  /** A copy of bin/ and dist/ of the built package, so that what a call writes is this test's own to see. */
  function install(): string {
    const dir = tempDir();
    cpSync(join(ROOT, "bin"), join(dir, "bin"), { recursive: true });
    mkdirSync(join(dir, "dist"));
    for (const f of ["taskpulse.cjs", "hot.cjs", "loader.cjs", "zod.cjs"]) cpSync(join(ROOT, "dist", f), join(dir, "dist", f));
    return dir;
  }

  it("works on the first call, with the cache, with a damaged cache and in a read-only install, writing nothing there", () => {
    const dir = install();
    const store = tempDir();
    const taskpulse = (...args: string[]) => {
      // no XDG_CACHE_HOME (an empty one counts as none): the cache goes to HOME/.cache, HOME being the store here
      const env = cleanEnv(store, { XDG_CACHE_HOME: "" });
      const r = spawnSync(process.execPath, [join(dir, "bin", "taskpulse.js"), ...args], { env, encoding: "utf8" });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const cacheDir = join(store, ".cache", "taskpulse");
    const caches = () => (existsSync(cacheDir) ? readdirSync(cacheDir) : []);
    chmodSync(join(dir, "dist"), 0o500);
    chmodSync(join(dir, "bin"), 0o500);
    try {
      // a call that fails writes no cache (it compiled little: a cache it wrote would be thin for every later call)
      expect(taskpulse("create", "--name", "z", "--priority", "11").code).toBe(2);
      expect(caches()).toEqual([]);
      const id = taskpulse("create", "-q", "x", "--start").stdout.trim();
      expect(id).toMatch(/^[a-z]/);
      expect(taskpulse("status", "-q", id)).toEqual({ code: 0, stdout: "running\n", stderr: "" });
      expect(taskpulse("heartbeat", id)).toEqual({ code: 0, stdout: "💓 ok\n", stderr: "" });
      // one cache per bundle: the full program, zod (create validates with it) and the lean entry
      expect(caches()).toHaveLength(3);
      for (const name of caches()) {
        const file = join(cacheDir, name);
        const raw = readFileSync(file);
        for (let i = raw.indexOf(10) + 100; i < raw.length; i += 997) raw[i] = (raw[i] ?? 0) ^ 0x5a;
        writeFileSync(file, raw);
      }
      expect(taskpulse("heartbeat", id)).toEqual({ code: 0, stdout: "💓 ok\n", stderr: "" });
      expect(taskpulse("heartbeat", id)).toEqual({ code: 0, stdout: "💓 ok\n", stderr: "" });
      expect(taskpulse("create", "-q", "y").stdout).toMatch(/^[a-z]/);
      expect(taskpulse("create", "--name", "z", "--priority", "11")).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/invalid priority/),
      });
      expect(taskpulse("status", "-q", id)).toEqual({ code: 0, stdout: "running\n", stderr: "" });
    } finally {
      chmodSync(join(dir, "dist"), 0o700);
      chmodSync(join(dir, "bin"), 0o700);
    }
    // nothing was written into the package (root ignores the mode, so this is checked, not only enforced)
    expect(readdirSync(join(dir, "dist")).sort()).toEqual(["hot.cjs", "loader.cjs", "taskpulse.cjs", "zod.cjs"]);
    expect(readdirSync(join(dir, "bin")).sort()).toEqual(["package.json", "taskpulse.js"]);
  });

  it("counts a heartbeat on PostgreSQL and one on a directory as two kinds of work for the lean entry's cache", async () => {
    const dir = install();
    cpSync(join(ROOT, "dist", "pg.cjs"), join(dir, "dist", "pg.cjs"));
    const home = tempDir();
    const taskpulse = (store: string, ...args: string[]) => {
      const env = { PATH: process.env.PATH, HOME: home, TASKPULSE_STORE: store, LANG: "C" };
      const r = spawnSync(process.execPath, [join(dir, "bin", "taskpulse.js"), ...args], { env, encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    const cacheDir = join(home, ".cache", "taskpulse");
    // the lean entry's cache is the one whose header names the work it covers, after the payload's length
    const covered = () =>
      readdirSync(cacheDir)
        .map((name) => readFileSync(join(cacheDir, name), "latin1").split("\n", 1)[0]?.split(" ") ?? [])
        .filter((header) => header.length > 8)
        .map((header) => header.at(-1));
    const url = await freshDatabase();
    taskpulse(url, "heartbeat", taskpulse(url, "create", "-q", "on pg", "--start"));
    expect(covered()).toEqual(["heartbeat@pg"]);
    // a heartbeat on a directory compiles the JSON store's commit, which the cache does not hold yet: written again
    const store = tempDir();
    taskpulse(store, "heartbeat", taskpulse(store, "create", "-q", "on disk", "--start"));
    expect(covered()).toEqual(["heartbeat@pg,heartbeat"]);
  });
});
