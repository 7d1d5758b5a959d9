/**
 * Writes `schemas/<stream>.json` for every row of the stream table, from the
 * `stripe` SDK's type declarations plus the fields the connector adds.
 *
 *   node dist/scripts/generate-schemas.js            write the schemas
 *   node dist/scripts/generate-schemas.js --check    write nothing; exit 1 if any file would change
 *
 * The rules are in sdk-json-schema.ts; README.md (Schemas) explains them.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { PACKAGE_ROOT } from "../src/package-root.js";
import { asArray } from "../src/read/records.js";
import { addedProperties } from "../src/streams/added-fields.js";
import { STREAMS } from "../src/streams/table.js";
import type { StreamDef } from "../src/streams/types.js";
import { reportStreamSchema } from "./report-schemas.js";
import { type JsonSchema, sdkTypeToJsonSchema } from "./sdk-json-schema.js";

const DRAFT_07 = "http://json-schema.org/draft-07/schema#";

export function schemasDir(): string {
  return path.join(PACKAGE_ROOT, "schemas");
}

/**
 * Fields the stream's records carry expanded: the list's own `expand[]` (charges'
 * `refunds`) and the embedded lists its children are read from (customers' `sources`).
 */
export function expandedFields(def: StreamDef): Set<string> {
  const fields = asArray(def.params?.expand).map((p) => p.replace(/^data\./, ""));
  for (const child of STREAMS) {
    if (child.parent?.stream === def.name && child.parent.expandEmbedded && child.parent.embedded) fields.push(child.parent.embedded);
  }
  return new Set(fields);
}

/** The schema of one stream: the SDK type's properties, then the fields the connector adds. */
export function streamSchema(def: StreamDef): JsonSchema {
  if (def.report) return reportStreamSchema(def);
  // A type the pinned SDK no longer declares carries its fields in the stream table.
  const sdk = def.removedTypeFields ? { properties: def.removedTypeFields } : sdkTypeToJsonSchema(def.sdkType, { expanded: expandedFields(def) });
  const sdkProperties = (sdk.properties ?? {}) as Record<string, JsonSchema>;
  return {
    $schema: DRAFT_07,
    type: "object",
    additionalProperties: true,
    properties: { ...sdkProperties, ...addedProperties(def) },
  };
}

/** File name (`<stream>.json`) -> content, for every stream of the table. */
export function renderSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  for (const def of STREAMS) files.set(`${def.name}.json`, `${JSON.stringify(streamSchema(def), null, 2)}\n`);
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

function main(argv: string[]): number {
  const check = argv.includes("--check");

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
  return status;
}

const invokedAs = process.argv[1];
if (invokedAs && import.meta.url === pathToFileURL(invokedAs).href) {
  process.exitCode = main(process.argv.slice(2));
}
