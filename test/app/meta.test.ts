// A task's structured parameters (`--meta key=<json>`, OpenTask's task_params): stored as JSON, shown as they would
// be typed, queried by value (CLI, library and the dashboard's API alike).
import { describe, expect, it } from "vitest";
import { metaMatches, metaText, parseMetaValue } from "../../src/core/meta.ts";
import { openStore } from "../../src/lib/index.ts";
import { cli, tempDir } from "../support/helpers.ts";

describe("meta values", () => {
  it("reads JSON as JSON and anything else as text; a number only when JSON writes it back the same", () => {
    expect(parseMetaValue('{"lang":"zh","pages":[1,2]}')).toEqual({ lang: "zh", pages: [1, 2] });
    expect(["3", "-2.5", "true", "null", '"true"', "[]"].map(parseMetaValue)).toEqual([3, -2.5, true, null, "true", []]);
    expect(["1.0", "007", "12345678901234567890", "1e3", "hello", "{oops", ""].map(parseMetaValue)).toEqual([
      "1.0",
      "007",
      "12345678901234567890",
      "1e3",
      "hello",
      "{oops",
      "",
    ]);
  });

  it("shows a value as it would be typed to get it again", () => {
    for (const typed of ['{"a":1}', "3", "true", '"true"', "hello", '"\\"quoted\\""']) expect(metaText(parseMetaValue(typed))).toBe(typed);
  });

  it("matches by key, or by value equal as JSON whatever an object's key order", () => {
    const meta = { params: { b: [1, { y: 2, x: 1 }], a: "z" }, n: 3, s: "3" };
    expect(metaMatches(meta, "params", { a: "z", b: [1, { x: 1, y: 2 }] })).toBe(true);
    expect(metaMatches(meta, "params", { a: "z", b: [{ x: 1, y: 2 }, 1] })).toBe(false);
    expect(metaMatches(meta, "n", 3)).toBe(true);
    expect(metaMatches(meta, "n", "3")).toBe(false);
    expect(metaMatches(meta, "s", "3")).toBe(true);
    expect(metaMatches(meta, "s")).toBe(true);
    expect(metaMatches(meta, "missing")).toBe(false);
    expect(metaMatches(meta, "toString")).toBe(false);
  });
});

describe("--meta", () => {
  it("stores JSON values, shows them in status, and query finds tasks by them (hot and archived)", async () => {
    const store = tempDir();
    const created = await cli(
      { store },
      "create",
      "-q",
      "report",
      "--meta",
      'params={"lang":"zh","pages":[1,2]}',
      "--meta",
      "retries=3",
      "--meta",
      "version=1.0",
      "--meta",
      'word="true"',
      "--meta",
      "note=hello",
    );
    expect(created.code, created.stderr).toBe(0);
    const id = created.stdout.trim();
    const other = (await cli({ store }, "create", "-q", "other", "--meta", "retries=4")).stdout.trim();

    const task = (await cli({ store }, "status", id, "--json")).json.data.task;
    expect(task.meta).toEqual({ params: { lang: "zh", pages: [1, 2] }, retries: 3, version: "1.0", word: "true", note: "hello" });
    const text = (await cli({ store }, "status", id)).stdout;
    for (const line of ['params = {"lang":"zh","pages":[1,2]}', "retries = 3", "version = 1.0", 'word = "true"', "note = hello"])
      expect(text).toContain(`   ${line}\n`);

    const ids = async (...filters: string[]) =>
      (await cli({ store }, "query", "-q", ...filters.flatMap((f) => ["--meta", f]))).stdout.trim().split("\n").filter(Boolean).sort();
    expect(await ids("retries=3")).toEqual([id]);
    expect(await ids("retries")).toEqual([id, other].sort());
    expect(await ids('params={"pages":[1,2],"lang":"zh"}')).toEqual([id]);
    expect(await ids("retries", "note=hello")).toEqual([id]);
    expect(await ids("word=true")).toEqual([]); // the text "true" is not the value true
    expect(await ids('word="true"')).toEqual([id]);
    const json = (await cli({ store }, "query", "--json", "--meta", "retries=4")).json.data.tasks;
    expect(json).toEqual([expect.objectContaining({ id: other, meta: { retries: 4 } })]);

    // archived tasks keep their parameters and are found by them
    await cli({ store }, "start", other);
    await cli({ store }, "done", other);
    expect((await cli({ store, now: "2026-05-10T10:00:00Z" }, "cleanup")).code).toBe(0);
    const archived = (await cli({ store }, "query", "--json", "--meta", "retries=4")).json.data.tasks;
    expect(archived).toEqual([expect.objectContaining({ id: other, archived: true, meta: { retries: 4 } })]);
    expect((await cli({ store }, "doctor")).code).toBe(0);
  });

  it("refuses a malformed pair or key, and too long a value (exit 2, nothing stored)", async () => {
    const store = tempDir();
    for (const [pair, message] of [
      ["novalue", "invalid --meta 'novalue'"],
      ["=3", "invalid --meta '=3'"],
      ["bad key=1", "invalid --meta key 'bad key'"],
      [`big=${JSON.stringify(["x".repeat(1000)])}`, "--meta value is too long (1004 characters, at most 1000)"],
    ] as const) {
      const r = await cli({ store }, "create", "x", "--meta", pair);
      expect(r.code, pair).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect((await cli({ store }, "query", "--meta", "bad key")).code).toBe(2);
    expect((await cli({ store }, "query", "-q")).stdout).toBe("");
  });

  it("the library stores what it is given and queries by value", async () => {
    const store = tempDir();
    const lib = openStore({ home: store, agent: "scripts", env: { LANG: "C" } });
    const { task } = await lib.create({ name: "job", meta: { flag: "true", n: 2, params: { a: [1] } } });
    expect(task.meta).toEqual({ flag: "true", n: 2, params: { a: [1] } });
    expect((await lib.query({ meta: { flag: "true" } })).tasks.map((s) => s.id)).toEqual([task.id]);
    expect((await lib.query({ meta: { flag: true } })).total).toBe(0);
    expect((await lib.query({ meta: { params: undefined } })).total).toBe(1);
  });
});
