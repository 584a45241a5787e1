// The entries of the store directory and its subdirectories: links, temporary files, the lock, permissions, damaged
// copies and files taskpulse does not know.
import { lstatSync, readdirSync, type Stats } from "node:fs";
import { join } from "node:path";
import { ARCHIVE_DIR } from "../archive.ts";
import { CHECKPOINT_FILE } from "../checkpoint.ts";
import { STALE_MS } from "../lock.ts";
import { JOURNAL_FILE, PREVIOUS_JOURNAL_FILE, STATE_FILE } from "../state-file.ts";
import type { Analysis, Finding } from "./findings.ts";
import { MONTH_FILE } from "./lines.ts";

const KNOWN_FILES = new Set([
  STATE_FILE,
  JOURNAL_FILE,
  PREVIOUS_JOURNAL_FILE,
  CHECKPOINT_FILE,
  "lock-owner.json",
  "state.lock",
  ARCHIVE_DIR,
]);
const TEMP = /^\.(.+)\.tmp-(\d+)-[a-z0-9]+$/;
const DAMAGED = /\.damaged-\d{8}T\d{6}Z(-\d+)?$/;

export function listArchive(dir: string): string[] {
  try {
    if (!lstatSync(join(dir, ARCHIVE_DIR)).isDirectory()) return []; // a link or a file: reported by scanEntries
    return readdirSync(join(dir, ARCHIVE_DIR));
  } catch {
    return [];
  }
}

/** Links, temporary files, the lock, permissions, damaged copies and unknown files, in the store and archive/. */
export function scanEntries(dir: string, entries: string[], archiveEntries: string[], a: Analysis, clock: () => number): void {
  const add = (f: Finding) => a.report.findings.push(f);
  const perms: string[] = [];
  const damaged: string[] = [];
  const unknown: string[] = [];
  checkMode(dir, "", true, perms);
  const visit = (rel: string, inArchive: boolean) => {
    const name = rel.slice(rel.lastIndexOf("/") + 1);
    let st: Stats;
    try {
      st = lstatSync(join(dir, rel));
    } catch {
      return; // gone meanwhile
    }
    if (DAMAGED.test(name)) {
      damaged.push(rel); // a copy kept by a repair (possibly a link it moved aside): never touched again
      return;
    }
    if (st.isSymbolicLink()) {
      a.links.push(rel);
      add({
        code: "link",
        severity: "warning",
        file: rel,
        message: `${rel} is a symbolic link`,
        meaning: "taskpulse never writes through links in its store: a commit replaces it, or refuses to append through it (exit 6)",
        action:
          "run `taskpulse doctor --repair`: it renames the link aside (the file it points to is not touched) and rebuilds what it stood for",
      });
      return;
    }
    const temp = TEMP.exec(name);
    if (temp) {
      const pid = Number(temp[2]);
      const age = clock() - st.mtimeMs;
      const stale = !alive(pid) || age > STALE_MS;
      a.temps.push({ file: rel, stale });
      add({
        code: "temp-file",
        severity: stale ? "warning" : "info",
        file: rel,
        message: `temporary file ${rel} (pid ${pid}, ${Math.round(age / 1000)} s old)`,
        meaning: stale
          ? "a writer was killed before it could rename this file into place; its change never committed, so nothing is lost"
          : "a writer is committing right now",
        action: stale ? "run `taskpulse doctor --repair` to delete it" : "nothing",
      });
      return;
    }
    if (!inArchive && name === "state.lock") {
      const age = clock() - st.mtimeMs;
      if (age > STALE_MS) {
        a.staleLock = true;
        add({
          code: "lock-stale",
          severity: "warning",
          file: rel,
          message: `the store lock is ${Math.round(age / 1000)} s old`,
          meaning: "its holder was killed; the next writer takes it over automatically (after about 10 s)",
          action: "nothing is required; `taskpulse doctor --repair` removes it now",
        });
      } else {
        add({
          code: "lock-held",
          severity: "info",
          file: rel,
          message: "the store lock is held",
          meaning: "another taskpulse is writing right now (or was killed less than 10 s ago)",
          action: "nothing",
        });
      }
      return;
    }
    if (inArchive ? !MONTH_FILE.test(name) : !KNOWN_FILES.has(name)) unknown.push(rel);
    if (st.isFile() || st.isDirectory()) checkMode(join(dir, rel), rel, st.isDirectory(), perms, st);
  };
  for (const name of entries) visit(name, false);
  for (const name of archiveEntries) visit(join(ARCHIVE_DIR, name), true);
  if (perms.length > 0) {
    a.perms.push(...perms);
    add({
      code: "permissions",
      severity: "warning",
      file: perms[0] || ".",
      message: `${perms.length} path(s) are readable or writable by others: ${perms
        .slice(0, 5)
        .map((p) => p || ".")
        .join(", ")}${perms.length > 5 ? ", …" : ""}`,
      meaning: "store files should be the owner's only (files 0600, directories 0700): tasks carry names, messages and chat targets",
      action: "run `taskpulse doctor --repair` to set them",
    });
  }
  if (damaged.length > 0) {
    add({
      code: "damaged-copy",
      severity: "info",
      message: `${damaged.length} damaged file(s) kept by an earlier repair: ${damaged.slice(0, 5).join(", ")}${damaged.length > 5 ? ", …" : ""}`,
      meaning: "copies of files a repair replaced, kept for you to inspect; taskpulse does not read them",
      action: "delete them when you no longer need them",
    });
  }
  if (unknown.length > 0) {
    add({
      code: "unknown-file",
      severity: "info",
      message: `${unknown.length} file(s) taskpulse does not know: ${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ", …" : ""}`,
      meaning: "not written by this version of taskpulse; left alone",
      action: "nothing, unless you did not expect them",
    });
  }
}

function checkMode(path: string, rel: string, isDir: boolean, out: string[], st?: Stats): void {
  const mode = (st ?? lstatSync(path)).mode & 0o777;
  if (isDir ? mode !== 0o700 : mode !== 0o600) out.push(rel);
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
