import { streamSchema } from "../streams/schemas.js";
import type { StreamDef } from "../streams/types.js";

/** The key of a binding's documents: the stream's primary key (the Stripe id for most), behind the account when several are captured. */
export function documentKey(def: StreamDef, multiAccount: boolean): string[] {
  const key = def.primaryKey.map((path) => `/${path.join("/")}`);
  return multiAccount ? ["/account_id", ...key] : key;
}

/**
 * A stream's JSON schema as a Flow collection's document schema: the key is
 * required, `_meta.op` says how the document came about, and documents reduce by
 * merging, except that a `d` document deletes its key (a hard delete).
 */
export function documentSchema(def: StreamDef, multiAccount: boolean): Record<string, unknown> {
  const { $schema: _ignored, type: _type, properties, ...rest } = streamSchema(def) as {
    $schema?: string;
    type?: unknown;
    properties?: Record<string, unknown>;
  };
  const keyFields = def.primaryKey.map((path) => path[0]!);
  const required = multiAccount ? ["account_id", ...keyFields] : keyFields;
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    ...rest,
    type: "object",
    required,
    properties: {
      ...properties,
      ...(keyFields.includes("id") ? { id: { type: "string", description: "Unique identifier for the object." } } : {}),
      ...(multiAccount ? { account_id: { type: "string", description: "The Stripe account the object belongs to." } } : {}),
      _meta: {
        type: "object",
        properties: {
          op: { enum: ["c", "u", "d"], description: "c: created or backfilled, u: updated, d: deleted." },
        },
        required: ["op"],
      },
    },
    reduce: { strategy: "merge" },
    if: { properties: { _meta: { properties: { op: { const: "d" } } } } },
    then: { reduce: { strategy: "merge", delete: true } },
  };
}
