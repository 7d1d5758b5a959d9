import { saysUnavailable } from "../stripe/errors.js";
import type { StreamDef } from "../streams/types.js";
import type { StripeObject } from "./context.js";

/** The creation time of an object, if the stream's objects carry one. */
export function createdAt(def: StreamDef, object: StripeObject): number | undefined {
  const value = def.createdField ? object[def.createdField] : undefined;
  return typeof value === "number" ? value : undefined;
}

/** Whether a listed object belongs to this stream (mixed lists such as customer sources). */
export function isOfStream(def: StreamDef, object: StripeObject): boolean {
  return !def.objectTypes || def.objectTypes.includes(String(object.object));
}

/**
 * Adds the fields the connector owns to an object read from a list: the
 * artificial `updated` cursor (the creation time, or `observedAt` for objects
 * without one) and the parent's fields a child record carries.
 */
export function decorate(def: StreamDef, object: StripeObject, observedAt: number, parent?: StripeObject): StripeObject {
  // A top-level object belongs to the page just read and is changed in place (no copy
  // per record); a child may be embedded in a parent that is printed too, so it is copied.
  const record: StripeObject = parent ? { ...object } : object;
  if (def.cursorField === "updated" && typeof record.updated !== "number") {
    record.updated = createdAt(def, object) ?? observedAt;
  }
  if (parent && def.parent) {
    for (const [field, parentField] of Object.entries(def.parent.copy)) record[field] = parent[parentField] ?? null;
  }
  return record;
}

/** A fixed parameter's values as a list (`expand` may be one string or several). */
export function asArray(value: string | readonly string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === "string" ? [value] : [...value];
}

/**
 * The LOG line for a stream whose endpoint Stripe no longer offers here (the
 * stream then ends with what it read, see `whenUnavailable`); undefined when the
 * stream expects no such thing or `error` says something else.
 */
export function unavailableNote(def: StreamDef, error: unknown): string | undefined {
  if (!def.whenUnavailable || !saysUnavailable(error)) return undefined;
  return `Stream ${def.name}: ${(error as Error).message} The stream completes with what it read. ${def.whenUnavailable}`;
}
