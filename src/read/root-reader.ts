import { createdWindows, type Window } from "../state/windows.js";
import type { Query } from "../stripe/query.js";
import { childRecords, resolvePath } from "./children.js";
import type { FetchItem, ReadContext, Record_ } from "./context.js";
import { paginate } from "./paginate.js";
import { consumersOf, type ListTask } from "./plan.js";
import { createdAt, decorate, isOfStream } from "./records.js";

/**
 * Reads one top-level list window by window (oldest window first, each one
 * newest first as Stripe lists), feeding the stream and its selected children.
 * After each window it yields the checkpoint of every stream it fed.
 */
export async function* readList(ctx: ReadContext, task: ListTask): AsyncGenerator<FetchItem> {
  const { def } = task;
  const failed = new Set<string>();
  const expanded = task.children
    .map((c) => c.stream.def.parent)
    .filter((link) => link?.expandEmbedded && link.embedded)
    .map((link) => link!.embedded!);
  const query: Query = { ...def.params };
  const expand = [...asArray(def.params?.expand), ...expanded.map((field) => `data.${field}`)];
  if (expand.length) query.expand = expand;

  const windows: Window[] = def.createdFilter ? createdWindows(task.from, ctx.now, ctx.config.slice_range) : [];
  const passes: Array<Window | undefined> = def.createdFilter ? windows : task.from <= ctx.now ? [undefined] : [];
  for (const [i, window] of passes.entries()) {
    const windowQuery = window ? { ...query, "created[gte]": window.gte, "created[lte]": window.lte } : query;
    for await (const page of paginate(ctx.client, resolvePath(ctx, def), windowQuery, ctx.account)) {
      const parents: Record_[] = [];
      let pastStart = false;
      for (const object of page.data) {
        const created = createdAt(def, object);
        if (!window && created !== undefined && created < task.from) {
          pastStart = true;
          continue;
        }
        if (isOfStream(def, object)) parents.push(decorate(def, object, ctx.now));
      }
      if (task.self) {
        for (const parent of parents) yield { kind: "record", stream: def.name, data: withoutFields(parent, expanded), op: "c" };
      }
      for (const child of task.children) {
        const childDef = child.stream.def;
        if (failed.has(childDef.name)) continue;
        try {
          const perParent = await Promise.all(parents.map((parent) => childRecords(ctx, childDef, parent)));
          for (const records of perParent) {
            for (const data of records) yield { kind: "record", stream: childDef.name, data, op: "c" };
          }
        } catch (error) {
          failed.add(childDef.name);
          yield { kind: "failed", stream: childDef.name, error };
        }
      }
      // Lists come newest first: once past the lower bound, later pages are older still.
      if (pastStart) break;
    }
    const windowEnd = window ? window.lte : ctx.now;
    const last = i === passes.length - 1;
    for (const consumer of consumersOf(task)) {
      if (!failed.has(consumer.stream.def.name)) {
        yield { kind: "checkpoint", stream: consumer.stream.def.name, windowEnd, last };
      }
    }
  }
}

export function asArray(value: string | readonly string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === "string" ? [value] : [...value];
}

function withoutFields(record: Record_, fields: string[]): Record_ {
  if (!fields.length) return record;
  const copy = { ...record };
  for (const field of fields) delete copy[field];
  return copy;
}
