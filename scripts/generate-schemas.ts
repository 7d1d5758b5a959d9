/**
 * Writes `schemas/<stream>.json` for every row of the stream table, from the
 * `stripe` SDK's type declarations plus the fields the connector adds.
 *
 *   node dist/scripts/generate-schemas.js            write the schemas
 *   node dist/scripts/generate-schemas.js --check    write nothing; exit 1 if any file would change
 *   node dist/scripts/generate-schemas.js --cross-check ../shared/stripe-openapi/spec3.json
 *       also print the top-level fields an OpenAPI spec has that the SDK schemas lack (never fails)
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { addedProperties } from "../src/streams/added-fields.js";
import { STREAMS } from "../src/streams/table.js";
import type { StreamDef } from "../src/streams/types.js";
import { type JsonSchema, type SchemaOptions, sdkObjectName, sdkTypeToJsonSchema } from "./sdk-json-schema.js";

/**
 * With every description kept, the schemas came to about 8.8 MB: errors such as
 * `invoice.last_finalization_error` embed whole PaymentIntents and SetupIntents,
 * which embed each other's errors. Keeping the nesting limit at 8 and dropping
 * descriptions below the fourth level brings the directory to about 7.2 MB.
 */
export const SCHEMA_OPTIONS: SchemaOptions = { maxDepth: 8, descriptionDepth: 4 };

const DRAFT_07 = "http://json-schema.org/draft-07/schema#";

/** The project's root directory (holds package.json), found from this file's location. */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "source-stripe") {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("cannot find the source-stripe project root");
    dir = parent;
  }
}

export function schemasDir(): string {
  return path.join(projectRoot(), "schemas");
}

/** The schema of one stream: the SDK type's properties, then the fields the connector adds. */
export function streamSchema(def: StreamDef, sdkSchemas = new Map<string, JsonSchema>()): JsonSchema {
  // A type the pinned SDK no longer declares carries its fields in the stream table.
  let sdk = def.removedTypeFields ? { properties: def.removedTypeFields } : sdkSchemas.get(def.sdkType);
  if (!sdk) {
    sdk = sdkTypeToJsonSchema(def.sdkType, SCHEMA_OPTIONS);
    sdkSchemas.set(def.sdkType, sdk);
  }
  const sdkProperties = (sdk.properties ?? {}) as Record<string, JsonSchema>;
  return {
    $schema: DRAFT_07,
    type: ["null", "object"],
    additionalProperties: true,
    properties: { ...sdkProperties, ...addedProperties(def) },
  };
}

/** File name (`<stream>.json`) -> content, for every stream of the table. */
export function renderSchemas(): Map<string, string> {
  const sdkSchemas = new Map<string, JsonSchema>();
  const files = new Map<string, string>();
  for (const def of STREAMS) {
    files.set(`${def.name}.json`, `${JSON.stringify(streamSchema(def, sdkSchemas), null, 2)}\n`);
  }
  return files;
}

/** Files whose content on disk differs from `files` (missing ones included). */
export function changedFiles(files: Map<string, string>, dir = schemasDir()): string[] {
  const changed: string[] = [];
  for (const [name, content] of files) {
    const file = path.join(dir, name);
    if (!existsSync(file) || readFileSync(file, "utf8") !== content) changed.push(name);
  }
  return changed;
}

/** `.json` files in the directory that no stream produces (left over from a renamed or removed stream). */
function strayFiles(files: Map<string, string>, dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json") && !files.has(f))
    .sort();
}

interface OpenApiSpec {
  components?: { schemas?: Record<string, { properties?: Record<string, unknown>; "x-resourceId"?: string }> };
}

/** Top-level fields an (older) OpenAPI spec gives each stream's object that the SDK schema does not. */
function crossCheck(specFile: string): void {
  const spec = JSON.parse(readFileSync(specFile, "utf8")) as OpenApiSpec;
  const components = spec.components?.schemas ?? {};
  const seen = new Set<string>();
  for (const def of STREAMS) {
    if (seen.has(def.sdkType) || def.removedTypeFields) continue;
    seen.add(def.sdkType);
    const objectName = sdkObjectName(def.sdkType);
    const component = objectName
      ? (components[objectName] ?? Object.values(components).find((c) => c["x-resourceId"] === objectName))
      : undefined;
    if (!component) {
      console.log(`${def.name} (${def.sdkType}): no "${objectName ?? "?"}" object in ${specFile}`);
      continue;
    }
    const sdkProperties = (sdkTypeToJsonSchema(def.sdkType, SCHEMA_OPTIONS).properties ?? {}) as Record<string, unknown>;
    const missing = Object.keys(component.properties ?? {})
      .filter((f) => !(f in sdkProperties))
      .sort();
    if (missing.length > 0) {
      console.log(`${def.name} (${def.sdkType}): in the spec, not in the SDK: ${missing.join(", ")}`);
    }
  }
}

function main(argv: string[]): number {
  const check = argv.includes("--check");
  const crossIndex = argv.indexOf("--cross-check");
  const specFile = crossIndex >= 0 ? argv[crossIndex + 1] : undefined;
  if (crossIndex >= 0 && !specFile) {
    console.error("--cross-check needs the path of an OpenAPI spec3.json");
    return 2;
  }

  const started = Date.now();
  const dir = schemasDir();
  const files = renderSchemas();
  const changed = changedFiles(files, dir);
  const stray = strayFiles(files, dir);
  const bytes = [...files.values()].reduce((n, c) => n + Buffer.byteLength(c), 0);
  const took = `${((Date.now() - started) / 1000).toFixed(1)}s`;
  if (stray.length > 0) console.error(`not produced by any stream (remove if obsolete): ${stray.join(", ")}`);

  let status = 0;
  if (check) {
    if (changed.length > 0) {
      console.error(`schemas out of date (run npm run generate:schemas): ${changed.map((f) => `schemas/${f}`).join(", ")}`);
      status = 1;
    } else {
      console.error(`${files.size} schemas up to date (${took})`);
    }
  } else {
    mkdirSync(dir, { recursive: true });
    for (const name of changed) writeFileSync(path.join(dir, name), files.get(name) ?? "");
    console.error(`${files.size} schemas, ${changed.length} written, ${(bytes / 1e6).toFixed(2)} MB in all (${took})`);
  }
  if (specFile) crossCheck(path.resolve(specFile));
  return status;
}

const invokedAs = process.argv[1];
if (invokedAs && import.meta.url === pathToFileURL(invokedAs).href) {
  process.exitCode = main(process.argv.slice(2));
}
