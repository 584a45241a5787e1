import type { Command } from "commander";
import { type QueryOptions, queryTasks } from "../../app/query.ts";
import type { Summary } from "../../core/insight.ts";
import { priorityText } from "../../core/priority.ts";
import type { CliCtx } from "../cli-context.ts";
import { example } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { paint } from "../render/color.ts";
import { ago, columnsOf } from "../render/task-text.ts";
import { clip, pad, width } from "../render/text-width.ts";
import { t } from "./common.ts";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerQuery(program: Command, app: App): void {
  program
    .command("query")
    .aliases(["list", "ls"])
    .description("find tasks, hot and archived: filters combine (all must match)")
    .option(
      "--status <status>",
      "pending, running, done (completed), failed (error), cancelled, stalled, blocked; repeatable or comma-separated",
      collect,
      [],
    )
    .option("--min-priority <p>", "at least this priority (1-10 or P0-P3)")
    .option("--max-priority <p>", "at most this priority")
    .option("--tag <tag>", "has this tag (repeatable: all of them)", collect, [])
    .option("--group <name>", "in this group")
    .option("--meta <key=value>", "has this parameter (value JSON or text; key alone: has the key); repeatable", collect, [])
    .option("--text <text>", "name or description contains this (case-insensitive)")
    .option("--from <time>", "on or after: ISO date/time or a relative age like 24h, 7d")
    .option("--to <time>", "on or before: ISO date/time (a date alone includes that whole day) or a relative age")
    .option("--by <field>", "which time --from/--to apply to: created, started or finished", "created")
    .option("--limit <n>", "at most this many rows", "50")
    .option("--sort <key>", "created, started, finished, priority, name or agent; prefix - for descending", "-created")
    .addHelpText(
      "after",
      example(
        "taskpulse query --agent anna --status pending",
        "taskpulse query --status failed --from 24h --by finished",
        "taskpulse query --min-priority P1 --tag backend --json",
      ),
    )
    .action(app.action((ctx, opts: QueryOptions) => query(ctx, opts)));
}

async function query(ctx: CliCtx, opts: QueryOptions): Promise<Outcome> {
  const result = await queryTasks(ctx, opts);
  return {
    data: { total: result.total, tasks: result.tasks },
    lines: renderTable(ctx, result.tasks, result.total),
    quiet: result.tasks.map((s) => s.id).join("\n"),
  };
}

export function renderTable(ctx: CliCtx, rows: readonly Summary[], total: number): string[] {
  if (rows.length === 0) return [t(ctx, "no matching tasks", "无数据")];
  const c = paint(ctx.color);
  const header = ["ID", "AGENT", "PRI", "STATUS", "NAME", "AGE"];
  const cells = rows.map((s) => [s.id, clip(s.agent, 16), priorityText(s), s.state ?? s.status, s.name, ago(ctx, s.createdAt)]);
  const NAME = 4;
  const widthOf = (i: number) => Math.max(width(header[i] as string), ...cells.map((r) => width(r[i] as string)));
  // The name takes what the other columns leave of the terminal's width (at least 8, at most 60 columns).
  const others = [0, 1, 2, 3, 5].reduce((sum, i) => sum + widthOf(i) + 2, 0);
  const room = Math.min(60, Math.max(8, columnsOf(ctx) - others));
  const body = cells.map((r) => r.map((cell, i) => (i === NAME ? clip(cell, room) : cell)));
  const widths = header.map((h, i) => Math.max(width(h), ...body.map((r) => width(r[i] as string))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => pad(cell, widths[i] as number))
      .join("  ")
      .trimEnd();
  const out = [c.bold(line(header)), ...body.map(line)];
  if (total > rows.length)
    out.push(c.dim(t(ctx, `… ${total - rows.length} more (use --limit)`, `… 还有 ${total - rows.length} 条（用 --limit）`)));
  return out;
}

// width() and clip() moved to render/text-width.ts; re-exported for callers that import them from here.
export { clip, width } from "../render/text-width.ts";
