// Races between real processes on one store (SPEC §8: every change is read-modify-write under one lock; SPEC §3:
// exactly one of many concurrent `start`s wins a task). Each test counts what the processes were told (exit codes,
// ids on stdout) and checks that the store holds exactly that: no lost update, nothing handed out twice.
import { describe, expect, it } from "vitest";
import { auditOf, must, newStore, readState, runCli, runLanes, runMany, tally } from "../support/store-fixture.ts";

describe("concurrent processes on one store", () => {
  it("8 processes advancing one task's 28 steps: every `next` that returned 0 is one done step and one audit entry", async () => {
    const store = newStore();
    const steps = Array.from({ length: 28 }, (_, i) => `s${i}`);
    const id = await must(store, "create", "-q", "--start", "long job", ...steps);

    // 8 lanes x 4 calls = 32 calls for 28 steps: 28 must succeed, and the 4 that come after the last step exit 4.
    const runs = (
      await runLanes(8, async (lane) => {
        const out = [];
        for (let j = 0; j < 4; j++) out.push(await runCli(store, ["next", id, `msg-${lane}-${j}`]));
        return out;
      })
    ).flat();

    expect(tally(runs)).toEqual({ 0: 28, 4: 4 });
    const task = readState(store).tasks[id];
    expect(task?.status).toBe("done");
    expect(task?.steps.filter((s) => s.status === "done")).toHaveLength(28);
    // Each step holds the message of exactly one successful call: none overwritten, none recorded twice.
    const succeeded = runs.filter((r) => r.code === 0).map((r) => r.args[2]);
    expect(task?.steps.map((s) => s.message).sort()).toEqual(succeeded.sort());

    const entries = await auditOf(store, id);
    expect(entries).toHaveLength(1 + 28); // create + one per successful next
    expect(entries.filter((e) => e.action === "create")).toHaveLength(1);
    expect(entries.filter((e) => e.action === "done")).toHaveLength(1); // the last step finished the task
  });

  it("4 processes x (create + heartbeat) in a loop: no create and no heartbeat is lost", async () => {
    const store = newStore();
    const lanes = 4;
    const rounds = 2;
    const own: string[] = [];
    for (let i = 0; i < lanes; i++) own.push(await must(store, "create", "-q", "--start", `lane ${i}`, "work"));
    const seqBefore = readState(store).seq;

    const results = await runLanes(lanes, async (lane) => {
      const created: string[] = [];
      const runs = [];
      let lastBeat: string | undefined;
      for (let j = 0; j < rounds; j++) {
        const c = await runCli(store, ["create", "-q", `item ${lane}-${j}`]);
        runs.push(c);
        if (c.code === 0) created.push(c.stdout.trim());
        const beat = `beat ${lane}-${j}`;
        const h = await runCli(store, ["heartbeat", own[lane] as string, beat]);
        runs.push(h);
        if (h.code === 0) lastBeat = beat;
      }
      return { created, runs, lastBeat };
    });

    const runs = results.flatMap((r) => r.runs);
    expect(tally(runs)).toEqual({ 0: lanes * rounds * 2 });
    const state = readState(store);
    const created = results.flatMap((r) => r.created);
    expect(new Set(created).size).toBe(lanes * rounds);
    for (const id of created) expect(state.tasks[id]?.status).toBe("pending");
    expect(Object.keys(state.tasks)).toHaveLength(lanes + lanes * rounds);
    // Each lane's own task carries that lane's last heartbeat: no other writer put back an older copy of it.
    results.forEach((r, lane) => {
      expect(state.tasks[own[lane] as string]?.lastMessage).toBe(r.lastBeat);
    });
    // One committed transaction per successful call, none more, none fewer.
    expect(state.seq - seqBefore).toBe(lanes * rounds * 2);
  });

  it("10 concurrent `start --agent X` on a queue of one task: exactly one gets it, the others get an empty answer", async () => {
    const store = newStore();
    const id = await must(store, "create", "-q", "--agent", "x", "only task");
    await must(store, "create", "-q", "--agent", "y", "someone else's task");

    const runs = await runMany(10, store, () => ["start", "--agent", "x", "-q"]);

    expect(tally(runs)).toEqual({ 0: 10 });
    const winners = runs.filter((r) => r.stdout.trim() !== "");
    expect(winners.map((r) => r.stdout)).toEqual([`${id}\n`]);
    for (const r of runs) expect(r.stderr).toBe("");
    const state = readState(store);
    expect(state.tasks[id]?.status).toBe("running");
    expect(Object.values(state.tasks).filter((t) => t.agent === "y")[0]?.status).toBe("pending");
    expect((await auditOf(store, id)).filter((e) => e.action === "start")).toHaveLength(1);
  });

  it("5 concurrent `start --agent X` with 3 queued tasks and the default limit 1: one winner, the rest are told X is busy", async () => {
    const store = newStore();
    const ids: string[] = [];
    for (const n of ["a", "b", "c"]) ids.push(await must(store, "create", "-q", "--agent", "x", n));

    const runs = await runMany(5, store, () => ["start", "--agent", "x", "--json"]);

    expect(tally(runs)).toEqual({ 0: 5 });
    const docs = runs.map((r) => JSON.parse(r.stdout));
    const claimed = docs.filter((d) => d.data.claimed);
    expect(claimed).toHaveLength(1);
    const winner = claimed[0].data.task.id;
    for (const d of docs.filter((x) => !x.data.claimed)) expect(d.data).toMatchObject({ busy: true, running: [winner] });
    const state = readState(store);
    expect(ids.map((id) => state.tasks[id]?.status).sort()).toEqual(["pending", "pending", "running"]);
    expect(state.tasks[winner]?.status).toBe("running");
  });

  it("10 concurrent `start --agent X` with 3 queued tasks and `limit 10`: each task handed out exactly once", async () => {
    const store = newStore();
    const ids: string[] = [];
    for (const n of ["a", "b", "c"]) ids.push(await must(store, "create", "-q", "--agent", "x", n));
    await must(store, "limit", "10", "--agent", "x");

    const runs = await runMany(10, store, () => ["start", "--agent", "x", "-q"]);

    expect(tally(runs)).toEqual({ 0: 10 });
    const handed = runs.map((r) => r.stdout.trim()).filter((s) => s !== "");
    expect(handed.sort()).toEqual([...ids].sort());
    const state = readState(store);
    for (const id of ids) {
      expect(state.tasks[id]?.status).toBe("running");
      expect((await auditOf(store, id)).filter((e) => e.action === "start")).toHaveLength(1);
    }
  });

  it("10 concurrent `start <id>` on one pending task: one exit 0, nine exit 4", async () => {
    const store = newStore();
    const id = await must(store, "create", "-q", "--agent", "x", "contested");

    const runs = await runMany(10, store, () => ["start", id, "-q"]);

    expect(tally(runs)).toEqual({ 0: 1, 4: 9 });
    expect(runs.find((r) => r.code === 0)?.stdout).toBe(`${id}\n`);
    for (const r of runs.filter((x) => x.code === 4)) {
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/running/); // says which state the task is in
    }
    expect((await auditOf(store, id)).map((e) => e.action)).toEqual(["start", "create"]);
  });
});
