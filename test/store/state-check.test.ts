// The generated fast parser of state.json (src/store/state-check.gen.ts) must never accept what zod rejects, and
// where it accepts it must return exactly zod's result (values and key order). It may decline (NOT_ACCEPTED), which
// only costs speed, but not for anything taskpulse itself writes.
import { readFileSync } from "node:fs";
import { transformSync } from "esbuild";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { generateStateCheck, STATE_CHECK_FILE } from "../../scripts/gen-state-check.ts";
import { generateParser } from "../../scripts/zod-codegen.ts";
import { NOT_ACCEPTED, parseStateFast } from "../../src/store/state-check.gen.ts";
import { parseState } from "../../src/store/state-file.ts";
import { stateFileSchema } from "../../src/store/state-schema.ts";

const at = "2026-05-01T10:00:00.000Z";

function task(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "abc234",
    agent: "main",
    name: "日报发布",
    priority: 5,
    steps: [
      { name: "抓取", status: "done", startedAt: at, finishedAt: at, message: "25 items" },
      { name: "写稿", status: "running", startedAt: at, budgetMs: 120_000 },
      { name: "发布", status: "pending" },
    ],
    tags: ["daily"],
    after: [],
    meta: { source: "cron", "x.y-z": "1" },
    createdBy: "main",
    createdAt: at,
    queuedAt: at,
    updatedAt: at,
    lastSeenAt: at,
    attempts: 1,
    retries: 0,
    maxRetries: 3,
    status: "running",
    startedAt: at,
    ...overrides,
  };
}

const variants: Record<string, unknown>[] = [
  task(),
  task({ status: "pending", startedAt: undefined, steps: [], tags: [], meta: {} }),
  task({ status: "done", finishedAt: at, result: "https://example.com/report", progress: 100 }),
  task({ status: "failed", finishedAt: at, error: "登录过期", retryable: false, lastMessage: "x" }),
  task({ status: "cancelled", startedAt: undefined, finishedAt: at, reason: "no longer needed", summary: "s" }),
  task({
    description: "d",
    group: "g",
    progress: 42.5,
    stallAfterMs: 60_000,
    notify: "final",
    route: { channel: "telegram", target: "-100123", account: "a", thread: "t" },
    push: { lastText: "t", lastAt: at, lastHeartbeatAt: at, lastProgress: 40, messageId: "m", messageChannel: "c", count: 3 },
    stop: { requestedAt: at, by: "anna", reason: "stop" },
    waiting: { reason: "review", since: at, until: at },
    stallsSeen: 2,
    after: ["def567"],
  }),
  task({ name: "𝒜".repeat(200), id: "a".repeat(40), agent: "b".repeat(64) }),
];

function state(tasks: Record<string, unknown>[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const byId: Record<string, unknown> = {};
  tasks.forEach((t, i) => {
    const clean = Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined));
    byId[`t${i}`] = { ...clean, id: `t${i}` };
  });
  return { schemaVersion: 2, seq: 7, txn: "k1abc", tasks: byId, agents: { main: {}, anna: { limit: 2 } }, ...extra };
}

/** Stands for a number JSON.parse reads as Infinity (JSON.stringify cannot write one). */
const INFINITY = "<1e400>";

/** Both parsers on the same JSON text; the fast one must agree with zod whenever it accepts. */
function compare(value: unknown): "accepted" | "declined" {
  const text = JSON.stringify(value).replaceAll(JSON.stringify(INFINITY), "1e400");
  const fast = parseStateFast(JSON.parse(text));
  const slow = stateFileSchema.safeParse(JSON.parse(text));
  if (fast === NOT_ACCEPTED) return "declined";
  expect(slow.success, `fast accepted what zod rejects: ${text.slice(0, 300)}`).toBe(true);
  expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.data));
  return "accepted";
}

/** Every way to break one field: the value replaced by a wrong type, a boundary, or removed. */
function* mutations(value: unknown, path: (string | number)[] = []): Generator<{ path: string; apply: (root: unknown) => void }> {
  const replacements: unknown[] = [
    undefined,
    null,
    "",
    "x",
    "𝒜",
    "a".repeat(201),
    "𝒜".repeat(101),
    0,
    -1,
    1.5,
    INFINITY,
    101,
    11,
    Number.MAX_SAFE_INTEGER + 2,
    true,
    [],
    {},
    ["x"],
    "running",
  ];
  for (const replacement of replacements) {
    yield {
      path: `${path.join(".")} = ${JSON.stringify(replacement)}`,
      apply: (root) => {
        if (path.length === 0) return;
        const parent = path.slice(0, -1).reduce((o: unknown, k) => (o as Record<string | number, unknown>)[k], root) as Record<
          string | number,
          unknown
        >;
        const key = path[path.length - 1] as string | number;
        if (replacement === undefined) delete parent[key];
        else parent[key] = replacement;
      },
    };
  }
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) yield* mutations(v, [...path, Array.isArray(value) ? Number(k) : k]);
  }
}

