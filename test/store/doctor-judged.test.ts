// Doctor judges a temporary file, a commit claim or a lock by its writer, and a writer removes (or renames in) its
// file just before it exits. Doctor can therefore see the file while its writer lives and judge the writer after it
// has exited: such a file is gone by then, and is no finding. On a loaded machine this happens by itself among
// concurrent writers (test/store/doctor.test.ts); here the writer's last steps are made to fall at that instant:
// the file is removed from within the judgement's read of /proc (or just after the lstat that found it), and the
// writer is a process that has really exited. A repair, likewise, goes on when a stale file it is about to delete
// is gone.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, readlinkSync, rmdirSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { examine, repair } from "../../src/store/doctor.ts";
import { spawnCliSync, tempDir } from "../support/helpers.ts";

/**
 * What runs once: from within the next read of `/proc/<pid>/stat` (before it answers), just after the next lstat of
 * `path`, or just before the next unlink of `path`.
 */
const at = vi.hoisted(() => ({
  proc: undefined as { pid: number; meanwhile: () => void } | undefined,
  lstat: undefined as { path: string; meanwhile: () => void } | undefined,
  unlink: undefined as { path: string; meanwhile: () => void } | undefined,
}));

vi.mock("node:fs", async (actual) => {
  const fs = await actual<typeof import("node:fs")>();
  const readFileSync = ((path: string, ...rest: never[]) => {
    if (at.proc && path === `/proc/${at.proc.pid}/stat`) {
      const meanwhile = at.proc.meanwhile;
      at.proc = undefined;
      meanwhile();
    }
    return (fs.readFileSync as (...args: unknown[]) => unknown)(path, ...rest);
  }) as typeof fs.readFileSync;
  const lstatSync = ((path: string, ...rest: never[]) => {
    const st = (fs.lstatSync as (...args: unknown[]) => unknown)(path, ...rest);
    if (at.lstat && path === at.lstat.path) {
      const meanwhile = at.lstat.meanwhile;
      at.lstat = undefined;
      meanwhile();
    }
    return st;
  }) as typeof fs.lstatSync;
  const unlinkSync = ((path: string) => {
    if (at.unlink && path === at.unlink.path) {
      const meanwhile = at.unlink.meanwhile;
      at.unlink = undefined;
      meanwhile();
    }
    fs.unlinkSync(path);
  }) as typeof fs.unlinkSync;
  return { ...fs, default: { ...fs, readFileSync, lstatSync, unlinkSync }, readFileSync, lstatSync, unlinkSync };
});

/** A process that has run and exited (and been reaped): its pid and start time. */
function exited(): { pid: number; start: string } {
  const r = spawnSync("cat", ["/proc/self/stat"], { encoding: "utf8" }); // cat's own line: "<pid> (cat) S ..."
  expect(r.status, String(r.error)).toBe(0);
  const pid = Number(r.stdout.slice(0, r.stdout.indexOf(" ")));
  const start = r.stdout.slice(r.stdout.lastIndexOf(")") + 2).split(" ")[19] ?? "";
  expect(Number.isInteger(pid) && pid > 0 && /^\d+$/.test(start), r.stdout).toBe(true);
  return { pid, start };
}

/** A token as holder.ts writes it, for a process of this boot and PID namespace. */
function tokenOf(writer: { pid: number; start: string }): string {
  const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  return `tp1 ${writer.pid} ${writer.start} ${boot} ${readlinkSync("/proc/self/ns/pid")} abcdefgh`;
}

function store(): { dir: string; txn: string } {
  const dir = tempDir();
  expect(spawnCliSync(dir, ["create", "-q", "judged", "a", "b", "--start"]).code).toBe(0);
  return { dir, txn: JSON.parse(readFileSync(join(dir, "state.json"), "utf8")).txn as string };
}

const temps = (dir: string) => examine(dir).findings.filter((f) => f.code === "temp-file" || f.code.startsWith("lock-"));

describe("doctor and a writer that exits while it is judged", () => {
  it("a commit claim removed between the reading of its token and the judgement is no finding", () => {
    const { dir, txn } = store();
    const writer = exited();
    const claim = join(dir, `.state.json.next-${txn}.0`);
    writeFileSync(claim, tokenOf(writer), { mode: 0o600 });
    // left behind, it is stale
    expect(temps(dir).map((f) => [f.code, f.severity])).toEqual([["temp-file", "warning"]]);
    at.proc = { pid: writer.pid, meanwhile: () => unlinkSync(claim) };
    expect(temps(dir)).toEqual([]);
    expect(at.proc).toBeUndefined(); // the judgement did read /proc
  });

  it("a temporary file renamed in after its lstat is no finding", () => {
    const { dir } = store();
    const writer = exited();
    const temp = join(dir, `.state.json.tmp-${writer.pid}-abcdefgh`);
    writeFileSync(temp, "{}", { mode: 0o600 });
    expect(temps(dir).map((f) => [f.code, f.severity])).toEqual([["temp-file", "warning"]]);
    at.lstat = { path: temp, meanwhile: () => unlinkSync(temp) };
    expect(temps(dir)).toEqual([]);
    expect(at.lstat).toBeUndefined();
  });

  it("a lock released between the reading of its token and the judgement is no finding", () => {
    const { dir } = store();
    const writer = exited();
    const lock = join(dir, "state.lock");
    mkdirSync(lock, { mode: 0o700 });
    writeFileSync(join(lock, "holder"), tokenOf(writer), { mode: 0o600 });
    expect(temps(dir).map((f) => [f.code, f.severity])).toEqual([["lock-stale", "warning"]]);
    at.proc = {
      pid: writer.pid,
      meanwhile: () => {
        unlinkSync(join(lock, "holder"));
        rmdirSync(lock);
      },
    };
    expect(temps(dir)).toEqual([]);
    expect(at.proc).toBeUndefined();
  });

  it("a lock released after its lstat, before its token is read, is no finding", () => {
    const { dir } = store();
    const lock = join(dir, "state.lock");
    mkdirSync(lock, { mode: 0o700 });
    writeFileSync(join(lock, "holder"), tokenOf(exited()), { mode: 0o600 });
    expect(temps(dir).map((f) => [f.code, f.severity])).toEqual([["lock-stale", "warning"]]);
    at.lstat = {
      path: lock,
      meanwhile: () => {
        unlinkSync(join(lock, "holder"));
        rmdirSync(lock);
      },
    };
    expect(temps(dir)).toEqual([]);
    expect(at.lstat).toBeUndefined();
    expect(readdirSync(dir)).not.toContain("state.lock");
  });

  it("a repair finds a stale claim removed before it deletes it (by a document's writer): it goes on", async () => {
    const { dir, txn } = store();
    const claim = join(dir, `.state.json.next-${txn}.0`);
    writeFileSync(claim, tokenOf(exited()), { mode: 0o600 });
    at.unlink = { path: claim, meanwhile: () => unlinkSync(claim) };
    const r = await repair(dir, { lockWaitMs: 5_000, owner: { agent: "main", command: "doctor" } });
    expect(at.unlink).toBeUndefined();
    expect(r.actions.join("\n")).not.toMatch(/deleted the stale temporary file/);
    expect(r.after.healthy).toBe(true);
  });
});
