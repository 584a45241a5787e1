// Writes that cannot complete: each leaves the previous state byte for byte, exits 6 with one clear line (no stack
// trace), and leaves no temporary file behind. Tests run as root in CI, where chmod does not stop writes: the
// read-only cases run the binary as an unprivileged user, or in a private mount namespace (skipped when the
// machine does not allow one).
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, cli, ROOT, spawnCliSync, tempDir } from "../support/helpers.ts";

let publicCopy: string | undefined;
afterAll(() => {
  if (publicCopy) rmSync(publicCopy, { recursive: true, force: true });
});

/**
 * The program for a call as the unprivileged user: bin/ and dist/ copied into a world-readable temporary directory
 * (bin/taskpulse.js loads ../dist/ next to itself), since that user may not reach the checkout: one inside a
 * private directory (mode 0700, as `mktemp -d` makes, and many home directories are) would fail every such call
 * with exit 1, wherever the test is run from. Node itself is copied there too when that user cannot run the one
 * running the tests (one installed under root's home, say).
 */
function unprivileged(): { node: string; bin: string } {
  if (!publicCopy) {
    publicCopy = mkdtempSync(join(tmpdir(), "tp-bin-"));
    for (const dir of ["bin", "dist"]) cpSync(join(ROOT, dir), join(publicCopy, dir), { recursive: true });
    chmodSync(publicCopy, 0o755);
    if (spawnSync(process.execPath, ["-e", ""], { uid: 65534, gid: 65534 }).status !== 0) {
      copyFileSync(process.execPath, join(publicCopy, "node"));
      chmodSync(join(publicCopy, "node"), 0o755);
    }
  }
  const copied = join(publicCopy, "node");
  return { node: existsSync(copied) ? copied : process.execPath, bin: join(publicCopy, "bin", "taskpulse.js") };
}

/** Node and the binary to spawn: the public copies when the call runs as the unprivileged user. */
const programFor = (asRoot: boolean) => (asRoot ? unprivileged() : { node: process.execPath, bin: BIN });

function files(store: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ["state.json", "journal.jsonl"]) {
    try {
      out[name] = readFileSync(join(store, name), "utf8");
    } catch {
      out[name] = "<absent>";
    }
  }
  return out;
}

function expectCleanFailure(r: { code: number | null; stderr: string; stdout: string }, what: RegExp): void {
  expect(r.code).toBe(6);
  expect(r.stderr).toMatch(what);
  expect(r.stderr).toMatch(/hint: /);
  expect(`${r.stdout}${r.stderr}`).not.toMatch(/\n\s+at /);
}

async function storeWithTask(): Promise<{ store: string; id: string }> {
  const store = tempDir();
  const id = (await cli({ store }, "create", "-q", "A", "s1", "s2", "--start")).stdout.trim();
  return { store, id };
}

const tempFiles = (store: string) => readdirSync(store).filter((f) => f.includes(".tmp-"));

