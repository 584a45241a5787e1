// Turns a zod schema into the TypeScript source of a zod-free parser, so a hot read can validate a file without
// loading zod (loading it and building the model's schemas costs a call ~20 ms). Used by gen-state-check.ts.
//
// The parser it writes is sound, not complete: for a JSON value (the output of JSON.parse, which it may change in
// place) it returns exactly what `schema.parse` returns (same values, same key order), or NOT_ACCEPTED.
// NOT_ACCEPTED means "run zod": the value is invalid, or it is something the fast path does not prove (a key the
// schema does not know, a `__proto__` key, a length only zod's code-point count can settle). The caller then runs
// the zod schema, which accepts or explains, so the fast path decides speed only, never the outcome.
//
// It supports the zod features the store's schemas use and throws on any other, so a schema change it cannot
// mirror fails the generation loudly instead of being validated loosely.
//
// Each schema object is written once, as a function of its own (objects, records, arrays, unions), and so is each
// run of fields that several objects share (the task variants all spread the same common fields): one function
// checks the run, and each object calls it.

interface Check {
  check: string;
  minimum?: number;
  maximum?: number;
  length?: number;
  value?: number;
  inclusive?: boolean;
  format?: string;
}

interface Def {
  type: string;
  checks?: { _zod: { def: Check } }[];
  shape?: Record<string, Schema>;
  catchall?: Schema;
  element?: Schema;
  keyType?: Schema;
  valueType?: Schema;
  innerType?: Schema;
  options?: Schema[];
  discriminator?: string;
  unionFallback?: boolean;
  values?: unknown[];
  entries?: Record<string, unknown>;
  defaultValue?: unknown;
  format?: string;
  coerce?: boolean;
}

interface Schema {
  _zod: { def: Def };
}

export interface GenerateOptions {
  /** Name of the exported parse function. */
  name: string;
  /** Lines of the file header (without comment markers). */
  header: string[];
}

export function generateParser(schema: unknown, options: GenerateOptions): string {
  const gen = new Generator(objectsOf(schema as Schema));
  const root = gen.functionFor(schema as Schema, "(root)");
  const lines = [
    ...options.header.map((line) => `// ${line}`.trimEnd()),
    "",
    "/** Not accepted by this fast path: run the zod schema, which accepts the value or says what is wrong. */",
    'export const NOT_ACCEPTED: unique symbol = Symbol("not accepted");',
    "",
    "type Obj = Record<string, unknown>;",
    "",
    "/** Parses a JSON value: the value zod's parse returns, or NOT_ACCEPTED. */",
    `export function ${options.name}(input: unknown): unknown {`,
    `  return ${root}(input);`,
    "}",
    "",
    "function isObject(v: unknown): v is Obj {",
    '  return typeof v === "object" && v !== null && !Array.isArray(v);',
    "}",
    "",
    "function isPlainObject(v: unknown): v is Obj {",
    "  return isObject(v) && Object.getPrototypeOf(v) === Object.prototype;",
    "}",
    "",
    "/** Whether `keys` come in the order of `order`, the schema's: then the object is as zod would build it. */",
    "function inOrder(keys: string[], order: readonly string[]): boolean {",
    "  let at = 0;",
    "  for (const key of keys) {",
    "    at = order.indexOf(key, at);",
    "    if (at < 0) return false;",
    "  }",
    "  return true;",
    "}",
    "",
    "/** The object rebuilt in the schema's key order, as zod builds it. */",
    "function reorder(v: Obj, order: readonly string[]): Obj {",
    "  const out: Obj = {};",
    "  for (const key of order) if (key in v) out[key] = v[key];",
    "  return out;",
    "}",
    "",
    "/** String length as zod counts it: in code points, a surrogate pair counting once. */",
    "function codePoints(s: string): number {",
    "  let n = s.length;",
    "  for (let i = 0; i < s.length - 1; i++) {",
    "    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {",
    "      n--;",
    "      i++;",
    "    }",
    "  }",
    "  return n;",
    "}",
    ...gen.functions.flatMap((f) => ["", ...f]),
  ];
  return `${lines.join("\n")}\n`;
}

