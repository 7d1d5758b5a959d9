import type { ListResponse } from "../stripe/client.js";
import { ApiError } from "../stripe/client.js";
import type { Query } from "../stripe/query.js";
import type { StreamDef } from "../streams/types.js";
import type { ReadContext, Record_ } from "./context.js";
import { paginate } from "./paginate.js";
import { decorate, isOfStream } from "./records.js";

/** Fills `{placeholders}` of a stream's path from its parent's id and from the config. */
export function resolvePath(ctx: ReadContext, def: StreamDef, parentId?: string): string {
  return def.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (def.parent?.pathParam === name && parentId) return encodeURIComponent(parentId);
    const key = def.configPathParams?.[name];
    if (key) return encodeURIComponent(ctx.account ?? ctx.config[key]);
    throw new Error(`stream table: no value for {${name}} in ${def.path}`);
  });
}

/**
 * A child stream's records under one parent: the list the parent embeds, then the
 * child endpoint only if that list has more (or if the parent embeds none). A
 * deleted parent yields what it embeds, marked deleted, and calls nothing.
 */
export async function childRecords(ctx: ReadContext, def: StreamDef, parent: Record_, deleted = false): Promise<Record_[]> {
  const link = def.parent!;
  const parentId = String(parent.id);
  const path = resolvePath(ctx, def, parentId);
  const linkQuery: Query = link.queryParam ? { [link.queryParam]: parentId } : {};
  const embedded = link.embedded ? asList(parent[link.embedded]) : undefined;

  const objects: Record_[] = [];
  try {
    if (embedded) {
      objects.push(...embedded.data);
      const last = embedded.data[embedded.data.length - 1];
      // Continue the same (unfiltered) list after the last embedded object.
      if (embedded.has_more && last && !deleted) {
        for await (const page of paginate(ctx.client, path, linkQuery, ctx.account, String(last.id), "child")) objects.push(...page.data);
      }
    } else if (!deleted) {
      for await (const page of paginate(ctx.client, path, { ...def.params, ...linkQuery }, ctx.account, undefined, "child")) {
        objects.push(...page.data);
      }
    }
  } catch (error) {
    // The parent was deleted between the two requests: nothing left to read under it.
    if (error instanceof ApiError && error.status === 404 && error.code === "resource_missing") {
      ctx.log("WARN", `Stream ${def.name}: ${link.stream} ${parentId} disappeared while being read; skipped it.`);
      return [];
    }
    throw error;
  }
  return objects
    .filter((o) => isOfStream(def, o))
    .map((o) => {
      const record = decorate(def, o, ctx.now, parent);
      if (deleted) record.is_deleted = true;
      return record;
    });
}

function asList(value: unknown): ListResponse | undefined {
  if (value && typeof value === "object" && Array.isArray((value as ListResponse).data)) return value as ListResponse;
  return undefined;
}
