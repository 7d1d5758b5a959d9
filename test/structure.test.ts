import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The shape the code keeps: imports point one way, from the bottom layer to the
 * top, and no function grows past what a reader can hold in mind.
 */
const SRC = path.resolve(import.meta.dirname, "../src");

/** Layers, bottom first. A module imports only from lower layers or from its own folder. */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ["errors.ts", "secrets.ts", "package-root.ts"],
  ["output.ts", "streams"],
  ["config.ts"],
  ["stripe"],
  ["state"],
  ["read"],
  ["protocol", "flow"],
  ["cli", "commands"],
  ["main.ts"],
];
const MAX_FUNCTION_LINES = 60;
const MAX_CLOSURES_ON_SHARED_STATE = 4;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : [],
  );
}

/** The unit a file belongs to: its top folder under src/, or the file itself at the top. */
function unitOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0]!;
}

function layerOf(unit: string): number {
  const layer = LAYERS.findIndex((units) => units.includes(unit));
  if (layer < 0) throw new Error(`src/${unit} belongs to no layer: add it to LAYERS in test/structure.test.ts`);
  return layer;
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
}

const SOURCES = files(SRC).map(parse);

describe("code structure", () => {
  it("imports point one way: config, errors, streams, stripe -> state -> read -> protocol, flow -> cli, commands -> main", () => {
    const wrong: string[] = [];
    for (const source of SOURCES) {
      const from = unitOf(source.fileName);
      for (const statement of source.statements) {
        if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
        const spec = statement.moduleSpecifier;
        if (!spec || !ts.isStringLiteral(spec) || !spec.text.startsWith(".")) continue;
        const to = unitOf(path.resolve(path.dirname(source.fileName), spec.text.replace(/\.js$/, ".ts")));
        if (to === from) continue;
        if (layerOf(to) >= layerOf(from)) wrong.push(`${path.relative(SRC, source.fileName)} imports ${spec.text}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it(`no function is longer than ${MAX_FUNCTION_LINES} lines`, () => {
    const long: string[] = [];
    for (const source of SOURCES) {
      visitFunctions(source, (fn) => {
        const start = source.getLineAndCharacterOfPosition(fn.getStart(source)).line;
        const end = source.getLineAndCharacterOfPosition(fn.getEnd()).line;
        if (end - start + 1 > MAX_FUNCTION_LINES) long.push(`${path.relative(SRC, source.fileName)}:${start + 1} ${nameOf(fn)} (${end - start + 1} lines)`);
      });
    }
    expect(long).toEqual([]);
  });

  it(`no function has more than ${MAX_CLOSURES_ON_SHARED_STATE} closures sharing its mutable variables`, () => {
    const tangled: string[] = [];
    for (const source of SOURCES) {
      visitFunctions(source, (fn) => {
        const mutable = letNamesOf(fn);
        if (!mutable.size) return;
        let closures = 0;
        const inner = (node: ts.Node): void => {
          if (node !== fn && isFunction(node)) {
            if (references(node, mutable)) closures++;
            return;
          }
          ts.forEachChild(node, inner);
        };
        ts.forEachChild(fn, inner);
        if (closures > MAX_CLOSURES_ON_SHARED_STATE) tangled.push(`${path.relative(SRC, source.fileName)} ${nameOf(fn)}: ${closures} closures`);
      });
    }
    expect(tangled).toEqual([]);
  });
});

function isFunction(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessor(node)
  );
}

function visitFunctions(node: ts.Node, visit: (fn: ts.FunctionLikeDeclaration) => void): void {
  if (isFunction(node)) visit(node);
  ts.forEachChild(node, (child) => visitFunctions(child, visit));
}

function nameOf(fn: ts.FunctionLikeDeclaration): string {
  return fn.name && ts.isIdentifier(fn.name) ? fn.name.text : "(anonymous)";
}

/**
 * Variables declared directly in a function (not in functions nested in it) that
 * may change: every `let`, and every `const` that is not itself a function.
 */
function letNamesOf(fn: ts.FunctionLikeDeclaration): Set<string> {
  const names = new Set<string>();
  const walk = (node: ts.Node): void => {
    if (node !== fn && isFunction(node)) return;
    if (ts.isVariableDeclarationList(node)) {
      for (const d of node.declarations) {
        const isFunctionValue = d.initializer !== undefined && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer));
        if (ts.isIdentifier(d.name) && !isFunctionValue) names.add(d.name.text);
      }
    }
    ts.forEachChild(node, walk);
  };
  if (fn.body) walk(fn.body);
  return names;
}

function references(node: ts.Node, names: Set<string>): boolean {
  let found = false;
  const walk = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && names.has(n.text)) found = true;
    else ts.forEachChild(n, walk);
  };
  walk(node);
  return found;
}
