// Which agent a call is, as OpenClaw itself decides it: a multi-agent config with a shared workspace root
// (agents.defaults.workspace, so agent X works in <root>/X) and an agent with a workspace of its own nested inside
// another's. taskpulse must record each agent that `openclaw agents list --json` gives for the directory (the longest
// workspace containing it), install the skill into that workspace, and `openclaw skills check` must then find it ready.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, tempDir } from "../support/helpers.ts";
import { commandsDir, openclaw, openclawHome } from "./openclaw.ts";

function setup() {
  const probe = openclawHome({});
  const root = join(probe.home, "ws");
  const config = {
    agents: {
      ownership: "explicit",
      defaults: { workspace: root, systemAgent: { agentId: "main" } },
      entries: { main: {}, coder: {}, writer: { workspace: join(root, "coder", "docs") } },
    },
  };
  writeFileSync(join(probe.stateDir, "openclaw.json"), JSON.stringify(config));
  // `openclaw` (the real one, on Node 24) and `taskpulse` on PATH, as an install has them
  const bin = commandsDir(join(probe.home, "bin"), { openclaw: true, taskpulse: true });
  const at = { ...probe, env: { ...probe.env, PATH: `${bin}:${process.env.PATH}` } };
  const list = openclaw(at, ["agents", "list", "--json"]);
  expect(list.code, list.stderr).toBe(0);
  const agents = list.json as { id: string; workspace: string }[];
  return { at, agents, store: tempDir() };
}

function tp(at: { env: NodeJS.ProcessEnv }, cwd: string, store: string, args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...at.env, TASKPULSE_STORE: store },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("identity against the real openclaw", () => {
  it("records, from any folder of each workspace, the agent openclaw agents list gives it", () => {
    const { at, agents, store } = setup();
    const ws = Object.fromEntries(agents.map((a) => [a.id, a.workspace]));
    expect(ws).toEqual({
      main: join(at.home, "ws", "main"),
      coder: join(at.home, "ws", "coder"),
      writer: join(at.home, "ws", "coder", "docs"),
    });
    for (const [agent, dir] of Object.entries(ws)) {
      const deep = join(dir, "src", "deep");
      mkdirSync(deep, { recursive: true });
      const id = tp(at, deep, store, ["create", "-q", `task of ${agent}`]);
      expect(id.code, id.stderr).toBe(0);
      const status = JSON.parse(tp(at, deep, store, ["status", id.stdout.trim(), "--json"]).stdout);
      expect(status.data.task.agent, `from ${deep}`).toBe(agent);
    }
    // outside every workspace: main, as before
    expect(JSON.parse(tp(at, at.home, store, ["create", "--json", "elsewhere"]).stdout).data.task.agent).toBe("main");
  });

  it("skill install writes into the workspace of the agent we are in, and openclaw finds the skill ready there", () => {
    const { at, agents, store } = setup();
    const coder = agents.find((a) => a.id === "coder")?.workspace as string;
    mkdirSync(coder, { recursive: true });
    const r = tp(at, coder, store, ["skill", "install", "-q"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(join(coder, "skills", "taskpulse"));
    expect(existsSync(join(at.home, "ws", "main", "skills"))).toBe(false);
    const check = openclaw(at, ["skills", "check", "--agent", "coder", "--json"]);
    expect(check.code, check.stderr).toBe(0);
    const report = check.json as { workspaceDir: string; eligible: string[]; modelVisible: string[] };
    expect(report.workspaceDir).toBe(coder);
    expect(report.eligible).toContain("taskpulse");
    expect(report.modelVisible).toContain("taskpulse");
  });
});
