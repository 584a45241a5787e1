// The hot state in parts (src/store/parts.ts, references/store-format.md "state.json and its parts"): a commit
// writes the parts it changed and nothing else, parts are never changed in place, the head names complete parts,
// damaged or missing parts are refused and rebuilt by doctor, and parts no head names are collected.
import { readdirSync, readFileSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JsonStore } from "../../src/store/json-store.ts";
import { bucketOf, chunkFile, collect, PART_GRACE_MS, partFile } from "../../src/store/parts.ts";
import { cli, spawnCli, tempDir } from "../support/helpers.ts";
import { readState } from "../support/store-fixture.ts";
import { codes, doctor, repair } from "../support/store-helpers.ts";

/** state.json, with the file name of each part it names (it stores their txns). */
const head = (store: string) => {
  const h = JSON.parse(readFileSync(join(store, "state.json"), "utf8")) as {
    schemaVersion: number;
    txn: string;
    parts: Record<string, string>;
    queues: Record<string, string>;
  };
  for (const [b, txn] of Object.entries(h.parts)) h.parts[b] = partFile(b, txn);
  for (const [k, txn] of Object.entries(h.queues)) h.queues[k] = chunkFile(k, txn);
  return h;
};
const files = (store: string, sub: string) => new Set(readdirSync(join(store, sub)));
const added = (before: Set<string>, after: Set<string>) => [...after].filter((f) => !before.has(f)).sort();

/** A store with `n` queued tasks across agents a0..a3, and one running task of a0 with steps. */
async function storeWith(n: number): Promise<{ store: string; live: string }> {
  const store = tempDir();
  for (let i = 0; i < n; i++) expect((await cli({ store }, "create", "-q", `task ${i}`, "--agent", `a${i % 4}`)).code).toBe(0);
  const live = (await cli({ store }, "create", "-q", "live", "s1", "s2", "--agent", "a0", "--start")).stdout.trim();
  return { store, live };
}