/** For each (key, field schema) pair, how many object schemas have it. */
function objectsOf(root: Schema): Map<Schema, Map<string, number>> {
  const count = new Map<Schema, Map<string, number>>();
  const seen = new Set<Schema>();
  const visit = (schema: Schema | undefined): void => {
    if (schema === undefined || seen.has(schema)) return;
    seen.add(schema);
    const def = schema._zod.def;
    for (const [key, field] of Object.entries(def.shape ?? {})) {
      const keys = count.get(field) ?? new Map<string, number>();
      keys.set(key, (keys.get(key) ?? 0) + 1);
      count.set(field, keys);
    }
    for (const child of [...Object.values(def.shape ?? {}), ...(def.options ?? []), def.element, def.valueType, def.innerType])
      visit(child);
  };
  visit(root);
  return count;
}

class Generator {
  readonly functions: string[][] = [];
  private readonly names = new Map<Schema, string>();
  /** Functions of shared runs of fields, by the run's keys and schemas. */
  private readonly runs = new Map<string, string>();
  private readonly ids = new Map<Schema, number>();
  private orders = 0;

  constructor(private readonly sharing: Map<Schema, Map<string, number>>) {}

  /** The name of a function `(v: unknown) => unknown` that parses `schema`; generated once per schema object. */
  functionFor(schema: Schema, path: string): string {
    const known = this.names.get(schema);
    if (known) return known;
    const name = `parse${this.names.size}`;
    this.names.set(schema, name);
    const def = schema._zod.def;
    const body: string[] = [];
    const slot = this.functions.length;
    this.functions.push([]);
    switch (def.type) {
      case "object":
        this.objectBody(def, path, body);
        break;
      case "record":
        this.recordBody(def, path, body);
        break;
      case "array":
        this.arrayBody(def, path, body);
        break;
      case "union":
        this.unionBody(def, path, body);
        break;
      default: {
        const out = this.value(schema, "v", path, body, "  ");
        body.push(`  return ${out};`);
      }
    }
    this.functions[slot] = [`// ${path}`, `function ${name}(v: unknown): unknown {`, ...body, "}"];
    return name;
  }

  // Objects, records and arrays are checked in place and returned as they are when they already are what zod
  // would build, which is what taskpulse writes: no copy of a large state file. A part whose parse differs (a
  // default to fill in, keys in another order than the schema's) is rebuilt, and put back into its parent.

  private objectBody(def: Def, path: string, body: string[]): void {
    noChecks(def, path);
    if (def.catchall) unsupported(path, "an object with a catchall (strict, loose or passthrough)");
    const shape = Object.entries(def.shape ?? {});
    const order = `ORDER${this.orders++}`;
    this.functions.push([`const ${order} = ${JSON.stringify(shape.map(([key]) => key))};`]);
    body.push("  if (!isObject(v)) return NOT_ACCEPTED;", "  const keys = Object.keys(v);", "  let n = 0;");
    for (const run of this.runsOf(shape)) {
      if (run.length === 1) {
        const [key, field] = run[0] as [string, Schema];
        this.field(key, field, `${path}.${key}`, body);
        continue;
      }
      const name = this.runFunction(run, path);
      const c = this.fresh();
      body.push(`  const ${c} = ${name}(v);`, `  if (${c} < 0) return NOT_ACCEPTED;`, `  n += ${c};`);
    }
    body.push("  // A key the schema does not know: zod would strip it; let zod decide.");
    body.push("  if (n !== keys.length) return NOT_ACCEPTED;");
    body.push(`  return keys.length === Object.keys(v).length && inOrder(keys, ${order}) ? v : reorder(v, ${order});`);
  }

