/**
 * Turns the `stripe` SDK's own type declarations into JSON schemas that
 * describe what the connector emits, shaped for warehouses.
 *
 * The SDK's `.d.ts` files are loaded into a TypeScript Program and walked with
 * the type checker. Rules:
 *
 * - A reference (`string | Customer | DeletedCustomer`) is the id, a string:
 *   the connector never expands one, except the fields the stream names in
 *   `expanded`, which are described as the object they then hold. Airbyte's
 *   destinations turn a string|object union into an object column and lose the id.
 * - Below the record, a Stripe object (one with `id` and `object`), or a choice
 *   of them (a charge's `source`), is an open object with only its scalar fields
 *   described; nothing is described deeper than `maxDepth` fields below the record.
 * - A numeric field is `integer` or `number` by `numeric-type.ts`.
 * - Descriptions only on the record's own fields; every field may be null,
 *   except the record's `id`, `object` and `created` where the SDK says they
 *   never are; every object allows additional properties; string-literal
 *   unions are plain strings (Stripe adds enum values).
 */
import { createRequire } from "node:module";
import path from "node:path";
import ts from "typescript";
import { numericType } from "./numeric-type.js";

export type JsonSchema = Record<string, unknown>;

export interface SchemaOptions {
  /** Fields are described down to this many levels below the record (its own fields are level 1). */
  maxDepth: number;
  /** Dotted paths of references the stream expands: described as the object, not as its id. */
  expanded: ReadonlySet<string>;
}

export const DEFAULT_SCHEMA_OPTIONS: Readonly<SchemaOptions> = { maxDepth: 4, expanded: new Set() };

/** Top-level fields the SDK may declare non-null: the only ones whose schema then excludes null. */
const NEVER_NULL = new Set(["id", "object", "created"]);

interface Sdk {
  checker: ts.TypeChecker;
  /** The `Stripe` namespace of `stripe.core.d.ts`, which re-exports every resource type. */
  root: ts.Symbol;
}

let sdk: Sdk | undefined;

