/**
 * Turns the `stripe` SDK's own type declarations into JSON schemas.
 *
 * The SDK's `.d.ts` files are loaded into a TypeScript Program and walked with
 * the type checker, so the schemas follow exactly the object shapes the pinned
 * SDK (and its API version) declares. The rules are loose on purpose, so that
 * records rendered by any recent API version still validate:
 *
 * - every property is nullable and optional (no `required`), and every object
 *   allows additional properties;
 * - string-literal unions become plain strings (Stripe adds enum values);
 * - expandable references (`string | Customer | DeletedCustomer`) are typed
 *   `string` or `object` without describing the expanded resource;
 * - recursion stops at a type already on the current path and below a depth limit.
 */
import { createRequire } from "node:module";
import path from "node:path";
import ts from "typescript";

export type JsonSchema = Record<string, unknown>;

export interface SchemaOptions {
  /** Objects and arrays nested deeper than this become bare `object` / `array` schemas. */
  maxDepth: number;
  /** Property descriptions are kept down to this depth (the root's properties are depth 1). */
  descriptionDepth: number;
}

export const DEFAULT_SCHEMA_OPTIONS: Readonly<SchemaOptions> = { maxDepth: 8, descriptionDepth: Infinity };

interface Sdk {
  checker: ts.TypeChecker;
  /** The `Stripe` namespace of `stripe.core.d.ts`, which re-exports every resource type. */
  root: ts.Symbol;
  /** Directory holding the SDK's CommonJS build and its declarations. */
  dir: string;
}

let sdk: Sdk | undefined;

/** Directory of the installed SDK's CommonJS build (`node_modules/stripe/cjs`). */
export function sdkDeclarationsDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve("stripe"));
}

function loadSdk(): Sdk {
  if (sdk) return sdk;
  const dir = sdkDeclarationsDir();
  const entry = path.join(dir, "stripe.core.d.ts");
  const program = ts.createProgram({
    rootNames: [entry],
    options: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    },
  });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(entry);
  if (!file) throw new Error(`cannot load the SDK's declarations from ${entry}`);
  const moduleSymbol = checker.getSymbolAtLocation(file);
  if (!moduleSymbol) throw new Error(`${entry} is not a module`);
  const root = checker.getExportsOfModule(moduleSymbol).find((s) => s.name === "Stripe");
  if (!root) throw new Error(`${entry} does not export the Stripe namespace`);
  sdk = { checker, root, dir };
  return sdk;
}

function resolveAlias(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/** The type named `typeName` ("Customer", "Checkout.Session") in the SDK's `Stripe` namespace. */
function resolveSdkType(typeName: string): ts.Type {
  const { checker, root } = loadSdk();
  let symbol = root;
  for (const part of typeName.split(".")) {
    const next = checker.getExportsOfModule(symbol).find((s) => s.name === part);
    if (!next) throw new Error(`the stripe SDK declares no type named "${typeName}" (no "${part}")`);
    symbol = resolveAlias(checker, next);
  }
  if (!(symbol.flags & ts.SymbolFlags.Type)) throw new Error(`"${typeName}" in the stripe SDK is not a type`);
  return checker.getDeclaredTypeOfSymbol(symbol);
}

/** Name and declaring file of the symbol (or alias) a type comes from. */
function typeOrigin(type: ts.Type): { name: string; file: string } | undefined {
  const symbol = type.aliasSymbol ?? type.getSymbol();
  const decl = symbol?.declarations?.[0];
  if (!symbol || !decl) return undefined;
  return { name: symbol.name, file: path.basename(decl.getSourceFile().fileName) };
}

/** The SDK's branded `Decimal` (a decimal number sent as a string). */
function isDecimal(type: ts.Type): boolean {
  if (type.aliasSymbol?.name === "Decimal") return true;
  if (type.isIntersection()) {
    return type.types.some((t) => {
      const origin = typeOrigin(t);
      return origin?.name === "DecimalImpl" || (origin?.name === "Decimal" && origin.file === "Decimal.d.ts");
    });
  }
  return false;
}

/** `ApiList<T>`: the first page of a list embedded in an object (invoice `lines`, subscription `items`). */
function isApiList(type: ts.Type): boolean {
  if (!(type.flags & ts.TypeFlags.Object)) return false;
  const ref = type as ts.TypeReference;
  if (!(ref.objectFlags & ts.ObjectFlags.Reference)) return false;
  const origin = typeOrigin(ref.target);
  return origin?.name === "ApiList" && origin.file === "lib.d.ts";
}

type Kind = "null" | "void" | "any" | "string" | "number" | "boolean" | "array" | "object";

function kindOf(checker: ts.TypeChecker, type: ts.Type): Kind {
  const f = type.flags;
  if (f & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Never)) return "null";
  if (f & ts.TypeFlags.Void) return "void";
  if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return "any";
  if (f & ts.TypeFlags.StringLike) return "string";
  if (f & (ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike)) return "number";
  if (f & ts.TypeFlags.BooleanLike) return "boolean";
  if (isDecimal(type)) return "string";
  if (type.isIntersection()) {
    // `OtherString` (`string & Record<never, never>`), the SDK's marker for open enums.
    const primitive = type.types.map((t) => kindOf(checker, t)).find((k) => k !== "object");
    if (primitive) return primitive;
  }
  if (f & ts.TypeFlags.Object && (checker.isArrayType(type) || checker.isTupleType(type))) return "array";
  if (f & (ts.TypeFlags.Object | ts.TypeFlags.NonPrimitive | ts.TypeFlags.Intersection)) return "object";
  return "any";
}

