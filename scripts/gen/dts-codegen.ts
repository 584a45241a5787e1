// Writes the declarations a module exports as the text of a declaration file, through TypeScript's checker: used by
// gen-lib-types.ts for lib/index.d.ts.
//
// It reads the types through the checker and writes them out in full, rather than bundling declarations
// (dts-bundle-generator, rollup-plugin-dts): the internal types are inferred from zod schemas and narrowed with
// Omit, and a declaration bundler copies them as written, so a user would read `z.infer<typeof taskSchema>` over
// the schemas' zod types instead of a task's fields. Here each exported type is resolved to its fields, and any
// type that is itself exported is written by its name, so the file reads like a hand-written one: one interface
// per type, the doc comments of the fields (from the internal types where the public ones derive from them), and
// the fields that every kind of a union shares written once (a task's TaskBase). What it cannot write plainly (a
// generic, a tuple, a class member that is not public) fails the generation rather than being written approximately.
//
// The output depends only on the types and their source, never on the order in which the checker happened to
// create them, so an unrelated change elsewhere does not reorder the file: fields are in the order they are
// declared, and a union's literals in the order their declaring file first names them (numbers ascending).
import ts from "typescript";

/** The line width of the code (Biome's), and of the doc comments (the project's comments). */
const WIDTH = 140;
const DOC_WIDTH = 120;

/** Types the checker writes as they are: keywords and literals. */
const LEAF =
  ts.TypeFlags.Any |
  ts.TypeFlags.Unknown |
  ts.TypeFlags.String |
  ts.TypeFlags.Number |
  ts.TypeFlags.BigInt |
  ts.TypeFlags.Boolean |
  ts.TypeFlags.Void |
  ts.TypeFlags.Undefined |
  ts.TypeFlags.Null |
  ts.TypeFlags.Never |
  ts.TypeFlags.ESSymbol |
  ts.TypeFlags.StringLiteral |
  ts.TypeFlags.NumberLiteral |
  ts.TypeFlags.BigIntLiteral |
  ts.TypeFlags.BooleanLiteral;

/**
 * Where a type expression is written: the indentation of its line, the column it starts at, the declaration it
 * belongs to (whose file orders a union's literals), and `breakObject`: its outermost object type goes on lines of
 * its own even where it would fit on one (the line it is on would not).
 */
interface At {
  indent: string;
  col: number;
  decl: ts.Declaration | undefined;
  breakObject?: boolean;
}

/** How a union is written where it is declared: each member's place in it, and the text of its file. */
interface UnionSource {
  ranks: Map<ts.Type, number>;
  text: string;
}

const NO_SOURCE: UnionSource = { ranks: new Map(), text: "" };

/** The type a property, parameter or alias is declared with, as written. */
function typeNodeOf(decl: ts.Declaration | undefined): ts.TypeNode | undefined {
  return decl && (decl as { type?: ts.TypeNode }).type;
}

/** A member of an object type: its doc comment (lines ending in a newline, or empty) and its text. */
interface Member {
  doc: string;
  text: string;
}

/** A doc comment at `indent`, on one line when it fits; empty without text. */
function docComment(text: string, indent: string): string {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return "";
  const one = `${indent}/** ${words.join(" ")} */`;
  if (one.length <= DOC_WIDTH) return `${one}\n`;
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line && `${indent} * ${line} ${word}`.length > DOC_WIDTH) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}\n`).join("")}${indent} */\n`;
}

function propertyName(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}

function lastLine(text: string): string {
  return text.slice(text.lastIndexOf("\n") + 1);
}

/** Where a declaration is, to order by: its file, then its position in it. */
function place(decl: ts.Declaration | undefined): [string, number] {
  return decl ? [decl.getSourceFile().fileName, decl.pos] : ["\uffff", 0];
}

function byPlace(a: [string, number], b: [string, number]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1];
}

/** Declared readonly, or a property of an object literal under `as const`. */
function isReadonly(decl: ts.Declaration): boolean {
  if (ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Readonly) return true;
  if (!ts.isPropertyAssignment(decl)) return false;
  let node: ts.Node = decl.parent;
  while (ts.isObjectLiteralExpression(node) || ts.isPropertyAssignment(node) || ts.isParenthesizedExpression(node)) node = node.parent;
  return (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) && ts.isConstTypeReference(node.type);
}

