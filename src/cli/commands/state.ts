// `taskpulse state get|set|update|list`: named JSON documents for cron scripts (src/app/state-docs.ts); this file
// declares the options and renders.
import type { Command } from "commander";
import { listStateDocs, readStateDoc, type UpdateOptions, updateStateDoc, writeStateDoc } from "../../app/state-docs.ts";
import type { CliCtx } from "../cli-context.ts";
import { example, note } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerState(program: Command, app: App): void {
  const state = program
    .command("state")
    .description("named JSON documents for cron scripts, with locked, atomic writes (get, set, update, list)")
    .addHelpText(
      "after",
      `
${note(`Names are like agent names (letters, digits, . _ -). Files: <store>/state/<name>.json.

Concurrent writers: use \`update\`, which changes the document read under its lock (nothing is lost);
\`set --if-rev N\` refuses (exit 4) when someone else wrote since you read revision N.`)}
${example(
  'taskpulse state set water \'{"date":"2026-05-26","total":0,"records":[]}\'',
  'taskpulse state update water --incr total=300 --push records=\'{"time":"12:00","amount":300}\'',
  "taskpulse state get water --path total",
)}`,
    );

  state
    .command("get")
    .description("print a document (exit 3 when there is none)")
    .argument("<name>", "document name")
    .option("--path <path>", "print only this part, e.g. records.0.amount")
    .addHelpText("after", example("taskpulse state get water", "TOTAL=$(taskpulse state get water --path total -q)"))
    .action(app.action((ctx, name: string, opts: { path?: string }) => stateGet(ctx, name, opts)));

  state
    .command("set")
    .description("replace a document with a JSON value (`-` reads it from stdin)")
    .argument("<name>", "document name")
    .argument("<json>", "the new value, or - for stdin")
    .option("--if-rev <n>", "only if the document is still at this revision (0: only if it does not exist)")
    .addHelpText("after", example("taskpulse state set water '{\"total\":0}'", "python3 make-state.py | taskpulse state set water -"))
    .action(app.action((ctx, name: string, json: string, opts: { ifRev?: string }) => stateSet(ctx, name, json, opts)));

  state
    .command("update")
    .description("change a document under its lock: merge, set, unset, increment, append (applied in that order)")
    .argument("<name>", "document name")
    .option("--merge <json>", "JSON Merge Patch (RFC 7386): objects merge deeply, arrays and values replace, null deletes", collect, [])
    .option("--set <path=value>", "set a value (JSON, else text) (repeatable)", collect, [])
    .option("--unset <path>", "remove a key or array element (repeatable)", collect, [])
    .option("--incr <path=n>", "add n to a number (missing counts as 0) (repeatable)", collect, [])
    .option("--push <path=value>", "append a value (JSON, else text) to an array (missing: a new array) (repeatable)", collect, [])
    .option("--init <json>", "the starting value when the document does not exist yet (else: exit 3)")
    .option("--if-rev <n>", "only if the document is still at this revision")
    .addHelpText(
      "after",
      example(
        'taskpulse state update water --merge \'{"date":"2026-05-27","total":0}\'',
        "taskpulse state update counters --init '{}' --incr runs=1",
      ),
    )
    .action(app.action((ctx, name: string, opts: UpdateOptions) => stateUpdate(ctx, name, opts)));

  state
    .command("list")
    .description("the documents, with revision and last change")
    .addHelpText("after", example("taskpulse state list"))
    .action(app.action((ctx) => stateList(ctx)));
}

async function stateGet(ctx: CliCtx, name: string, opts: { path?: string }): Promise<Outcome> {
  const data = await readStateDoc(ctx, name, opts.path);
  const pretty = JSON.stringify(data.value, null, 2) ?? "null";
  // -q: strings bare (for $(…)), everything else compact JSON
  const quiet = typeof data.value === "string" ? data.value : JSON.stringify(data.value);
  return { data, lines: pretty.split("\n"), quiet };
}

async function stateSet(ctx: CliCtx, name: string, json: string, opts: { ifRev?: string }): Promise<Outcome> {
  const doc = await writeStateDoc(ctx, name, json, opts);
  return {
    data: doc,
    lines: [t(ctx, `saved ${doc.name} (rev ${doc.rev})`, `已保存 ${doc.name}（版本 ${doc.rev}）`)],
    quiet: String(doc.rev),
  };
}

async function stateUpdate(ctx: CliCtx, name: string, opts: UpdateOptions): Promise<Outcome> {
  const doc = await updateStateDoc(ctx, name, opts);
  return {
    data: doc,
    lines: [t(ctx, `updated ${doc.name} (rev ${doc.rev})`, `已更新 ${doc.name}（版本 ${doc.rev}）`)],
    quiet: String(doc.rev),
  };
}

async function stateList(ctx: CliCtx): Promise<Outcome> {
  const docs = await listStateDocs(ctx);
  if (docs.length === 0) return { data: { documents: [] }, lines: [t(ctx, "no state documents", "没有状态文档")], quiet: "" };
  const width = Math.max(...docs.map((d) => d.name.length));
  const lines = docs.map((d) => `${d.name.padEnd(width)}  rev ${d.rev}  ${d.bytes} B${d.updatedAt ? `  ${d.updatedAt}` : ""}`);
  return { data: { documents: docs }, lines, quiet: docs.map((d) => d.name).join("\n") };
}
