// Named JSON documents for cron scripts that carry data between runs (Cron State Manager's state tool), each with
// its own lock and atomic writes (store/state-docs.ts). `update` changes a document without losing concurrent
// changes: it applies the change to the content it read under the lock. `set` replaces the whole document (guard it
// with `ifRev` when others may write too).
import { ConflictError, NotFoundError, UsageError } from "../core/errors.ts";
import { printable, validateSlug } from "../core/names.ts";
import { applyDocOps, type DocOp, getPath, parseJsonArg, parseLooseValue, parsePath, splitAssignment } from "../core/state-doc.ts";
import type { DocSummary, StateDoc } from "../store/state-docs.ts";
import type { Ctx } from "./context.ts";

export interface UpdateOptions {
  merge: string[];
  set: string[];
  unset: string[];
  incr: string[];
  push: string[];
  init?: string;
  ifRev?: string;
}

/** A document as the commands return it. */
export interface StateDocData {
  name: string;
  rev: number;
  updatedAt: string | null;
  value: unknown;
}

/** `taskpulse.*` names are taskpulse's own documents (the API tokens: app/api-tokens.ts), not the scripts'. */
function validateName(name: string): string {
  validateSlug(name, "state name");
  if (/^taskpulse\./i.test(name)) {
    throw new UsageError(`the state name '${name}' is reserved for taskpulse itself`, "use a name that does not start with taskpulse.");
  }
  return name;
}

function docData(doc: StateDoc): StateDocData {
  return { name: doc.name, rev: doc.rev, updatedAt: doc.updatedAt, value: doc.value };
}

function missing(name: string): NotFoundError {
  return new NotFoundError(`no state document '${name}'`, `create it with \`taskpulse state set ${name} <json>\``);
}

/** A document, or the part of it at `path` (dotted): `value` is that part. */
export async function readStateDoc(
  ctx: Ctx,
  nameArg: string,
  pathText: string | undefined,
): Promise<StateDocData & { path: string | null }> {
  const name = validateName(nameArg);
  const path = pathText === undefined ? undefined : parsePath(pathText);
  const doc = await ctx.store("state").readDoc(name);
  if (!doc) throw missing(name);
  let value = doc.value;
  if (path) {
    value = getPath(doc.value, path);
    if (value === undefined) throw new NotFoundError(`state document '${name}' has nothing at ${path.join(".")}`);
  }
  return { ...docData(doc), value, path: path?.join(".") ?? null };
}

/** Replaces a document with the JSON `json` (`-`: read from standard input). */
export async function writeStateDoc(ctx: Ctx, nameArg: string, json: string, opts: { ifRev?: string }): Promise<StateDocData> {
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
  return docData(doc);
}

/** Changes a document under its lock: merge, set, unset, increment, append (in that order). */
export async function updateStateDoc(ctx: Ctx, nameArg: string, opts: UpdateOptions): Promise<StateDocData> {
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
  return docData(doc);
}

export async function listStateDocs(ctx: Ctx): Promise<DocSummary[]> {
  return (await ctx.store("state").listDocs()).filter((d) => !/^taskpulse\./i.test(d.name));
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
