// Named state documents: get/set/update/list, name validation, missing documents, revisions, corrupt files, and
// concurrent writers in separate processes losing nothing.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyDocOps, mergePatch } from "../../src/core/state-doc.ts";
import { cleanEnv, cli, ROOT, tempDir } from "../support/helpers.ts";

describe("state documents (CLI)", () => {
  it("set, get, get --path, list", async () => {
    const store = tempDir();
    const set = await cli({ store }, "state", "set", "water", '{"date":"2026-05-26","total":0,"records":[]}');
    expect(set.code).toBe(0);
    expect(set.stdout).toBe("saved water (rev 1)\n");
    const got = await cli({ store }, "state", "get", "water");
    expect(JSON.parse(got.stdout)).toEqual({ date: "2026-05-26", total: 0, records: [] });
    expect((await cli({ store }, "-q", "state", "get", "water", "--path", "date")).stdout).toBe("2026-05-26\n");
    expect((await cli({ store }, "--json", "state", "get", "water")).json.data).toMatchObject({
      name: "water",
      rev: 1,
      value: { total: 0 },
    });
    expect((await cli({ store }, "state", "list")).stdout).toMatch(/^water {2}rev 1 {2}\d+ B/);
    // the file carries a schemaVersion and the value
    const file = JSON.parse(readFileSync(join(store, "state", "water.json"), "utf8"));
    expect(file).toMatchObject({ schemaVersion: 1, name: "water", rev: 1, value: { total: 0 } });
  });

  it("set - reads standard input", async () => {
    const store = tempDir();
    const r = await cli({ store, stdin: '{"from":"stdin"}\n' }, "state", "set", "piped", "-");
    expect(r.code).toBe(0);
    expect((await cli({ store }, "--json", "state", "get", "piped")).json.data.value).toEqual({ from: "stdin" });
    expect((await cli({ store, stdin: "not json" }, "state", "set", "piped", "-")).code).toBe(2);
  });

  it("update: merge, set, unset, incr, push in one locked change", async () => {
    const store = tempDir();
    await cli({ store }, "state", "set", "water", '{"date":"2026-05-26","total":0,"records":[],"meta":{"a":1,"b":2}}');
    const r = await cli(
      { store },
      "--json",
      "state",
      "update",
      "water",
      "--merge",
      '{"meta":{"b":null,"c":3}}',
      "--set",
      "note=hello",
      "--incr",
      "total=300",
      "--push",
      'records={"time":"12:00","amount":300}',
      "--unset",
      "date",
    );
    expect(r.code).toBe(0);
    expect(r.json.data).toMatchObject({ rev: 2 });
    expect(r.json.data.value).toEqual({ total: 300, records: [{ time: "12:00", amount: 300 }], meta: { a: 1, c: 3 }, note: "hello" });
  });

  it("missing documents exit 3; --init starts one", async () => {
    const store = tempDir();
    expect((await cli({ store }, "state", "get", "nope")).code).toBe(3);
    expect((await cli({ store }, "state", "update", "nope", "--incr", "n=1")).code).toBe(3);
    expect(existsSync(join(store, "state", "nope.json"))).toBe(false);
    expect((await cli({ store }, "state", "update", "nope", "--init", "{}", "--incr", "n=1")).code).toBe(0);
    expect((await cli({ store }, "-q", "state", "get", "nope", "--path", "n")).stdout).toBe("1\n");
    expect((await cli({ store }, "state", "get", "nope", "--path", "missing.key")).code).toBe(3);
  });

  it("validates names like agent names (exit 2) and never leaves the store", async () => {
    const store = tempDir();
    for (const bad of ["../x", "a/b", "..", "-x", ".hidden", ""]) {
      expect((await cli({ store }, "state", "set", bad, "{}")).code).toBe(2);
      expect((await cli({ store }, "state", "get", bad)).code).toBe(2);
    }
    const r = await cli({ store }, "--json", "state", "set", "../x", "{}");
    expect(r.json.error).toMatchObject({ code: "usage" });
    expect(existsSync(join(store, "x.json"))).toBe(false);
    expect(existsSync(join(store, "state"))).toBe(false);
  });

  it("bad input: invalid JSON, nothing to update, prototype keys, wrong types (exit 2)", async () => {
    const store = tempDir();
    await cli({ store }, "state", "set", "d", '{"n":"text","list":{}}');
    expect((await cli({ store }, "state", "set", "d", "{oops")).code).toBe(2);
    expect((await cli({ store }, "state", "update", "d")).code).toBe(2);
    expect((await cli({ store }, "state", "update", "d", "--merge", '{"__proto__":{"x":1}}')).code).toBe(2);
    expect((await cli({ store }, "state", "update", "d", "--set", "constructor.x=1")).code).toBe(2);
    expect((await cli({ store }, "state", "update", "d", "--incr", "n=1")).code).toBe(2);
    expect((await cli({ store }, "state", "update", "d", "--push", "list=1")).code).toBe(2);
    expect((await cli({ store }, "--json", "state", "get", "d")).json.data).toMatchObject({ rev: 1, value: { n: "text" } });
  });

  it("--if-rev refuses a change based on a stale read (exit 4)", async () => {
    const store = tempDir();
    await cli({ store }, "state", "set", "cas", '{"v":1}', "--if-rev", "0");
    expect((await cli({ store }, "state", "set", "cas", '{"v":2}', "--if-rev", "0")).code).toBe(4);
    expect((await cli({ store }, "state", "set", "cas", '{"v":2}', "--if-rev", "1")).code).toBe(0);
    const stale = await cli({ store }, "--json", "state", "update", "cas", "--set", "v=3", "--if-rev", "1");
    expect(stale.code).toBe(4);
    expect(stale.json.error.message).toMatch(/revision 2, not 1/);
  });

  it("a corrupt document exits 6 and is kept as it is; a plain JSON file is read as revision 0", async () => {
    const store = tempDir();
    mkdirSync(join(store, "state"), { recursive: true });
    writeFileSync(join(store, "state", "broken.json"), '{"half":');
    const r = await cli({ store }, "state", "update", "broken", "--set", "x=1");
    expect(r.code).toBe(6);
    expect(readFileSync(join(store, "state", "broken.json"), "utf8")).toBe('{"half":');
    writeFileSync(join(store, "state", "legacy.json"), '{"date":"2026-05-20","total_ml":900}');
    expect((await cli({ store }, "--json", "state", "get", "legacy")).json.data).toMatchObject({ rev: 0, value: { total_ml: 900 } });
    const up = await cli({ store }, "--json", "state", "update", "legacy", "--incr", "total_ml=100");
    expect(up.json.data).toMatchObject({ rev: 1, value: { date: "2026-05-20", total_ml: 1000 } });
  });

  it("a document replaced under its lock at every attempt: exit 5 (busy), not 1; nothing taskpulse wrote", async () => {
    const store = tempDir();
    expect((await cli({ store }, "state", "set", "busy", '{"n":0}')).code).toBe(0);
    const path = join(store, "state", "busy.json");
    // Another program (no lock) replaces the file without pause, each time with a new inode and size: every write
    // taskpulse fences (a large value keeps its write and fsync long enough to be overtaken each time).
    const child = spawn(
      process.execPath,
      [
        "-e",
        `const fs = require("node:fs"); const p = ${JSON.stringify(path)}; process.stdout.write("ready\\n");
         for (let i = 0; ; i++) { fs.writeFileSync(p + ".other", JSON.stringify({ n: i }) + " ".repeat(i % 97)); fs.renameSync(p + ".other", p); }`,
      ],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    try {
      await new Promise((resolve) => child.stdout.once("data", resolve));
      const big = JSON.stringify({ blob: "x".repeat(900 * 1024) });
      const r = await cli({ store, stdin: big }, "state", "set", "busy", "-");
      expect(r.code, r.stderr).toBe(5);
      expect(r.stderr).toContain("state document 'busy' changed under its lock during each of 5 write attempts");
      expect(r.stderr).toContain("safe to retry");
    } finally {
      child.kill("SIGKILL");
    }
    await new Promise((resolve) => child.once("exit", resolve));
    expect(readFileSync(path, "utf8")).not.toContain("xxxx");
    expect(readdirSync(join(store, "state")).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("concurrent updates from separate processes lose nothing", async () => {
    const store = tempDir();
    const writers = 5;
    const each = 10;
    // each writer is its own process running the built CLI `each` times in a row
    const script = `
      const { main } = require(${JSON.stringify(join(ROOT, "dist", "taskpulse.cjs"))});
      (async () => {
        for (let i = 0; i < ${each}; i++) {
          const code = await main(["-q", "state", "update", "counter", "--init", "{}", "--incr", "n=1", "--push", "seen=" + process.argv[1] + "-" + i]);
          if (code !== 0) process.exit(code);
        }
      })();`;
    const codes = await Promise.all(
      Array.from(
        { length: writers },
        (_, w) =>
          new Promise<number | null>((res) => {
            const child = spawn(process.execPath, ["-e", script, `w${w}`], {
              env: cleanEnv(store),
              stdio: ["ignore", "ignore", "inherit"],
            });
            child.on("close", res);
          }),
      ),
    );
    expect(codes).toEqual(Array(writers).fill(0));
    const doc = (await cli({ store }, "--json", "state", "get", "counter")).json.data;
    expect(doc.value.n).toBe(writers * each);
    expect(new Set(doc.value.seen).size).toBe(writers * each);
    expect(doc.rev).toBe(writers * each);
    // no temp files or locks left behind
    expect(readdirSync(join(store, "state")).sort()).toEqual(["counter.json", "counter.json.owner"]);
  });
});

describe("state document changes (core)", () => {
  it("merge patch follows RFC 7386", () => {
    expect(mergePatch({ a: "b", c: { d: "e", f: "g" } }, { a: "z", c: { f: null } })).toEqual({ a: "z", c: { d: "e" } });
    expect(mergePatch({ a: [1, 2] }, { a: [3] })).toEqual({ a: [3] });
    expect(mergePatch(["x"], { a: 1 })).toEqual({ a: 1 });
    expect(mergePatch({ a: 1 }, "text")).toBe("text");
  });

  it("paths create objects on the way and index arrays", () => {
    expect(applyDocOps(undefined, [{ op: "set", path: ["a", "b"], value: 1 }])).toEqual({ a: { b: 1 } });
    expect(applyDocOps({ r: [{ n: 1 }] }, [{ op: "incr", path: ["r", "0", "n"], by: 2 }])).toEqual({ r: [{ n: 3 }] });
    expect(applyDocOps({ r: [1, 2, 3] }, [{ op: "unset", path: ["r", "1"] }])).toEqual({ r: [1, 3] });
    const before = { keep: { me: 1 } };
    applyDocOps(before, [{ op: "set", path: ["keep", "me"], value: 2 }]);
    expect(before).toEqual({ keep: { me: 1 } });
  });
});
