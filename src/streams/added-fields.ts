import type { StreamDef } from "./types.js";

type JsonSchema = Record<string, unknown>;

const TIMESTAMP: JsonSchema = { type: ["null", "integer"] };
const ID: JsonSchema = { type: ["null", "string"] };

/**
 * JSON-schema properties for the fields the connector adds to Stripe's objects,
 * so that the discovered schema describes every record the connector emits.
 */
export function addedProperties(def: StreamDef): Record<string, JsonSchema> {
  // Set when several accounts are read in one sync (config connected_accounts).
  const props: Record<string, JsonSchema> = { account_id: ID };
  if (def.cursorField === "updated") props.updated = { type: "integer" };
  if (def.eventTypes.some((t) => t.endsWith(".deleted"))) props.is_deleted = { type: ["null", "boolean"] };
  for (const [child, parentField] of Object.entries(def.parent?.copy ?? {})) {
    props[child] = parentField === "id" ? ID : TIMESTAMP;
  }
  return props;
}
