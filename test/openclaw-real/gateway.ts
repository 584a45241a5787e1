// A real OpenClaw gateway for the tests that need one (cron jobs, their scratch text): on Node 24, bound to
// loopback only, with a token, in its own temporary HOME and state directory, and every background feature that
// could reach past this machine switched off (openclaw.ts). Started once per test file; stopped with its whole
// process group.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { afterAll } from "vitest";
import { until } from "../support/helpers.ts";
import { OPENCLAW_ENTRY, OPENCLAW_NODE, type OpenclawHome, openclaw, openclawHome } from "./openclaw.ts";
import { type FakeTelegram, fakeTelegram } from "./telegram-fake.ts";

export interface Gateway extends OpenclawHome {
  port: number;
  /** Everything the gateway printed so far. */
  log(): string;
}

const running: ChildProcess[] = [];
afterAll(async () => {
  for (const child of running.splice(0)) await stop(child);
});

/**
 * SIGTERM to the gateway's process group (it may drain for minutes), SIGKILL after 10 s. Waits for the gateway's own
 * exit, not for its output pipes to close: a helper it started in another process group may still hold them.
 */
async function stop(child: ChildProcess): Promise<void> {
  const group = child.pid;
  if (group === undefined) return;
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-group, signal);
    } catch {
      // the group is gone
    }
  };
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((res) => child.once("exit", res));
    kill("SIGTERM");
    const killer = setTimeout(() => kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(killer);
  }
  kill("SIGKILL"); // whatever of the group is left
  child.stdout?.destroy();
  child.stderr?.destroy();
}

/** A TCP port nobody listens on right now (on loopback). */
function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once("error", rej);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => res(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * Starts a gateway with `config` as its openclaw.json and waits until it says it is ready. `env` adds to its
 * environment, which the commands of its cron jobs inherit (PATH, TASKPULSE_STORE). `before` runs in its home
 * before it starts (a plugin install).
 */
export async function startGateway(
  config: object = {},
  env: NodeJS.ProcessEnv = {},
  before?: (at: OpenclawHome) => void,
): Promise<Gateway> {
  const at = openclawHome(config);
  Object.assign(at.env, env);
  before?.(at);
  const port = await freePort();
  const token = `tp-${Math.random().toString(36).slice(2)}`;
  at.env.OPENCLAW_GATEWAY_PORT = String(port);
  at.env.OPENCLAW_GATEWAY_TOKEN = token;
  const child = spawn(
    OPENCLAW_NODE,
    [OPENCLAW_ENTRY, "gateway", "--allow-unconfigured", "--bind", "loopback", "--port", String(port), "--auth", "token", "--token", token],
    { cwd: at.home, env: at.env, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  running.push(child);
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  await until(
    "the gateway says it is ready",
    () => {
      if (child.exitCode !== null) throw new Error(`the gateway exited ${child.exitCode}:\n${output.slice(-3000)}`);
      return /\[gateway\]\s+ready\b/.test(output);
    },
    180_000,
  );
  return { ...at, port, log: () => output };
}

/**
 * A gateway whose Telegram channel talks to a fresh fake Bot API (telegram-fake.ts), once that channel has started.
 * `env` adds to the gateway's environment (PATH, TASKPULSE_STORE for its cron jobs' commands).
 */
export async function telegramGateway(env: NodeJS.ProcessEnv = {}): Promise<{ gw: Gateway; tg: FakeTelegram }> {
  const tg = await fakeTelegram();
  const gw = await startGateway({ channels: { telegram: { enabled: true, botToken: "123456:test-token", apiRoot: tg.apiRoot } } }, env);
  await until("the Telegram channel has started", () => /\[telegram\].*starting provider/.test(gw.log()), 120_000);
  return { gw, tg };
}

/** The gateway's cron jobs (`openclaw cron list --all --json`). */
export function cronJobs(gw: Gateway): { id: string; name: string; declarationKey?: string }[] {
  const r = openclaw(gw, ["cron", "list", "--all", "--json"]);
  if (r.code !== 0) throw new Error(`cron list exited ${r.code}: ${r.stderr}`);
  return (r.json as { jobs: { id: string; name: string; declarationKey?: string }[] }).jobs;
}
