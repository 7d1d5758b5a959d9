import type { Query } from "../stripe/query.js";
import { childRecords } from "./children.js";
import type { FetchItem, ReadContext, StripeObject } from "./context.js";
import type { ListTask } from "./planner.js";
import { emits, expandedField } from "./projection.js";
import { asArray, createdAt, decorate, isOfStream } from "./records.js";

/**
 * Turns a page of a top-level list into the records of the stream and of its
 * selected children. A child stream that fails is reported once and skipped
 * from then on; the parent and the other children go on.
 */
export class PageReader {
  readonly query: Query;
  private readonly expanded: string[];
  private readonly failed = new Set<string>();

  constructor(
    private readonly ctx: ReadContext,
    private readonly task: ListTask,
  ) {
    const def = task.def;
    this.expanded = task.children
      .map((c) => c.selection.def.parent)
      .filter((link) => link?.expandEmbedded && link.embedded)
      .map((link) => link!.embedded!);
    const { expand: own, ...params } = def.params ?? {};
    this.query = params;
    // The list's own expansions only where the stream is read and emits the field they fill.
    const wanted = asArray(own).filter((path) => emits(task.self?.selection, expandedField(path)));
    const expand = [...wanted, ...this.expanded.map((field) => `data.${field}`)];
    if (expand.length) this.query.expand = expand;
  }

  /** Records of one page; with `from`, objects created before it are dropped (lists without a created filter). */
  async itemsOf(objects: StripeObject[], from?: number): Promise<{ items: FetchItem[]; pastStart: boolean }> {
    const { def } = this.task;
    const items: FetchItem[] = [];
    const parents: StripeObject[] = [];
    let pastStart = false;
    for (const object of objects) {
      const created = createdAt(def, object);
      if (from !== undefined && created !== undefined && created < from) {
        pastStart = true;
        continue;
      }
      if (isOfStream(def, object)) parents.push(decorate(def, object, this.ctx.now));
    }
    if (this.task.self) {
      for (const parent of parents) items.push({ kind: "record", stream: def.name, data: withoutFields(parent, this.expanded), op: "c" });
    }
    for (const child of this.task.children) {
      const childDef = child.selection.def;
      if (this.failed.has(childDef.name)) continue;
      try {
        const perParent = await Promise.all(parents.map((parent) => childRecords(this.ctx, childDef, parent)));
        for (const records of perParent) for (const data of records) items.push({ kind: "record", stream: childDef.name, data, op: "c" });
      } catch (error) {
        this.failed.add(childDef.name);
        items.push({ kind: "failed", stream: childDef.name, error });
      }
    }
    return { items, pastStart };
  }
}

function withoutFields(record: StripeObject, fields: string[]): StripeObject {
  if (!fields.length) return record;
  const copy = { ...record };
  for (const field of fields) delete copy[field];
  return copy;
}
