// The terminal view: status as a person reads it (grouping, highlights, relative times, 80 columns), colour on a
// real pseudo-terminal only, --watch started and stopped, shell completion, "did you mean".
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../scripts/seeded-random.ts";
import { clip, segmentedWidth, width } from "../../src/cli/render/text-width.ts";
import { BIN, cleanEnv, cli, ROOT, tempDir, until, watching } from "../support/helpers.ts";

const ESC = "\u001b[";
const T0 = "2026-05-01T10:00:00Z";
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();

/** A store with two agents: a running task, a stalled one with a stop request, a queue, a failure. */
async function populated(): Promise<string> {
  const store = tempDir();
  const id = async (now: number, ...argv: string[]) => (await cli({ store, now: at(now) }, "create", "-q", ...argv)).stdout.trim();
  const live = await id(0, "日报发布：抓取全网科技新闻并生成摘要后发布到三个频道的完整流程", "抓取", "写稿", "发布", "--start");
  await cli({ store, now: at(30) }, "next", live, "抓取了25条数据");
  const stuck = await id(
    10,
    "Deploy the nginx service to the production cluster in three regions",
    "check",
    "write",
    "--start",
    "--agent",
    "coder",
  );
  await cli({ store, now: at(20) }, "stop", stuck, "wrong branch");
  await id(40, "--agent", "coder", "--name", "实现登录功能", "--priority", "8");
  const failing = await id(50, "sync", "login", "--start");
  await cli({ store, now: at(60) }, "error", failing, "session expired");
  return store;
}