  /**
   * Checks one field of `v`, adding 1 to `n` when it is present. zod: an absent optional key stays absent, an absent
   * defaulted key takes the default (put into `v`, which is then rebuilt in order), an absent required key is an
   * error; a present key is parsed.
   */
  private field(key: string, field: Schema, path: string, body: string[]): void {
    if (key === "__proto__") unsupported(path, "a `__proto__` key");
    const k = JSON.stringify(key);
    const kind = field._zod.def.type;
    if (kind === "optional" || kind === "default") body.push(`  if (${k} in v) {`);
    else body.push(`  if (!(${k} in v)) return NOT_ACCEPTED;`, "  {");
    this.replaceIn("v", k, field, path, body, "    ");
    body.push("    n++;");
    body.push(kind === "default" ? `  } else v[${k}] = ${defaultLiteral(field._zod.def, path)};` : "  }");
  }

  /** The fields of a shape in runs: consecutive fields that the same number of objects share (>1) go together. */
  private runsOf(shape: [string, Schema][]): [string, Schema][][] {
    const runs: [string, Schema][][] = [];
    let last = 0;
    for (const [key, field] of shape) {
      const shared = field._zod.def.type === "default" ? 1 : (this.sharing.get(field)?.get(key) ?? 1);
      const run = runs.at(-1);
      if (run && shared > 1 && shared === last) run.push([key, field]);
      else runs.push([[key, field]]);
      last = shared;
    }
    return runs;
  }

  /** The function `(v: Obj) => number` checking a run of fields: how many of them `v` has, or -1. */
  private runFunction(run: [string, Schema][], path: string): string {
    const id = (schema: Schema) => {
      if (!this.ids.has(schema)) this.ids.set(schema, this.ids.size);
      return this.ids.get(schema);
    };
    const signature = run.map(([key, field]) => `${key}:${id(field)}`).join(",");
    const known = this.runs.get(signature);
    if (known) return known;
    const name = `fields${this.runs.size}`;
    this.runs.set(signature, name);
    const body = ["  let n = 0;"];
    const slot = this.functions.length;
    this.functions.push([]);
    for (const [key, field] of run) this.field(key, field, `${path}.${key}`, body);
    body.push("  return n;");
    const fields = `${run[0]?.[0]} … ${run.at(-1)?.[0]}`;
    this.functions[slot] = [
      `// ${path}: ${fields}`,
      `function ${name}(v: Obj): number {`,
      ...body.map((l) => l.replace("return NOT_ACCEPTED;", "return -1;")),
      "}",
    ];
    return name;
  }

  private recordBody(def: Def, path: string, body: string[]): void {
    noChecks(def, path);
    const keyDef = (def.keyType as Schema)._zod.def;
    if (keyDef.type !== "string" || (keyDef.checks?.length ?? 0) > 0 || keyDef.coerce) {
      unsupported(path, "a record whose keys are not plain z.string()");
    }
    body.push("  if (!isPlainObject(v)) return NOT_ACCEPTED;", "  for (const key of Object.keys(v)) {");
    body.push("    // zod drops a `__proto__` key from a record; let zod do it.");
    body.push('    if (key === "__proto__") return NOT_ACCEPTED;');
    this.replaceIn("v", "key", def.valueType as Schema, `${path}.*`, body, "    ");
    body.push("  }", "  return v;");
  }

  private arrayBody(def: Def, path: string, body: string[]): void {
    body.push("  if (!Array.isArray(v)) return NOT_ACCEPTED;");
    for (const check of checksOf(def)) {
      if (check.check === "max_length") body.push(`  if (v.length > ${check.maximum}) return NOT_ACCEPTED;`);
      else if (check.check === "min_length") body.push(`  if (v.length < ${check.minimum}) return NOT_ACCEPTED;`);
      else if (check.check === "length_equals") body.push(`  if (v.length !== ${check.length}) return NOT_ACCEPTED;`);
      else unsupported(path, `the array check '${check.check}'`);
    }
    body.push("  for (let i = 0; i < v.length; i++) {");
    this.replaceIn("v", "i", def.element as Schema, `${path}[]`, body, "    ");
    body.push("  }", "  return v;");
  }

  /** Parses `container[key]` and, where the parse gives another value (a rebuilt part), puts that one there. */
  private replaceIn(container: string, key: string, schema: Schema, path: string, body: string[], indent: string): void {
    const x = this.fresh();
    body.push(`${indent}const ${x} = ${container}[${key}];`);
    const out = this.value(schema, x, path, body, indent);
    if (out !== x) body.push(`${indent}if (${out} !== ${x}) ${container}[${key}] = ${out};`);
  }

