// Commit claims (src/store/succession.ts): a claim left by a writer that is gone binds nobody, one of a live writer
// refuses the commit (fenced: exit 5, nothing written), and one that cannot be judged binds until it is old. The
// claims are made the way a killed writer would leave them; test/store/pause.test.ts holds a real writer in its
// rename.
import { readdirSync, readFileSync, readlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnCliSync, tempDir } from "../support/helpers.ts";

function storeWithTask() {
  const store = tempDir();
  const id = spawnCliSync(store, ["create", "-q", "claimed", "a", "b", "--start"]).stdout.trim();
  const txn = JSON.parse(readFileSync(join(store, "state.json"), "utf8")).txn as string;
  return { store, id, claim: (n: number) => join(store, `.state.json.next-${txn}.${n}`) };
}

/** A token as holder.ts writes it, for a process of this boot and PID namespace. */
function tokenOf(pid: number, start: string): string {
  const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  const pidns = readlinkSync("/proc/self/ns/pid");
  return `tp1 ${pid} ${start} ${boot} ${pidns} abcdefgh`;
}

function startOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] as string;
}

const claims = (store: string) => readdirSync(store).filter((n) => n.startsWith(".state.json.next"));

describe("a commit claim left on the current state", () => {
  it("by a writer that is gone binds nobody: the next commit claims the next number, then removes both", () => {
    const { store, id, claim } = storeWithTask();
    // this process under another start time: the pid is alive, but not the process that wrote the claim
    writeFileSync(claim(0), tokenOf(process.pid, "1"), { mode: 0o600 });
    const r = spawnCliSync(store, ["heartbeat", id, "goes on", "--progress", "30"]);
    expect(r.code, r.stderr).toBe(0);
    expect(claims(store)).toEqual([]);
  });

  it("by a writer that lives refuses the commit: exit 5, nothing written, the claim left alone", () => {
    const { store, id, claim } = storeWithTask();
    writeFileSync(claim(0), tokenOf(process.pid, startOf(process.pid)), { mode: 0o600 });
    const before = readFileSync(join(store, "state.json"), "utf8");
    const r = spawnCliSync(store, ["heartbeat", id, "refused", "--progress", "30"]);
    expect(r.code, r.stderr).toBe(5);
    expect(readFileSync(join(store, "state.json"), "utf8")).toBe(before);
    expect(claims(store)).toEqual([`.state.json.next-${claim(0).split("next-")[1]}`]);
  });

  it("that cannot be judged (empty, or from another host) binds until it is 10 s old", () => {
    const { store, id, claim } = storeWithTask();
    writeFileSync(claim(0), "", { mode: 0o600 });
    expect(spawnCliSync(store, ["heartbeat", id, "too soon"]).code).toBe(5);
    const old = new Date(Date.now() - 11_000);
    utimesSync(claim(0), old, old);
    const r = spawnCliSync(store, ["heartbeat", id, "later"]);
    expect(r.code, r.stderr).toBe(0);
    expect(claims(store)).toEqual([]);
  });
});