describe("status for a person", () => {
  it("groups agents, puts stalls and stop requests first, shows relative times, fits 80 columns", async () => {
    const store = await populated();
    const r = await cli({ store, now: at(300), env: { TASKPULSE_LANG: "en" } }, "status");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    for (const line of lines) expect(width(line), line).toBeLessThanOrEqual(80);
    const main = lines.findIndex((l) => l.startsWith("● main"));
    const coder = lines.findIndex((l) => l.startsWith("● coder"));
    expect(main).toBeGreaterThanOrEqual(0);
    expect(coder).toBeGreaterThan(main);
    expect(lines[coder]).toContain("⚠️1 ⏳1");
    // the stalled task with the stop request comes first in its section, then its reasons
    expect(lines[coder + 1]).toMatch(/^ {2}⚠️ Deploy the nginx service.*… \[0\/2\] ░{10} STALLED \(4m50s\) ✋ /);
    expect(lines[coder + 3]).toBe("     ⚠️ no update for 4m50s");
    expect(lines[coder + 4]).toBe("     ✋ stop requested: wrong branch (by main, 5m ago)");
    expect(r.stdout).toContain("   current: 写稿 · 5m ago");
    expect(r.stdout).toMatch(/⏳ 实现登录功能 queued priority 8 4m ago · /);
    expect(r.stdout).toContain("     error: session expired");
    expect(lines.at(-2)).toBe("📊 🔄0 ⚠️2 ⏳1 ✅0 ❌1");
    // A person's status uses up no stall alert: the agent's check (--alerts) gives it, once.
    expect(r.stdout).not.toContain("--- push ---");
    const alerts = await cli({ store, now: at(300), env: { TASKPULSE_LANG: "en" } }, "status", "--alerts");
    expect(alerts.stdout).toMatch(/^--- push ---\n⚠️ \[Deploy the nginx service/);
    // the long Chinese name is shortened on a character boundary, counting two columns per character
    expect(r.stdout).toMatch(/日报发布：抓取[^\n]*… \[1\/3\]/);
  });

  it("uses the terminal's width: long names in full when there is room, shortened harder when narrow", async () => {
    const store = await populated();
    const wide = await cli({ store, now: at(300), columns: 160 }, "status", "-q");
    expect(wide.stdout).toBe("running=0 stalled=2 pending=1 done=0 failed=1 cancelled=0\n"); // -q: the counts
    const full = await cli({ store, now: at(300), columns: 160 }, "status");
    expect(full.stdout).toContain("Deploy the nginx service to the production cluster in three regions [0/2]");
    const narrow = await cli({ store, now: at(300), columns: 60 }, "status");
    for (const line of narrow.stdout.split("\n")) expect(width(line), line).toBeLessThanOrEqual(60);
    expect(narrow.stdout).toContain("⚠️ Deploy the… [0/2]");
  });

  it("query's table fits the terminal: 60 and 80 columns, long names and agents shortened", async () => {
    const store = await populated();
    for (const columns of [60, 80]) {
      const r = await cli({ store, now: at(300), columns }, "query");
      expect(r.code).toBe(0);
      const lines = r.stdout.trimEnd().split("\n");
      expect(lines.length).toBeGreaterThan(3);
      for (const line of lines) expect(width(line), line).toBeLessThanOrEqual(columns);
    }
    const narrow = await cli({ store, now: at(300), columns: 60 }, "query", "--status", "running,stalled");
    expect(narrow.stdout).toContain("Deploy the nginx servi…");
    const wide = await cli({ store, now: at(300), columns: 160 }, "query", "--status", "running,stalled");
    expect(wide.stdout).toContain("Deploy the nginx service to the production cluster");
  });

  it("colours only on a TTY, never with NO_COLOR or --no-color", async () => {
    const store = await populated();
    const tty = await cli({ store, now: at(300), tty: true }, "status");
    expect(tty.stdout).toContain(`${ESC}1m${ESC}31mSTALLED`);
    for (const quiet of [
      await cli({ store, now: at(300), tty: false }, "status"),
      await cli({ store, now: at(300), tty: true, env: { NO_COLOR: "" } }, "status"),
      await cli({ store, now: at(300), tty: true }, "status", "--no-color"),
    ]) {
      expect(quiet.stdout).not.toContain(ESC);
    }
  });
});

/** Runs the binary under a real pseudo-terminal (util-linux `script`). */
function underPty(store: string, args: string, env: Record<string, string> = {}) {
  const r = spawnSync("script", ["-qfec", `${process.execPath} ${BIN} ${args}`, "/dev/null"], {
    env: { ...cleanEnv(store, env), TERM: "xterm-256color" },
    encoding: "utf8",
    timeout: 2 * 60_000,
  });
  return { code: r.status, stdout: r.stdout ?? "" };
}

const hasScript = spawnSync("script", ["--version"]).status === 0;

describe.runIf(hasScript)("a real terminal and a pipe", () => {
  it("status has colour through a pseudo-terminal, none through a pipe or with NO_COLOR", async () => {
    const store = await populated();
    const pty = underPty(store, "status");
    expect(pty.code).toBe(0);
    expect(pty.stdout).toContain(`${ESC}1m● main${ESC}22m`);
    const piped = spawnSync(process.execPath, [BIN, "status"], { env: cleanEnv(store), encoding: "utf8" });
    expect(piped.stdout).toContain("● main");
    expect(piped.stdout).not.toContain(ESC);
    expect(underPty(store, "status", { NO_COLOR: "1" }).stdout).not.toContain(ESC);
  });

  it("--watch on a terminal redraws in place and gives the cursor back", async () => {
    const store = await populated();
    const pty = underPty(store, "status --watch --interval 200ms --count 2");
    expect(pty.code).toBe(0);
    expect(pty.stdout.split(`${ESC}H`)).toHaveLength(3); // two frames, each starting at the top left
    expect(pty.stdout).toContain(`${ESC}?25l`);
    expect(pty.stdout).toContain(`${ESC}J`);
    // on the alternate screen, and back to the shell's at the end
    expect(pty.stdout).toContain(`${ESC}?1049h`);
    expect(pty.stdout.trimEnd().endsWith(`${ESC}?25h${ESC}?1049l`)).toBe(true);
  });

  it("--watch stays within a short screen: the rest is counted, not scrolled", async () => {
    const store = await populated();
    const r = spawnSync("script", ["-qfec", `stty rows 8 cols 80; ${process.execPath} ${BIN} status --watch --count 1`, "/dev/null"], {
      env: { ...cleanEnv(store), TERM: "xterm-256color" },
      encoding: "utf8",
      timeout: 2 * 60_000,
    });
    expect(r.status).toBe(0);
    const frame = (r.stdout.split(`${ESC}H`)[1] ?? "").split(`${ESC}J`)[0] ?? "";
    const escapes = new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, "g");
    const lines = frame.split("\n").filter((l) => l.replace(escapes, "") !== "");
    expect(lines.length).toBeLessThanOrEqual(8);
    expect(frame).toMatch(/… \d+ more lines/);
  });
});

function collect(child: ChildProcess): { text: () => string; closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  return { text: () => out, closed };
}