class Writer {
  /** The exported types by identity: each is written by its name wherever it occurs. */
  private readonly named = new Map<ts.Type, string>();
  /** The exported unions, largest first: a union that holds all of one's members is written with its name. */
  private readonly unions: { members: Set<ts.Type>; name: string }[] = [];

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly program: ts.Program,
  ) {}

  name(type: ts.Type, name: string): void {
    this.named.set(type, name);
    if (type.flags & ts.TypeFlags.Union && !(type.flags & ts.TypeFlags.Boolean)) {
      this.unions.push({ members: new Set((type as ts.UnionType).types), name });
      this.unions.sort((a, b) => b.members.size - a.members.size || a.name.localeCompare(b.name));
    }
  }

  isNamed(type: ts.Type): boolean {
    return this.named.has(type);
  }

  fail(what: string, type: ts.Type): never {
    throw new Error(`dts-codegen: cannot write ${what}: ${this.checker.typeToString(type)}`);
  }

  /** The documentation of a symbol or signature, with its JSDoc tags. */
  doc(of: ts.Symbol | ts.Signature, indent: string): string {
    const text = ts.displayPartsToString(of.getDocumentationComment(this.checker));
    const tags = of.getJsDocTags(this.checker).map((t) => `@${t.name} ${ts.displayPartsToString(t.text)}`.trim());
    return docComment([text, ...tags].join(" "), indent);
  }

  /** `type` as a type expression: by its name where it is exported. */
  type(type: ts.Type, at: At, omitMissing = false): string {
    return this.named.get(type) ?? this.structure(type, at, omitMissing);
  }

  /** What `type` is made of, even where it is exported (the right side of its own declaration). */
  structure(type: ts.Type, at: At, omitMissing = false): string {
    if (type.flags & ts.TypeFlags.Union && !(type.flags & ts.TypeFlags.Boolean))
      return this.union((type as ts.UnionType).types, at, omitMissing, this.named.get(type));
    if (type.flags & LEAF) return this.checker.typeToString(type);
    if (type.flags & ts.TypeFlags.Intersection) return this.intersection(type as ts.IntersectionType, at);
    if (type.flags & ts.TypeFlags.Object) return this.object(type as ts.ObjectType, at);
    return this.fail("a type", type);
  }

  /**
   * A union: `true | false` is boolean, an exported union whose members it all holds is written by its name, null
   * and undefined come last. `omitMissing`: an optional property's type, less the `undefined` that only says the
   * property may be absent (exactOptionalPropertyTypes tells it from an `undefined` written in the type).
   */
  private union(members: readonly ts.Type[], at: At, omitMissing: boolean, self?: string): string {
    const undefinedType = this.checker.getUndefinedType();
    let left = members.filter((m) => !(omitMissing && m.flags & ts.TypeFlags.Undefined && m !== undefinedType));
    if (left.length === 1) return this.type(left[0] as ts.Type, at);
    const parts: string[] = [];
    for (const { members: named, name } of this.unions) {
      if (name !== self && [...named].every((m) => left.includes(m))) {
        parts.push(name);
        left = left.filter((m) => !named.has(m));
      }
    }
    const isBool = (m: ts.Type) => (m.flags & ts.TypeFlags.BooleanLiteral) !== 0;
    const bothBools = left.filter(isBool).length === 2;
    const nullish = left.filter((m) => m.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined));
    for (const m of this.inOrder(left, this.unionSource(typeNodeOf(at.decl), at.decl?.getSourceFile()))) {
      if (nullish.includes(m)) continue;
      if (bothBools && isBool(m)) {
        if (!parts.includes("boolean")) parts.push("boolean");
        continue;
      }
      const col = at.col + parts.reduce((n, p) => n + lastLine(p).length + 3, 0);
      const text = this.type(m, { ...at, col });
      parts.push(this.isFunction(m) && !this.named.has(m) ? `(${text})` : text);
    }
    parts.push(...this.inOrder(nullish, NO_SOURCE).map((m) => this.checker.typeToString(m)));
    return parts.join(" | ");
  }

  /**
   * A union's members in a fixed order: as the union is written where it is declared (`a: B | C`, or the alias it
   * names), else literals in the order its declaring file first names them (numbers ascending), the other members
   * in the checker's order; null and undefined last.
   */
  private inOrder(members: readonly ts.Type[], { ranks, text }: UnionSource): ts.Type[] {
    const key = (m: ts.Type): [number, number, number, number, string] => {
      const nullish = m.flags & ts.TypeFlags.Null ? 1 : m.flags & ts.TypeFlags.Undefined ? 2 : 0;
      const rank = ranks.get(m) ?? Number.MAX_SAFE_INTEGER;
      if (m.flags & ts.TypeFlags.StringLiteral) {
        const value = (m as ts.StringLiteralType).value;
        const at = text.indexOf(JSON.stringify(value));
        return [nullish, rank, 0, at < 0 ? Number.MAX_SAFE_INTEGER : at, value];
      }
      if (m.flags & ts.TypeFlags.NumberLiteral) return [nullish, rank, 1, (m as ts.NumberLiteralType).value, ""];
      return [nullish, rank, 2, 0, ""];
    };
    const keyed = members.map((m, i) => ({ m, k: key(m), i }));
    keyed.sort((a, b) => {
      for (let j = 0; j < 4; j++) if (a.k[j] !== b.k[j]) return (a.k[j] as number) - (b.k[j] as number);
      return a.k[4].localeCompare(b.k[4]) || a.i - b.i;
    });
    return keyed.map((x) => x.m);
  }

  /**
   * Where a union comes from: the type `node` (in `file`) as written, followed through the aliases it names to the
   * union written out (each member's place in it), and the text of the file that declares it.
   */
  private unionSource(written: ts.TypeNode | undefined, where: ts.SourceFile | undefined): UnionSource {
    const ranks = new Map<ts.Type, number>();
    let node = written;
    let file = where;
    for (let i = 0; node && i < 10; i++) {
      while (ts.isParenthesizedTypeNode(node)) node = node.type;
      if (!ts.isTypeReferenceNode(node) || node.typeArguments) break;
      let symbol = this.checker.getSymbolAtLocation(node.typeName);
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
      const alias = symbol?.declarations?.find(ts.isTypeAliasDeclaration);
      if (!alias) break;
      node = alias.type;
      file = alias.getSourceFile();
    }
    if (node && ts.isUnionTypeNode(node)) {
      node.types.forEach((n, i) => {
        const t = this.checker.getTypeFromTypeNode(n);
        for (const m of t.flags & ts.TypeFlags.Union ? (t as ts.UnionType).types : [t]) if (!ranks.has(m)) ranks.set(m, i);
      });
    }
    return { ranks, text: file?.text ?? "" };
  }

  /** An intersection of anonymous object types is one object type; with an exported type, `A & { … }`. */
  private intersection(type: ts.IntersectionType, at: At): string {
    if (type.types.some((m) => this.named.has(m))) {
      const parts: string[] = [];
      for (const m of type.types) parts.push(this.type(m, { ...at, col: at.col + parts.reduce((n, p) => n + lastLine(p).length + 3, 0) }));
      return parts.join(" & ");
    }
    if (!type.types.every((m) => m.flags & ts.TypeFlags.Object)) return this.fail("an intersection", type);
    return this.members(this.checker.getPropertiesOfType(type), type, at);
  }

  private isFunction(type: ts.Type): boolean {
    return (
      !!(type.flags & ts.TypeFlags.Object) &&
      this.checker.getPropertiesOfType(type).length === 0 &&
      this.checker.getSignaturesOfType(type, ts.SignatureKind.Call).length > 0
    );
  }

  /** A type the standard library names (Promise, Date, Error), not one it builds (Record's mapped type). */
  private fromLib(symbol: ts.Symbol | undefined): boolean {
    const decl = symbol?.declarations?.[0];
    return !!decl && this.program.isSourceFileDefaultLibrary(decl.getSourceFile()) && !symbol.name.startsWith("__");
  }

  /** An object type written as `{ … }`: fields only, no call or index signature, not an array or a standard one. */
  isPlainObject(type: ts.Type): boolean {
    const checker = this.checker;
    return (
      !!(type.flags & ts.TypeFlags.Object) &&
      !checker.isArrayType(type) &&
      !checker.isTupleType(type) &&
      !this.fromLib(type.symbol) &&
      checker.getPropertiesOfType(type).length > 0 &&
      checker.getSignaturesOfType(type, ts.SignatureKind.Call).length === 0 &&
      checker.getSignaturesOfType(type, ts.SignatureKind.Construct).length === 0 &&
      checker.getIndexInfosOfType(type).length === 0
    );
  }

  private object(type: ts.ObjectType, at: At): string {
    const checker = this.checker;
    if (checker.isTupleType(type)) return this.fail("a tuple", type);
    if (checker.isArrayType(type)) {
      const element = checker.getTypeArguments(type as ts.TypeReference)[0] as ts.Type;
      const readonly = type.symbol.name === "ReadonlyArray" ? "readonly " : "";
      const paren =
        !this.named.has(element) && (element.flags & (ts.TypeFlags.Union | ts.TypeFlags.Intersection) || this.isFunction(element));
      const text = this.type(element, { ...at, col: at.col + readonly.length + (paren ? 1 : 0) });
      return `${readonly}${paren ? `(${text})` : text}[]`;
    }
    if (this.fromLib(type.symbol)) {
      const args = type.objectFlags & ts.ObjectFlags.Reference ? checker.getTypeArguments(type as ts.TypeReference) : [];
      const name = type.symbol.name;
      if (args.length === 0) return name;
      const parts: string[] = [];
      for (const a of args)
        parts.push(this.type(a, { ...at, col: at.col + name.length + 1 + parts.reduce((n, p) => n + lastLine(p).length + 2, 0) }));
      return `${name}<${parts.join(", ")}>`;
    }
    const props = checker.getPropertiesOfType(type);
    const calls = checker.getSignaturesOfType(type, ts.SignatureKind.Call);
    const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
    if (checker.getSignaturesOfType(type, ts.SignatureKind.Construct).length || checker.getIndexInfoOfType(type, ts.IndexKind.Number))
      return this.fail("an object type with construct signatures or a number index", type);
    if (props.length === 0 && !index && calls.length === 1) {
      const call = calls[0] as ts.Signature;
      const params = this.parameters(call, at);
      return `${params} => ${this.type(call.getReturnType(), { ...at, col: at.col + lastLine(params).length + 4 })}`;
    }
    if (calls.length) return this.fail("an object type with call signatures", type);
    if (props.length === 0 && index) {
      const value = this.type(index.type, { ...at, col: at.col + (index.isReadonly ? 25 : 16) });
      return index.isReadonly ? `Readonly<Record<string, ${value}>>` : `Record<string, ${value}>`;
    }
    if (index) return this.fail("an object type with both fields and an index signature", type);
    return this.members(props, type, at);
  }

  /**
   * Properties in the order they are declared (Omit lists them in the order the checker made their names); an
   * intersection's in the order of its parts. Those of a mapped type have no declaration: `keys` orders them (else
   * they come by name).
   */
  ordered(props: readonly ts.Symbol[], type: ts.Type | undefined, keys = new Map<string, number>()): ts.Symbol[] {
    const parts = type && type.flags & ts.TypeFlags.Intersection ? (type as ts.IntersectionType).types : [];
    const part = (p: ts.Symbol) => {
      const i = parts.findIndex((t) => this.checker.getPropertyOfType(t, p.name));
      return Math.max(i, 0);
    };
    const keyed = props.map((p) => ({
      p,
      part: part(p),
      place: place(p.declarations?.[0]),
      key: keys.get(p.name) ?? Number.MAX_SAFE_INTEGER,
    }));
    keyed.sort((a, b) => a.part - b.part || byPlace(a.place, b.place) || a.key - b.key || a.p.name.localeCompare(b.p.name));
    return keyed.map((x) => x.p);
  }

  /**
   * The order of a mapped type's keys where `at` declares it as `Record<Keys, V>`: as the key union is written (with
   * CountKey's fields in the order CountKey lists them).
   */
  private keyOrder(at: At): Map<string, number> {
    const node = typeNodeOf(at.decl);
    const keyNode = node && ts.isTypeReferenceNode(node) ? node.typeArguments?.[0] : undefined;
    if (!keyNode) return new Map();
    const keys = this.checker.getTypeFromTypeNode(keyNode);
    const members = keys.flags & ts.TypeFlags.Union ? (keys as ts.UnionType).types : [keys];
    const ordered = this.inOrder(members, this.unionSource(keyNode, at.decl?.getSourceFile()));
    return new Map(ordered.filter((t) => t.flags & ts.TypeFlags.StringLiteral).map((t, i) => [(t as ts.StringLiteralType).value, i]));
  }

  /** An object type's members: on one line when none has a doc comment and the line it is on stays within the width. */
  members(props: readonly ts.Symbol[], type: ts.Type | undefined, at: At): string {
    const inner = `${at.indent}  `;
    const keys = props.some((p) => !p.declarations?.length) ? this.keyOrder(at) : undefined;
    const members = this.ordered(props, type, keys).flatMap((p) => this.member(p, inner));
    if (members.length === 0) return "{}";
    const one = `{ ${members.map((m) => m.text).join("; ")} }`;
    if (!at.breakObject && members.every((m) => !m.doc) && !one.includes("\n") && at.col + one.length + 1 <= WIDTH) return one;
    return `{\n${members.map((m) => `${m.doc}${inner}${m.text};\n`).join("")}${at.indent}}`;
  }

  /**
   * A property (or each overload of a method) as written in an object type or interface at `indent`. A member
   * whose line would be wider than the width breaks its outermost object type over lines.
   */
  member(prop: ts.Symbol, indent: string): Member[] {
    const checker = this.checker;
    const decl = prop.valueDeclaration ?? prop.declarations?.[0];
    const name = propertyName(prop.name);
    const optional = prop.flags & ts.SymbolFlags.Optional ? "?" : "";
    const type = checker.getTypeOfSymbol(prop);
    const withinWidth = (write: (breakObject: boolean) => string) => {
      const text = write(false);
      return text.split("\n").some((line, i) => (i === 0 ? indent.length : 0) + line.length + 1 > WIDTH) ? write(true) : text;
    };
    if (decl && (ts.isMethodSignature(decl) || ts.isMethodDeclaration(decl))) {
      return checker.getSignaturesOfType(type, ts.SignatureKind.Call).map((sig, i) => ({
        doc: this.doc(sig, indent) || (i === 0 ? this.doc(prop, indent) : ""),
        text: withinWidth((breakObject) => {
          const head = `${name}${optional}`;
          const params = this.parameters(sig, { indent, col: indent.length + head.length, decl, breakObject });
          const col = (params.includes("\n") ? 0 : indent.length + head.length) + lastLine(params).length + 2;
          return `${head}${params}: ${this.type(sig.getReturnType(), { indent, col, decl })}`;
        }),
      }));
    }
    const readonly = prop.declarations?.some((d) => isReadonly(d)) ? "readonly " : "";
    const head = `${readonly}${name}${optional}: `;
    const text = withinWidth(
      (breakObject) => `${head}${this.type(type, { indent, col: indent.length + head.length, decl, breakObject }, optional !== "")}`,
    );
    return [{ doc: this.doc(prop, indent), text }];
  }

  /** `(a: A, b?: B)`: each parameter's type as declared (an optional one's `undefined` is its `?`). */
  parameters(sig: ts.Signature, at: At): string {
    if (sig.getTypeParameters()?.length)
      throw new Error(`dts-codegen: cannot write a generic signature: ${this.checker.signatureToString(sig)}`);
    const parts: string[] = [];
    for (const p of sig.getParameters()) {
      const decl = p.valueDeclaration;
      if (!decl || !ts.isParameter(decl)) throw new Error(`dts-codegen: parameter ${p.name} has no declaration`);
      const type = decl.type ? this.checker.getTypeFromTypeNode(decl.type) : this.checker.getTypeOfSymbol(p);
      const rest = decl.dotDotDotToken ? "..." : "";
      const head = `${rest}${p.name}${this.checker.isOptionalParameter(decl) && !rest ? "?" : ""}: `;
      const col = at.col + 1 + parts.reduce((n, s) => n + lastLine(s).length + 2, 0) + head.length;
      parts.push(`${head}${this.type(type, { ...at, col, decl })}`);
    }
    return `(${parts.join(", ")})`;
  }
}

