// `openclaw agents list --json`, asked by store/openclaw-agents.ts (which keeps the answer) when a call must learn
// which agent owns its directory: OpenClaw's own answer, rather than a copy of its config rules.
type Env = Readonly<Record<string, string | undefined>>;

/** Its standard output when it ran and succeeded; undefined when openclaw is missing, failed or took too long. */
export function listOpenclawAgents(env: Env): string | undefined {
  // Loaded here, not at the top: this runs only when there is a config file and no cached answer, and the module
  // is part of every call's bundle.
  const { spawnSync } = process.getBuiltinModule("node:child_process") as typeof import("node:child_process");
  const r = spawnSync("openclaw", ["agents", "list", "--json"], {
    env: env as NodeJS.ProcessEnv,
    encoding: "utf8",
    timeout: 15_000,
    killSignal: "SIGKILL",
  });
  return r.status === 0 ? r.stdout : undefined;
}
