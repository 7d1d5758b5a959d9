import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";

const ajv = new Ajv({ strict: false, allErrors: true });
const strict = new Map<string, ValidateFunction>();

/**
 * What in these records a stream's schema does not allow, with every top-level
 * field required to be declared: destinations write only declared columns, so an
 * undeclared field would be lost in the warehouse. Empty when all is well.
 */
export function schemaProblems(stream: string, records: Array<Record<string, unknown>>): string[] {
  let validate = strict.get(stream);
  if (!validate) {
    const schema = JSON.parse(readFileSync(resolve(import.meta.dirname, `../../schemas/${stream}.json`), "utf8")) as object;
    validate = ajv.compile({ ...schema, additionalProperties: false });
    strict.set(stream, validate);
  }
  const problems = new Set<string>();
  for (const record of records) {
    if (validate(record)) continue;
    for (const e of validate.errors ?? []) {
      problems.add(e.keyword === "additionalProperties" ? `undeclared ${String(e.params.additionalProperty)}` : `${e.instancePath} ${e.message}`);
    }
  }
  return [...problems].sort();
}