/**
 * The declarations of what `entry` exports: types first, in the order they are declared; then the values, in the
 * order the entry exports them. Begins with `export {}`, which keeps the helper declarations private.
 */
export function declarationsOf(program: ts.Program, entry: ts.SourceFile): string {
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(entry);
  if (!module) throw new Error(`dts-codegen: ${entry.fileName} is not a module`);
  const w = new Writer(checker, program);

  const exports = checker.getExportsOfModule(module).map((exported) => {
    const isAlias = (exported.flags & ts.SymbolFlags.Alias) !== 0;
    const symbol = isAlias ? checker.getAliasedSymbol(exported) : exported;
    const decl = (isAlias ? exported : symbol).declarations?.[0];
    if (!decl) throw new Error(`dts-codegen: ${exported.name} has no declaration`);
    return { name: exported.name, symbol, isType: !(symbol.flags & ts.SymbolFlags.Value), place: place(decl) };
  });
  exports.sort((a, b) => Number(a.isType === false) - Number(b.isType === false) || byPlace(a.place, b.place));
  for (const { name, symbol, isType } of exports) if (isType) w.name(checker.getDeclaredTypeOfSymbol(symbol), name);

  const out = [
    "// Only what is exported is public: `export {}` keeps the helper declarations below (a union's shared fields) private.",
    "export {};",
  ];
  for (const { name, symbol } of exports) {
    out.push("");
    if (symbol.flags & ts.SymbolFlags.Class) out.push(classDeclaration(w, checker, name, symbol));
    else if (symbol.flags & ts.SymbolFlags.Function) out.push(functionDeclaration(w, checker, name, symbol));
    else if (symbol.flags & ts.SymbolFlags.Variable) {
      const decl = symbol.valueDeclaration as ts.VariableDeclaration;
      const head = `export declare ${ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const ? "const" : "let"} ${name}: `;
      out.push(`${w.doc(symbol, "")}${head}${w.type(checker.getTypeOfSymbol(symbol), { indent: "", col: head.length, decl })};`);
    } else out.push(typeDeclaration(w, checker, name, symbol));
  }
  return `${out.join("\n")}\n`;
}

