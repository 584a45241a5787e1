// Every command's --help (subcommands too) fits 80 display columns, CJK and emoji counted as two (issue 18), and
// lists every global option its examples use: a reader can look each one up where the example is.
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/program.ts";
import { width } from "../../src/cli/render/text-width.ts";
import { cli, tempDir } from "../support/helpers.ts";

/** The names listed under `heading` (commander's "Options:", "Global Options:", "Commands:"), each option's flags. */
function section(help: string, heading: string): string {
  const start = help.indexOf(`\n${heading}\n`);
  if (start < 0) return "";
  const rest = help.slice(start + heading.length + 2);
  const end = rest.search(/\n\S|\n\n/);
  return end < 0 ? rest : rest.slice(0, end);
}

function flagsOf(options: string): string[] {
  return [...options.matchAll(/^ {2}(-\w)?(?:, )?(--[\w-]+)?/gm)].flatMap((m) => [m[1], m[2]]).filter((f) => f !== undefined);
}

/** The example command lines, continuation lines (` \`) joined. */
function examples(help: string): string[] {
  const at = help.search(/\nExamples?:\n/);
  if (at < 0) return [];
  const block = help.slice(at).split("\n").slice(2);
  const lines: string[] = [];
  for (const line of block) {
    if (line.startsWith("  $ ")) lines.push(line.slice(4));
    else if (lines.length > 0 && (lines.at(-1) as string).endsWith(" \\") && line.startsWith("      "))
      lines[lines.length - 1] = `${(lines.at(-1) as string).slice(0, -2)} ${line.trim()}`;
    else break;
  }
  return lines;
}

/** The options given to taskpulse in an example line (not those of other programs in it, nor after `--`). */
function taskpulseFlags(line: string): string[] {
  const flags: string[] = [];
  for (const part of line.split(/\$\(|\)|\||;|&&/)) {
    const words = part.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
    while (words[0] !== undefined && /^[A-Z_]+=/.test(words[0])) words.shift();
    if (words[0] !== "taskpulse") continue;
    for (const w of words.slice(1)) {
      if (w === "--" || w.startsWith("#")) break;
      if (/^--?[a-z]/.test(w)) flags.push(w.replace(/=.*$/, ""));
    }
  }
  return flags;
}

describe("every command's --help", () => {
  it("fits 80 columns and lists the global options its examples use", async () => {
    const store = tempDir();
    const globals = flagsOf(section((await cli({ store }, "--help")).stdout, "Options:"));
    expect(globals).toEqual(expect.arrayContaining(["--json", "-q", "--quiet", "--agent", "--store", "--lang", "--channel"]));
    const paths: string[][] = COMMANDS.flatMap((c) => c.names.map((n) => [n]));
    const checked: string[] = [];
    const tooWide: string[] = [];
    const unlisted: string[] = [];
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i] as string[];
      const r = await cli({ store }, ...path, "--help");
      expect(r.code, path.join(" ")).toBe(0);
      const name = path.join(" ");
      checked.push(name);
      for (const line of r.stdout.split("\n")) if (width(line) > 80) tooWide.push(`${name} (${width(line)}): ${line}`);
      const listed = flagsOf(section(r.stdout, "Global Options:"));
      const used = examples(r.stdout).flatMap(taskpulseFlags);
      for (const flag of used) if (globals.includes(flag) && !listed.includes(flag)) unlisted.push(`${name}: ${flag}`);
      for (const sub of section(r.stdout, "Commands:").matchAll(/^ {2}([a-z][a-z-]*)/gm))
        if (sub[1] !== "help") paths.push([...path, sub[1] as string]);
    }
    expect(checked).toEqual(expect.arrayContaining(["run", "jobs", "state update", "skill install", "ack"]));
    expect(tooWide).toEqual([]);
    expect(unlisted).toEqual([]);
  });

  it("the checks themselves see what they look for", () => {
    const help =
      "Usage: x\n\nGlobal Options:\n  -q, --quiet  quiet\n  --json  json\n\nExamples:\n  $ taskpulse a -q \\\n      --lang zh\n  $ X=1 taskpulse b --json -- sh --agent\n";
    expect(flagsOf(section(help, "Global Options:"))).toEqual(["-q", "--quiet", "--json"]);
    expect(examples(help)).toEqual(["taskpulse a -q --lang zh", "X=1 taskpulse b --json -- sh --agent"]);
    expect(examples(help).flatMap(taskpulseFlags)).toEqual(["-q", "--lang", "--json"]);
    expect(taskpulseFlags('ID=$(taskpulse create -q "a b") && taskpulse next "$ID" --agent x | grep --count y')).toEqual(["-q", "--agent"]);
    expect(width("  $ 实现登录")).toBe(12);
  });
});
