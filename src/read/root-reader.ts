import type { SelectedStream } from "../protocol/catalog.js";
import { ApiError, type ListResponse } from "../stripe/client.js";
import type { Query } from "../stripe/query.js";
import type { StreamDef } from "../streams/types.js";
import { createdWindows, type Window } from "../state/windows.js";
import type { FetchItem, ReadContext, Record_ } from "./context.js";
import { paginate } from "./paginate.js";
import type { RootRead } from "./plan.js";
import { createdAt, decorate, isOfStream } from "./records.js";

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
 * Reads one top-level list window by window (oldest window first, each one
 * newest first as Stripe lists), feeding the stream and its selected children.
 * After each window it yields the checkpoint of every stream it fed.
 */
export async function* readRoot(ctx: ReadContext, root: RootRead): AsyncGenerator<FetchItem> {
  const { def } = root;
  const failed = new Set<string>();
  const expanded = root.children
    .map((c) => c.def.parent)
    .filter((link) => link?.expandEmbedded && link.embedded)
    .map((link) => link!.embedded!);
  const query: Query = { ...def.params };
  const expand = [...asArray(def.params?.expand), ...expanded.map((field) => `data.${field}`)];
  if (expand.length) query.expand = expand;

  const windows: Array<Window | undefined> = def.createdFilter
    ? createdWindows(ctx.startDate, ctx.now, ctx.config.slice_range)
    : [undefined];
  for (const window of windows) {
    const windowQuery = window ? { ...query, "created[gte]": window.gte, "created[lte]": window.lte } : query;
    for await (const page of paginate(ctx.client, resolvePath(ctx, def), windowQuery, ctx.account)) {
      const parents: Record_[] = [];
      let pastStart = false;
      for (const object of page.data) {
        const created = createdAt(def, object);
        if (!window && created !== undefined && created < ctx.startDate) {
          pastStart = true;
          continue;
        }
        if (isOfStream(def, object)) parents.push(decorate(def, object, ctx.now));
      }
      if (root.self) {
        for (const parent of parents) yield { kind: "record", stream: def.name, data: withoutFields(parent, expanded) };
      }
      for (const child of root.children) {
        if (failed.has(child.def.name)) continue;
        try {
          const perParent = await Promise.all(parents.map((parent) => childRecords(ctx, child, parent)));
          for (const records of perParent) {
            for (const data of records) yield { kind: "record", stream: child.def.name, data };
          }
        } catch (error) {
          failed.add(child.def.name);
          yield { kind: "failed", stream: child.def.name, error };
        }
      }
      // Lists come newest first: once past start_date, later pages are older still.
      if (pastStart) break;
    }
    const cursor = window ? window.lte : ctx.now;
    for (const stream of [root.self, ...root.children]) {
      if (stream && !failed.has(stream.def.name)) {
        yield { kind: "checkpoint", stream: stream.def.name, state: { [stream.def.cursorField ?? "created"]: cursor } };
      }
    }
  }
}

/** A child's records for one parent: the embedded first page, then the child endpoint if it has more. */
async function childRecords(ctx: ReadContext, child: SelectedStream, parent: Record_): Promise<Record_[]> {
  const def = child.def;
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
      if (embedded.has_more && last) {
        for await (const page of paginate(ctx.client, path, linkQuery, ctx.account, String(last.id))) objects.push(...page.data);
      }
    } else {
      for await (const page of paginate(ctx.client, path, { ...def.params, ...linkQuery }, ctx.account)) {
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
  return objects.filter((o) => isOfStream(def, o)).map((o) => decorate(def, o, ctx.now, parent));
}

function asArray(value: string | readonly string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === "string" ? [value] : [...value];
}

function asList(value: unknown): ListResponse | undefined {
  if (value && typeof value === "object" && Array.isArray((value as ListResponse).data)) return value as ListResponse;
  return undefined;
}

function withoutFields(record: Record_, fields: string[]): Record_ {
  if (!fields.length) return record;
  const copy = { ...record };
  for (const field of fields) delete copy[field];
  return copy;
}
