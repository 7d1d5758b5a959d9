import { STREAM_BY_NAME } from "./table.js";
import type { StreamDef } from "./types.js";

/** Facts derived from the stream table, in one place. */

export type SyncMode = "full_refresh" | "incremental";

export function syncModes(def: StreamDef): SyncMode[] {
  return def.incremental ? ["full_refresh", "incremental"] : ["full_refresh"];
}

/** The stream whose list a child stream is read through. */
export function parentOf(def: StreamDef): StreamDef {
  const parent = def.parent && STREAM_BY_NAME.get(def.parent.stream);
  if (!parent) throw new Error(`stream table: ${def.name} names unknown parent ${def.parent?.stream}`);
  return parent;
}

/** The top-level list a stream's records come from: its own, or its parent's (or grandparent's). */
export function rootOf(def: StreamDef): StreamDef {
  return def.parent ? rootOf(parentOf(def)) : def;
}

/** Whether a parent object has records of `def` (its link's `where`; a missing field counts as null). */
export function parentMatches(def: StreamDef, parent: Record<string, unknown>): boolean {
  for (const [path, wanted] of Object.entries(def.parent?.where ?? {})) {
    let value: unknown = parent;
    for (const key of path.split(".")) value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
    if ((value ?? null) !== wanted) return false;
  }
  return true;
}

/** Which event types tell that a stream's records changed. */
export function eventTypesOf(def: StreamDef): string[] {
  return def.incremental === "parent" ? parentOf(def).eventTypes : def.eventTypes;
}

/** Whether a stream's events carry the parent object (an invoice for its lines), not the record itself. */
export function eventsCarryParent(def: StreamDef): boolean {
  return def.incremental === "parent" || def.eventsCarryParent === true;
}

/** Whether reading a child stream costs a request per parent (its parent embeds no first page of it). */
export function listedPerParent(child: StreamDef): boolean {
  return child.parent !== undefined && child.parent.embedded === undefined;
}

/** Whether each of a stream's events costs requests of its own: a re-fetch for expansions, or the children of the parent it carries. */
export function costlyPerEvent(def: StreamDef): boolean {
  if (eventsCarryParent(def)) return listedPerParent(def);
  const expand = def.params?.expand;
  return expand !== undefined && expand.length > 0 && !def.parent;
}
