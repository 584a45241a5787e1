// A run registers only the command it runs (src/cli/program.ts). These check that this is invisible: the table
// names what each module registers, the command found in argv is the one commander dispatches to, and output is
// the same as with every command registered.
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { flagsOf, GLOBAL_OPTIONS, HEARTBEAT_OPTIONS, parseSpec } from "../../src/cli/options.ts";
import { buildProgram, COMMANDS, commandName, HELP_GROUPS } from "../../src/cli/program.ts";
import { run } from "../../src/cli/run.ts";
import { cli, tempDir } from "../support/helpers.ts";

const sink = { writeOut: () => {}, writeErr: () => {}, outputError: () => {} };

async function fullProgram(): Promise<Command> {
  return buildProgram({} as never, () => {}, sink);
}

describe("COMMANDS", () => {
  it("gives commander the options of the table the lean entry parses with (src/cli/options.ts)", async () => {
    const program = await fullProgram();
    expect(program.options.map((o) => o.flags)).toEqual(["-V, --version", ...GLOBAL_OPTIONS.map(flagsOf)]);
    const heartbeat = program.commands.find((c) => c.name() === "heartbeat");
    expect(heartbeat?.options.map((o) => o.flags)).toEqual(HEARTBEAT_OPTIONS.map(flagsOf));
    for (const name of ["next", "check", "done"]) expect(program.commands.find((c) => c.name() === name)?.options).toEqual([]);
  });

  it("the lean entry reads each option as commander does: name, short flag, value, property", async () => {
    const program = await fullProgram();
    const heartbeat = program.commands.find((c) => c.name() === "heartbeat");
    const declared = [...GLOBAL_OPTIONS, ...HEARTBEAT_OPTIONS];
    const commanders = [...program.options.slice(1), ...(heartbeat?.options ?? [])];
    expect(
      commanders.map((o) => ({
        name: o.long?.slice(2),
        short: o.short?.slice(1),
        takesValue: o.required,
        key: o.attributeName(),
        flagValue: !o.negate,
      })),
    ).toEqual(declared.map((spec) => ({ short: undefined, ...parseSpec(spec) })));
  });

  it("names exactly what each command module registers, in --help order", async () => {
    const program = await fullProgram();
    // One module may register several commands (stop, check, ack): compare the flat lists, in order.
    const registered = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
    expect(registered).toEqual(COMMANDS.flatMap((entry) => [...entry.names]));
  });

  it("are registered in the order of the help's groups, each command in one group", async () => {
    const program = await fullProgram();
    const grouped = HELP_GROUPS.flatMap(([, names]) => names).filter((n) => n !== "help");
    expect(program.commands.map((c) => c.name())).toEqual(grouped);
  });

  it("--help still lists every command", async () => {
    const store = tempDir();
    const r = await cli({ store }, "--help");
    expect(r.code).toBe(0);
    for (const entry of COMMANDS) expect(r.stdout).toContain(`  ${entry.names[0]}`);
  });
});

describe("commandName", () => {
  // Every shape of argv commander distinguishes: global options before the command, with and without values,
  // --opt=value, flags groups, unknown options, --, help and version flags, and no command at all.
  const argvs: string[][] = [
    ["heartbeat", "abc", "msg"],
    ["--json", "heartbeat", "abc"],
    ["--store", "/tmp/x", "status"],
    ["--store=/tmp/x", "status"],
    ["--store", "heartbeat", "status"],
    ["--agent", "status", "--lang", "zh", "limit", "2"],
    ["-q", "create", "x"],
    ["-qV", "create"],
    ["--no-color", "log", "abc"],
    ["--unknown", "status"],
    ["--json=1", "status"],
    ["--", "status"],
    ["--help", "status"],
    ["-h"],
    ["help", "status"],
    ["-V", "status"],
    ["complete", "abc"],
    ["fail", "abc"],
    ["nosuch"],
    ["-5", "status"],
    ["-", "status"],
    [],
    ["--store"],
  ];

  it.each(argvs)("finds the command commander dispatches to: %j", async (...argv) => {
    const program = await fullProgram();
    const found = commandName(program, argv);
    // commander's own split of argv into operands (the first names the command) and unknown options
    const probe = await fullProgram();
    probe.exitOverride();
    let operands: string[];
    try {
      ({ operands } = probe.parseOptions([...argv]));
    } catch {
      // --version, or a missing option value: commander stops before it dispatches, whatever is registered
      // (the output comparison below covers these)
      return;
    }
    const dispatched = probe.commands.find((c) => c.name() === operands[0] || c.aliases().includes(operands[0] ?? ""));
    if (found !== undefined && COMMANDS.some((e) => e.names.includes(found))) {
      // registering only `found` is safe only if commander would run exactly that command
      expect(dispatched?.name()).toBe(program.commands.find((c) => c.name() === found || c.aliases().includes(found))?.name());
    }
  });

  it("gives up (every command is registered) on what it does not follow exactly", () => {
    const program = { options: [] } as unknown as Command;
    expect(commandName(program, ["--unknown", "status"])).toBeUndefined();
    expect(commandName(program, ["-qV", "status"])).toBeUndefined();
  });
});

describe("a run with only its command registered", () => {
  const cases: string[][] = [
    ["heartbeat"],
    ["heartbeat", "--help"],
    ["status", "--help"],
    ["--json", "status", "nosuch"],
    ["start", "--bogus"],
    ["done"],
    ["complete", "--help"],
    ["stauts"],
    ["--version"],
    ["-V"],
    ["--json", "--version"],
    ["-V", "status"],
    ["--json", "--store"],
    ["limit", "abc"],
  ];

  it.each(cases)("prints what a run with every command registered prints: %j", async (...argv) => {
    const store = tempDir();
    const lazy = await cli({ store }, ...argv);
    // The same run, with every command registered up front.
    let stdout = "";
    let stderr = "";
    const deps = {
      env: { TASKPULSE_HOME: store, LANG: "C" },
      cwd: "/",
      home: "/nonexistent-home",
      stdout: (s: string) => {
        stdout += s;
      },
      stderr: (s: string) => {
        stderr += s;
      },
      now: () => new Date("2026-05-01T10:00:00Z"),
      random: Math.random,
      isTTY: false,
      columns: 80,
    };
    const code = await run([...argv], deps, { allCommands: true });
    expect({ code: lazy.code, stdout: lazy.stdout, stderr: lazy.stderr }).toEqual({ code, stdout, stderr });
  });
});