describe("a commit writes what it changed", () => {
  it("a heartbeat or a done writes one bucket, one chunk of the agent's queue and the head; other parts stay as they are", async () => {
    const { store, live } = await storeWith(40);
    const h = head(store);
    expect(h.schemaVersion).toBe(2);
    expect(Object.keys(h.parts).length).toBeGreaterThan(10);
    expect(new Set(Object.keys(h.queues).map((k) => k.split("/")[0]))).toEqual(new Set(["a0", "a1", "a2", "a3"]));
    const tasksBefore = files(store, "tasks");
    const queuesBefore = files(store, "queues");
    const bytesBefore = readFileSync(join(store, "tasks", h.parts[bucketOf(live)] as string));

    // the one chunk of a0's queue that holds the task (its bucket's first hex digit): a running task's entry holds it
    const chunk = `a0/${bucketOf(live)[0]}`;
    expect((await cli({ store }, "heartbeat", live, "half", "--progress", "50")).code).toBe(0);
    const h2 = head(store);
    expect(added(tasksBefore, files(store, "tasks"))).toEqual([`${bucketOf(live)}.${h2.txn}.json`]);
    expect(added(queuesBefore, files(store, "queues"))).toEqual([`a0.${bucketOf(live)[0]}.${h2.txn}.json`]);
    expect(Object.entries(h2.queues).filter(([k, f]) => h.queues[k] !== f)).toEqual([[chunk, `a0.${bucketOf(live)[0]}.${h2.txn}.json`]]);
    for (const [bucket, file] of Object.entries(h.parts)) if (bucket !== bucketOf(live)) expect(h2.parts[bucket]).toBe(file);
    // the old part is left exactly as it was (a reader of the previous head may be reading it)
    expect(readFileSync(join(store, "tasks", h.parts[bucketOf(live)] as string))).toEqual(bytesBefore);

    expect((await cli({ store }, "done", live)).code).toBe(0);
    const h3 = head(store);
    expect(Object.entries(h3.queues).filter(([k, f]) => h2.queues[k] !== f)).toEqual([[chunk, `a0.${bucketOf(live)[0]}.${h3.txn}.json`]]);
    expect(Object.entries(h3.parts).filter(([b, f]) => h2.parts[b] !== f)).toEqual([[bucketOf(live), `${bucketOf(live)}.${h3.txn}.json`]]);
    expect(readState(store).tasks[live]?.status).toBe("done");
    expect(codes(await doctor(store))).toEqual([]);
  });

  it("taking the next task chooses from the agent's queue part, as from the tasks themselves", async () => {
    const store = tempDir();
    const low = (await cli({ store }, "create", "-q", "low", "--agent", "q", "--priority", "2")).stdout.trim();
    const high = (await cli({ store }, "create", "-q", "high", "--agent", "q", "--priority", "9")).stdout.trim();
    await cli({ store }, "create", "-q", "other agent", "--agent", "r", "--priority", "10");
    expect((await cli({ store }, "start", "--agent", "q", "-q")).stdout).toBe(`${high}\n`);
    const busy = await cli({ store }, "start", "--agent", "q", "--json");
    expect(busy.json.data).toMatchObject({ claimed: false, busy: true, running: [high] });
    await cli({ store }, "done", high);
    expect((await cli({ store }, "start", "--agent", "q", "-q")).stdout).toBe(`${low}\n`);
    const entries = Object.entries(head(store).queues)
      .filter(([k]) => k.startsWith("q/"))
      .flatMap(([, f]) => JSON.parse(readFileSync(join(store, "queues", f), "utf8")).tasks);
    expect(entries.map((e: { id: string; status: string }) => `${e.id} ${e.status}`).sort()).toEqual(
      [`${high} done`, `${low} running`].sort(),
    );
  });

  it("a unique prefix resolves through the queue parts; an ambiguous one is refused as before", async () => {
    const { store, live } = await storeWith(12);
    expect((await cli({ store }, "status", live.slice(0, 5), "-q")).stdout).toBe("running\n");
    const r = await cli({ store }, "heartbeat", live.slice(0, 1), "x", "--json");
    expect([0, 2, 3, 4]).toContain(r.code); // the first letter is random: it may be unique, unknown or ambiguous
  });
});

describe("damaged parts", () => {
  it("a torn part is refused (exit 6), nothing is written, and doctor --repair rebuilds the state from the journal", async () => {
    const { store, live } = await storeWith(8);
    const part = join(store, "tasks", head(store).parts[bucketOf(live)] as string);
    const text = readFileSync(part, "utf8");
    writeFileSync(part, text.slice(0, text.length >> 1));
    const before = readFileSync(join(store, "state.json"), "utf8");
    const hb = await cli({ store }, "heartbeat", live, "x", "--json");
    expect(hb.code).toBe(6);
    expect(hb.json.error.message).toContain(part);
    expect(readFileSync(join(store, "state.json"), "utf8")).toBe(before);
    expect(codes(await doctor(store))).toContain("state-corrupt");
    expect((await repair(store)).code).toBe(0);
    expect((await cli({ store }, "heartbeat", live, "after the repair")).code).toBe(0);
    expect(readState(store).tasks[live]?.lastMessage).toBe("after the repair");
    expect(Object.keys(readState(store).tasks)).toHaveLength(9);
    // (the damaged state.json is kept aside; the torn part, named by no head now, is collected later)
    expect(codes(await doctor(store))).toEqual(["damaged-copy"]);
  });

  it("a part the head names that is missing is damage under the lock (exit 6), repaired by doctor", async () => {
    const { store, live } = await storeWith(4);
    const file = head(store).parts[bucketOf(live)] as string;
    writeFileSync(join(store, "tasks", `${file}.moved`), readFileSync(join(store, "tasks", file)));
    unlinkSync(join(store, "tasks", file));
    const r = await cli({ store }, "done", live, "--json");
    expect(r.code).toBe(6);
    expect(r.json.error.message).toMatch(/is missing: the state file names it/);
    // a lock-free reader whose head is still current says the same (not "run again")
    expect((await cli({ store }, "status", "--json")).code).toBe(6);
    expect((await repair(store)).code).toBe(0);
    expect((await cli({ store }, "done", live)).code).toBe(0);
  });

  it("a queue part that disagrees with the tasks is reported and rebuilt (it would hand out the wrong task)", async () => {
    const { store } = await storeWith(8);
    const [chunk, name] = Object.entries(head(store).queues).find(([k]) => k.startsWith("a1/")) as [string, string];
    const file = join(store, "queues", name);
    const queue = JSON.parse(readFileSync(file, "utf8"));
    queue.tasks.pop();
    writeFileSync(file, JSON.stringify(queue));
    expect(codes(await doctor(store))).toContain("state-corrupt");
    expect((await repair(store)).code).toBe(0);
    expect((await cli({ store }, "create", "-q", "one more", "--agent", "a1")).code).toBe(0);
    const fixed = Object.entries(head(store).queues)
      .filter(([k]) => k.startsWith("a1/"))
      .flatMap(([, f]) => JSON.parse(readFileSync(join(store, "queues", f), "utf8")).tasks);
    expect(fixed).toHaveLength(3);
    expect(chunk.startsWith("a1/")).toBe(true);
    expect(codes(await doctor(store))).toEqual(["damaged-copy"]);
  });
});

