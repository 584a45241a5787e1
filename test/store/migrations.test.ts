import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StoreCorruptError } from "../../src/core/errors.ts";
import { SCHEMA_VERSION } from "../../src/core/model.ts";
import { MIGRATIONS, type Migration, migrate } from "../../src/store/state-file.ts";
import { cli, tempDir } from "../support/helpers.ts";

describe("migrate", () => {
  it("has one step, 1 -> 2: the same state (version 2 lets state.json name parts, which a version 1 reader must refuse)", () => {
    expect(SCHEMA_VERSION).toBe(2);
    expect(Object.keys(MIGRATIONS)).toEqual(["1"]);
    const v1 = { schemaVersion: 1, seq: 0, txn: null, counter: 0, tasks: {}, agents: {} };
    expect(migrate(v1)).toEqual({ ...v1, schemaVersion: 2 });
    const v2 = { ...v1, schemaVersion: 2 };
    expect(migrate(v2)).toBe(v2);
  });

  it("runs the chain of steps from the file's version up to the current one (shape of a future 1 -> 2 -> 3)", () => {
    const steps: Record<number, Migration> = {
      1: (doc) => ({ ...doc, schemaVersion: 2, jobs: {} }),
      2: ({ agents, ...doc }) => ({ ...doc, schemaVersion: 3, queues: agents }),
    };
    const v1 = { schemaVersion: 1, seq: 4, txn: "t4", tasks: {}, agents: { anna: { limit: 2 } } };
    expect(migrate(v1, "state.json", steps, 3)).toEqual({
      schemaVersion: 3,
      seq: 4,
      txn: "t4",
      tasks: {},
      jobs: {},
      queues: { anna: { limit: 2 } },
    });
    expect(migrate({ ...v1, schemaVersion: 2 }, "state.json", steps, 3)).toMatchObject({ schemaVersion: 3 });
  });

  it("refuses a newer version, and an older one no step knows", () => {
    expect(() => migrate({ schemaVersion: 3 })).toThrow(StoreCorruptError);
    expect(() => migrate({ schemaVersion: 3 })).toThrow(/schemaVersion 3, newer than this taskpulse understands \(2\)/);
    expect(() => migrate({ schemaVersion: 0 })).toThrow(/cannot upgrade/);
  });

  it("leaves what is not a versioned object to the schema", () => {
    expect(migrate(null)).toBe(null);
    expect(migrate([1])).toEqual([1]);
    expect(migrate({ schemaVersion: "1" })).toEqual({ schemaVersion: "1" });
  });
});

describe("a state file of a newer schemaVersion", () => {
  it("is refused by reads and writes alike (exit 6) and never rewritten", async () => {
    const store = tempDir();
    expect((await cli({ store }, "create", "A")).code).toBe(0);
    const path = join(store, "state.json");
    const newer = JSON.stringify({ ...JSON.parse(readFileSync(path, "utf8")), schemaVersion: 3, future: true });
    writeFileSync(path, newer);
    for (const argv of [["status"], ["create", "B"], ["cleanup", "--days", "0"], ["start", "--agent", "main"]]) {
      const r = await cli({ store }, ...argv, "--json");
      expect(r.code, argv.join(" ")).toBe(6);
      expect(r.json.error.message).toContain("schemaVersion 3, newer than this taskpulse understands (2)");
      expect(r.json.error.hint).toBe("upgrade taskpulse; the file was not changed");
    }
    expect(readFileSync(path, "utf8")).toBe(newer);
  });
});
