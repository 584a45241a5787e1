// Display spoofing: bidirectional controls, zero-width characters and line separators in names, steps and messages
// never reach status output or push payloads (a right-to-left override would make "txt.exe" read "exe.txt"). A
// zero-width joiner between emoji is what draws a family as one emoji: it stays.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stripInvisible } from "../../src/core/names.ts";
import { cli, tempDir } from "../support/helpers.ts";

const BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f"];
const ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"];
const SEPARATORS = ["\u2028", "\u2029"];
const BAD = /[\u200b\u200c\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\u2028\u2029]/;
/** No invisible character, and a ZWJ only inside the emoji that need one. */
function expectClean(text: string): void {
  expect(text).not.toMatch(BAD);
  expect(text.replaceAll(FAMILY, "").replaceAll(CODER, "").replaceAll(RAINBOW, "")).not.toContain("\u200d");
}
const FAMILY = "👨\u200d👩\u200d👧"; // one emoji: man, ZWJ, woman, ZWJ, girl
const CODER = "👩🏽\u200d💻"; // skin tone, then ZWJ
const RAINBOW = "🏳\ufe0f\u200d🌈"; // variation selector, then ZWJ

describe("stripInvisible", () => {
  const hex = (ch: string) => (ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0");
  it.each([...BIDI, ...ZERO_WIDTH].map((ch) => [hex(ch), ch]))("removes U+%s", (_, ch) => {
    expect(stripInvisible(`a${ch}b${ch}`)).toBe("ab");
  });
  it.each(SEPARATORS.map((ch) => [hex(ch), ch]))("turns the separator U+%s into a newline", (_, ch) => {
    expect(stripInvisible(`a${ch}b`)).toBe("a\nb");
  });
  it("keeps a zero-width joiner between emoji, and only there", () => {
    for (const emoji of [FAMILY, CODER, RAINBOW]) expect(stripInvisible(`x ${emoji} y`)).toBe(`x ${emoji} y`);
    expect(stripInvisible("a\u200db")).toBe("ab");
    expect(stripInvisible("👨\u200db")).toBe("👨b");
    expect(stripInvisible("a\u200d👩")).toBe("a👩");
    expect(stripInvisible("\u200d👩")).toBe("👩");
  });
  it("spoofed file name: the override is gone", () => {
    expect(stripInvisible("report\u202eexe.txt")).toBe("reportexe.txt");
  });
});

const spoof = (s: string) => `${s}\u202e\u2066\u200b\u200e\ufeff\u2060\u2028x`;

describe("the CLI never shows them", () => {
  it("status text, status --json and push payloads (name, steps, messages, results)", async () => {
    const store = tempDir();
    const c = await cli(
      { store },
      "create",
      "--json",
      spoof(`Name ${FAMILY}`),
      spoof("fetch"),
      spoof("write"),
      "--start",
      "--description",
      spoof("desc"),
    );
    expect(c.code, c.stderr).toBe(0);
    const id = c.json.data.task.id;
    const outputs = [c.stdout];
    // a route on this call, so the push has a command line too (argv is null without a target)
    const next = await cli({ store }, "next", id, spoof("fetched 25"), "--json", "--channel", "telegram", "--target", "123");
    outputs.push(next.stdout, (await cli({ store }, "next", id, spoof("wrote it"))).stdout);
    outputs.push((await cli({ store, now: "2026-05-01T11:00:00Z" }, "status")).stdout);
    outputs.push((await cli({ store }, "status", id)).stdout, (await cli({ store }, "status", id, "--json")).stdout);
    const f = await cli({ store }, "create", "-q", spoof("second"), "--start");
    outputs.push((await cli({ store }, "fail", f.stdout.trim(), spoof("disk"), "--json")).stdout);
    for (const out of outputs) expectClean(out);
    expect(outputs.join("")).toContain(FAMILY);
    expect(c.json.data.task.name).toBe(`Name ${FAMILY} x`); // the separator became a newline, flattened in a name
    expect(c.json.data.task.steps.map((s: { name: string }) => s.name)).toEqual(["fetch x", "write x"]);
    expect(c.json.push.tool.message).toContain(`Name ${FAMILY} x`);
    expectClean(next.json.push.tool.message);
    expectClean(next.json.push.argv.join(" "));
  });

  it("text stored before (imported) is cleaned on the way out: status and pushes", async () => {
    const store = tempDir();
    const id = (await cli({ store }, "create", "-q", "PLAIN", "one", "two", "--start")).stdout.trim();
    const exported = (await cli({ store }, "export")).stdout.replaceAll("PLAIN", "\\u202eevil\\u200b \\u2028name");
    const file = join(tempDir(), "export.json");
    writeFileSync(file, exported);
    const other = tempDir();
    expect((await cli({ store: other }, "import", file)).code).toBe(0);
    const status = await cli({ store: other, now: "2026-05-01T11:00:00Z" }, "status");
    expect(status.stdout).toContain("evil");
    expectClean(status.stdout);
    expectClean((await cli({ store: other }, "status", id)).stdout);
    const done = await cli({ store: other }, "done", id, "ok", "--json", "--channel", "telegram", "--target", "123");
    expect(done.json.push.tool.message).toContain("evil name");
    expectClean(done.json.push.tool.message);
    expectClean(done.json.push.argv.join(" "));
  });
});
