// What the hottest calls load (not how long they take: timings belong to `npm run bench`). zod, the lock library
// and Node's child_process module each cost a start more than taskpulse's own code for the call: a heartbeat must
// not load zod, a read must load neither zod nor the lock library, and no hot call loads child_process. A static import of
// the zod schemas (src/core/model.ts) on one of these paths fails here.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, cleanEnv, ROOT, spawnCliSync, tempDir } from "./support/helpers.ts";

/** Runs the built command with a preload that reports, at exit, which libraries left their marks on the process. */
interface Loaded {
  zod: boolean;
  lockLibrary: boolean;
  pg: boolean;
  full: boolean;
  childProcess: boolean;
  stdout: string;
}

function loaded(store: string, args: string[]): Loaded {
  const probe = join(tempDir(), "probe.cjs");
  writeFileSync(
    probe,
    // pg is read from dist/pg.cjs (dist/taskpulse.cjs, the full program, likewise) by the loader, through node:fs;
    // the probe also looks among the modules Node loaded, in case a bundle is ever required directly
    `const fs = require("node:fs"); const open = fs.openSync; const opened = new Set();
    fs.openSync = function (path, ...rest) {
      opened.add(require("node:path").basename(String(path)));
      return open.call(this, path, ...rest);
    };
    const loaded = (name) => opened.has(name) || Object.keys(require("node:module")._cache).some((f) => f.endsWith("/" + name));
    process.on("exit", () => require("node:fs").writeSync(2, "\\nprobe " + JSON.stringify({
      zod: Object.getOwnPropertyNames(globalThis).some((n) => n.startsWith("__zod")),
      lockLibrary: process.listenerCount("SIGHUP") > 0, // the lock library's exit hook (scripts/build/shims/signal-exit.cjs)
      pg: loaded("pg.cjs"),
      full: loaded("taskpulse.cjs"),
      childProcess: process.moduleLoadList.includes("NativeModule child_process"),
    }) + "\\n"));`,
  );
  const r = spawnSync(process.execPath, ["-r", probe, BIN, ...args], { env: cleanEnv(store), encoding: "utf8" });
  const report = /probe (\{.*\})/.exec(r.stderr)?.[1];
  expect(report, r.stderr).toBeDefined();
  return { ...JSON.parse(report as string), stdout: r.stdout };
}

describe("the hot path", () => {
  it("heartbeat loads the lock library but not zod; status and log load neither; create loads zod", () => {
    const store = tempDir();
    const id = spawnCliSync(store, ["create", "-q", "x", "--start"]).stdout.trim();
    expect(loaded(store, ["heartbeat", id, "hi", "-q"])).toEqual({
      zod: false,
      lockLibrary: true,
      pg: false,
      full: false,
      childProcess: false,
      stdout: "",
    });
    // also with global options before the command word, as the bench writes it
    expect(loaded(store, ["--store", store, "-q", "heartbeat", id, "hi", "--progress", "5"])).toMatchObject({ full: false, stdout: "" });
    // what the small entry hands back runs the full program
    expect(loaded(store, ["heartbeat", id, "--progress=5", "-q"])).toMatchObject({ full: true, stdout: "" });
    expect(loaded(store, ["heartbeat", id, "with a push"])).toMatchObject({
      zod: false,
      lockLibrary: true,
      childProcess: false,
      stdout: expect.stringMatching(/^💓 ok 5%\n--- push ---\n/),
    });
    // the other calls the lean entry takes
    expect(loaded(store, ["check", id])).toMatchObject({ childProcess: false, zod: false, lockLibrary: false, pg: false, full: false });
    expect(loaded(store, ["next", id, "-q"])).toMatchObject({ childProcess: false, zod: false, lockLibrary: true, pg: false, full: false });
    expect(loaded(store, ["done", id, "-q"])).toMatchObject({ childProcess: false, zod: false, lockLibrary: true, pg: false, full: false });
    expect(loaded(store, ["status"])).toMatchObject({ zod: false, lockLibrary: false, pg: false, full: true });
    expect(loaded(store, ["log", id])).toMatchObject({ zod: false, lockLibrary: false });
    // the probe itself works: create validates its input with zod
    expect(loaded(store, ["create", "-q", "y"])).toMatchObject({ zod: true, lockLibrary: true });
    // and sees child_process where a call spawns: a cron run starts its command
    expect(loaded(store, ["run", "--job", "probe", "--", "true"])).toMatchObject({ childProcess: true });
  });
});

describe("the PostgreSQL client stays out of JSON calls", () => {
  it("is bundled apart (dist/pg.cjs) and loaded only for a postgres:// store", () => {
    // pg's SCRAM login code: in the pg bundle, not in the CLI bundle every call compiles
    expect(readFileSync(join(ROOT, "dist", "taskpulse.cjs"), "utf8")).not.toContain("SCRAM-SHA-256");
    expect(readFileSync(join(ROOT, "dist", "pg.cjs"), "utf8")).toContain("SCRAM-SHA-256");
    // the probe sees pg.cjs when it is loaded: a postgres URL (nothing listens on port 1) loads it
    const viaUrl = loaded(tempDir(), ["status", "--store", "postgres://u:p@127.0.0.1:1/db"]);
    expect(viaUrl).toMatchObject({ zod: false, pg: true });
  });
});
