// A seeded fuzz test over the whole CLI, in process: random command lines built from valid and hostile pieces.
// Properties, for every run: only documented exit codes (1 is a bug), never a stack trace, the store byte for byte
// unchanged unless the exit code says a change was made (0, or 20: recorded, and a stop is requested), one JSON
// document on stdout with --json; and every file still valid afterwards (doctor finds the store healthy).
// Reproduce a failure with the seed it prints: FUZZ_SEED=<seed> FUZZ_RUNS=<n> npx vitest run test/cli/fuzz.test.ts
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../scripts/seeded-random.ts";
import type { Deps } from "../../src/app/deps.ts";
import { run } from "../../src/cli/run.ts";
import { examine } from "../../src/store/doctor.ts";
import { cli, tempDir } from "../support/helpers.ts";
import { readState } from "../support/store-fixture.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const DOCUMENTED = new Set([0, 2, 3, 4, 5, 6, 7, 8, 9, 20]);
const CHANGED_OK = new Set([0, 20]);

const COMMANDS = [
  "create",
  "start",
  "next",
  "heartbeat",
  "done",
  "complete",
  "error",
  "fail",
  "retry",
  "cancel",
  "stop",
  "check",
  "ack",
  "status",
  "log",
  "query",
  "stats",
  "history",
  "agents",
  "limit",
  "pushed",
  "cleanup",
  "wait",
  "doctor",
  "help",
  // not commands
  "bogus",
  "creat",
  "",
  "-x",
  "--",
  "../create",
];

const FLAGS = [
  "--json",
  "-q",
  "--quiet",
  "--agent",
  "--now",
  "--lang",
  "--channel",
  "--target",
  "--account",
  "--thread",
  "--no-color",
  "--debug",
  "--help",
  "-V",
  "--name",
  "--step",
  "-p",
  "--priority",
  "-d",
  "--description",
  "--tag",
  "--after",
  "--group",
  "--meta",
  "--start",
  "--max-retries",
  "--stall-after",
  "--notify",
  "--progress",
  "--waiting",
  "--for",
  "--retryable",
  "--no-retry",
  "--days",
  "--abandon-after",
  "--archive-days",
  "--status",
  "--min-priority",
  "--max-priority",
  "--text",
  "--from",
  "--to",
  "--by",
  "--since",
  "--limit",
  "--sort",
  "--stop",
  "--interval",
  "--repair",
  "--force",
  // unknown or malformed
  "--unknown",
  "--json=1",
  "-qq",
  "---",
  "--agent=",
  "-",
];

const HOSTILE = [
  "",
  " ",
  "\t",
  "\n",
  "\r\n",
  "a\u0000b",
  "\u0007\u0008\u001b[31mred\u001b[0m",
  "\u202eevil\u202c",
  "\u200f\u200e\u2066x\u2069",
  "\ufeffbom",
  "😀",
  "👨‍👩‍👧‍👦".repeat(30),
  "🏳️‍🌈 日报 🚀",
  "e\u0301\u0301\u0301",
  "../",
  "..",
  "../../etc/passwd",
  "/etc/passwd",
  "/tmp",
  "./x",
  "a/b",
  "C:\\Windows",
  "~",
  "$HOME",
  "$(id)",
  "`id`",
  "%s%n%x",
  "' OR 1=1 --",
  "-rf",
  "--json",
  "-q",
  "--help",
  "--name=x",
  "-1",
  "-0",
  "0",
  "1e309",
  "NaN",
  "Infinity",
  "-Infinity",
  "99999999999999999999999",
  "9007199254740993",
  "0x10",
  "1.5",
  "101",
  "11",
  "P9",
  "p0",
  "-5m",
  "1h-",
  "5x",
  "1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w1w",
  "2026-13-45",
  "2026-02-30T25:61:00Z",
  "9999-99-99",
  "0000-00-00",
  "2026-05-01T10:00:00+99:00",
  "+275760-09-13",
  "null",
  "{}",
  "[]",
  '{"messageId":',
  '{"result":{"message_id":42}}',
  "__proto__",
  "constructor",
  "toString",
  "k=v",
  "=v",
  "k=",
  "a".repeat(300),
  "x".repeat(9000),
  "长".repeat(5000),
];