  private unionBody(def: Def, path: string, body: string[]): void {
    noChecks(def, path);
    // A plain union returns its first option that parses; a fast path that cannot accept an option would move on
    // to a later one where zod would not. Only a discriminated union picks its option up front.
    const disc = def.discriminator;
    if (disc === undefined) unsupported(path, "a union without a discriminator");
    const d = JSON.stringify(disc);
    body.push("  if (!isObject(v)) return NOT_ACCEPTED;", `  switch (v[${d}]) {`);
    const taken = new Set<unknown>();
    for (const option of def.options ?? []) {
      const optionDef = option._zod.def;
      if (optionDef.type !== "object") unsupported(path, "a discriminated union option that is not an object");
      const field = optionDef.shape?.[disc];
      const values = field ? literalValues(field._zod.def) : undefined;
      if (!values) unsupported(path, `an option whose '${disc}' is not a literal or an enum`);
      for (const value of values) {
        if (taken.has(value)) unsupported(path, `two options with ${disc} = ${JSON.stringify(value)}`);
        taken.add(value);
      }
      const name = this.functionFor(option, `${path}(${disc}=${values.map((x) => JSON.stringify(x)).join("|")})`);
      body.push(`    ${values.map((x) => `case ${JSON.stringify(x)}:`).join(" ")}`, `      return ${name}(v);`);
    }
    body.push("    default:", "      return NOT_ACCEPTED;", "  }");
  }

  /**
   * Emits statements that parse the expression `input` with `schema` (returning NOT_ACCEPTED from the enclosing
   * function when it does not accept) and returns an expression for the parsed value.
   */
  private value(schema: Schema, input: string, path: string, body: string[], indent: string): string {
    const def = schema._zod.def;
    const reject = (condition: string) => body.push(`${indent}if (${condition}) return NOT_ACCEPTED;`);
    switch (def.type) {
      case "string": {
        if (def.coerce) unsupported(path, "z.coerce");
        const x = this.local(input, body, indent);
        reject(`typeof ${x} !== "string"`);
        for (const check of checksOf(def)) reject(stringLengthFails(check, x, path));
        return x;
      }
      case "number": {
        if (def.coerce) unsupported(path, "z.coerce");
        const x = this.local(input, body, indent);
        reject(`typeof ${x} !== "number" || !Number.isFinite(${x})`);
        if (def.format !== undefined) reject(numberFormatFails(def.format, x, path));
        for (const check of checksOf(def)) reject(numberCheckFails(check, x, path));
        return x;
      }
      case "unknown":
        // any JSON value (a task's meta): what JSON.parse made is accepted as it is
        noChecks(def, path);
        return this.local(input, body, indent);
      case "boolean": {
        noChecks(def, path);
        const x = this.local(input, body, indent);
        reject(`typeof ${x} !== "boolean"`);
        return x;
      }
      case "literal":
      case "enum": {
        noChecks(def, path);
        const values = literalValues(def);
        if (!values) unsupported(path, "a literal that is not a string, number or boolean");
        const x = this.local(input, body, indent);
        reject(values.map((value) => `${x} !== ${JSON.stringify(value)}`).join(" && "));
        return x;
      }
      case "optional":
      case "nullable": {
        noChecks(def, path);
        // In an object, optional is also handled by presence (see objectBody); here it only widens the value.
        const x = this.local(input, body, indent);
        const empty = def.type === "nullable" ? "null" : "undefined";
        const inner: string[] = [];
        const parsed = this.value(def.innerType as Schema, x, path, inner, `${indent}  `);
        if (parsed === x) {
          body.push(`${indent}if (${x} !== ${empty}) {`, ...inner, `${indent}}`);
          return x;
        }
        const out = this.fresh();
        body.push(
          `${indent}let ${out}: unknown = ${x};`,
          `${indent}if (${x} !== ${empty}) {`,
          ...inner,
          `${indent}  ${out} = ${parsed};`,
          `${indent}}`,
        );
        return out;
      }
      case "default": {
        noChecks(def, path);
        const x = this.local(input, body, indent);
        const out = this.fresh();
        body.push(
          `${indent}let ${out}: unknown;`,
          `${indent}if (${x} === undefined) ${out} = ${defaultLiteral(def, path)};`,
          `${indent}else {`,
        );
        const parsed = this.value(def.innerType as Schema, x, path, body, `${indent}  `);
        body.push(`${indent}  ${out} = ${parsed};`, `${indent}}`);
        return out;
      }
      case "object":
      case "record":
      case "array":
      case "union": {
        const out = this.fresh();
        body.push(`${indent}const ${out} = ${this.functionFor(schema, path)}(${input});`);
        reject(`${out} === NOT_ACCEPTED`);
        return out;
      }
      default:
        return unsupported(path, `z.${def.type}()`);
    }
  }

