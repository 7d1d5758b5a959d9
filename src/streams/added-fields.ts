import type { StreamDef } from "./types.js";

type JsonSchema = Record<string, unknown>;

const TIMESTAMP = ["null", "integer"];
const ID = ["null", "string"];

/**
 * JSON-schema properties for the fields the connector adds to Stripe's objects,
 * so that the discovered schema describes every record the connector emits.
 * Times are unix seconds (integers) and ids strings, as in Stripe's own fields.
 */
export function addedProperties(def: StreamDef): Record<string, JsonSchema> {
  const props: Record<string, JsonSchema> = {
    account_id: { description: "The Stripe account the object belongs to, when several accounts are read.", type: ID },
  };
  if (def.cursorField === "updated") {
    props.updated = { description: "Unix time the object last changed as far as the connector knows: its creation (the read, for objects without one) or the event that carried it.", type: "integer" };
  }
  if (def.eventTypes.some((t) => t.endsWith(".deleted"))) {
    props.is_deleted = { description: "True when the object was deleted (read from a `.deleted` event).", type: ["null", "boolean"] };
  }
  for (const [child, parentField] of Object.entries(def.parent?.copy ?? {})) {
    const description = `The parent's \`${parentField}\` (from the ${def.parent!.stream} stream).`;
    props[child] = { description, type: parentField === "id" ? ID : TIMESTAMP };
  }
  return props;
}