/** An exported type: an interface where it is an object type, a union of object types with its shared fields apart. */
function typeDeclaration(w: Writer, checker: ts.TypeChecker, name: string, symbol: ts.Symbol): string {
  const doc = w.doc(symbol, "");
  const type = checker.getDeclaredTypeOfSymbol(symbol);
  const decl = symbol.declarations?.[0];
  if (decl && ts.isInterfaceDeclaration(decl)) {
    // an interface keeps what it extends (when that is exported too) and lists its own members
    const bases = (decl.heritageClauses ?? []).flatMap((h) => h.types.map((t) => checker.getTypeAtLocation(t)));
    if (!bases.every((b) => w.isNamed(b))) throw new Error(`dts-codegen: ${name} extends a type that is not exported`);
    const heritage = bases.length ? ` extends ${bases.map((b) => w.type(b, { indent: "", col: 0, decl })).join(", ")}` : "";
    const own = checker.getPropertiesOfType(type).filter((p) => p.declarations?.some((d) => d.parent === decl));
    return `${doc}export interface ${name}${heritage} ${interfaceBody(w, own, type)}`;
  }
  if (type.flags & ts.TypeFlags.Union && !(type.flags & ts.TypeFlags.Boolean)) {
    const members = (type as ts.UnionType).types;
    if (members.every((m) => w.isPlainObject(m) || m.flags & ts.TypeFlags.Intersection)) return objectUnion(w, checker, name, doc, members);
  }
  if (w.isPlainObject(type)) return `${doc}export interface ${name} ${interfaceBody(w, checker.getPropertiesOfType(type), type)}`;
  const head = `export type ${name} = `;
  return `${doc}${head}${w.structure(type, { indent: "", col: head.length, decl })};`;
}

