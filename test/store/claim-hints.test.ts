// The head of each agent's queue kept in state.json (src/store/claim-hints.ts): taking the next task reads the task
// it takes, not the agent's whole queue, and hands out exactly the task the whole queue would. Checked against the
// whole queue after every claim of a random run of creates, claims, starts, cancels, failures and retries, and by
// doctor, which recomputes every hint from the tasks.
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../scripts/seeded-random.ts";
import type { Task } from "../../src/core/model.ts";
import { compareQueue, dependencyState } from "../../src/core/queue.ts";
import { addToHint, hintMatches, hintOf, removeFromHint } from "../../src/store/claim-hints.ts";
import { bucketOf, chunkFile, type QueueEntry } from "../../src/store/parts.ts";
import { cli, tempDir } from "../support/helpers.ts";
import { readState } from "../support/store-fixture.ts";
import { codes, doctor, repair } from "../support/store-helpers.ts";

const at = (min: number) => new Date(Date.UTC(2026, 4, 1, 10, 0, 0) + min * 60_000).toISOString();

type T = Pick<Task, "id" | "agent" | "status" | "priority" | "queuedAt" | "seq" | "after">;

/** The task the whole queue says `agent` takes next (as decideClaim does on every task), or "" for none. */
function expectedNext(store: string, agent: string): string {
  const tasks = Object.values(readState(store).tasks) as unknown as T[];
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const ready = tasks
    .filter((t) => t.agent === agent && t.status === "pending")
    .sort(compareQueue)
    .find((t) => dependencyState(t, (id) => byId.get(id)).state === "ready");
  return ready?.id ?? "";
}

const head = (store: string) => JSON.parse(readFileSync(join(store, "state.json"), "utf8"));

