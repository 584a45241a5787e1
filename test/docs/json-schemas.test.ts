// Real --json output of every documented command, validated against the zod schemas that references/json-schemas.md
// is generated from: if a command prints a field the schema does not describe (top-level data is strict), or
// leaves out one it promises, this fails.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.ts";
import { commandData, type DocumentedCommand, errorEnvelopeSchema, successEnvelope } from "../../src/cli/schemas.ts";
import { cli, tempDir } from "../support/helpers.ts";

const T = (s: number) => new Date(Date.parse("2026-05-01T10:00:00Z") + s * 1000).toISOString();

describe("--json output matches the documented schemas", () => {
  it("every documented command, in its success shapes, and the error envelope", async () => {
    const store = tempDir();
    const home = tempDir();
    const seen = new Set<string>();
    const check = async (command: DocumentedCommand, now: number, ...argv: string[]) => {
      const r = await cli({ store, now: T(now), cwd: join(home, ".openclaw", "workspace") }, ...argv, "--json");
      const parsed = successEnvelope(commandData[command]).safeParse(r.json);
      expect(parsed.error?.issues ?? [], `${argv.join(" ")}\n${JSON.stringify(r.json)}`).toEqual([]);
      seen.add(command);
      return r.json;
    };
    mkdirSync(join(home, ".openclaw", "workspace"), { recursive: true });
    const live = (
      await check("create", 0, "create", "日报发布", "抓取", "写稿:2m", "发布", "--start", "--channel", "telegram", "--target", "1")
    ).data.task.id;
    await check("heartbeat", 31, "heartbeat", live, "half way", "--progress", "50");
    await check("next", 40, "next", live, "25 items");
    await check("pushed", 41, "pushed", live, "4711");
    await check("next", 50, "next", live);
    await check("status", 60, "status");
    await check("status", 60, "status", live);
    await check("next", 70, "next", live);
    const queued = (await check("create", 80, "create", "--agent", "anna", "--name", "queued", "-p", "P1")).data.task.id;
    await check("create", 81, "create", "--agent", "anna", "--name", "after it", "--after", queued, "--tag", "x");
    await check("start", 82, "start", "--agent", "anna");
    await check("start", 83, "start", "--agent", "anna");
    await check("start", 84, "start", "--agent", "nobody");
    await check("stop", 90, "stop", queued, "hold on");
    await check("stop", 91, "stop", queued);
    await check("check", 92, "check", queued);
    await check("heartbeat", 93, "heartbeat", queued);
    await check("ack", 94, "ack", queued, "stopped");
    const failing = (await check("create", 100, "create", "failing", "a", "--start")).data.task.id;
    const skipping = (await cli({ store, now: T(100) }, "create", "-q", "skipping", "a", "b", "--start")).stdout.trim();
    await check("skip", 100, "skip", skipping, "not needed");
    await check("error", 101, "error", failing, "boom");
    await check("retry", 102, "retry", failing);
    const queuedForEdit = (await cli({ store, now: T(103) }, "create", "-q", "to edit", "--agent", "anna")).stdout.trim();
    await check("edit", 103, "edit", queuedForEdit, "--priority", "P1", "--assign", "bob");
    await check("cancel", 103, "cancel", failing, "no longer needed");
    await check("done", 104, "done", (await cli({ store, now: T(104) }, "create", "-q", "quick", "--start")).stdout.trim(), "ok");
    await check("wait", 105, "wait", live, "--timeout", "1s");
    await check("log", 106, "log", live);
    await check("limit", 107, "limit", "2", "--agent", "anna");
    await check("limit", 108, "limit", "--agent", "anna");
    await check("query", 109, "query", "--status", "done");
    await check("stats", 110, "stats");
    const made = await check("token", 110, "token", "create", "--agent", "anna", "--label", "ci");
    await check("token", 110, "token", "list");
    await check("token", 110, "token", "revoke", made.data.id);
    await check("history", 111, "history");
    await check("agents", 112, "agents");
    await check("cleanup", 113, "cleanup");
    const stalled = (await check("create", 114, "create", "silent", "--start")).data.task.id;
    const s = await check("status", 114 + 600, "status", stalled);
    await check("status", 114 + 601, "status", "--alerts");
    expect(s.push?.reason).toBe("stalled");
    await check("cleanup", 120 + 3 * 86_400, "cleanup", "--days", "1");
    await check("skill", 200, "skill", "install");
    await check("heartbeat-line", 201, "heartbeat-line");
    await check("heartbeat-line", 202, "heartbeat-line", "--era", "scratch");
    await check("completion", 203, "completion", "bash");
    await check("migrate", 204, "migrate");
    const exported = await check("export", 205, "export");
    const file = join(tempDir(), "store.json");
    writeFileSync(file, JSON.stringify(exported.data));
    await check("import", 206, "--store", tempDir(), "import", file);
    expect([...seen].sort()).toEqual(Object.keys(commandData).sort());

    const bad = await cli({ store }, "done", "nope", "--json");
    expect(errorEnvelopeSchema.safeParse(bad.json).success).toBe(true);
    const usage = await cli({ store }, "frobnicate", "--json");
    expect(errorEnvelopeSchema.safeParse(usage.json).success).toBe(true);
  });

  it("every documented name is a real command (aliases map to their command)", async () => {
    const program = await buildProgram({} as never, () => {}, { writeOut() {}, writeErr() {}, outputError() {} });
    const names = new Set(program.commands.map((c) => c.name()));
    for (const documented of Object.keys(commandData)) expect(names, documented).toContain(documented);
  });
});
