/**
 * Writes scripts/data/airbyte-fields.json: for each stream of Airbyte's
 * source-stripe, its top-level field names and their JSON types. The README's
 * migration table (readme-tables.ts) compares them with ours; nothing else of
 * Airbyte's is kept.
 *
 *   npm run build && node dist/scripts/extract-airbyte-fields.js FILE [--label TEXT]
 *
 * FILE is Airbyte's connector manifest (`manifest.yaml`, schemas under
 * `schemas:`), a discovered catalog (`.json` with `streams[].json_schema`), or a
 * folder of `<stream>.json` schemas (the connector's older layout).
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parse } from "yaml";
import { PACKAGE_ROOT } from "../src/package-root.js";

type Schema = { type?: string | string[]; anyOf?: Schema[]; oneOf?: Schema[]; properties?: Record<string, Schema> };

export interface AirbyteFields {
  source: string;
  /** stream -> field -> its types other than null, joined by `|` (empty when untyped). */
  streams: Record<string, Record<string, string>>;
}

export const AIRBYTE_FIELDS_FILE = path.join(PACKAGE_ROOT, "scripts", "data", "airbyte-fields.json");

function typesOf(s: Schema): string[] {
  const own = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  return [...own, ...[...(s.anyOf ?? []), ...(s.oneOf ?? [])].flatMap(typesOf)];
}

/** Stream name -> schema, from whichever of the three layouts `file` is. */
function readSchemas(file: string): Record<string, Schema> {
  if (statSync(file).isDirectory()) {
    const files = readdirSync(file).filter((f) => f.endsWith(".json"));
    return Object.fromEntries(files.map((f) => [f.replace(/\.json$/, ""), JSON.parse(readFileSync(path.join(file, f), "utf8")) as Schema]));
  }
  const text = readFileSync(file, "utf8");
  if (/\.ya?ml$/.test(file)) {
    const manifest = parse(text, { maxAliasCount: -1 }) as { schemas?: Record<string, unknown> };
    // Manifests also list a few non-schema keys under `schemas:` (is_resumable, ...).
    return Object.fromEntries(Object.entries(manifest.schemas ?? {}).filter((e): e is [string, Schema] => typeof e[1] === "object" && e[1] !== null && "properties" in e[1]));
  }
  const catalog = JSON.parse(text) as { streams: Array<{ name: string; json_schema: Schema }> };
  return Object.fromEntries(catalog.streams.map((s) => [s.name, s.json_schema]));
}

export function extractFields(schemas: Record<string, Schema>, source: string): AirbyteFields {
  const streams: AirbyteFields["streams"] = {};
  for (const name of Object.keys(schemas).sort()) {
    const fields = Object.entries(schemas[name]!.properties ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
    streams[name] = Object.fromEntries(fields.map(([field, s]) => [field, [...new Set(typesOf(s).filter((t) => t !== "null"))].sort().join("|")]));
  }
  return { source, streams };
}

function main(argv: string[]): number {
  const file = argv.find((a, i) => !a.startsWith("--") && argv[i - 1] !== "--label");
  if (!file || !existsSync(file)) {
    console.error("usage: extract-airbyte-fields FILE [--label TEXT]  (FILE: manifest.yaml, a discovered catalog .json, or a schemas folder)");
    return 2;
  }
  const labelAt = argv.indexOf("--label");
  const label = labelAt >= 0 ? (argv[labelAt + 1] ?? "") : path.basename(file);
  const fields = extractFields(readSchemas(file), label);
  writeFileSync(AIRBYTE_FIELDS_FILE, `${JSON.stringify(fields, null, 1)}\n`);
  console.error(`${AIRBYTE_FIELDS_FILE}: ${Object.keys(fields.streams).length} streams`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
