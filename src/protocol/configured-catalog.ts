import { z } from "zod";
import { ConfigError, describeZodIssue } from "../errors.js";
import type { Selection } from "../read/selection.js";
import { syncModes } from "../streams/facts.js";
import { STREAM_BY_NAME } from "../streams/table.js";

const ConfiguredCatalogSchema = z.looseObject({
  streams: z.array(
    z.looseObject({
      stream: z.looseObject({ name: z.string().min(1) }),
      sync_mode: z.string(),
      destination_sync_mode: z.string().optional(),
      cursor_field: z.array(z.string()).optional(),
    }),
  ),
});

/** Parses an Airbyte configured catalog once, at the boundary: every stream known, every mode allowed. */
export function parseConfiguredCatalog(raw: unknown): Selection[] {
  const result = ConfiguredCatalogSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`Invalid catalog: ${describeZodIssue(result.error)}`);
  const seen = new Set<string>();
  return result.data.streams.map(({ stream, sync_mode }) => {
    const def = STREAM_BY_NAME.get(stream.name);
    if (!def) throw new ConfigError(`Invalid catalog: stream "${stream.name}" is not a stream of this connector.`);
    if (seen.has(def.name)) throw new ConfigError(`Invalid catalog: stream "${def.name}" appears twice.`);
    seen.add(def.name);
    if (sync_mode !== "full_refresh" && sync_mode !== "incremental") {
      throw new ConfigError(`Invalid catalog: stream "${def.name}": sync_mode "${sync_mode}" is not one of full_refresh, incremental.`);
    }
    if (!syncModes(def).includes(sync_mode)) {
      throw new ConfigError(`Invalid catalog: stream "${def.name}" supports only ${syncModes(def).join(", ")}, not ${sync_mode}.`);
    }
    return { def, incremental: sync_mode === "incremental" };
  });
}