function loadSdk(): Sdk {
  if (sdk) return sdk;
  const dir = path.dirname(createRequire(import.meta.url).resolve("stripe"));
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
  sdk = { checker, root };
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

/** A Stripe object: it has an `id` and an `object` discriminator. */
function isStripeObject(checker: ts.TypeChecker, type: ts.Type): boolean {
  return checker.getPropertyOfType(type, "object") !== undefined && checker.getPropertyOfType(type, "id") !== undefined;
}

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

function openObject(): JsonSchema {
  return { type: ["null", "object"], additionalProperties: true };
}

const SCALARS = new Set(["null", "string", "integer", "number", "boolean"]);

function isScalar(schema: JsonSchema): boolean {
  const t = schema.type;
  return Array.isArray(t) ? t.every((x) => SCALARS.has(x as string)) : typeof t === "string" && SCALARS.has(t);
}

/** Where a value sits: the field names from the record down to it (array items add none), and its doc comment. */
interface Site {
  path: readonly string[];
  doc: string;
}

class Converter {
  /** Object types on the path from the root to the type being converted. */
  private readonly onPath = new Set<ts.Type>();

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly options: SchemaOptions,
  ) {}

  /** Schema of the record itself, an object type. */
  record(type: ts.Type): JsonSchema {
    const schema = this.object(type, { path: [], doc: "" });
    schema.type = "object";
    return schema;
  }

  private convert(type: ts.Type, at: Site): JsonSchema {
    const members = type.isUnion() ? type.types : [type];
    const byKind = new Map<Kind, ts.Type[]>();
    for (const t of members) {
      const kind = kindOf(this.checker, t);
      byKind.set(kind, [...(byKind.get(kind) ?? []), t]);
    }
    if (byKind.has("any")) return {};
    const nullable = !(at.path.length === 1 && NEVER_NULL.has(at.path[0]!) && !byKind.has("null"));
    const objects = byKind.get("object") ?? [];
    const arrays = byKind.get("array") ?? [];
    const primitives = (["string", "number", "boolean"] as const).filter((k) => byKind.has(k));
    const scalar = (...kinds: string[]): JsonSchema => {
      const types = kinds.map((k) => (k === "number" ? numericType(at.path.at(-1) ?? "", at.path.at(-2) ?? "", at.doc) : k));
      return { type: nullable ? ["null", ...types] : types.length === 1 ? types[0] : types };
    };
    if (objects.length === 0 && arrays.length === 0) {
      // `deleted?: void` on live objects: the API sends `deleted: true` on deleted ones.
      if (primitives.length === 0) return byKind.has("void") ? scalar("boolean") : { type: "null" };
      return scalar(...primitives);
    }
    const stripeObjects = arrays.length === 0 && objects.every((t) => isStripeObject(this.checker, t));
    const withIds = arrays.length === 0 && objects.every((t) => this.checker.getPropertyOfType(t, "id") !== undefined);
    if (withIds && primitives.length === 1 && primitives[0] === "string") {
      // `string | Customer | DeletedCustomer` (or a charge outcome's `string | Rule`): the id,
      // or the object where the stream expands it.
      if (!this.options.expanded.has(at.path.join("."))) return scalar("string");
      // Expanded, it is the object or, once deleted, a stub of it (`DeletedCustomer`).
      const live = objects.filter((t) => !typeOrigin(t)?.name.startsWith("Deleted"));
      return live.length === 1 ? this.nonNull(live[0]!, at) : openObject();
    }
    if (primitives.length === 0 && objects.length + arrays.length === 1) return this.nonNull((objects[0] ?? arrays[0])!, at);
    if (primitives.length === 0 && stripeObjects) return openObject(); // a choice of Stripe objects: a source
    throw new Error(`${at.path.join(".")}: no rule for the union ${this.checker.typeToString(type)}`);
  }

  private nonNull(type: ts.Type, at: Site): JsonSchema {
    if (kindOf(this.checker, type) !== "array") return this.object(type, at);
    const element = this.checker.isArrayType(type) ? this.checker.getTypeArguments(type as ts.TypeReference)[0] : undefined;
    const schema: JsonSchema = { type: ["null", "array"] };
    if (element && at.path.length < this.options.maxDepth) schema.items = this.convert(element, { ...at, doc: "" });
    return schema;
  }

  private object(type: ts.Type, at: Site): JsonSchema {
    const depth = at.path.length;
    if (depth >= this.options.maxDepth || this.onPath.has(type)) return openObject();
    const embedded = depth > 0 && isStripeObject(this.checker, type);
    this.onPath.add(type);
    try {
      const entries: [string, JsonSchema][] = [];
      for (const prop of this.checker.getPropertiesOfType(type)) {
        if (prop.flags & ts.SymbolFlags.Method) continue;
        const doc = ts.displayPartsToString(prop.getDocumentationComment(this.checker));
        const schema = this.convert(this.checker.getTypeOfSymbol(prop), { path: [...at.path, prop.name], doc });
        if (embedded && !isScalar(schema)) continue;
        entries.push([prop.name, depth === 0 && doc ? { description: firstSentence(doc), ...schema } : schema]);
      }
      if (isApiList(type) && !entries.some(([name]) => name === "total_count")) {
        // Sent when a list is fetched with `include[]=total_count`; the SDK's ApiList omits it.
        entries.push(["total_count", { type: ["null", "integer"] }]);
      }
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const schema = openObject();
      if (entries.length > 0) schema.properties = Object.fromEntries(entries);
      return schema;
    } finally {
      this.onPath.delete(type);
    }
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

/**
 * Draft-07 JSON schema of the records of the SDK type named `typeName` (as in
 * `Stripe.<typeName>`, e.g. "Customer", "Checkout.Session"), with properties
 * sorted by name. Throws if the SDK declares no such type.
 */
export function sdkTypeToJsonSchema(typeName: string, options: Partial<SchemaOptions> = {}): JsonSchema {
  const { checker } = loadSdk();
  const type = rootObjectType(checker, resolveSdkType(typeName), typeName);
  if (kindOf(checker, type) !== "object") throw new Error(`the stripe SDK type "${typeName}" is not an object type`);
  return new Converter(checker, { ...DEFAULT_SCHEMA_OPTIONS, ...options }).record(type);
}
