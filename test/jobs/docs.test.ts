// references/cron.md cannot rot: every `taskpulse …` command line it shows names a real command, and every option
// it uses is one that command's --help (or the global help) lists.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, ROOT, tempDir } from "../support/helpers.ts";

const doc = readFileSync(join(ROOT, "references", "cron.md"), "utf8");

function commandLines(text: string): string[] {
  const lines: string[] = [];
  for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of (block[1] ?? "").split("\n")) if (line.startsWith("taskpulse ")) lines.push(line);
  }
  for (const span of text.matchAll(/`(taskpulse [^`]+)`/g)) lines.push(span[1] as string);
  // inside the agent-turn JSON example
  for (const m of text.matchAll(/(?:Run|run): (taskpulse [^\n"\\]+?)(?: —|\\n|$)/g)) lines.push(m[1] as string);
  return lines;
}

describe("references/cron.md", () => {
  const lines = commandLines(doc);

  it("shows the commands this guide is about", () => {
    const used = new Set(lines.map((l) => l.split(/\s+/)[1]));
    for (const command of ["run", "jobs", "alerts", "delivery", "state"]) expect(used).toContain(command);
    expect(lines.length).toBeGreaterThan(15);
  });

  it("uses only options the commands have", async () => {
    const store = tempDir();
    const global = (await cli({ store }, "--help")).stdout;
    const helpOf = new Map<string, string>();
    for (const line of lines) {
      const words = line.split(/\s+/);
      const path = words[1] === "state" && words[2] && !words[2].startsWith("-") ? ["state", words[2]] : [words[1] as string];
      const key = path.join(" ");
      if (!helpOf.has(key)) {
        const r = await cli({ store }, ...path, "--help");
        expect(r.code, `${key} --help`).toBe(0);
        helpOf.set(key, r.stdout);
      }
      const end = words.indexOf("--");
      const flags = (end < 0 ? words : words.slice(0, end)).filter((w) => /^--[a-z]/.test(w)).map((w) => w.replace(/=.*$/, ""));
      for (const flag of flags) {
        expect(`${helpOf.get(key)}\n${global}`, `${flag} in: ${line}`).toContain(flag);
      }
    }
  });
});
