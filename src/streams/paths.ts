import type { StreamDef } from "./types.js";

/** Fills `{placeholders}` of a stream's path: the parent's id, or the account being read. */
export function resolvePath(def: StreamDef, values: { parentId?: string; accountId: string }): string {
  return def.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (def.parent?.pathParam === name && values.parentId) return encodeURIComponent(values.parentId);
    if (def.configPathParams?.[name]) return encodeURIComponent(values.accountId);
    throw new Error(`stream table: no value for {${name}} in ${def.path}`);
  });
}
