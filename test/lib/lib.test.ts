// The library entry as a user gets it: `import { openStore } from "taskpulse"` resolved through package.json's
// exports from a project that has taskpulse in node_modules, running the example of references/library.md.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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

describe("library entry", () => {
  it("runs the example of references/library.md and prints what the page shows", () => {
    const doc = readFileSync(join(ROOT, "references", "library.md"), "utf8");
    const [code] = fenced(doc, "js");
    const [expected] = fenced(doc, "text");
    const dir = project();
    writeFileSync(join(dir, "example.mjs"), code as string);
    const r = runNode(dir, "example.mjs", tempDir());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected);
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