/** A Stripe API resource: an object with an `id` or an `object` discriminator. */
function isResource(checker: ts.TypeChecker, type: ts.Type): boolean {
  return checker.getPropertyOfType(type, "object") !== undefined || checker.getPropertyOfType(type, "id") !== undefined;
}

const PRIMITIVE_ORDER = ["string", "number", "boolean"] as const;
const ABBREVIATION = /\b(?:e\.g|i\.e|etc|vs|approx|incl|Inc|Ltd|Co|No|Dr|Mr|Mrs|Ms|St)\.$/i;

/** First sentence of a JSDoc text, on one line. */
export function firstSentence(text: string): string {
  const paragraph = (text.split(/\n\s*\n/)[0] ?? "").replace(/\s+/g, " ").trim();
  const end = /[.!?](?=\s|$)/g;
  for (let m = end.exec(paragraph); m; m = end.exec(paragraph)) {
    const sentence = paragraph.slice(0, m.index + 1);
    if (!ABBREVIATION.test(sentence)) return sentence;
  }
  return paragraph;
}

function nullable(...types: string[]): JsonSchema {
  return { type: ["null", ...types] };
}

function bareObject(): JsonSchema {
  return { type: ["null", "object"], additionalProperties: true };
}

class Converter {
  /** Object types on the path from the root to the type being converted. */
  private readonly path = new Set<ts.Type>();

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly options: SchemaOptions,
  ) {}

  /** Schema of a value of `type` nested at `depth` (the root object is depth 0). */
  convert(type: ts.Type, depth: number): JsonSchema {
    const members = type.isUnion() ? type.types : [type];
    const byKind = new Map<Kind, ts.Type[]>();
    for (const t of members) {
      const kind = kindOf(this.checker, t);
      byKind.set(kind, [...(byKind.get(kind) ?? []), t]);
    }
    if (byKind.has("any")) return {};
    const objects = byKind.get("object") ?? [];
    const arrays = byKind.get("array") ?? [];
    const primitives = PRIMITIVE_ORDER.filter((k) => byKind.has(k));
    if (objects.length === 0 && arrays.length === 0) {
      // `deleted?: void` on live objects: the API sends `deleted: true` on deleted ones.
      if (primitives.length === 0) return byKind.has("void") ? nullable("boolean") : { type: "null" };
      return nullable(...primitives);
    }
    // `string | Customer | DeletedCustomer`: an ID, or the object when expanded.
    if (
      primitives.length === 1 &&
      primitives[0] === "string" &&
      arrays.length === 0 &&
      objects.every((t) => isResource(this.checker, t))
    ) {
      return { type: ["null", "string", "object"], additionalProperties: true };
    }
    if (primitives.length === 0 && objects.length + arrays.length === 1) {
      const only = objects[0] ?? arrays[0];
      return only ? this.convertNonNull(only, depth) : {};
    }
    // The checker orders union members by internal type ids, which depend on the
    // order types were first looked at; order the variants by type name instead.
    const variants = [...objects, ...arrays]
      .map((t) => ({ name: this.checker.typeToString(t), schema: this.convertNonNull(t, depth) }))
      .map((v) => ({ ...v, json: JSON.stringify(v.schema) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.json < b.json ? -1 : a.json > b.json ? 1 : 0));
    const anyOf: JsonSchema[] = primitives.length > 0 ? [nullable(...primitives)] : [];
    const seen = new Set<string>();
    for (const v of variants) {
      if (!seen.has(v.json)) anyOf.push(v.schema);
      seen.add(v.json);
    }
    anyOf.push({ type: "null" });
    return { anyOf };
  }

  private convertNonNull(type: ts.Type, depth: number): JsonSchema {
    if (kindOf(this.checker, type) === "array") {
      if (depth > this.options.maxDepth) return nullable("array");
      const element = this.checker.isArrayType(type)
        ? this.checker.getTypeArguments(type as ts.TypeReference)[0]
        : undefined;
      return element ? { type: ["null", "array"], items: this.convert(element, depth + 1) } : nullable("array");
    }
    return this.convertObject(type, depth);
  }

  private convertObject(type: ts.Type, depth: number): JsonSchema {
    if (depth > this.options.maxDepth || this.path.has(type)) return bareObject();
    this.path.add(type);
    try {
      const entries: [string, JsonSchema][] = [];
      for (const prop of this.checker.getPropertiesOfType(type)) {
        if (prop.flags & ts.SymbolFlags.Method) continue;
        const schema = this.convert(this.checker.getTypeOfSymbol(prop), depth + 1);
        const doc = depth + 1 <= this.options.descriptionDepth ? this.description(prop) : "";
        entries.push([prop.name, doc ? { description: doc, ...schema } : schema]);
      }
      if (isApiList(type) && !entries.some(([name]) => name === "total_count")) {
        // Sent when a list is fetched with `include[]=total_count`; the SDK's ApiList omits it.
        entries.push(["total_count", nullable("number")]);
      }
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const schema: JsonSchema = { type: ["null", "object"] };
      if (entries.length > 0) schema.properties = Object.fromEntries(entries);
      const index = this.checker.getIndexInfoOfType(type, ts.IndexKind.String);
      const values = index ? this.convert(index.type, depth + 1) : {};
      schema.additionalProperties = Object.keys(values).length > 0 ? values : true;
      return schema;
    } finally {
      this.path.delete(type);
    }
  }

  private description(prop: ts.Symbol): string {
    return firstSentence(ts.displayPartsToString(prop.getDocumentationComment(this.checker)));
  }
}

