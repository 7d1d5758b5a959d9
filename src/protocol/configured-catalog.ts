import { z } from "zod";
import { ConfigError, describeZodIssue } from "../errors.js";
import type { Selection } from "../read/selection.js";
import { syncModes } from "../streams/facts.js";
import { STREAM_BY_NAME } from "../streams/table.js";

const ConfiguredCatalogSchema = z.looseObject({
  streams: z.array(
    z.looseObject({
      stream: z.looseObject({ name: z.string().min(1), json_schema: z.unknown().optional() }),
      sync_mode: z.string(),
      destination_sync_mode: z.string().optional(),
      cursor_field: z.array(z.string()).optional(),
    }),
  ),
});

export interface ConfiguredCatalog {
  selections: Selection[];
  /**
   * Streams the catalog names that this connector does not have (a connection made
   * with another version of the source, or a stream Stripe no longer offers). They
   * do not stop the others: the read reports each one and ends with exit 1.
   */
  unknown: string[];
}

/**
 * Parses an Airbyte configured catalog once, at the boundary. A catalog that is
 * not one (bad shape, a stream twice, an unknown sync mode) is rejected whole; a
 * stream name the connector does not know is set aside in `unknown`.
 */
export function parseConfiguredCatalog(raw: unknown): ConfiguredCatalog {
  const result = ConfiguredCatalogSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`Invalid catalog: ${describeZodIssue(result.error)}`);
  const seen = new Set<string>();
  const selections: Selection[] = [];
  const unknown: string[] = [];
  for (const { stream, sync_mode } of result.data.streams) {
    if (seen.has(stream.name)) throw new ConfigError(`Invalid catalog: stream "${stream.name}" appears twice.`);
    seen.add(stream.name);
    if (sync_mode !== "full_refresh" && sync_mode !== "incremental") {
      throw new ConfigError(`Invalid catalog: stream "${stream.name}": sync_mode "${sync_mode}" is not one of full_refresh, incremental.`);
    }
    const def = STREAM_BY_NAME.get(stream.name);
    if (!def) {
      unknown.push(stream.name);
      continue;
    }
    if (!syncModes(def).includes(sync_mode)) {
      throw new ConfigError(`Invalid catalog: stream "${def.name}" supports only ${syncModes(def).join(", ")}, not ${sync_mode}.`);
    }
    const fields = selectedFields(stream.json_schema);
    selections.push({ def, incremental: sync_mode === "incremental", ...(fields ? { fields } : {}) });
  }
  return { selections, unknown };
}

/**
 * The top-level fields a configured stream's json_schema lists: Airbyte trims the
 * schema to the selected columns before handing it to the source (airbyte-platform
 * CatalogConverter.java, `properties.retain(selectedFieldNames)`). No schema, no
 * `properties` or an empty one (`json_schema: {}`, as Airbyte's own integration
 * files have) selects every field.
 */
function selectedFields(schema: unknown): ReadonlySet<string> | undefined {
  if (!isObject(schema) || !isObject(schema.properties)) return undefined;
  const names = Object.keys(schema.properties);
  return names.length ? new Set(names) : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
