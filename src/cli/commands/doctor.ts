import type { Command } from "commander";
import { checkStore, type DoctorOptions } from "../../app/doctor.ts";
import { EXIT } from "../../core/errors.ts";
import type { Finding, Report } from "../../store/doctor.ts";
import type { CliCtx } from "../cli-context.ts";
import { example, note } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";

export function registerDoctor(program: Command, app: App): void {
  program
    .command("doctor")
    .description("check the store (files, journal, leftovers, lock, permissions); --repair fixes what it can, keeping damaged files aside")
    .option("--repair", "repair: rebuild a lost or damaged state file from the last good copy and the journal, clean up leftovers")
    .option("--force", "with --repair: rebuild even when the journal cannot give back everything (damaged files are still kept)")
    .addHelpText(
      "after",
      `${example("taskpulse doctor", "taskpulse doctor --repair")}

${note(`Exits 0 when the store is healthy (after a repair, when it is healthy afterwards), 6 when it is not.
Reads only: nothing secret is needed or printed. See references/troubleshooting.md for each finding.`)}`,
    )
    .action(app.action((ctx, opts: DoctorOptions) => doctor(ctx, opts)));
}

const MARK = { error: "✗", warning: "!", info: "·" } as const;

async function doctor(ctx: CliCtx, opts: DoctorOptions): Promise<Outcome> {
  const { store: dir, before, after, actions } = await checkStore(ctx, opts);
  const lines = [`taskpulse doctor: ${dir}`, ...renderFindings(before.findings)];
  if (actions) {
    lines.push("", actions.length > 0 ? "repair:" : "repair: nothing to do");
    for (const a of actions) lines.push(`  - ${a}`);
    if (actions.length > 0) lines.push("", "after repair:", ...renderFindings(after.findings));
  }
  lines.push("", verdict(after));
  return {
    data: {
      store: dir,
      healthy: after.healthy,
      findings: before.findings,
      ...(actions ? { repaired: actions, after: after.findings } : {}),
    },
    lines,
    quiet: after.healthy ? "healthy" : "unhealthy",
    exitCode: after.healthy ? EXIT.ok : EXIT.corrupt,
  };
}

function renderFindings(findings: readonly Finding[]): string[] {
  if (findings.length === 0) return ["  no findings"];
  const out: string[] = [];
  for (const f of findings) {
    out.push(`${MARK[f.severity]} ${f.severity.padEnd(7)} ${f.code}: ${f.message}`);
    out.push(`    means: ${f.meaning}`);
    out.push(`    do:    ${f.action}`);
  }
  return out;
}

function verdict(report: Report): string {
  const count = (s: Finding["severity"]) => report.findings.filter((f) => f.severity === s).length;
  if (report.healthy) return count("info") > 0 ? `healthy (${count("info")} note(s))` : "healthy";
  return `not healthy: ${count("error")} error(s), ${count("warning")} warning(s) (exit 6)`;
}
