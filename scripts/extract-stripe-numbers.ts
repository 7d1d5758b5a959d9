/**
 * Writes scripts/data/stripe-numbers.json: which numeric field names Stripe's
 * OpenAPI spec types `integer` (minor-unit amounts, counts, unix times) and
 * which `number` (fractions). The SDK's declarations say `number` for both, so
 * the schema generator takes integer-ness from here.
 *
 *   npm run build && node dist/scripts/extract-stripe-numbers.js [../shared/stripe-openapi/spec3.json]
 *
 * The output is committed: neither the build nor the tests read the spec.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { PACKAGE_ROOT } from "../src/package-root.js";

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};

export interface StripeNumbers {
  source: string;
  /** Names typed `integer` wherever the spec has them. */
  integer: string[];
  /** Names typed `number` (fractions allowed) wherever the spec has them. */
  number: string[];
  /** `parent.name` -> type, for the few names typed differently under one parent field. */
  byParent: Record<string, "integer" | "number">;
}

export const NUMBERS_FILE = "scripts/data/stripe-numbers.json";

interface Occurrence {
  name: string;
  type: "integer" | "number";
  /** Component holding the property at its top level, or the enclosing property's name. */
  parent: { component: string } | { field: string };
}

/** The schemas a schema is made of: itself, its union members, its array items. */
function parts(s: Schema): Schema[] {
  return [s, ...[...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? []), ...(s.items ? [s.items] : [])].flatMap(parts)];
}

export function extractNumbers(spec: { info?: { version?: string }; components: { schemas: Record<string, Schema> } }): StripeNumbers {
  const occurrences: Occurrence[] = [];
  /** Component name -> names of the properties that hold it (the parent of its fields). */
  const heldBy = new Map<string, Set<string>>();
  const walk = (schema: Schema, parent: Occurrence["parent"]): void => {
    for (const [name, prop] of Object.entries(schema.properties ?? {})) {
      for (const part of parts(prop)) {
        if (part.type === "integer" || part.type === "number") occurrences.push({ name, type: part.type, parent });
        const ref = part.$ref?.replace("#/components/schemas/", "");
        if (ref) heldBy.set(ref, (heldBy.get(ref) ?? new Set()).add(name));
        if (part.properties) walk(part, { field: name });
      }
    }
  };
  for (const [component, schema] of Object.entries(spec.components.schemas)) {
    for (const part of parts(schema)) walk(part, { component });
  }

  const types = new Map<string, Map<string, number>>();
  for (const o of occurrences) {
    const counts = types.get(o.name) ?? new Map<string, number>();
    counts.set(o.type, (counts.get(o.type) ?? 0) + 1);
    types.set(o.name, counts);
  }
  const integer: string[] = [];
  const number: string[] = [];
  const byParent: Record<string, "integer" | "number"> = {};
  for (const [name, counts] of [...types].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const usual = (counts.get("integer") ?? 0) >= (counts.get("number") ?? 0) ? "integer" : "number";
    (usual === "integer" ? integer : number).push(name);
    // A name of both kinds: the usual kind by name, the others by the field that holds them.
    const keys = (o: Occurrence) =>
      "field" in o.parent ? [o.parent.field] : [...(heldBy.get(o.parent.component) ?? [])];
    const unusual = occurrences.filter((o) => o.name === name && o.type !== usual);
    for (const o of unusual) for (const parent of keys(o)) byParent[`${parent}.${name}`] = o.type;
    for (const o of occurrences.filter((x) => x.name === name && x.type === usual)) {
      for (const parent of keys(o)) {
        if (byParent[`${parent}.${name}`]) throw new Error(`${parent}.${name} is both integer and number in the spec`);
      }
    }
  }
  return { source: `Stripe OpenAPI spec3.json, API version ${spec.info?.version ?? "?"}`, integer, number, byParent };
}

function main(argv: string[]): void {
  const root = PACKAGE_ROOT;
  const specFile = path.resolve(argv[0] ?? path.join(root, "..", "shared", "stripe-openapi", "spec3.json"));
  const spec = JSON.parse(readFileSync(specFile, "utf8")) as Parameters<typeof extractNumbers>[0];
  const out = path.join(root, NUMBERS_FILE);
  const numbers = extractNumbers(spec);
  writeFileSync(out, `${JSON.stringify(numbers, null, 1)}\n`);
  console.error(`${out}: ${numbers.integer.length} integer names, ${numbers.number.length} number names, ${Object.keys(numbers.byParent).length} by parent`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
