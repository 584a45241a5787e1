// The OpenClaw side: which agent a call is (from real directories, through the real binary), installing the skill
// into a workspace, and the heartbeat checklist entries for both OpenClaw eras (the 2026.8+ recipe run against a
// real openclaw: test/openclaw-real/heartbeat-scratch.test.ts).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSkillSource } from "../../src/store/skill-files.ts";
import { BIN, cleanEnv, cli, ROOT, tempDir } from "../support/helpers.ts";

function agentOf(cwd: string, store: string, env: Record<string, string> = {}, args: string[] = []): string {
  const r = spawnSync(process.execPath, [BIN, "create", "probe", "--json", ...args], { cwd, env: cleanEnv(store, env), encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout).data.task.agent;
}

describe("identity from the working directory (spawned, real directories)", () => {
  it("--agent > TASKPULSE_AGENT > workspace directory (also from a subfolder) > main", () => {
    const home = tempDir();
    const store = tempDir();
    const dirs = {
      main: join(home, ".openclaw", "workspace"),
      coder: join(home, ".openclaw", "workspace-coder"),
      deep: join(home, ".openclaw", "workspace-coder", "src", "lib"),
      mainDeep: join(home, ".openclaw", "workspace", "notes"),
      elsewhere: join(home, "projects", "site"),
      invalid: join(home, ".openclaw", "workspace-bad..name"),
    };
    for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
    expect(agentOf(dirs.main, store)).toBe("main");
    expect(agentOf(dirs.mainDeep, store)).toBe("main");
    expect(agentOf(dirs.coder, store)).toBe("coder");
    expect(agentOf(dirs.deep, store)).toBe("coder");
    expect(agentOf(dirs.elsewhere, store)).toBe("main");
    expect(agentOf(dirs.invalid, store)).toBe("main"); // not a valid agent name: fall back, never a path
    expect(agentOf(dirs.deep, store, { TASKPULSE_AGENT: "anna" })).toBe("anna");
    expect(agentOf(dirs.deep, store, { TASKPULSE_AGENT: "anna" }, ["--agent", "bob"])).toBe("bob");
  });
});

describe("skill install", () => {
  const shipped = readSkillSource(ROOT);

  it("writes SKILL.md and references/ into the skills folder of the workspace it runs in", async () => {
    const home = tempDir();
    const sub = join(home, ".openclaw", "workspace-coder", "src");
    mkdirSync(sub, { recursive: true });
    const r = await cli({ store: tempDir(), cwd: sub, home }, "skill", "install", "--json");
    expect(r.code).toBe(0);
    const dir = join(home, ".openclaw", "workspace-coder", "skills", "taskpulse");
    expect(r.json.data.dir).toBe(dir);
    expect(shipped.map((f) => f.path)).toEqual(expect.arrayContaining(["SKILL.md", "references/integration.md", "references/messages.md"]));
    for (const f of shipped) expect(readFileSync(join(dir, f.path), "utf8"), f.path).toBe(f.content);
    expect(r.json.data.files.every((f: { action: string }) => f.action === "created")).toBe(true);
    const again = await cli({ store: tempDir(), cwd: sub, home }, "skill", "install");
    expect(again.stdout).toContain("is up to date");
  });

  it("outside a workspace: ~/.openclaw/workspace/skills; --dir (with ~) wins", async () => {
    const home = tempDir();
    const r = await cli({ store: tempDir(), cwd: "/", home }, "skill", "install", "-q");
    expect(r.stdout.trim()).toBe(join(home, ".openclaw", "workspace", "skills", "taskpulse"));
    const shared = await cli({ store: tempDir(), cwd: "/", home }, "skill", "install", "--dir", "~/.openclaw/skills", "-q");
    expect(shared.stdout.trim()).toBe(join(home, ".openclaw", "skills", "taskpulse"));
    expect(existsSync(join(home, ".openclaw", "skills", "taskpulse", "SKILL.md"))).toBe(true);
  });

  it("keeps files the user changed unless --force; updates files an older taskpulse wrote", async () => {
    const home = tempDir();
    const skills = join(home, "skills");
    const opts = { store: tempDir(), cwd: "/", home };
    await cli(opts, "skill", "install", "--dir", skills);
    const skill = join(skills, "taskpulse", "SKILL.md");
    writeFileSync(skill, `${readFileSync(skill, "utf8")}\nMy own note.\n`);
    const refused = await cli(opts, "skill", "install", "--dir", skills);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("SKILL.md");
    expect(refused.stderr).toContain("--force");
    expect(readFileSync(skill, "utf8")).toContain("My own note.");
    const forced = await cli(opts, "skill", "install", "--dir", skills, "--force", "--json");
    expect(forced.json.data.files.find((f: { path: string }) => f.path === "SKILL.md").action).toBe("overwritten");
    expect(readFileSync(skill, "utf8")).not.toContain("My own note.");

    // What an older version installed (recorded in the manifest) is replaced without --force.
    const manifest = join(skills, "taskpulse", ".taskpulse-skill.json");
    const old = "---\nname: taskpulse\n---\nold text\n";
    writeFileSync(skill, old);
    const m = JSON.parse(readFileSync(manifest, "utf8"));
    m.files["SKILL.md"] = (await import("node:crypto")).createHash("sha256").update(old).digest("hex");
    writeFileSync(manifest, JSON.stringify(m));
    const upgraded = await cli(opts, "skill", "install", "--dir", skills, "--json");
    expect(upgraded.code).toBe(0);
    expect(upgraded.json.data.files.find((f: { path: string }) => f.path === "SKILL.md").action).toBe("updated");
  });

  it("the real binary finds the skill files shipped next to its bundle", () => {
    const home = tempDir();
    const r = spawnSync(process.execPath, [BIN, "skill", "install", "-q"], {
      cwd: "/",
      env: cleanEnv(tempDir(), { HOME: home }),
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(r.stdout.trim(), "SKILL.md"), "utf8")).toBe(readFileSync(join(ROOT, "SKILL.md"), "utf8"));
  });
});

describe("heartbeat-line", () => {
  it("prints the entries for the agent, and -q only them", async () => {
    const r = await cli({ store: tempDir(), home: "/h" }, "heartbeat-line", "--agent", "anna");
    expect(r.stdout).toContain("- taskpulse: run `taskpulse cleanup -q`");
    expect(r.stdout).toContain("`taskpulse start --agent anna -q`");
    expect(r.stdout).toContain("HEARTBEAT_OK");
    expect(r.stdout).toContain("/h/.openclaw/workspace-anna/HEARTBEAT.md");
    expect(r.stdout).toContain("taskpulse heartbeat-line --agent anna --era scratch | sh");
    const q = await cli({ store: tempDir() }, "heartbeat-line", "--agent", "anna", "-q");
    expect(q.stdout.trim().split("\n")).toHaveLength(3);
    expect(q.stdout).toContain("`taskpulse status --alerts`");
    expect(q.stdout).not.toContain("OpenClaw");
  });

  it("--era md appends the missing entries once and keeps the rest of HEARTBEAT.md", async () => {
    const home = tempDir();
    const ws = join(home, ".openclaw", "workspace");
    mkdirSync(ws, { recursive: true });
    const file = join(ws, "HEARTBEAT.md");
    writeFileSync(file, "# Heartbeat\n- check the inbox"); // no newline at the end
    const recipe = (await cli({ store: tempDir(), cwd: ws, home }, "heartbeat-line", "--era", "md")).stdout;
    for (let i = 0; i < 2; i++) expect(spawnSync("sh", ["-c", recipe], { encoding: "utf8" }).status).toBe(0);
    const lines = readFileSync(file, "utf8").split("\n");
    expect(lines.slice(0, 2)).toEqual(["# Heartbeat", "- check the inbox"]);
    expect(lines.filter((l) => l.startsWith("- taskpulse:"))).toHaveLength(3);
    // up to 2026.7 the idle reply is HEARTBEAT_OK; from 2026.8 (--era scratch) it is NO_REPLY
    expect(lines.join("\n")).toContain("reply HEARTBEAT_OK");
    const scratch = await cli({ store: tempDir() }, "heartbeat-line", "--era", "scratch", "--json");
    expect(scratch.json.data.entries[2]).toContain("reply NO_REPLY");
    expect(scratch.json.data.job).toBeNull();
  });

  it("--job takes a cron job's id or name; a line break in it is refused with exit 2", async () => {
    const named = await cli({ store: tempDir() }, "heartbeat-line", "--era", "scratch", "--job", "Heartbeat (main)");
    expect(named.stdout).toContain("job='Heartbeat (main)'");
    const bad = await cli({ store: tempDir() }, "heartbeat-line", "--era", "scratch", "--job", "a\nb");
    expect(bad.code).toBe(2);
  });
});
