// Runs the shell examples of a Markdown file, so documentation cannot rot. The convention:
//
// - Every fenced block whose info string is `sh`, `bash` or `shell` is run; any other block (text, json, js, …) is
//   not. Blocks of one file run in order in one bash process (`set -o pipefail`), so a variable set in one block
//   (TASK_ID=$(taskpulse create -q …)) is there in the next.
// - A command is one complete shell command (continuation lines, if/for/while, heredocs are kept together). It must
//   exit 0, unless its last line ends with `# exit N`: then it must exit N. A command whose last line ends with
//   `# id: NAME` sets the shell variable NAME to the task id its output begins with (`created <id> …`): how an
//   agent reads the id `create` prints before the push it must send, which $(… -q) would throw away.
// - A command containing `# not run: <reason>` is shown but not run (it needs a real OpenClaw, waits long, …); a
//   block whose first line is `# not run: <reason>` is skipped whole. Say why; an empty reason is an error.
// - Each file gets a fresh environment: a new home directory with an OpenClaw workspace (~/.openclaw/workspace, also
//   the working directory, so the agent is `main`) and no store yet (the default ~/.openclaw/taskpulse, so paths in
//   the docs are the real ones), `taskpulse` on PATH (the built binary), LANG=C, TZ=UTC, NO_COLOR=1, and no
//   TASKPULSE_* variables. `openclaw` on PATH is a stub that fails, so a call to it that is not marked
//   `# not run` fails the test instead of silently doing nothing.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Chunk {
  /** 1-based line in the Markdown file where the command starts. */
  line: number;
  text: string;
  expect: number;
  skip?: string;
  /** `# id: NAME`: the variable set to the task id the output begins with. */
  idVar?: string;
}

const RUN_INFO = new Set(["sh", "bash", "shell"]);

/** The runnable blocks of a Markdown file, split into complete commands. */
export function chunksOf(markdown: string): Chunk[] {
  const lines = markdown.split("\n");
  const chunks: Chunk[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(```+|~~~+)\s*([\w-]*)/.exec(lines[i] as string);
    if (!open) continue;
    const fence = open[2] as string;
    const info = (open[3] ?? "").toLowerCase();
    const body: { text: string; line: number }[] = [];
    let j = i + 1;
    for (; j < lines.length && !(lines[j] as string).trim().startsWith(fence); j++) body.push({ text: lines[j] as string, line: j + 1 });
    i = j;
    if (!RUN_INFO.has(info)) continue;
    const blockSkip = /^\s*#\s*not run:(.*)$/.exec(body[0]?.text ?? "");
    if (blockSkip) {
      chunks.push({
        line: (body[0] as { line: number }).line,
        text: body.map((b) => b.text).join("\n"),
        expect: 0,
        skip: reasonOf(blockSkip[1]),
      });
      continue;
    }
    let pending: { text: string; line: number }[] = [];
    for (const b of body) {
      pending.push(b);
      const text = pending.map((p) => p.text).join("\n");
      if (!complete(text)) continue;
      if (/\S/.test(text.replace(/^\s*#.*$/gm, ""))) chunks.push(chunkOf(text, (pending[0] as { line: number }).line));
      pending = [];
    }
    if (pending.length > 0) {
      const text = pending.map((p) => p.text).join("\n");
      throw new Error(`line ${(pending[0] as { line: number }).line}: incomplete shell command in a sh block:\n${text}`);
    }
  }
  return chunks;
}

function reasonOf(raw: string | undefined): string {
  const reason = (raw ?? "").trim();
  if (!reason) throw new Error("`# not run:` needs a reason");
  return reason;
}

function chunkOf(text: string, line: number): Chunk {
  const skip = /#\s*not run:(.*)$/m.exec(text);
  const last = text.trimEnd().split("\n").pop() ?? "";
  const exit = /#\s*exit\s+(\d+)\s*$/.exec(last);
  const chunk: Chunk = { line, text, expect: exit ? Number(exit[1]) : 0 };
  if (skip) chunk.skip = reasonOf(skip[1]);
  const id = /#\s*id:\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(last);
  if (id) chunk.idVar = id[1] as string;
  return chunk;
}

/** Whether `text` is a whole shell command (bash -n accepts it and no heredoc is left open). */
function complete(text: string): boolean {
  if (/\\$/.test(text)) return false;
  const r = spawnSync("bash", ["-n"], { input: `${text}\n`, encoding: "utf8" });
  return r.status === 0 && !/here-document/.test(r.stderr);
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** One bash script running every chunk in order, checking each exit code; stops at the first surprise. */
export function scriptOf(file: string, chunks: readonly Chunk[]): string {
  const out = ["set -o pipefail", '__out="$(mktemp)"'];
  for (const c of chunks) {
    if (c.skip !== undefined) continue;
    out.push(
      "{",
      c.text,
      '} >"$__out" 2>&1',
      "__rc=$?",
      `if [ "$__rc" -ne ${c.expect} ]; then`,
      `  printf '%s\\n' ${quote(`${file}:${c.line}: expected exit ${c.expect}, got`)} "$__rc" '--- command' ${quote(c.text)} '--- output'`,
      '  cat "$__out"',
      "  exit 99",
      "fi",
    );
    if (c.idVar) out.push(`${c.idVar}=$(head -n 1 "$__out" | sed -n 's/^created \\([0-9a-z]*\\) .*/\\1/p')`);
  }
  out.push('rm -f "$__out"', "echo DOCS-OK");
  return `${out.join("\n")}\n`;
}

export interface Sandbox {
  root: string;
  home: string;
  workspace: string;
  store: string;
  bin: string;
  env: NodeJS.ProcessEnv;
}

/** A fresh home, workspace and store, with `taskpulse` (the given binary) and a failing `openclaw` stub on PATH. */
export function sandbox(root: string, taskpulseBin: string): Sandbox {
  const home = join(root, "home");
  const workspace = join(home, ".openclaw", "workspace");
  const store = join(home, ".openclaw", "taskpulse");
  const bin = join(root, "bin");
  mkdirSync(workspace, { recursive: true });
  mkdirSync(bin);
  writeFileSync(join(bin, "taskpulse"), `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(taskpulseBin)} "$@"\n`);
  writeFileSync(
    join(bin, "openclaw"),
    "#!/bin/sh\necho 'openclaw is not available in doc tests: mark the command `# not run: needs openclaw`' >&2\nexit 127\n",
  );
  chmodSync(join(bin, "taskpulse"), 0o755);
  chmodSync(join(bin, "openclaw"), 0o755);
  const env: NodeJS.ProcessEnv = {
    PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
    HOME: home,
    LANG: "C",
    TZ: "UTC",
    NO_COLOR: "1",
  };
  return { root, home, workspace, store, bin, env };
}

export function runScript(script: string, box: Sandbox, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", script], { cwd: box.workspace, env: box.env, timeout: timeoutMs });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.on("close", (code) => resolve({ code, output }));
  });
}
