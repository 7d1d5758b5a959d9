/**
 * JSON schemas of the report streams, derived from the report columns in
 * src/streams/reports.ts (the SDK declares no type for a report's rows). Each
 * column gets the type its kind gives it once the connector has parsed the CSV
 * (see src/read/report-rows.ts); amounts also get their `<name>_minor` copy.
 * Invoked by generate-schemas.ts for the rows of the table that have `report`.
 */
import { addedProperties } from "../src/streams/added-fields.js";
import type { ColumnKind, ReportSpec } from "../src/streams/reports.js";
import type { StreamDef } from "../src/streams/types.js";

type JsonSchema = Record<string, unknown>;

const DRAFT_07 = "http://json-schema.org/draft-07/schema#";

const TYPE_OF: Record<ColumnKind, string> = {
  id: "string",
  string: "string",
  amount: "string",
  time: "integer",
  date: "integer",
  integer: "integer",
  boolean: "boolean",
};

/** The fields every report record carries besides its columns: which run it came from. */
function runFields(spec: ReportSpec): Record<string, JsonSchema> {
  return {
    report_type: { type: ["null", "string"], description: `The report type the row comes from (${spec.type}).` },
    interval_start: {
      type: ["null", "integer"],
      description:
        spec.scope === "interval"
          ? "Start of the run's interval (inclusive), epoch seconds."
          : spec.scope === "payout"
            ? "Start of the window the payout arrived in (inclusive), epoch seconds."
            : "Null: runs of this report take no interval start.",
    },
    interval_end: {
      type: ["null", "integer"],
      description:
        spec.scope === "payout" ? "End of the window the payout arrived in (exclusive), epoch seconds." : "End of the run's interval (exclusive), epoch seconds.",
    },
    payout: { type: ["null", "string"], description: spec.scope === "payout" ? "The payout the run covers." : "Null: runs of this report cover an interval." },
  };
}

/** The schema of one report stream's records. */
export function reportStreamSchema(def: StreamDef): JsonSchema {
  const spec = def.report;
  if (!spec) throw new Error(`${def.name} is not a report stream`);
  const properties: Record<string, JsonSchema> = {};
  for (const column of spec.columns) {
    properties[column.name] = { type: ["null", TYPE_OF[column.kind]], description: column.description };
    if (column.kind === "amount") {
      properties[`${column.name}_minor`] = {
        type: ["null", "integer"],
        description: `${column.name} as an integer in the currency's minor unit (cents for USD, yen for JPY), as the API writes amounts; null when not exact.`,
      };
    }
  }
  const all: Record<string, JsonSchema> = { ...properties, ...runFields(spec), ...addedProperties(def) };
  // A key field always has a value: it is typed without null, so Flow accepts it as a key.
  for (const [field] of def.primaryKey) {
    const schema = all[field!]!;
    all[field!] = { ...schema, type: (schema.type as string[]).filter((t) => t !== "null")[0] };
  }
  return { $schema: DRAFT_07, type: "object", additionalProperties: true, properties: all };
}
