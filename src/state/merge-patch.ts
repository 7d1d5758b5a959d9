type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * The RFC 7396 merge patch that turns `before` into `after`. A plain `after`
 * would not do: merging objects keeps keys the new state no longer has (a
 * finished backfill's progress marker), so those become explicit nulls.
 */
export function mergePatch(before: Json, after: Json): Json {
  if (!isObject(before) || !isObject(after)) return after;
  const patch: Record<string, Json> = {};
  for (const key of Object.keys(before)) if (!(key in after)) patch[key] = null;
  for (const [key, value] of Object.entries(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(value)) patch[key] = mergePatch(before[key], value);
  }
  return patch;
}

/** Applies an RFC 7396 merge patch, as Flow's runtime does to checkpoints. */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}
