// The library entry as a user gets it: `import { openStore } from "taskpulse"` resolved through package.json's
// exports from a project that has taskpulse in node_modules, running the examples of references/library.md, and
// type-checking its TypeScript example against the types a user gets (lib/index.d.ts, through the same exports).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transformSync } from "esbuild";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/lib/index.ts";
import { cli, ROOT, tempDir } from "../support/helpers.ts";

function project(): string {
  const dir = tempDir("tp-lib-");
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules", "taskpulse"), "dir");
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  return dir;
}

function runNode(dir: string, file: string, store: string) {
  const r = spawnSync(process.execPath, [file], {
    cwd: dir,
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: dir, TASKPULSE_HOME: store, LANG: "C" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function fenced(markdown: string, info: string): string[] {
  return [...markdown.matchAll(new RegExp(`^\`\`\`${info}\\n([\\s\\S]*?)^\`\`\``, "gm"))].map((m) => m[1] as string);
}

/**
 * What the public types must say beyond what the example shows: the differences from the internal types are
 * deliberate (a task's `seq`, `push.delivery`), a task's fields depend on its status, and the exit codes are typed.
 * Each `@ts-expect-error` fails the check when the error it expects is gone.
 */
const TYPE_CHECKS = `import { EXIT, type ExitCode, type Push, type Summary, type Task, TaskpulseError } from "taskpulse";
declare const task: Task;
declare const push: Push;
declare const summary: Summary;
// @ts-expect-error a task's queue counter is the store's own
task.seq;
// @ts-expect-error only a failed task has an error
task.error;
// @ts-expect-error set only by --send, which the library has not
push.delivery;
const code: ExitCode = EXIT.stopRequested;
const error = new TaskpulseError("usage", EXIT.usage, "bad", "try this");
export const seen: unknown[] = [code, error.hint, error.detail?.key, summary.state, task.push?.["anything"]];
`;

/** A CommonJS project's TypeScript, through the same types (package.json's exports have one "types" for both). */
const CJS_CHECK = `import taskpulse = require("taskpulse");
const store: taskpulse.TaskpulseStore = taskpulse.openStore({ pushes: false });
export = [store.location, taskpulse.EXIT.notFound];
`;

/**
 * Type-checks `files` of the project in `dir` as its user's compiler would: taskpulse's types resolved through its
 * package.json's exports, with the library's own declaration file checked too (no skipLibCheck). Returns the errors
 * and the files the compiler read.
 */
function typeCheck(dir: string, files: string[], options: ts.CompilerOptions): { errors: string[]; read: string[] } {
  const program = ts.createProgram(
    files.map((f) => join(dir, f)),
    {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ["lib.es2022.d.ts"],
      types: ["node"],
      typeRoots: [join(ROOT, "node_modules", "@types")],
      ...options,
    },
  );
  const errors = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const at = d.file && where ? `${d.file.fileName}:${where.line + 1}: ` : "";
    return `${at}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
  return { errors, read: program.getSourceFiles().map((f) => realpathSync(f.fileName)) };
}

describe("library entry", () => {
  it.each(["js", "ts"] as const)("runs the %s example of references/library.md and prints what the page shows", (lang) => {
    const doc = readFileSync(join(ROOT, "references", "library.md"), "utf8");
    const [code] = fenced(doc, lang);
    // the page shows the JavaScript example's output, then the TypeScript one's
    const expected = fenced(doc, "text")[lang === "js" ? 0 : 1];
    const dir = project();
    const js = lang === "ts" ? transformSync(code as string, { loader: "ts", format: "esm" }).code : (code as string);
    writeFileSync(join(dir, "example.mjs"), js);
    const r = runNode(dir, "example.mjs", tempDir());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected);
  });

  it("type-checks the TypeScript example against lib/index.d.ts alone, strict, with and without exact optional types", () => {
    const doc = readFileSync(join(ROOT, "references", "library.md"), "utf8");
    const [code] = fenced(doc, "ts");
    const dir = project();
    writeFileSync(join(dir, "example.ts"), code as string);
    writeFileSync(join(dir, "checks.ts"), TYPE_CHECKS);
    writeFileSync(join(dir, "checks.cts"), CJS_CHECK);
    for (const exactOptionalPropertyTypes of [false, true]) {
      const { errors, read } = typeCheck(dir, ["example.ts", "checks.ts", "checks.cts"], { exactOptionalPropertyTypes });
      expect(errors).toEqual([]);
      expect(read).toContain(join(ROOT, "lib", "index.d.ts"));
      // the declaration file stands alone: nothing of taskpulse's source is read to understand it
      expect(read.filter((f) => f.startsWith(join(ROOT, "src")))).toEqual([]);
    }
  });

  it("resolves for require() and for TypeScript, as package.json declares", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(pkg.exports["."]).toEqual({ types: "./lib/index.d.ts", import: "./dist/lib.mjs", require: "./dist/lib.cjs" });
    for (const file of [pkg.main, pkg.types, pkg.exports["."].import]) expect(existsSync(join(ROOT, file)), file).toBe(true);
    expect(pkg.files).toEqual(expect.arrayContaining(["dist", "lib", "SKILL.md", "references"]));
    const dir = project();
    writeFileSync(
      join(dir, "req.cjs"),
      'const { openStore, EXIT } = require("taskpulse"); console.log(typeof openStore, EXIT.stopRequested);\n',
    );
    expect(runNode(dir, "req.cjs", tempDir()).stdout).toBe("function 20\n");
  });

  it("shares the store with the CLI: same tasks, same audit trail, same exit-20 signal", async () => {
    const store = tempDir();
    const lib = openStore({ home: store, agent: "scripts", env: { LANG: "C" }, now: () => new Date("2026-05-01T10:00:00Z") });
    expect(lib.agent).toBe("scripts");
    const { task } = await lib.create({ name: "from a script", steps: ["a", "b"], start: true, priority: "P1", meta: { source: "cron" } });
    expect(task).toMatchObject({ status: "running", priority: 8, meta: { source: "cron" }, agent: "scripts" });
    const seen = await cli({ store }, "status", task.id, "--json");
    expect(seen.json.data.task.name).toBe("from a script");
    await cli({ store }, "stop", task.id, "enough");
    expect((await lib.check(task.id)).stopRequested).toBe(true);
    expect((await lib.heartbeat(task.id)).stopRequested).toBe(true);
    const acked = await lib.ack(task.id, "stopped after a");
    expect(acked.task).toMatchObject({ status: "cancelled", summary: "stopped after a" });
    const log = await cli({ store }, "log", task.id, "--json");
    expect(log.json.data.entries.map((e: { action: string; operator: string }) => `${e.action}:${e.operator}`)).toEqual([
      "ack:scripts",
      "stop:main",
      "create:scripts",
    ]);
    const found = await lib.query({ agent: "scripts", status: ["cancelled"] });
    expect(found.tasks.map((s) => s.id)).toEqual([task.id]);
    const overview = await lib.status();
    expect(overview.counts.cancelled).toBe(1);
  });

  it("queues: start without id takes the next task; wait reports how a task ended", async () => {
    const store = tempDir();
    const lib = openStore({ home: store, agent: "anna", pushes: false, env: {} });
    expect((await lib.start()).task).toBeNull();
    await lib.create({ name: "low", priority: 2 });
    const high = await lib.create({ name: "high", priority: 9 });
    expect(high.push).toBeNull();
    const started = await lib.start();
    expect(started.task?.name).toBe("high");
    expect((await lib.start()).busy).toBe(true);
    await lib.fail(high.task.id, "boom", { retryable: false });
    expect((await lib.wait(high.task.id, { timeout: "1s" })).reason).toBe("failed");
  });

  it("rejects bad options when opened, with the CLI's error", () => {
    expect(() => openStore({ agent: "../x", env: {} })).toThrow(/invalid agent name/);
  });
});