describe("generated state.json parser", () => {
  it("is up to date with stateFileSchema (run `npm run gen` if not)", () => {
    expect(readFileSync(STATE_CHECK_FILE, "utf8")).toBe(generateStateCheck());
  });

  it("accepts what taskpulse writes, with zod's exact result", () => {
    expect(compare(state(variants))).toBe("accepted");
    expect(compare(state([]))).toBe("accepted");
    expect(compare(state([], { txn: null, agents: {} }))).toBe("accepted");
  });

  it("never accepts a value zod rejects, and agrees with zod on every one it accepts", () => {
    let accepted = 0;
    let declined = 0;
    for (const variant of variants) {
      const base = state([variant]);
      for (const m of mutations(base)) {
        const copy = structuredClone(base);
        m.apply(copy);
        if (compare(copy) === "accepted") accepted++;
        else declined++;
      }
    }
    // Both outcomes occur, so the comparison above is exercised both ways.
    expect(accepted).toBeGreaterThan(100);
    expect(declined).toBeGreaterThan(1000);
  });

  it("returns zod's key order when the file's differs (taskpulse writes keys in the order its changes made them)", () => {
    const reversed = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).reverse());
    const t = task({ progress: 10 });
    const shuffled = {
      ...reversed(t),
      steps: (t.steps as Record<string, unknown>[]).map(reversed),
      meta: reversed(t.meta as Record<string, unknown>),
    };
    expect(compare(reversed(state([shuffled])))).toBe("accepted");
  });

  it("returns the parsed file itself when it already is zod's result: no copy of a large state", () => {
    const json = JSON.parse(JSON.stringify(stateFileSchema.parse(state(variants))));
    const tasks = json.tasks;
    const fast = parseStateFast(json) as { tasks: unknown };
    expect(fast).toBe(json);
    expect(fast.tasks).toBe(tasks);
  });

  it("declines what it cannot prove (zod then decides): unknown keys, __proto__ keys", () => {
    expect(parseStateFast(JSON.parse(JSON.stringify(state([task({ extra: 1 })]))))).toBe(NOT_ACCEPTED);
    expect(parseStateFast({ ...state([]), later: {} })).toBe(NOT_ACCEPTED);
    expect(parseStateFast(JSON.parse('{"schemaVersion":1,"seq":0,"txn":null,"tasks":{"__proto__":{}},"agents":{}}'))).toBe(NOT_ACCEPTED);
  });

  it("parseState still returns zod's result when the fast parser declines", async () => {
    const withExtra = state([task({ extra: 1 })]);
    const parsed = await parseState(JSON.stringify(withExtra), "state.json");
    expect(parsed).toEqual(stateFileSchema.parse(withExtra));
    expect(JSON.stringify(parsed)).not.toContain("extra");
  });

  it("reports zod's message for an invalid file", async () => {
    const bad = state([task({ priority: 11 })]);
    await expect(parseState(JSON.stringify(bad), "/s/state.json")).rejects.toThrow(
      "/s/state.json does not validate (tasks.t0.priority: Too big: expected number to be <=10)",
    );
  });
});

describe("zod-codegen", () => {
  /** Compiles generated source the way the build does (esbuild strips the types) and returns its parser. */
  function parserOf(schema: z.ZodType): (input: unknown) => unknown {
    const { code } = transformSync(generateParser(schema, { name: "parse", header: [] }), { loader: "ts", format: "cjs" });
    const module = { exports: {} as { parse?: (input: unknown) => unknown; NOT_ACCEPTED?: symbol } };
    new Function("module", "exports", code)(module, module.exports);
    const exports = module.exports;
    return (input) => {
      const result = exports.parse?.(input);
      return result === exports.NOT_ACCEPTED ? "NOT_ACCEPTED" : result;
    };
  }

  it("applies a default for an absent key, as zod does", () => {
    const schema = z.object({ a: z.string(), jobs: z.record(z.string(), z.number()).default({}) });
    const parse = parserOf(schema);
    expect(parse({ a: "x" })).toEqual(schema.parse({ a: "x" }));
    expect(parse({ a: "x", jobs: { j: 1 } })).toEqual({ a: "x", jobs: { j: 1 } });
    expect(parse({ a: "x", jobs: { j: "1" } })).toBe("NOT_ACCEPTED");
  });

  it("counts string length in code points, as zod does", () => {
    const schema = z.object({ s: z.string().min(3).max(4) });
    const parse = parserOf(schema);
    for (const s of ["ab", "abc", "𝒜𝒜", "𝒜𝒜𝒜", "𝒜𝒜𝒜𝒜", "𝒜𝒜𝒜𝒜𝒜", "abcde", "\ud835"]) {
      const ok = schema.safeParse({ s }).success;
      expect(parse({ s }) !== "NOT_ACCEPTED", s).toBe(ok);
    }
  });

  it("refuses features it cannot mirror, instead of checking them loosely", () => {
    const refuse = (schema: z.ZodType) => expect(() => generateParser(schema, { name: "p", header: [] })).toThrow(/zod-codegen/);
    refuse(z.object({ a: z.string().email() }));
    refuse(z.object({ a: z.string() }).strict());
    refuse(z.object({ a: z.number().refine((n) => n > 1) }));
    refuse(z.object({ a: z.union([z.string(), z.number()]) }));
    refuse(z.object({ a: z.string().transform((s) => s.length) }));
    refuse(z.object({ a: z.date() }));
  });
});
