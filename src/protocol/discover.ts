import { syncModes } from "../streams/facts.js";
import { streamSchema } from "../streams/schemas.js";
import { STREAMS } from "../streams/table.js";

/**
 * The CATALOG `discover` prints: every stream of the table, sorted by name. When
 * several accounts are read, the account id is part of every primary key.
 */
export function discoverCatalog(multiAccount = false): { streams: Array<Record<string, unknown>> } {
  const streams = [...STREAMS]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((def) => {
      const stream: Record<string, unknown> = {
        name: def.name,
        json_schema: streamSchema(def),
        supported_sync_modes: syncModes(def),
        is_resumable: true,
      };
      // A stream without a key (usage_records) declares none, as Airbyte's does
      // (airbyte-python-cdk default_stream.py `as_airbyte_stream` sets it only for a key).
      if (def.primaryKey.length) stream.source_defined_primary_key = multiAccount ? [["account_id"], ...def.primaryKey] : def.primaryKey;
      if (def.incremental && def.cursorField) {
        stream.source_defined_cursor = true;
        stream.default_cursor_field = [def.cursorField];
      }
      return stream;
    });
  return { streams };
}