describe("status --watch", () => {
  it("redraws when the store changes, and exits 0 on Ctrl-C (SIGINT) with no escape codes in a pipe", async () => {
    const store = tempDir();
    await cli({ store }, "create", "-q", "first task", "--start");
    const child = spawn(process.execPath, [BIN, "status", "--watch", "--interval", "1m"], { env: cleanEnv(store) });
    const out = collect(child);
    await until("the first frame", () => out.text().includes("first task"));
    await until("the watch is set up", () => watching(child.pid ?? -1));
    await cli({ store }, "create", "-q", "second task", "--start");
    // redrawn on the change, not by the one-minute interval: within half of it can only be the change feed
    await until("the redraw on the change", () => out.text().includes("second task"), 30_000);
    child.kill("SIGINT");
    const end = await out.closed;
    expect(end).toEqual({ code: 0, signal: null });
    expect(out.text()).not.toContain(ESC);
    expect(out.text()).toContain("Ctrl-C to quit");
  });

  it("exits 0 on SIGTERM too, and refuses --json (it prints no JSON)", async () => {
    const store = tempDir();
    const child = spawn(process.execPath, [BIN, "status", "--watch"], { env: cleanEnv(store) });
    const out = collect(child);
    await until("the first frame", () => out.text().includes("no tasks"));
    child.kill("SIGTERM");
    expect(await out.closed).toEqual({ code: 0, signal: null });
    const json = await cli({ store }, "status", "--watch", "--json");
    expect(json.code).toBe(2);
    expect(json.json.error.message).toContain("--watch");
  });
});

describe("shell completion", () => {
  const script = (shell: string) => spawnSync(process.execPath, [BIN, "completion", shell], { encoding: "utf8" }).stdout;

  it("bash: loads, completes commands, options and declared values", () => {
    const complete = (words: string[]) =>
      spawnSync(
        "bash",
        [
          "-c",
          `source <(${process.execPath} ${BIN} completion bash) && complete -p taskpulse && COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}) && COMP_CWORD=${words.length - 1} && _taskpulse && echo "\${COMPREPLY[*]}"`,
        ],
        { encoding: "utf8" },
      ).stdout.trim();
    expect(complete(["taskpulse", "sta"])).toBe("complete -F _taskpulse taskpulse\nstart status stats state");
    expect(complete(["taskpulse", "--store", "/tmp", "status", "--w"]).split("\n")[1]).toBe("--watch");
    expect(complete(["taskpulse", "completion", ""]).split("\n")[1]).toMatch(/^bash zsh fish /);
    expect(complete(["taskpulse", "heartbeat-line", "--era", ""]).split("\n")[1]).toBe("md scratch");
    expect(complete(["taskpulse", "skill", "i"]).split("\n")[1] ?? "").toBe("");
  });

  it("bash: a command taking a task id completes the ids of queued and running tasks, of the --store given", async () => {
    const store = tempDir();
    const live = (await cli({ store }, "create", "-q", "live", "--start")).stdout.trim();
    const queued = (await cli({ store }, "create", "-q", "queued", "--agent", "anna")).stdout.trim();
    const done = (await cli({ store }, "create", "-q", "finished", "--start")).stdout.trim();
    expect((await cli({ store }, "done", done)).code).toBe(0);
    // `taskpulse` on PATH, as an installed command is
    const bin = tempDir();
    writeFileSync(join(bin, "taskpulse"), `#!/bin/sh\nexec ${process.execPath} ${BIN} "$@"\n`, { mode: 0o755 });
    const complete = (words: string[]) =>
      spawnSync(
        "bash",
        [
          "-c",
          `source <(taskpulse completion bash) && COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}) && COMP_CWORD=${words.length - 1} && _taskpulse && echo "\${COMPREPLY[*]}"`,
        ],
        { encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } },
      ).stdout.trim();
    const ids = complete(["taskpulse", "--store", store, "done", ""]).split(" ");
    expect(ids).toEqual(expect.arrayContaining([live, queued]));
    expect(ids).not.toContain(done);
    // A prefix the queued task's id does not share (ids are random: two may share their first characters).
    let k = 1;
    while (queued.startsWith(live.slice(0, k))) k++;
    expect(complete(["taskpulse", "--store", store, "done", live.slice(0, k)])).toBe(live);
    expect(complete(["taskpulse", "--store", store, "done", "--j"])).toBe("--json");
  });

  it("zsh and fish: the scripts load in those shells (when installed) and name every command", () => {
    for (const shell of ["zsh", "fish"]) {
      const text = script(shell);
      for (const command of ["create", "heartbeat-line", "completion", "status"]) expect(text).toContain(command);
      if (spawnSync(shell, ["--version"]).status !== 0) continue;
      const file = join(tempDir(), `taskpulse.${shell}`);
      writeFileSync(file, text);
      const load =
        shell === "zsh"
          ? spawnSync("zsh", ["-c", `autoload -U compinit && compinit -u && source ${file} && print \${_comps[taskpulse]}`], {
              encoding: "utf8",
            })
          : spawnSync("fish", ["-c", `source ${file}; complete -C'taskpulse heartbeat-l'`], { encoding: "utf8" });
      expect(load.status, load.stderr).toBe(0);
      expect(load.stdout).toMatch(shell === "zsh" ? /_taskpulse/ : /heartbeat-line/);
    }
  });
});

