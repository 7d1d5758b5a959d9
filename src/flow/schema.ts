import { streamSchema } from "../streams/schemas.js";
import type { StreamDef } from "../streams/types.js";

/**
 * The key of a binding's documents: the stream's primary key, the Stripe id for
 * most; the same however many accounts are captured (Stripe ids are unique
 * across accounts), so adding a connected account never changes a collection's key.
 */
export function documentKey(def: StreamDef): string[] {
  return keyPaths(def).map((path) => `/${path.join("/")}`);
}

function keyPaths(def: StreamDef): string[][] {
  return def.primaryKey.length ? def.primaryKey : (def.flowKey ?? []);
}

/**
 * A stream's JSON schema as the document schema of a Flow collection, written
 * the way Estuary's own captures write theirs (estuary/connectors,
 * estuary-cdk/estuary_cdk/capture/common.py `discovered`; source-stripe-native):
 * - `x-infer-schema`: Flow widens the collection's read schema from the data;
 * - no top-level `reduce`: documents replace each other (last write wins), so a
 *   field Stripe dropped does not survive from an older document;
 * - a document whose `_meta.op` is `d` deletes its key, and the `required`
 *   clauses make sure a document without `_meta` is never read as a delete;
 * - `_meta` stays open: the runtime adds `_meta.uuid` before validating.
 */
export function documentSchema(def: StreamDef): Record<string, unknown> {
  const { $schema: _ignored, type: _type, properties, ...rest } = streamSchema(def) as {
    $schema?: string;
    type?: unknown;
    properties?: Record<string, unknown>;
  };
  const keyFields = keyPaths(def).map((path) => path[0]!);
  // A key is never null: Flow keys documents by it.
  const keys = Object.fromEntries(keyFields.map((field) => [field, notNull((properties ?? {})[field])]));
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    ...rest,
    type: "object",
    "x-infer-schema": true,
    required: keyFields,
    properties: {
      ...properties,
      ...keys,
      account_id: { type: "string", description: "The Stripe account the object belongs to." },
      _meta: {
        type: "object",
        properties: {
          op: { enum: ["c", "u", "d"], description: "c: created or first read, u: updated or read again, d: deleted." },
        },
        required: ["op"],
      },
    },
    if: { required: ["_meta"], properties: { _meta: { required: ["op"], properties: { op: { const: "d" } } } } },
    then: { reduce: { strategy: "merge", delete: true } },
  };
}

function notNull(schema: unknown): Record<string, unknown> {
  const s = (schema ?? {}) as Record<string, unknown>;
  const types = Array.isArray(s.type) ? (s.type as string[]).filter((t) => t !== "null") : s.type;
  return { ...s, type: Array.isArray(types) && types.length === 1 ? types[0] : (types ?? "string") };
}