describe("parts written by an older taskpulse", () => {
  it("version 1 queue chunks (a running task whole) read as version 2 (its live fields); the next commit writes 2", async () => {
    const { store, live } = await storeWith(6);
    expect((await cli({ store }, "heartbeat", live, "half way", "--progress", "40")).code).toBe(0);
    // a minute on: nothing stalls (a stall alert is recorded, which would change the second call's output)
    const now = "2026-05-01T10:01:00Z";
    const status = (await cli({ store, now }, "status")).stdout;
    const query = (await cli({ store, now }, "query", "--json")).stdout;
    expect(status).toContain("40%");
    // Rewrite every chunk as version 1 wrote it: the running task whole in `task`, no `live`.
    const h = head(store);
    const tasks = Object.assign(
      {},
      ...Object.values(h.parts).map((f) => JSON.parse(readFileSync(join(store, "tasks", f), "utf8")).tasks),
    ) as Record<string, { status: string }>;
    for (const f of Object.values(h.queues)) {
      const file = join(store, "queues", f);
      const chunk = JSON.parse(readFileSync(file, "utf8"));
      expect(chunk.v).toBe(2);
      chunk.v = 1;
      for (const e of chunk.tasks) {
        if (e.live) e.task = tasks[e.id];
        delete e.live;
      }
      writeFileSync(file, JSON.stringify(chunk));
    }
    expect((await cli({ store, now }, "status")).stdout).toBe(status);
    expect((await cli({ store, now }, "query", "--json")).stdout).toBe(query);
    expect(codes(await doctor(store))).toEqual([]);
    expect((await cli({ store }, "next", live, "s1 done")).code).toBe(0);
    const a0 = Object.entries(head(store).queues).find(([k]) => k === `a0/${bucketOf(live)[0]}`)?.[1] as string;
    const rewritten = JSON.parse(readFileSync(join(store, "queues", a0), "utf8"));
    expect(rewritten.v).toBe(2);
    expect(rewritten.tasks.find((e: { id: string }) => e.id === live)).toMatchObject({ live: { step: { name: "s2" } } });
    expect(rewritten.tasks.some((e: { task?: unknown }) => e.task !== undefined)).toBe(false);
  });
});

