// Running the real openclaw: on Node 24, with HOME and OPENCLAW_STATE_DIR in a temporary directory, and every
// background feature that could reach past this machine switched off. Nothing here starts a gateway or sends:
// `message … --dry-run` prints the payload it would deliver.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, inject } from "vitest";
import { BIN } from "../support/helpers.ts";

export const OPENCLAW_NODE = inject("openclawNode");
export const OPENCLAW_ENTRY = inject("openclawEntry");
export const OPENCLAW_PACKAGE = dirname(OPENCLAW_ENTRY);

const QUIET = {
  OPENCLAW_NO_UPDATE_CHECK: "1",
  OPENCLAW_NO_AUTO_UPDATE: "1",
  OPENCLAW_DISABLE_BONJOUR: "1",
  OPENCLAW_SKIP_STARTUP_MODEL_PREWARM: "1",
  OPENCLAW_SKIP_GMAIL_WATCHER: "1",
  OPENCLAW_SKIP_BROWSER_CONTROL_SERVER: "1",
  OPENCLAW_SKIP_CANVAS_HOST: "1",
};

/** A Telegram channel with a default bot and a second account, `bot2`: enough for every route taskpulse builds. */
export const TELEGRAM_CONFIG = {
  channels: {
    telegram: {
      enabled: true,
      botToken: "123456:test-token",
      accounts: { bot2: { botToken: "654321:other-token" } },
    },
  },
};

const homes: string[] = [];
afterAll(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

export interface OpenclawHome {
  home: string;
  stateDir: string;
  env: NodeJS.ProcessEnv;
}

/** A fresh HOME with `config` as $OPENCLAW_STATE_DIR/openclaw.json. */
export function openclawHome(config: object = TELEGRAM_CONFIG): OpenclawHome {
  const home = mkdtempSync(join(tmpdir(), "tp-openclaw-"));
  homes.push(home);
  const stateDir = join(home, ".openclaw");
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(join(stateDir, "openclaw.json"), `${JSON.stringify(config, null, 2)}\n`);
  const env = { PATH: process.env.PATH, HOME: home, OPENCLAW_STATE_DIR: stateDir, LANG: "C", NO_COLOR: "1", ...QUIET };
  return { home, stateDir, env };
}

export interface OpenclawResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON when it is JSON. */
  json: unknown;
}

/** Runs `openclaw <args>` on Node 24 in `at`. */
export function openclaw(at: OpenclawHome, args: readonly string[]): OpenclawResult {
  const r = spawnSync(OPENCLAW_NODE, [OPENCLAW_ENTRY, ...args], { cwd: at.home, env: at.env, encoding: "utf8", timeout: 90_000 });
  let json: unknown;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = undefined;
  }
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json };
}

export interface SchemaCheck {
  name: string;
  variant: string;
  ok: boolean;
  coerced: boolean;
  unknownKeys: string[];
  error: string | null;
}

export interface SchemaReport {
  schemas: Record<string, { actions: string[]; properties: string[] }>;
  results: SchemaCheck[];
}

/**
 * Checks each payload against the real `message` tool (test/openclaw-real/message-schema.mjs, run on Node 24):
 * unscoped, with `config`'s channels loaded, and inside a Telegram conversation.
 */
export function checkMessageTool(payloads: { name: string; args: object }[], config: object = TELEGRAM_CONFIG): SchemaReport {
  const at = openclawHome(config);
  const input = join(at.home, "payloads.json");
  writeFileSync(input, JSON.stringify({ config, payloads }));
  const script = join(import.meta.dirname, "message-schema.mjs");
  const r = spawnSync(OPENCLAW_NODE, [script, OPENCLAW_PACKAGE, input], { cwd: at.home, env: at.env, encoding: "utf8", timeout: 90_000 });
  if (r.status !== 0) throw new Error(`message-schema.mjs exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as SchemaReport;
}

/**
 * Fills `dir` with the commands an install puts on PATH: `openclaw` (the real one, on Node 24) and `taskpulse` (this
 * checkout's build). `beforeFile` is a shell command the `openclaw` script runs first when a call has `--file` (a
 * concurrent edit injected at that moment). Returns `dir`.
 */
export function commandsDir(dir: string, which: { openclaw?: boolean; taskpulse?: boolean; beforeFile?: string }): string {
  mkdirSync(dir, { recursive: true });
  if (which.openclaw) {
    const before = which.beforeFile ? `case " $* " in *" --file "*) ${which.beforeFile} ;; esac\n` : "";
    writeFileSync(join(dir, "openclaw"), `#!/bin/sh\n${before}exec "${OPENCLAW_NODE}" "${OPENCLAW_ENTRY}" "$@"\n`, { mode: 0o755 });
  }
  if (which.taskpulse) writeFileSync(join(dir, "taskpulse"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
  return dir;
}
