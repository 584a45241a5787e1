// `taskpulse state get|set|update|list`: named JSON documents for cron scripts that carry data between runs
// (Cron State Manager's state tool), each with its own lock and atomic writes (store/state-docs.ts). Use `update`
// to change a document without losing concurrent changes: it applies the change to the content it read under
// the lock. `set` replaces the whole document (guard it with --if-rev when others may write too).
import type { Command } from "commander";
import type { Ctx } from "../../app/context.ts";
import { ConflictError, NotFoundError, UsageError } from "../../core/errors.ts";
import { printable, validateSlug } from "../../core/names.ts";
import { applyDocOps, type DocOp, getPath, parseJsonArg, parseLooseValue, parsePath, splitAssignment } from "../../core/state-doc.ts";
import type { StateDoc } from "../../store/state-docs.ts";
import { example, note } from "../help-text.ts";
import type { Outcome } from "../outcome.ts";
import type { App } from "../program.ts";
import { t } from "./common.ts";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export interface UpdateOptions {
  merge: string[];
  set: string[];
  unset: string[];
  incr: string[];
  push: string[];
  init?: string;
  ifRev?: string;
}

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

/** `taskpulse.*` names are taskpulse's own documents (the API tokens: app/api-tokens.ts), not the scripts'. */
function validateName(name: string): string {
  validateSlug(name, "state name");
  if (/^taskpulse\./i.test(name)) {
    throw new UsageError(`the state name '${name}' is reserved for taskpulse itself`, "use a name that does not start with taskpulse.");
  }
  return name;
}

function docData(doc: StateDoc) {
  return { name: doc.name, rev: doc.rev, updatedAt: doc.updatedAt, value: doc.value };
}

function missing(name: string): NotFoundError {
  return new NotFoundError(`no state document '${name}'`, `create it with \`taskpulse state set ${name} <json>\``);
}

export async function stateGet(ctx: Ctx, nameArg: string, opts: { path?: string }): Promise<Outcome> {
  const name = validateName(nameArg);
  const path = opts.path === undefined ? undefined : parsePath(opts.path);
  const doc = await ctx.store("state").readDoc(name);
  if (!doc) throw missing(name);
  let value = doc.value;
  if (path) {
    value = getPath(doc.value, path);
    if (value === undefined) throw new NotFoundError(`state document '${name}' has nothing at ${path.join(".")}`);
  }
  const pretty = JSON.stringify(value, null, 2) ?? "null";
  // -q: strings bare (for $(…)), everything else compact JSON
  const quiet = typeof value === "string" ? value : JSON.stringify(value);
  return { data: { ...docData(doc), value, path: path?.join(".") ?? null }, lines: pretty.split("\n"), quiet };
}

export async function stateSet(ctx: Ctx, nameArg: string, json: string, opts: { ifRev?: string }): Promise<Outcome> {
  const name = validateName(nameArg);
  const ifRev = parseRev(opts.ifRev);
  let text = json;
  if (json === "-") {
    if (!ctx.deps.readStdin) throw new UsageError("standard input is not available here");
    text = await ctx.deps.readStdin();
  }
  const value = parseJsonArg(text.trim(), json === "-" ? "standard input" : "the value");
  const { doc } = await ctx.store("state").updateDoc(
    name,
    (current) => {
      checkRev(name, current, ifRev);
      return value;
    },
    ctx.now,
  );
  return {
    data: docData(doc),
    lines: [t(ctx, `saved ${name} (rev ${doc.rev})`, `已保存 ${name}（版本 ${doc.rev}）`)],
    quiet: String(doc.rev),
  };
}

export async function stateUpdate(ctx: Ctx, nameArg: string, opts: UpdateOptions): Promise<Outcome> {
  const name = validateName(nameArg);
  const ifRev = parseRev(opts.ifRev);
  const ops: DocOp[] = [];
  for (const m of opts.merge) ops.push({ op: "merge", patch: parseJsonArg(m, "--merge") });
  for (const s of opts.set) {
    const { path, value } = splitAssignment(s, "--set");
    ops.push({ op: "set", path, value: parseLooseValue(value) });
  }
  for (const u of opts.unset) ops.push({ op: "unset", path: parsePath(u) });
  for (const i of opts.incr) {
    const { path, value } = splitAssignment(i, "--incr");
    const by = Number(value);
    if (value.trim() === "" || !Number.isFinite(by))
      throw new UsageError(`invalid --incr '${printable(i)}'`, "use --incr path=n, e.g. --incr total=300", {
        detail: { key: "invalid_value", what: "--incr", value: printable(i) },
      });
    ops.push({ op: "incr", path, by });
  }
  for (const p of opts.push) {
    const { path, value } = splitAssignment(p, "--push");
    ops.push({ op: "push", path, value: parseLooseValue(value) });
  }
  if (ops.length === 0) throw new UsageError("nothing to update", "give --merge, --set, --unset, --incr or --push");
  const init = opts.init === undefined ? undefined : parseJsonArg(opts.init, "--init");
  const { doc } = await ctx.store("state").updateDoc(
    name,
    (current) => {
      checkRev(name, current, ifRev);
      if (!current && init === undefined) throw missing(name);
      return applyDocOps(current ? current.value : init, ops);
    },
    ctx.now,
  );
  return {
    data: docData(doc),
    lines: [t(ctx, `updated ${name} (rev ${doc.rev})`, `已更新 ${name}（版本 ${doc.rev}）`)],
    quiet: String(doc.rev),
  };
}

export async function stateList(ctx: Ctx): Promise<Outcome> {
  const docs = (await ctx.store("state").listDocs()).filter((d) => !/^taskpulse\./i.test(d.name));
  if (docs.length === 0) return { data: { documents: [] }, lines: [t(ctx, "no state documents", "没有状态文档")], quiet: "" };
  const width = Math.max(...docs.map((d) => d.name.length));
  const lines = docs.map((d) => `${d.name.padEnd(width)}  rev ${d.rev}  ${d.bytes} B${d.updatedAt ? `  ${d.updatedAt}` : ""}`);
  return { data: { documents: docs }, lines, quiet: docs.map((d) => d.name).join("\n") };
}

function parseRev(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,12}$/.test(value))
    throw new UsageError(`invalid --if-rev '${printable(value)}'`, "use the rev printed by `state get --json`", {
      detail: { key: "invalid_value", what: "--if-rev", value: printable(value) },
    });
  return Number(value);
}

function checkRev(name: string, current: StateDoc | undefined, ifRev: number | undefined): void {
  if (ifRev === undefined) return;
  const rev = current?.rev ?? 0;
  const exists = current !== undefined;
  if ((ifRev === 0 && exists) || (ifRev !== 0 && rev !== ifRev)) {
    throw new ConflictError(
      `state document '${name}' is at revision ${exists ? rev : "none (missing)"}, not ${ifRev}`,
      "someone else changed it: read it again, or use `taskpulse state update` which never loses changes",
    );
  }
}