describe("collecting parts no head names", () => {
  it("deletes only unnamed parts older than the grace period, never a named one", async () => {
    const { store, live } = await storeWith(6);
    const first = head(store);
    for (let i = 0; i < 3; i++) await cli({ store }, "heartbeat", live, `beat ${i}`);
    const now = head(store);
    const named = [...Object.values(now.parts), ...Object.values(now.queues)];
    const old = first.parts[bucketOf(live)] as string;
    expect(files(store, "tasks").has(old)).toBe(true);
    // young: kept for readers of older heads
    expect(collect(store, { parts: Object.values(now.parts), queues: Object.values(now.queues) }, Date.now())).toBe(0);
    const later = Date.now() + PART_GRACE_MS + 1000;
    const removed = collect(store, { parts: Object.values(now.parts), queues: Object.values(now.queues) }, later);
    expect(removed).toBeGreaterThanOrEqual(3);
    expect(files(store, "tasks").has(old)).toBe(false);
    for (const f of Object.values(now.parts)) expect(files(store, "tasks").has(f)).toBe(true);
    for (const f of Object.values(now.queues)) expect(files(store, "queues").has(f)).toBe(true);
    expect(named.length).toBeGreaterThan(0);
    expect(codes(await doctor(store))).toEqual([]);
  });

  it("commits collect by themselves: parts replaced longer ago than the grace period are gone within 16 commits, the store stays whole", async () => {
    const { store, live } = await storeWith(6);
    for (let i = 0; i < 3; i++) expect((await cli({ store }, "heartbeat", live, `early ${i}`)).code).toBe(0);
    const early = head(store);
    const replaced = [...files(store, "tasks")].filter((f) => !Object.values(early.parts).includes(f));
    expect(replaced.length).toBeGreaterThan(2);
    // longer ago than the grace period, as far as file times go
    const past = new Date(Date.now() - 2 * PART_GRACE_MS);
    for (const sub of ["tasks", "queues"]) for (const f of files(store, sub)) utimesSync(join(store, sub, f), past, past);
    for (let i = 0; i < 16; i++) expect((await cli({ store }, "heartbeat", live, `beat ${i}`)).code).toBe(0);
    for (const f of replaced) expect(files(store, "tasks").has(f), f).toBe(false);
    // the part the first of these heartbeats replaced was replaced just now: kept for readers of that head
    expect(files(store, "tasks").has(early.parts[bucketOf(live)] as string)).toBe(true);
    const h = head(store);
    for (const f of Object.values(h.parts)) expect(files(store, "tasks").has(f)).toBe(true);
    expect(Object.keys(readState(store).tasks)).toHaveLength(7);
    expect(codes(await doctor(store))).toEqual([]);
  });
});

describe("readers without the lock while others commit", () => {
  it("a part collected after the head it read was replaced: exit 5, run again (not damage)", async () => {
    const { store, live } = await storeWith(4);
    const old = head(store).parts[bucketOf(live)] as string;
    const reader = await new JsonStore(store, { lockWaitMs: 5000, owner: { agent: "t", command: "t" } }).read();
    expect((await cli({ store }, "heartbeat", live, "meanwhile")).code).toBe(0);
    unlinkSync(join(store, "tasks", old)); // as collect() does once the grace period is over
    expect(() => reader.get(live)).toThrow(
      expect.objectContaining({ exitCode: 5, message: expect.stringMatching(/replaced while this command read/) }),
    );
    const fresh = await new JsonStore(store, { lockWaitMs: 5000, owner: { agent: "t", command: "t" } }).read();
    expect(fresh.get(live)?.lastMessage).toBe("meanwhile");
  });

  it("status and query in a loop during 4 writers' heartbeats: every read succeeds", async () => {
    const store = tempDir();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await cli({ store }, "create", "-q", `w${i}`, "--agent", `w${i}`, "--start")).stdout.trim());
    const writers = ids.map(async (id) => {
      for (let k = 0; k < 15; k++) {
        const r = await spawnCli(store, ["heartbeat", id, `k${k}`]);
        expect(r.code, r.stderr).toBe(0);
      }
    });
    let reads = 0;
    let done = false;
    const reader = (async () => {
      while (!done) {
        const r = await spawnCli(store, reads % 2 ? ["query", "--status", "running", "-q"] : ["status", "--json"]);
        expect(r.code, r.stderr).toBe(0);
        reads++;
      }
    })();
    await Promise.all(writers);
    done = true;
    await reader;
    expect(reads).toBeGreaterThan(0);
    for (const [i, id] of ids.entries()) expect(readState(store).tasks[id]?.lastMessage, `w${i}`).toBe("k14");
  });
});
