// The short chaos run for CI (the long one: `npm run chaos`, see scripts/chaos.ts): spawned calls of the real
// binary doing mixed work on one store, a quarter of them killed with SIGKILL at a random moment; and a run where
// some calls are also paused for longer than the lock's stale time (SIGSTOP, or held by strace in their rename).
import { describe, expect, it } from "vitest";
import { formatChaos, runChaos } from "../../scripts/chaos.ts";
import { tempDir } from "../support/helpers.ts";

const SECONDS = Number(process.env.CHAOS_CI_SECONDS ?? 20);

describe("chaos (short)", () => {
  it("after random SIGKILLs: doctor healthy or repaired, every acknowledged change present", {
    timeout: SECONDS * 1000 + 5 * 60_000,
  }, async () => {
    const result = await runChaos({ seconds: SECONDS, workers: 4, killRate: 0.3, seed: 20261123, store: tempDir("tp-chaos-") });
    console.log(formatChaos(result));
    expect(result.lostUpdates).toEqual([]);
    expect(result.unexpected).toEqual([]);
    expect(result.doctor.healthy || result.repair?.healthy).toBe(true);
    // How many processes a run starts depends on the machine's load; some of them must have been killed.
    expect(result.kills).toBeGreaterThan(0);
    expect(result.exits["0"] ?? 0).toBeGreaterThan(20);
    expect(result.acknowledged).toBeGreaterThan(10);
  });

  it("with writers paused past the stale time as well: no acknowledged change lost, no task claimed twice", {
    timeout: SECONDS * 1000 + 5 * 60_000,
  }, async () => {
    const result = await runChaos({
      seconds: SECONDS,
      workers: 4,
      killRate: 0.15,
      pauseRate: 0.1,
      pauseMs: 11_000,
      seed: 20261206,
      store: tempDir("tp-chaos-pause-"),
    });
    console.log(formatChaos(result));
    expect(result.lostUpdates).toEqual([]);
    expect(result.unexpected).toEqual([]);
    expect(result.doctor.healthy || result.repair?.healthy).toBe(true);
    expect(result.doctor.findings.filter((f) => f.endsWith(" journal-fork"))).toEqual([]);
    expect(result.pauses.stopped + result.pauses.heldInRename).toBeGreaterThan(0);
    expect(result.acknowledged).toBeGreaterThan(5);
  });
});
