// Installing the skill folder (SKILL.md and references/) into an OpenClaw skills directory. Guarantee: a file the
// user changed after it was installed is never overwritten without --force; every file is replaced atomically
// (temp file, rename), so OpenClaw never loads half a SKILL.md. What was installed is remembered in a manifest
// (file -> sha256), which tells "changed by the user" apart from "an older taskpulse wrote it".
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { ConflictError, NotFoundError } from "../core/errors.ts";
import { writeFileDurably } from "./atomic-file.ts";

export const SKILL_NAME = "taskpulse";
const MANIFEST_FILE = ".taskpulse-skill.json";

export interface SkillFile {
  /** Relative path inside the skill folder, with `/` separators. */
  path: string;
  content: string;
}

type FileAction = "created" | "updated" | "unchanged" | "overwritten";

export interface InstallResult {
  dir: string;
  files: { path: string; action: FileAction }[];
}

/** The package root: the nearest directory above `start` holding taskpulse's package.json. */
export function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "taskpulse") return dir;
      } catch {
        // not ours, keep looking
      }
    }
    if (dirname(dir) === dir) throw new NotFoundError(`cannot find the taskpulse package above ${start}`, "reinstall taskpulse");
  }
}

/** SKILL.md and every file under references/, as shipped in the package. */
export function readSkillSource(root: string): SkillFile[] {
  const skill = join(root, "SKILL.md");
  if (!existsSync(skill)) throw new NotFoundError(`the package has no SKILL.md (${root})`, "reinstall taskpulse");
  const files: SkillFile[] = [{ path: "SKILL.md", content: readFileSync(skill, "utf8") }];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full, `${rel}${name}/`);
      else files.push({ path: `${rel}${name}`, content: readFileSync(full, "utf8") });
    }
  };
  if (existsSync(join(root, "references"))) walk(join(root, "references"), "references/");
  return files;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

function readManifest(dir: string): Record<string, string> {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), "utf8")) as { files?: Record<string, string> };
    return parsed.files ?? {};
  } catch {
    return {};
  }
}

/**
 * Writes `files` into `dir`. A file that exists with other content is replaced only when taskpulse wrote it and
 * nobody changed it since (its hash is the manifest's), or with `force`. Nothing is written unless every file may
 * be: a refusal leaves the folder as it was.
 */
export function installSkillFiles(dir: string, files: readonly SkillFile[], force: boolean): InstallResult {
  const manifest = readManifest(dir);
  const plan = files.map((file) => {
    const target = join(dir, ...file.path.split("/"));
    if (!existsSync(target)) return { file, target, action: "created" as FileAction };
    const current = readFileSync(target, "utf8");
    if (current === file.content) return { file, target, action: "unchanged" as FileAction };
    const ours = manifest[file.path] === sha256(current);
    return { file, target, action: (ours ? "updated" : "overwritten") as FileAction };
  });
  const changed = plan.filter((p) => p.action === "overwritten");
  if (changed.length > 0 && !force) {
    throw new ConflictError(
      `${changed.length} file(s) in ${dir} were changed since taskpulse installed them: ${changed.map((p) => p.file.path).join(", ")}`,
      "keep your copy, or run again with --force to replace them",
    );
  }
  for (const p of plan) {
    if (p.action === "unchanged") continue;
    mkdirSync(dirname(p.target), { recursive: true, mode: 0o700 });
    writeFileDurably(p.target, p.file.content);
  }
  const next = Object.fromEntries(files.map((f) => [f.path, sha256(f.content)]));
  if (JSON.stringify(next) !== JSON.stringify(manifest)) {
    writeFileDurably(join(dir, MANIFEST_FILE), `${JSON.stringify({ skill: SKILL_NAME, files: next }, null, 2)}\n`);
  }
  return { dir, files: plan.map((p) => ({ path: p.file.path, action: p.action })) };
}