const VALID = [
  "main",
  "anna",
  "agent-coder",
  "5",
  "P1",
  "8",
  "50",
  "100",
  "10m",
  "2s",
  "0s",
  "24h",
  "7d",
  "2026-05-01",
  "all",
  "silent",
  "zh",
  "en",
  "telegram",
  "step one",
  "-created",
  "done",
  "failed",
  "stalled",
  "deploy",
];

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function call(store: string, argv: string[], random: () => number): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  const now = new Date("2026-05-01T10:00:00Z");
  const deps: Deps = {
    env: { TASKPULSE_HOME: store, LANG: "C" },
    cwd: "/",
    home: "/nonexistent-home",
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    now: () => now,
    random,
    isTTY: false,
    columns: 80,
  };
  const code = await run(argv, deps);
  return { code, stdout, stderr };
}

function snapshot(store: string): string {
  return ["state.json", "journal.jsonl"]
    .map((f) => (existsSync(join(store, f)) ? readFileSync(join(store, f), "utf8") : "<none>"))
    .join("\n----\n");
}

function ids(store: string): string[] {
  try {
    return Object.keys(readState(store).tasks);
  } catch {
    return [];
  }
}

/** One random command line. */
function commandLine(rnd: () => number, taskIds: string[]): string[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const value = (): string => {
    const r = rnd();
    if (r < 0.3 && taskIds.length > 0) {
      const id = pick(taskIds);
      return rnd() < 0.3 ? id.slice(0, 1 + Math.floor(rnd() * id.length)) : id;
    }
    return r < 0.6 ? pick(VALID) : pick(HOSTILE);
  };
  const argv: string[] = [];
  if (rnd() < 0.5) return wellFormed(rnd, pick, value, taskIds);
  if (rnd() < 0.2) argv.push(pick(["--json", "-q", "--agent", "--now", "--lang"]));
  if (argv[0] === "--agent" || argv[0] === "--now" || argv[0] === "--lang") argv.push(value());
  const command = pick(COMMANDS);
  argv.push(command);
  const pieces = Math.floor(rnd() * 7);
  for (let i = 0; i < pieces; i++) {
    if (rnd() < 0.45) {
      argv.push(pick(FLAGS));
      if (rnd() < 0.7) argv.push(value());
    } else {
      argv.push(value());
    }
  }
  if (command === "wait") argv.push("--timeout", "0s", "--interval", "50ms");
  // The store location is the one thing not fuzzed: a hostile --store is a legitimate request to write elsewhere.
  return argv.filter((a) => !a.startsWith("--store"));
}

/** A command line of the right shape (a real id, the flags the command takes) carrying hostile text. */
function wellFormed(rnd: () => number, pick: <T>(list: readonly T[]) => T, value: () => string, taskIds: string[]): string[] {
  const id = taskIds.length > 0 ? pick(taskIds) : "a222bc";
  const text = () => (rnd() < 0.5 ? pick(HOSTILE) : pick(VALID));
  const head = rnd() < 0.3 ? ["--json"] : rnd() < 0.2 ? ["-q"] : [];
  const shapes: (() => string[])[] = [
    () => [
      "create",
      text(),
      text(),
      text(),
      ...(rnd() < 0.5 ? ["--start"] : []),
      "-p",
      pick(["5", "P1", value()]),
      "--tag",
      pick(["deploy", value()]),
    ],
    () => ["create", "--agent", pick(["anna", "agent-coder", value()]), "--name", text(), "--meta", `k=${text()}`, "-d", text()],
    () => [pick(["next", "heartbeat", "done", "complete", "fail", "error", "cancel", "stop", "ack"]), id, text()],
    () => [
      "heartbeat",
      id,
      "--progress",
      pick(["10", "50", "100", value()]),
      ...(rnd() < 0.3 ? ["--waiting", text(), "--for", pick(["30m", value()])] : []),
    ],
    () => [pick(["check", "retry", "log", "status", "start"]), id],
    () => ["start", "--agent", pick(["anna", "agent-coder", "main", value()])],
    () => ["pushed", id, text()],
    () => [
      "query",
      "--status",
      pick(["pending", "running", "done", "stalled", value()]),
      "--text",
      text(),
      "--from",
      pick(["24h", value()]),
    ],
    () => ["stats", "--since", pick(["7d", value()])],
    () => ["history", "--agent", pick(["main", "anna"]), "--limit", pick(["3", value()])],
    () => ["limit", pick(["1", "3", value()]), "--agent", pick(["anna", "main"])],
    () => ["--now", pick(["2026-05-01T12:00:00Z", "2026-06-01", value()]), "cleanup", "--days", pick(["0", "7", value()])],
    () => ["wait", id, "--timeout", "0s"],
    () => ["doctor"],
  ];
  return [...head, ...pick(shapes)()];
}