describe("did you mean", () => {
  it.each([
    ["stauts", "(Did you mean one of stats, status?)"],
    ["heartbeat-lin", "(Did you mean heartbeat-line?)"],
    ["completoin", "(Did you mean completion?)"],
    ["histroy", "(Did you mean history?)"],
  ])("%s: %s", async (typo, suggestion) => {
    const r = await cli({ store: tempDir() }, typo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(suggestion);
  });

  it.each([
    ["step", "stop"],
    ["complet", "complete"],
    ["stpo", "stop"],
    ["cancle", "cancel"],
    ["nxt", "next"],
    ["retyr", "retry"],
  ])("never suggests a command that changes something: %s is not answered with %s", async (typo, risky) => {
    const r = await cli({ store: tempDir() }, typo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`unknown command '${typo}'`);
    expect(r.stderr).not.toContain(`${risky}?`);
    expect(r.stderr).not.toMatch(new RegExp(`mean[^)]*\\b${risky}\\b`));
  });

  it("no command at all: the help on stderr, exit 2", async () => {
    const r = await cli({ store: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("Usage: taskpulse [options] [command]");
  });

  it("the words people type: ls and list (query), show and info (status of a task), finish (done)", async () => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "report", "--start")).stdout.trim();
    expect((await cli({ store }, "ls", "--json")).json.data.tasks.map((t: { id: string }) => t.id)).toEqual([id]);
    expect((await cli({ store }, "list", "-q")).stdout.trim()).toBe(id);
    expect((await cli({ store }, "show", id, "--json")).json.data.task.id).toBe(id);
    expect((await cli({ store }, "info", id, "-q")).stdout.trim()).toBe("running");
    const done = await cli({ store }, "finish", id, "ok", "--json");
    expect(done.code).toBe(0);
    expect(done.json.data.task.status).toBe("done");
  });

  it("for options too, and for subcommands of skill", async () => {
    const store = tempDir();
    const option = await cli({ store }, "status", "--wach");
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("(Did you mean --watch?)");
    const sub = await cli({ store }, "skill", "instal");
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain("(Did you mean install?)");
  });
});

// ROOT is used by the bash completion test through BIN; keep the import honest.
void ROOT;

describe("text width without the segmenter", () => {
  // Pieces that are one grapheme per code point (the fast path) and pieces that join (the segmenter's path).
  const PIECES = [
    "a",
    "Z",
    " ",
    "日",
    "报",
    "，",
    "ｱ",
    "한",
    "🚀",
    "✅",
    "⚠",
    "\ufe0f",
    "\u200d",
    "👩",
    "🏽",
    "🇨",
    "🇳",
    "e",
    "\u0301",
    "\u1100",
    "\u1161",
    "\u11a8",
    "\r",
    "\n",
    "\u200b",
    "#",
    "\u20e3",
    "\u0600",
    "\u{e0067}",
    "…",
    "\u001b[31m",
    "\u001b[0m",
  ];

  it("never cuts a halfwidth voiced kana or a Thai SARA AM off its letter", () => {
    // each pair is one character of two columns; three columns leave room for one pair and the ellipsis
    expect(clip("ｶﾞｷﾞｸﾞｹﾞｺﾞ", 4)).toBe("ｶﾞ…");
    expect(clip("ｶﾞｷﾞｸﾞｹﾞｺﾞ", 5)).toBe("ｶﾞｷﾞ…");
    expect(clip("กำกำกำกำ", 4)).toBe("กำ…");
  });

  it("gives the segmenter's width and cuts on its grapheme boundaries, for any mix", () => {
    const rnd = seededRandom(2026);
    const segmenter = new Intl.Segmenter("und", { granularity: "grapheme" });
    for (let i = 0; i < 3000; i++) {
      let text = "";
      const n = Math.floor(rnd() * 12);
      for (let k = 0; k < n; k++) text += PIECES[Math.floor(rnd() * PIECES.length)];
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing ANSI colour codes is the point
      const plain = text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");
      expect([text, width(text)]).toEqual([text, segmentedWidth(plain)]);
      const max = Math.floor(rnd() * 10);
      const cut = clip(plain, max);
      if (cut === plain) continue;
      expect(width(cut)).toBeLessThanOrEqual(max);
      const kept = cut.endsWith("…") ? cut.slice(0, -1) : cut;
      // whole graphemes from the start, trailing spaces trimmed
      const prefixes = [0, ...Array.from(segmenter.segment(plain), (g) => g.index + g.segment.length)].map((b) =>
        plain.slice(0, b).trimEnd(),
      );
      expect([plain, kept, prefixes.includes(kept)]).toEqual([plain, kept, true]);
    }
  });
});