function interfaceBody(w: Writer, props: readonly ts.Symbol[], type: ts.Type | undefined): string {
  const members = w.ordered(props, type).flatMap((p) => w.member(p, "  "));
  return `{\n${members.map((m) => `${m.doc}  ${m.text};\n`).join("")}}`;
}

/**
 * A union of object types (a task: one per status). The fields every member has alike are written once, as the
 * private interface `<Name>Base`, and each member as `<Name>Base & { its own fields }`; the members in the order
 * their own fields are declared.
 */
function objectUnion(w: Writer, checker: ts.TypeChecker, name: string, doc: string, members: readonly ts.Type[]): string {
  const propsOf = members.map((m) => checker.getPropertiesOfType(m));
  const same = (a: ts.Symbol, b: ts.Symbol) =>
    (a.flags & ts.SymbolFlags.Optional) === (b.flags & ts.SymbolFlags.Optional) &&
    checker.getTypeOfSymbol(a) === checker.getTypeOfSymbol(b);
  const first = propsOf[0] ?? [];
  let shared = first.filter((p) => propsOf.every((props) => props.some((q) => q.name === p.name && same(p, q))));
  if (members.length < 2 || shared.length < 2) shared = [];
  const sharedNames = new Set(shared.map((p) => p.name));
  const base = `${name}Base`;
  const kinds = members.map((m, i) => {
    const own = (propsOf[i] ?? []).filter((p) => !sharedNames.has(p.name));
    return { type: m, own, places: own.map((p) => place(p.declarations?.[0])).sort(byPlace) };
  });
  kinds.sort((a, b) => {
    for (let i = 0; i < Math.min(a.places.length, b.places.length); i++) {
      const c = byPlace(a.places[i] as [string, number], b.places[i] as [string, number]);
      if (c) return c;
    }
    return a.places.length - b.places.length;
  });
  const lines = kinds.map(({ type, own }) => {
    if (shared.length === 0) return w.members(own, type, { indent: "    ", col: 4, decl: undefined });
    if (own.length === 0) return base;
    return `(${base} & ${w.members(own, type, { indent: "    ", col: 4 + base.length + 4, decl: undefined })})`;
  });
  const baseDecl = shared.length
    ? `/** The fields common to every kind of ${name}. */\ninterface ${base} ${interfaceBody(w, shared, members[0])}\n\n`
    : "";
  const one = `export type ${name} = ${lines.join(" | ")};`;
  if (one.length <= WIDTH && !one.includes("\n")) return `${baseDecl}${doc}${one}`;
  return `${baseDecl}${doc}export type ${name} =\n${lines.map((l) => `  | ${l}`).join("\n")};`;
}

