import type { ListResponse, RequestOptions } from "../stripe/client.js";
import { NotFoundError } from "../stripe/errors.js";
import { paginate } from "../stripe/pagination.js";
import type { Query } from "../stripe/query.js";
import { resolvePath } from "../streams/paths.js";
import type { StreamDef } from "../streams/types.js";
import type { ReadContext, StripeObject } from "./context.js";
import { decorate, isOfStream } from "./records.js";

/** How a stream's own requests are sent: for the account being read, with the stream's API version if it has one. */
export function requestFor(ctx: ReadContext, def: StreamDef): RequestOptions {
  return {
    account: ctx.account.header,
    endpoint: def.path,
    ...(def.apiVersion ? { apiVersion: def.apiVersion } : {}),
  };
}

/** The path of a stream's endpoint for the account being read (and a parent, for child streams). */
export function pathFor(ctx: ReadContext, def: StreamDef, parentId?: string): string {
  return resolvePath(def, { parentId, accountId: ctx.account.id });
}

/**
 * A child stream's records under one parent: the list the parent embeds, then the
 * child endpoint only if that list has more (or if the parent embeds none). A
 * deleted parent yields what it embeds, marked deleted, and calls nothing.
 */
export async function childRecords(ctx: ReadContext, def: StreamDef, parent: StripeObject, deleted = false): Promise<StripeObject[]> {
  const link = def.parent!;
  const parentId = String(parent.id);
  const path = pathFor(ctx, def, parentId);
  const linkQuery: Query = link.queryParam ? { [link.queryParam]: parentId } : {};
  const embedded = link.embedded ? asList(parent[link.embedded]) : undefined;
  const request = requestFor(ctx, def);

  const objects: StripeObject[] = [];
  try {
    if (embedded) {
      objects.push(...embedded.data);
      const last = embedded.data[embedded.data.length - 1];
      // Continue the same (unfiltered) list after the last embedded object.
      if (embedded.has_more && last && !deleted) {
        for await (const page of paginate(ctx.client, path, linkQuery, { ...request, startingAfter: String(last.id) })) objects.push(...page.data);
      }
    } else if (!deleted) {
      for await (const page of paginate(ctx.client, path, { ...def.params, ...linkQuery }, request)) objects.push(...page.data);
    }
  } catch (error) {
    // The parent was deleted between the two requests: nothing left to read under it.
    if (error instanceof NotFoundError) {
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
