// Changes to state documents, pure: a document is any JSON value; a change is applied to a copy of it and the
// result returned. `merge` is JSON Merge Patch (RFC 7386): objects merge recursively, anything else (arrays
// included) replaces, and `null` removes a key. Paths are dot-separated keys (`records.0.amount`; a number indexes
// an array). Keys that would reach an object's prototype are refused.
import { UsageError } from "./errors.ts";
import { printable } from "./names.ts";

export type DocOp =
  | { op: "merge"; patch: unknown }
  | { op: "set"; path: string[]; value: unknown }
  | { op: "unset"; path: string[] }
  | { op: "incr"; path: string[]; by: number }
  | { op: "push"; path: string[]; value: unknown };

type JsonObject = Record<string, unknown>;

const FORBIDDEN = new Set(["__proto__", "prototype", "constructor"]);

export function parsePath(text: string): string[] {
  const path = text.split(".");
  if (text === "" || path.some((p) => p === "")) {
    throw new UsageError(`invalid path '${printable(text)}'`, "use dot-separated keys such as total or records.0.amount");
  }
  for (const key of path) checkKey(key);
  return path;
}

function checkKey(key: string): void {
  if (FORBIDDEN.has(key)) throw new UsageError(`the key '${key}' is not allowed in state documents`);
}

export function parseJsonArg(text: string, what: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    checkKeys(value);
    return value;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${what} is not valid JSON: ${printable(text)}`, `quote it for the shell, e.g. '{"total":0}'`);
  }
}

/** `--set path=value`: the value is JSON when it parses as JSON, else the text itself (so `--set note=hi` works). */
export function parseLooseValue(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    checkKeys(value);
    return value;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    return text;
  }
}

/** Splits `path=value` at the first `=`. */
export function splitAssignment(text: string, option: string): { path: string[]; value: string } {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new UsageError(`invalid ${option} '${printable(text)}'`, `use ${option} path=value`);
  return { path: parsePath(text.slice(0, eq)), value: text.slice(eq + 1) };
}

function checkKeys(value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) checkKeys(v);
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      checkKey(k);
      checkKeys(v);
    }
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    checkKey(key);
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

export function getPath(value: unknown, path: readonly string[]): unknown {
  let cur = value;
  for (const key of path) {
    if (Array.isArray(cur) && /^\d+$/.test(key)) cur = cur[Number(key)];
    else if (isObject(cur) && Object.hasOwn(cur, key)) cur = cur[key];
    else return undefined;
  }
  return cur;
}

/** Applies the changes in order to a copy of `value`. */
export function applyDocOps(value: unknown, ops: readonly DocOp[]): unknown {
  let doc: unknown = value === undefined ? undefined : structuredClone(value);
  for (const op of ops) {
    switch (op.op) {
      case "merge":
        doc = mergePatch(doc, op.patch);
        break;
      case "set":
        doc = setIn(doc, op.path, () => op.value);
        break;
      case "unset":
        doc = unsetIn(doc, op.path);
        break;
      case "incr":
        doc = setIn(doc, op.path, (old) => {
          if (old === undefined) return op.by;
          if (typeof old !== "number") throw new UsageError(`cannot --incr ${op.path.join(".")}: it is ${describe(old)}, not a number`);
          return old + op.by;
        });
        break;
      case "push":
        doc = setIn(doc, op.path, (old) => {
          if (old === undefined) return [op.value];
          if (!Array.isArray(old)) throw new UsageError(`cannot --push to ${op.path.join(".")}: it is ${describe(old)}, not an array`);
          return [...old, op.value];
        });
        break;
    }
  }
  return doc;
}

function setIn(doc: unknown, path: readonly string[], fn: (old: unknown) => unknown): unknown {
  const [key, ...rest] = path as [string, ...string[]];
  if (Array.isArray(doc) && /^\d+$/.test(key)) {
    const index = Number(key);
    if (index > doc.length) throw new UsageError(`index ${index} is past the end of an array of ${doc.length}`);
    const out = [...doc];
    out[index] = rest.length === 0 ? fn(doc[index]) : setIn(doc[index], rest, fn);
    return out;
  }
  if (doc !== undefined && !isObject(doc)) {
    throw new UsageError(`cannot set ${path.join(".")}: the value on the way is ${describe(doc)}, not an object`);
  }
  const out: JsonObject = { ...(doc ?? {}) };
  const old = Object.hasOwn(out, key) ? out[key] : undefined;
  out[key] = rest.length === 0 ? fn(old) : setIn(old, rest, fn);
  return out;
}

function unsetIn(doc: unknown, path: readonly string[]): unknown {
  const [key, ...rest] = path as [string, ...string[]];
  if (Array.isArray(doc) && /^\d+$/.test(key)) {
    const index = Number(key);
    if (index >= doc.length) return doc;
    const out = [...doc];
    if (rest.length === 0) out.splice(index, 1);
    else out[index] = unsetIn(doc[index], rest);
    return out;
  }
  if (!isObject(doc) || !Object.hasOwn(doc, key)) return doc;
  const out: JsonObject = { ...doc };
  if (rest.length === 0) delete out[key];
  else out[key] = unsetIn(doc[key], rest);
  return out;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}