function functionDeclaration(w: Writer, checker: ts.TypeChecker, name: string, symbol: ts.Symbol): string {
  const signatures = checker.getSignaturesOfType(checker.getTypeOfSymbol(symbol), ts.SignatureKind.Call);
  return signatures
    .map((sig, i) => {
      const doc = w.doc(sig, "") || (i === 0 ? w.doc(symbol, "") : "");
      const head = `export declare function ${name}`;
      const params = w.parameters(sig, { indent: "", col: head.length, decl: sig.getDeclaration() });
      const col = head.length + params.length + 2;
      return `${doc}${head}${params}: ${w.type(sig.getReturnType(), { indent: "", col, decl: sig.getDeclaration() })};`;
    })
    .join("\n");
}

/** A class: what it extends, its own public members and its constructor (never what it inherits). */
function classDeclaration(w: Writer, checker: ts.TypeChecker, name: string, symbol: ts.Symbol): string {
  const decl = symbol.valueDeclaration;
  if (!decl || !ts.isClassDeclaration(decl)) throw new Error(`dts-codegen: ${name} is not a class declaration`);
  const instance = checker.getDeclaredTypeOfSymbol(symbol) as ts.InterfaceType;
  const bases = checker.getBaseTypes(instance).map((b) => w.type(b, { indent: "", col: 0, decl }));
  const lines: string[] = [];
  for (const member of decl.members) {
    const flags = ts.getCombinedModifierFlags(member);
    const hidden = flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected | ts.ModifierFlags.Static);
    if (hidden || (member.name && ts.isPrivateIdentifier(member.name)))
      throw new Error(`dts-codegen: ${name} has a member that is not public, or static: teach the generator to write it`);
    if (ts.isConstructorDeclaration(member)) {
      if (!member.body) continue; // an overload: the construct signatures are all written with the implementation
      for (const sig of checker.getSignaturesOfType(checker.getTypeOfSymbol(symbol), ts.SignatureKind.Construct))
        lines.push(`${w.doc(sig, "  ")}  constructor${w.parameters(sig, { indent: "  ", col: 13, decl: member })};`);
    } else if (ts.isPropertyDeclaration(member) || ts.isMethodDeclaration(member)) {
      if (ts.isMethodDeclaration(member) && !member.body) continue; // an overload: written with the implementation
      const prop = checker.getPropertyOfType(instance, member.name.getText());
      if (!prop) throw new Error(`dts-codegen: ${name}.${member.name.getText()} not found`);
      lines.push(...w.member(prop, "  ").map((m) => `${m.doc}  ${m.text};`));
    } else throw new Error(`dts-codegen: ${name} has a member this generator does not write (${ts.SyntaxKind[member.kind]})`);
  }
  const heritage = bases.length ? ` extends ${bases.join(", ")}` : "";
  return `${w.doc(symbol, "")}export declare class ${name}${heritage} {\n${lines.map((l) => `${l}\n`).join("")}}`;
}