/**
 * When a stream's SDK type is a union of interfaces that all extend one base
 * (`Event` is the union of every `XxxEvent extends EventBase`), the records are
 * described by that base: its properties are the ones every member shares.
 */
function rootObjectType(checker: ts.TypeChecker, type: ts.Type, typeName: string): ts.Type {
  if (!type.isUnion()) return type;
  const members = type.types.filter((t) => kindOf(checker, t) === "object");
  const bases = members.map((t) => new Set(t.isClassOrInterface() ? (checker.getBaseTypes(t) ?? []) : []));
  const first = bases[0];
  const common = first ? [...first].filter((b) => bases.every((s) => s.has(b))) : [];
  const base = common[0];
  if (members.length !== type.types.length || common.length !== 1 || !base) {
    throw new Error(`the stripe SDK type "${typeName}" is a union without a single common base interface`);
  }
  return base;
}

/** Name of the interface a union-typed SDK name stands for (`Event` -> `EventBase`), else the name itself. */
export function sdkRootTypeName(typeName: string): string {
  const { checker } = loadSdk();
  const type = resolveSdkType(typeName);
  const root = rootObjectType(checker, type, typeName);
  return root === type ? typeName : (root.getSymbol()?.name ?? typeName);
}

/** Value of the `object` discriminator of an SDK resource type (`"customer"`), if it declares one. */
export function sdkObjectName(typeName: string): string | undefined {
  const { checker } = loadSdk();
  const type = rootObjectType(checker, resolveSdkType(typeName), typeName);
  const prop = checker.getPropertyOfType(type, "object");
  if (!prop) return undefined;
  const t = checker.getTypeOfSymbol(prop);
  return t.isStringLiteral() ? t.value : undefined;
}

/**
 * Draft-07 JSON schema of the SDK type named `typeName` (as in `Stripe.<typeName>`,
 * e.g. "Customer", "Checkout.Session", "Issuing.Authorization"), with
 * properties sorted by name. Throws if the SDK declares no such type.
 */
export function sdkTypeToJsonSchema(typeName: string, options: Partial<SchemaOptions> = {}): JsonSchema {
  const { checker } = loadSdk();
  const type = rootObjectType(checker, resolveSdkType(typeName), typeName);
  if (kindOf(checker, type) !== "object") throw new Error(`the stripe SDK type "${typeName}" is not an object type`);
  const converter = new Converter(checker, { ...DEFAULT_SCHEMA_OPTIONS, ...options });
  return converter.convert(type, 0);
}
