import { COSTLY_PAGE_SIZE, PAGE_SIZE } from "../stripe/pagination.js";
import type { Query } from "../stripe/query.js";
import { listedPerParent } from "../streams/facts.js";
import { childRecords } from "./children.js";
import type { FetchItem, ReadContext, StripeObject } from "./context.js";
import type { Consumer, ListTask } from "./planner.js";
import { inSpans } from "../state/spans.js";
import { asArray, createdAt, decorate, isOfStream } from "./records.js";

/**
 * Turns a page of a top-level list into the records of the stream and of its
 * selected children. A child stream that fails is reported once and skipped
 * from then on; the parent and the other children go on.
 */
export class PageReader {
  readonly query: Query;
  /** Objects per page: fewer when each parent costs requests of its own, so checkpoints come often. */
  readonly pageSize: number;
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
    this.pageSize = task.children.some((c) => listedPerParent(c.selection.def)) ? COSTLY_PAGE_SIZE : PAGE_SIZE;
    this.query = { ...def.params };
    const expand = [...asArray(def.params?.expand), ...this.expanded.map((field) => `data.${field}`)];
    if (expand.length) this.query.expand = expand;
  }

  /** Whether a stream already has what a parent yields (its range was done before this pass). */
  private hasAlready(consumer: Consumer, parent: StripeObject): boolean {
    if (!consumer.done.length) return false;
    const created = createdAt(this.task.def, parent);
    return created !== undefined && inSpans(consumer.done, created);
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
    const self = this.task.self;
    if (self) {
      for (const parent of parents) {
        if (!this.hasAlready(self, parent)) items.push({ kind: "record", stream: def.name, data: withoutFields(parent, this.expanded), op: "c" });
      }
    }
    for (const child of this.task.children) {
      const childDef = child.selection.def;
      if (this.failed.has(childDef.name)) continue;
      try {
        const perParent = await Promise.all(parents.filter((p) => !this.hasAlready(child, p)).map((parent) => childRecords(this.ctx, childDef, parent)));
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
