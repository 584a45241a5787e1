// The rebuild rule on its own (src/store/replay.ts): which record is the chain head when the state file cannot say.
import { describe, expect, it } from "vitest";
import type { JournalRecord } from "../../src/store/journal.ts";
import { COLLECTIONS, chainBetween, emptyBase, longestChainHead, ReplayError, replay } from "../../src/store/replay.ts";

const rec = (txn: string, prev: string | null, seq: number, ops: JournalRecord["ops"] = []): JournalRecord => ({
  v: 1,
  seq,
  txn,
  prev,
  at: "2026-05-01T10:00:00Z",
  ops,
  audit: [],
});

describe("longestChainHead", () => {
  it("follows prev links from the base and takes the deepest record", () => {
    const records = [rec("a", null, 1), rec("b", "a", 2), rec("c", "b", 3)];
    expect(longestChainHead(records, new Set(), null)).toBe("c");
    expect(longestChainHead(records, new Set(), "b")).toBe("c");
    expect(longestChainHead([], new Set(), "base")).toBe("base");
  });

  it("on a tie the record written later wins (an attempt killed before its rename, then a commit on the same state)", () => {
    const records = [rec("a", null, 1), rec("ghost", "a", 2), rec("b", "a", 2)];
    expect(longestChainHead(records, new Set(), null)).toBe("b");
  });

  it("skips aborted records and records that do not descend from the base", () => {
    const records = [rec("old", "older", 5), rec("a", "cp", 6), rec("x", "a", 7), rec("b", "a", 7)];
    expect(longestChainHead(records, new Set(["b"]), "cp")).toBe("x");
    expect(chainBetween(records, new Set(), "cp", "b")?.map((r) => r.txn)).toEqual(["a", "b"]);
    expect(chainBetween(records, new Set(), "cp", "old")).toBeUndefined();
  });
});

describe("replay", () => {
  it("applies ops by collection (k + 's'), removes on null, keeps the highest id counter", () => {
    expect(COLLECTIONS).toEqual(["tasks", "agents", "jobs"]);
    const state = replay(emptyBase(), [
      rec("a", null, 1, [{ k: "agent", id: "anna", v: { limit: 2 } }]),
      { ...rec("b", "a", 2, [{ k: "agent", id: "bob", v: {} }]), counter: 40 },
    ]);
    expect(state).toMatchObject({ seq: 2, txn: "b", counter: 40, agents: { anna: { limit: 2 }, bob: {} }, tasks: {} });
  });

  it("refuses a kind the state has no collection for", () => {
    const records = [rec("a", null, 1, [{ k: "job", id: "backup", v: {} } as unknown as JournalRecord["ops"][number]])];
    expect(() => replay(emptyBase(), records)).toThrow(ReplayError);
  });
});
