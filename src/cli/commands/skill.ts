import type { Command } from "commander";
import { installSkill, type SkillInstallOptions } from "../../app/skill.ts";
import { findPackageRoot } from "../../store/skill-files.ts";
import type { CliCtx } from "../cli-context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

export function registerSkill(program: Command, app: App): void {
  const skill = program
    .command("skill")
    .description("manage the taskpulse skill (SKILL.md and references/) in an OpenClaw workspace")
    .addHelpText("after", example("taskpulse skill install", "taskpulse skill install --dir ~/.openclaw/skills"));
  skill
    .command("install")
    .description("write the skill folder taskpulse/ into the workspace's skills directory (changed files only with --force)")
    .option(
      "--dir <skills-dir>",
      "the skills directory (default: <workspace>/skills of the OpenClaw workspace you are in, else ~/.openclaw/workspace/skills)",
    )
    .option("--force", "replace files that were changed since taskpulse installed them")
    .addHelpText(
      "after",
      example(
        "taskpulse skill install",
        "taskpulse skill install --dir ~/.openclaw/workspace-coder/skills",
        "taskpulse skill install --dir ~/.openclaw/skills   # all agents of this host",
      ),
    )
    .action(app.action((ctx, opts: SkillInstallOptions) => installSkillCommand(ctx, opts)))
    .exitOverride();
}

/** The package's own files: the bundle lives in dist/ (or the sources in src/cli/commands/), the package above. */
function packageRoot(): string {
  return findPackageRoot(__dirname);
}

async function installSkillCommand(ctx: CliCtx, opts: SkillInstallOptions): Promise<Outcome> {
  const { dir, result } = installSkill(ctx, opts, packageRoot());
  const count = (a: string) => result.files.filter((f) => f.action === a).length;
  const summary = [
    ["created", "新建"],
    ["updated", "更新"],
    ["overwritten", "覆盖"],
    ["unchanged", "未变"],
  ]
    .filter(([a]) => count(a as string) > 0)
    .map(([en, zh]) => `${count(en as string)} ${t(ctx, en as string, zh as string)}`)
    .join(", ");
  const changed = count("unchanged") < result.files.length;
  return {
    data: result,
    lines: [
      changed
        ? t(ctx, `installed the taskpulse skill in ${dir} (${summary})`, `已安装 taskpulse 技能到 ${dir}（${summary}）`)
        : t(ctx, `the taskpulse skill in ${dir} is up to date`, `${dir} 中的 taskpulse 技能已是最新`),
      t(
        ctx,
        "new OpenClaw sessions load it; add the heartbeat entries with: taskpulse heartbeat-line",
        "新的 OpenClaw 会话会加载它；心跳清单条目见：taskpulse heartbeat-line",
      ),
    ],
    quiet: dir,
  };
}