describe("the head of each agent's queue", () => {
  it("names the running tasks while there are at most 100, and only counts them beyond", () => {
    const entry = (i: number, status: "running" | "pending") =>
      ({
        id: `t${String(i).padStart(3, "0")}`,
        agent: "q",
        status,
        priority: 5,
        queuedAt: at(i),
        seq: i,
        after: [],
      }) as unknown as QueueEntry;
    const h = hintOf([]);
    for (let i = 0; i < 100; i++) addToHint(h, entry(i, "running"));
    expect(h.runningIds).toHaveLength(100);
    addToHint(h, entry(100, "running"));
    expect(h.running).toBe(101);
    expect(h.runningIds).toBeUndefined();
    removeFromHint(h, entry(5, "running"));
    expect(h.running).toBe(100);
    expect(h.runningIds).toBeUndefined();
    // made again from the whole queue: named again
    const all = Array.from({ length: 101 }, (_, i) => entry(i, "running")).filter((e) => e.id !== "t005");
    expect(hintOf(all).runningIds).toHaveLength(100);
    expect(hintMatches(h, all)).toBe(true);
    expect(hintMatches({ ...h, runningIds: ["t000"] }, all)).toBe(false);
  });

  it("a random run: every claim takes what the whole queue says, and doctor finds every hint exact", async () => {
    const store = tempDir();
    const random = seededRandom(7);
    const pick = <X>(xs: readonly X[]): X | undefined => xs[Math.floor(random() * xs.length)];
    const agents = ["a", "b", "c"];
    for (const a of agents) expect((await cli({ store }, "limit", "100", "--agent", a)).code).toBe(0);
    let min = 0;
    let claims = 0;
    const run = async (...argv: string[]) => {
      const r = await cli({ store, now: at(min) }, ...argv);
      expect(r.code, `${argv.join(" ")}: ${r.stderr}`).toBe(0);
      return r.stdout.trim();
    };
    const tasksWith = (status: string) =>
      (Object.values(readState(store).tasks) as unknown as T[]).filter((t) => t.status === status).map((t) => t.id);
    for (let step = 0; step < 320; step++) {
      // several changes in the same minute: ties in queue time are broken by creation order
      if (random() < 0.5) min += 1;
      const agent = pick(agents) as string;
      // a backlog first (more than a head holds), claims only (heads drain and are made again), then all mixed
      const roll = step < 90 ? 0 : step < 150 ? 0.5 : random();
      if (roll < 0.45) {
        const priority = pick(["1", "5", "10", "P0", "P3", "7"]) as string;
        const dep = step >= 150 && random() < 0.15 ? pick([...tasksWith("pending"), ...tasksWith("running")]) : undefined;
        const owner = random() < 0.1 ? "d" : agent;
        await run("create", "-q", `t${step}`, "--agent", owner, "-p", priority, ...(dep ? ["--after", dep] : []));
      } else if (roll < 0.75 && random() < 0.15) {
        // agent d runs one task at a time: mostly busy, its running task named from the head's running ids
        const all = Object.values(readState(store).tasks) as unknown as T[];
        const running = all
          .filter((t) => t.agent === "d" && t.status === "running")
          .sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0))
          .map((t) => t.id);
        const want = expectedNext(store, "d");
        const data = JSON.parse(await run("start", "--agent", "d", "--json")).data;
        if (running.length > 0) expect(data).toMatchObject({ busy: true, running, limit: 1 });
        else expect(data.task?.id ?? "").toBe(want);
      } else if (roll < 0.75) {
        const want = expectedNext(store, agent);
        expect(await run("start", "--agent", agent, "-q")).toBe(want);
        claims += want ? 1 : 0;
      } else if (roll < 0.82) {
        const id = pick(tasksWith("pending"));
        if (
          id &&
          dependencyState({ after: (readState(store).tasks[id] as unknown as T).after }, (d) => readState(store).tasks[d] as never)
            .state === "ready"
        )
          await run("start", id);
      } else if (roll < 0.88) {
        const id = pick(tasksWith("pending"));
        if (id) await run("cancel", id, "not needed");
      } else if (roll < 0.95) {
        const id = pick(tasksWith("running"));
        if (id) await run(random() < 0.5 ? "done" : "error", id, "over");
      } else {
        const id = pick(tasksWith("failed"));
        if (id) await run("retry", id);
      }
    }
    expect(claims).toBeGreaterThan(40);
    expect(codes(await doctor(store))).toEqual([]);
    // drained below its first ones while more wait: the next claim reads the whole queue once and keeps a head again
    const hints = head(store).claims as Record<string, { pending: number; next: unknown[] }>;
    expect(Object.keys(hints).sort()).toEqual([...agents, "d"]);
  });

  it("takes the next task with the one queue chunk holding it: a chunk it does not need is not read", async () => {
    const store = tempDir();
    const ids: string[] = [];
    expect((await cli({ store }, "limit", "5", "--agent", "q")).code).toBe(0);
    for (let i = 0; i < 40; i++) ids.push((await cli({ store, now: at(i) }, "create", "-q", `t${i}`, "--agent", "q")).stdout.trim());
    const h = head(store);
    const first = ids[0] as string;
    expect(h.claims.q.next[0][0]).toBe(first);
    // take away every chunk of q but the first task's: taking the next task does not notice
    for (const [chunk, txn] of Object.entries(h.queues as Record<string, string>)) {
      if (chunk.startsWith("q/") && chunk !== `q/${bucketOf(first)[0]}`) unlinkSync(join(store, "queues", chunkFile(chunk, txn)));
    }
    expect((await cli({ store, now: at(50) }, "start", "--agent", "q", "-q")).stdout.trim()).toBe(first);
    // the whole queue needs them: refused as damage, and doctor rebuilds
    expect((await cli({ store, now: at(51) }, "query", "--agent", "q")).code).toBe(6);
    expect((await repair(store)).code).toBe(0);
    expect((await cli({ store, now: at(52) }, "start", "--agent", "q", "-q")).stdout.trim()).toBe(ids[1]);
    expect(codes(await doctor(store))).toEqual(["damaged-copy"]);
  });

  it("a head that does not say what the tasks say is damage: doctor reports it and the repair makes it again", async () => {
    const store = tempDir();
    const a = (await cli({ store, now: at(0) }, "create", "-q", "low", "--agent", "q", "-p", "2")).stdout.trim();
    const b = (await cli({ store, now: at(1) }, "create", "-q", "high", "--agent", "q", "-p", "9")).stdout.trim();
    const h = head(store);
    expect(h.claims.q.next.map((k: unknown[]) => k[0])).toEqual([b, a]);
    h.claims.q.next.reverse();
    writeFileSync(join(store, "state.json"), JSON.stringify(h));
    expect(codes(await doctor(store))).toContain("state-corrupt");
    expect((await repair(store)).code).toBe(0);
    expect((await cli({ store, now: at(2) }, "start", "--agent", "q", "-q")).stdout.trim()).toBe(b);
    expect(codes(await doctor(store))).toEqual(["damaged-copy"]);
  });

  it("a store written without heads gets them from the first claim of each agent, which reads its whole queue", async () => {
    const store = tempDir();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await cli({ store, now: at(i) }, "create", "-q", `t${i}`, "--agent", "q")).stdout.trim());
    const h = head(store);
    delete h.claims;
    writeFileSync(join(store, "state.json"), JSON.stringify(h));
    expect(codes(await doctor(store))).toEqual([]);
    expect((await cli({ store, now: at(9) }, "start", "--agent", "q", "-q")).stdout.trim()).toBe(ids[0]);
    expect(head(store).claims.q).toEqual({
      running: 1,
      runningIds: [ids[0]],
      pending: 4,
      next: ids.slice(1).map((id, i) => [id, 5, at(i + 1), expect.any(Number)]),
    });
    expect(codes(await doctor(store))).toEqual([]);
  });
});