function hasStackTrace(text: string): boolean {
  return /^\s+at .+[:(]\d+:\d+\)?$/m.test(text) || /node:internal|\.ts:\d+:\d+/.test(text);
}

/** A store with a bit of everything: live tasks with steps, queues, finished, failed, stop-requested, archived. */
async function seedStore(store: string): Promise<void> {
  const random = seededRandom(SEED ^ 0x5eed);
  const c = (...argv: string[]) => cli({ store, random }, ...argv);
  const live = (await c("create", "-q", "日报发布", "抓取", "写稿", "发布", "--start")).stdout.trim();
  await c("next", live, "抓取了25条");
  for (const [agent, p] of [
    ["anna", "8"],
    ["anna", "P0"],
    ["agent-coder", "3"],
  ] as const) {
    await c("create", "--agent", agent, "--name", `queued ${p}`, "-p", p, "--tag", "deploy");
  }
  const failing = (await c("create", "-q", "failing", "--start")).stdout.trim();
  await c("fail", failing, "boom");
  const stopping = (await c("create", "-q", "stopping", "a", "b", "--start")).stdout.trim();
  await c("stop", stopping, "enough");
  const old = (await cli({ store, random, now: "2026-04-01T10:00:00Z" }, "create", "-q", "old", "--start")).stdout.trim();
  await cli({ store, random, now: "2026-04-01T11:00:00Z" }, "done", old, "shipped");
  await c("cleanup");
}

describe("CLI fuzz (seeded)", () => {
  it(`${RUNS} random command lines: documented exit codes, no stack trace, store unchanged on failure, files valid`, {
    timeout: 5 * 60_000 + RUNS * 300, // ~30 ms a line under load here: room for a machine 10x slower
  }, async () => {
    const store = tempDir();
    await seedStore(store);
    const rnd = seededRandom(SEED);
    const failures: string[] = [];
    const tally = new Map<number, number>();
    for (let i = 0; i < RUNS && failures.length < 5; i++) {
      const argv = commandLine(rnd, ids(store));
      const before = snapshot(store);
      const out = await call(store, argv, seededRandom(SEED + i));
      tally.set(out.code, (tally.get(out.code) ?? 0) + 1);
      const where = `seed ${SEED} run ${i}: taskpulse ${JSON.stringify(argv).slice(0, 400)} -> ${out.code}\n${(out.stderr || out.stdout).slice(0, 400)}`;
      if (!DOCUMENTED.has(out.code)) failures.push(`undocumented exit code; ${where}`);
      if (hasStackTrace(out.stdout + out.stderr)) failures.push(`stack trace; ${where}`);
      if (!CHANGED_OK.has(out.code) && snapshot(store) !== before) failures.push(`store changed on exit ${out.code}; ${where}`);
      if (argv[0] === "--json") {
        try {
          const doc = JSON.parse(out.stdout);
          if (doc.ok !== (out.code === 0 || doc.ok === true)) failures.push(`--json envelope ok=${doc.ok}; ${where}`);
        } catch {
          failures.push(`--json did not print one JSON document; ${where}`);
        }
      }
      if (i % 50 === 49) {
        const report = examine(store);
        if (!report.healthy) failures.push(`doctor: ${JSON.stringify(report.findings)}; ${where}`);
      }
    }
    if (process.env.FUZZ_VERBOSE)
      console.log(
        `fuzz seed ${SEED}: ${RUNS} runs, exit codes ${JSON.stringify(Object.fromEntries([...tally].sort(([a], [b]) => a - b)))}`,
      );
    expect(failures).toEqual([]);
    const report = examine(store);
    expect(report.findings.filter((f) => f.severity !== "info")).toEqual([]);
    // the runs did exercise both sides
    expect(tally.get(0) ?? 0).toBeGreaterThan(RUNS / 10);
    expect(tally.get(2) ?? 0).toBeGreaterThan(RUNS / 10);
  });
});