  private counter = 0;

  private fresh(): string {
    return `x${this.counter++}`;
  }

  /** A plain variable is used as it is; anything else is read once into a local. */
  private local(input: string, body: string[], indent: string): string {
    if (/^[A-Za-z_$][\w$]*$/.test(input)) return input;
    const x = this.fresh();
    body.push(`${indent}const ${x} = ${input};`);
    return x;
  }
}

function checksOf(def: Def): Check[] {
  return (def.checks ?? []).map((c) => c._zod.def);
}

function noChecks(def: Def, path: string): void {
  if ((def.checks?.length ?? 0) > 0) unsupported(path, `a check on z.${def.type}() (refine, superRefine, …)`);
}

/** zod measures strings in code points; counting them is needed only where the UTF-16 length leaves it open. */
function stringLengthFails(check: Check, x: string, path: string): string {
  switch (check.check) {
    case "min_length": {
      const min = check.minimum as number;
      if (min <= 1) return `${x}.length < ${min}`;
      return `(${x}.length >= ${min} && ${x}.length < ${2 * min} ? codePoints(${x}) : ${x}.length) < ${min}`;
    }
    case "max_length": {
      const max = check.maximum as number;
      return `(${x}.length > ${max} ? codePoints(${x}) : ${x}.length) > ${max}`;
    }
    case "length_equals":
      return `codePoints(${x}) !== ${check.length}`;
    default:
      return unsupported(path, `the string check '${check.check}'`);
  }
}

function numberFormatFails(format: string, x: string, path: string): string {
  if (format === "safeint") return `!Number.isSafeInteger(${x})`;
  return unsupported(path, `the number format '${format}'`);
}

function numberCheckFails(check: Check, x: string, path: string): string {
  switch (check.check) {
    case "number_format":
      return numberFormatFails(check.format ?? "", x, path);
    case "greater_than":
      return `${x} ${check.inclusive ? "<" : "<="} ${check.value}`;
    case "less_than":
      return `${x} ${check.inclusive ? ">" : ">="} ${check.value}`;
    default:
      return unsupported(path, `the number check '${check.check}'`);
  }
}

function literalValues(def: Def): (string | number | boolean)[] | undefined {
  const values = def.type === "literal" ? def.values : def.type === "enum" ? Object.values(def.entries ?? {}) : undefined;
  if (!values || values.length === 0) return undefined;
  const ok = values.every((v) => typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v)));
  return ok ? (values as (string | number | boolean)[]) : undefined;
}

/**
 * zod hands out a fresh copy of a default on each parse, and a literal in the generated code is fresh each time.
 * A default given as a function cannot be told from a constant here (zod calls it behind a getter): keep defaults
 * of the hot file constant.
 */
function defaultLiteral(def: Def, path: string): string {
  const value = def.defaultValue;
  if (!isJsonValue(value)) unsupported(path, "a default that is not plain JSON data");
  return JSON.stringify(value);
}

function isJsonValue(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value).every(isJsonValue);
  return false;
}

function unsupported(path: string, what: string): never {
  throw new Error(`zod-codegen: ${path}: ${what} is not supported; extend scripts/zod-codegen.ts or keep this out of the hot file`);
}
