import { z } from "zod";
import { syncModes, type SyncMode } from "../catalog.js";
import { ConfigError } from "../errors.js";
import { STREAM_BY_NAME } from "../streams/table.js";
import type { StreamDef } from "../streams/types.js";

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

export interface SelectedStream {
  def: StreamDef;
  syncMode: SyncMode;
}

/** Parses a configured catalog once, at the boundary: every stream known, every mode allowed. */
export function parseConfiguredCatalog(raw: unknown): SelectedStream[] {
  const result = ConfiguredCatalogSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "(root)";
    throw new ConfigError(`Invalid catalog: ${where}: ${issue?.message ?? "invalid"}`);
  }
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
    return { def, syncMode: sync_mode };
  });
}