describe("a write that cannot complete", () => {
  it("journal.jsonl replaced by a directory: exit 6, state untouched", async () => {
    const { store, id } = await storeWithTask();
    rmSync(join(store, "journal.jsonl"));
    mkdirSync(join(store, "journal.jsonl"));
    const before = files(store);
    const r = await cli({ store }, "next", id, "one");
    expectCleanFailure(r, /cannot use the store: EISDIR/);
    expect(files(store)).toEqual(before);
    expect(tempFiles(store)).toEqual([]);
  });

  it("state.json replaced by a directory: reads and writes exit 6", async () => {
    const { store, id } = await storeWithTask();
    rmSync(join(store, "state.json"));
    mkdirSync(join(store, "state.json"));
    expectCleanFailure(await cli({ store }, "status"), /state\.json is a directory/);
    expectCleanFailure(await cli({ store }, "next", id, "one"), /state\.json is a directory/);
    expect(tempFiles(store)).toEqual([]);
  });

  it("an archive month file replaced by a directory: cleanup exits 6 and the task stays in the hot state", async () => {
    const { store, id } = await storeWithTask();
    await cli({ store }, "done", id);
    mkdirSync(join(store, "archive", "2026-05.tasks.jsonl"), { recursive: true });
    const before = files(store);
    const r = await cli({ store, now: "2026-05-20T10:00:00Z" }, "cleanup");
    expectCleanFailure(r, /cannot use the store: EISDIR/);
    expect(files(store)).toEqual(before);
    expect((await cli({ store }, "status", id, "--json")).json.data.task.status).toBe("done");
  });

  it("a read-only store directory (chmod 0500, run as an unprivileged user): exit 6, state untouched", async () => {
    const { store, id } = await storeWithTask();
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      for (const f of ["", ...readdirSync(store)]) chownSync(join(store, f), 65534, 65534);
    }
    chmodSync(store, 0o500);
    const before = files(store);
    const { node, bin } = programFor(asRoot);
    const r = spawnSync(node, [bin, "next", id, "one"], {
      env: { PATH: process.env.PATH, TASKPULSE_HOME: store, LANG: "C" },
      encoding: "utf8",
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    chmodSync(store, 0o700);
    expectCleanFailure({ code: r.status, stdout: r.stdout, stderr: r.stderr }, /cannot use the store: EACCES/);
    expect(files(store)).toEqual(before);
  });
});

/** Runs a shell script in a private mount namespace; undefined when this machine does not allow one. */
function inMountNamespace(script: string): { status: number | null; stdout: string; stderr: string } | undefined {
  const probe = spawnSync("unshare", ["-m", "sh", "-c", "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs $d && umount $d && rmdir $d"]);
  if (probe.status !== 0) return undefined;
  const r = spawnSync("unshare", ["-m", "sh", "-c", script], { encoding: "utf8", env: { PATH: process.env.PATH, LANG: "C" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tp = `"${process.execPath}" "${BIN}"`;

describe("a store on a filesystem that fails", () => {
  it("read-only filesystem (EROFS): exit 6, state untouched", async (ctx) => {
    const { store, id } = await storeWithTask();
    const before = files(store);
    const r = inMountNamespace(
      `set -e; mount --bind "${store}" "${store}"; mount -o remount,ro,bind "${store}"; export TASKPULSE_HOME="${store}";
       set +e; ${tp} next ${id} one; echo "exit=$?"`,
    );
    if (!r) return ctx.skip();
    expect(r.stdout).toContain("exit=6");
    expect(r.stderr).toMatch(/cannot use the store: EROFS/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(files(store)).toEqual(before);
  });

  it("full disk (a 64 KiB tmpfs, filled): exit 6, state untouched; after space is freed the next write works", async (ctx) => {
    const dir = tempDir();
    const store = join(dir, "store");
    mkdirSync(store);
    writeFileSync(join(dir, "description.txt"), "x".repeat(7000));
    const r = inMountNamespace(
      `set -e; mount -t tmpfs -o size=64k,mode=0700 tmpfs "${store}"; export TASKPULSE_HOME="${store}"
       id=$(${tp} create -q A s1 s2 --start)
       cp "${store}/state.json" "${dir}/before.json"
       dd if=/dev/zero of="${store}/filler" bs=1024 2>/dev/null || true
       set +e
       ${tp} next "$id" "$(cat "${dir}/description.txt")"; echo "full=$?"
       cmp -s "${store}/state.json" "${dir}/before.json"; echo "same=$?"
       ls -a "${store}" | grep -c '\\.tmp-' ; rm "${store}/filler"
       ${tp} next "$id" one >/dev/null; echo "freed=$?"
       ${tp} doctor >/dev/null; echo "doctor=$?"`,
    );
    if (!r) return ctx.skip();
    expect(r.stdout).toContain("full=6");
    expect(r.stdout).toContain("same=0");
    expect(r.stdout).toMatch(/^0$/m); // no temporary file left behind
    expect(r.stdout).toContain("freed=0");
    expect(r.stdout).toContain("doctor=0"); // the failed append was cut back off: no torn line is left
    expect(r.stderr).toMatch(/cannot use the store: ENOSPC/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("a store that cannot be created", () => {
  it("on a read-only file system, two levels deep: exit 6 naming EROFS and the directory that could not be made", async (ctx) => {
    const parent = tempDir();
    const store = join(parent, "a", "b");
    const r = inMountNamespace(
      `set -e; mount --bind "${parent}" "${parent}"; mount -o remount,ro,bind "${parent}"; export TASKPULSE_HOME="${store}";
       set +e; ${tp} create A; echo "exit=$?"`,
    );
    if (!r) return ctx.skip();
    expect(r.stdout).toContain("exit=6");
    expect(r.stderr).toContain(`error: cannot create the store directory ${join(parent, "a")} (for the store ${store}): EROFS`);
    expect(r.stderr).toMatch(/hint: nothing was changed; remount it read-write/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(parent)).toEqual([]);
  });

  it("below a directory the user may not write (run as an unprivileged user): exit 6 naming EACCES and that level", async () => {
    const parent = tempDir();
    chmodSync(parent, 0o755);
    const asRoot = process.getuid?.() === 0;
    const store = join(parent, "a", "b");
    const { node, bin } = programFor(asRoot);
    const r = spawnSync(node, [bin, "create", "A"], {
      env: { PATH: process.env.PATH, TASKPULSE_HOME: store, LANG: "C" },
      encoding: "utf8",
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    if (!asRoot) chmodSync(parent, 0o755);
    expect(r.status).toBe(6);
    expect(r.stderr).toContain(`cannot create the store directory ${join(parent, "a")} (for the store ${store}): EACCES`);
    expect(readdirSync(parent)).toEqual([]);
  });

  it("below a file: exit 6 naming ENOTDIR", async () => {
    const parent = tempDir();
    writeFileSync(join(parent, "file"), "");
    const r = await cli({ store: join(parent, "file", "store") }, "create", "A");
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(`cannot create the store directory ${join(parent, "file", "store")}: ENOTDIR`);
  });

  it("under /proc, where nothing can be made: exits 6 at once (it used to spin at 100% CPU)", () => {
    const r = spawnSync(process.execPath, [BIN, "create", "A"], {
      env: { PATH: process.env.PATH, TASKPULSE_HOME: "/proc/self/x", LANG: "C" },
      encoding: "utf8",
      timeout: 60_000, // an honest run takes a second or two; one that spins never ends
    });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(6);
    expect(r.stderr).toContain("cannot create the store directory /proc/self/x: ENOENT, this file system does not allow making it");
    const state = spawnSync(process.execPath, [BIN, "state", "set", "x", "1"], {
      env: { PATH: process.env.PATH, TASKPULSE_HOME: "/proc/self/x", LANG: "C" },
      encoding: "utf8",
      timeout: 60_000, // an honest run takes a second or two; one that spins never ends
    });
    expect(state.status).toBe(6);
  });
});

describe("a read on a full disk", () => {
  it("status still prints (exit 0) when the stall alert cannot be recorded, with a warning; the alert comes later", async (ctx) => {
    const dir = tempDir();
    const store = join(dir, "store");
    mkdirSync(store);
    const later = "--now=2026-05-01T11:00:00Z"; // an hour after the start: the task is stalled
    const r = inMountNamespace(
      `set -e; mount -t tmpfs -o size=64k,mode=0700 tmpfs "${store}"; export TASKPULSE_HOME="${store}"
       id=$(${tp} --now=2026-05-01T10:00:00Z create -q "Nightly report" fetch write --start)
       cp "${store}/state.json" "${dir}/before.json"
       dd if=/dev/zero of="${store}/filler" bs=1024 2>/dev/null || true
       set +e
       ${tp} ${later} status; echo "overview=$?"
       ${tp} ${later} status "$id"; echo "one=$?"
       ${tp} ${later} status --alerts; echo "alerts=$?"
       ${tp} ${later} status --json > "${dir}/status.json"; echo "json=$?"
       cmp -s "${store}/state.json" "${dir}/before.json"; echo "same=$?"
       ls -a "${store}" | grep -c '.tmp-' ; rm "${store}/filler"
       echo "--- freed"
       ${tp} ${later} status --alerts; echo "freed=$?"`,
    );
    if (!r) return ctx.skip();
    const [full, freed] = r.stdout.split("--- freed\n") as [string, string];
    expect(full).toContain("overview=0");
    expect(full).toContain("one=0");
    expect(full).toContain("alerts=0");
    expect(full).toContain("json=0");
    expect(full).toContain("same=0"); // nothing was written
    expect(full).toMatch(/^0$/m); // no temporary file left behind
    expect(full).toMatch(/Nightly report/); // the overview and the one task were printed
    expect(full).toMatch(/fetch/);
    expect(full).not.toContain("--- push ---"); // an alert that was not recorded is not printed either
    const json = JSON.parse(readFileSync(join(dir, "status.json"), "utf8"));
    expect(json.ok).toBe(true);
    expect(json.push).toBeNull();
    expect(json.data.tasks[0].liveness.stalled).toBe(true);
    const warnings = r.stderr.match(/^warning: the stall alert could not be recorded \(ENOSPC[^\n]*$/gm) ?? [];
    expect(warnings).toHaveLength(2); // --alerts and --json: a person's status does not try to record it
    expect(r.stderr).not.toMatch(/^error:/m);
    // once the disk has room, the next status records the alert and prints it, once
    expect(freed).toContain("freed=0");
    expect(freed).toContain("--- push ---");
    expect(freed).toMatch(/Nightly report/);
  });
});

describe("spawned", () => {
  it("a disk error in the real binary prints one line and a hint, no stack trace", async () => {
    const { store, id } = await storeWithTask();
    rmSync(join(store, "journal.jsonl"));
    mkdirSync(join(store, "journal.jsonl"));
    expectCleanFailure(spawnCliSync(store, ["next", id, "one"]), /^error: cannot use the store: EISDIR/);
  });
});
