import { inSpans } from "../state/spans.js";
import { COSTLY_PAGE_SIZE, PAGE_SIZE } from "../stripe/pagination.js";
import type { Query } from "../stripe/query.js";
import { listedPerParent, parentMatches, parentOf } from "../streams/facts.js";
import type { StreamDef } from "../streams/types.js";
import { childRecords } from "./children.js";
import type { FetchItem, ReadContext, StripeObject } from "./context.js";
import type { Consumer, ListTask } from "./planner.js";
import { emits, expandedField } from "./projection.js";
import { asArray, createdAt, decorate, isOfStream, unavailableNote } from "./records.js";

/** Per stream, its records under each object of a page (in the page's order), asked once per page. */
type Under = Map<string, Promise<StripeObject[][]>>;

/**
 * Turns a page of a top-level list into the records of the stream and of its
 * selected children (and grandchildren). A child stream that fails is reported
 * once and skipped from then on; the parent and the other children go on.
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
      .map((c) => topLink(c.selection.def))
      .filter((link) => link?.expandEmbedded && link.embedded)
      .map((link) => link!.embedded!);
    this.pageSize = task.children.some((c) => listedPerParent(c.selection.def)) ? COSTLY_PAGE_SIZE : PAGE_SIZE;
    const { expand: own, ...params } = def.params ?? {};
    this.query = params;
    // The list's own expansions only where the stream is read and emits the field they fill.
    const wanted = asArray(own).filter((path) => emits(task.self?.selection, expandedField(path)));
    const expand = [...new Set([...wanted, ...this.expanded.map((field) => `data.${field}`)])];
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
    const self = this.task.self;
    if (self) {
      for (const parent of parents) {
        if (!this.hasAlready(self, parent)) items.push({ kind: "record", stream: def.name, data: withoutFields(parent, this.expanded), op: "c" });
      }
    }
    const under: Under = new Map();
    for (const child of this.task.children) {
      const childDef = child.selection.def;
      if (this.failed.has(childDef.name)) continue;
      try {
        const mine = child.done.length ? parents.filter((p) => !this.hasAlready(child, p)) : parents;
        const perParent = await this.recordsUnder(childDef, mine, under, JSON.stringify(child.done));
        for (const records of perParent) for (const data of records) items.push({ kind: "record", stream: childDef.name, data, op: "c" });
      } catch (error) {
        this.failed.add(childDef.name);
        // Stripe no longer offers the endpoint here: the stream ends with what it read.
        const note = unavailableNote(childDef, error);
        if (note) this.ctx.log("WARN", note);
        else items.push({ kind: "failed", stream: childDef.name, error });
      }
    }
    return { items, pastStart };
  }

  /** Whether a stream already has what a parent yields (its range was done before this pass). */
  private hasAlready(consumer: Consumer, parent: StripeObject): boolean {
    if (!consumer.done.length) return false;
    const created = createdAt(this.task.def, parent);
    return created !== undefined && inSpans(consumer.done, created);
  }

  /**
   * The records of `def` under each of the page's objects. A grandchild's requests
   * hang from its parent's records (read once per page however many streams need
   * them), and only from those its link's `where` accepts.
   */
  private recordsUnder(def: StreamDef, roots: StripeObject[], under: Under, rootsKey: string): Promise<StripeObject[][]> {
    const key = `${def.name}|${rootsKey}`;
    let found = under.get(key);
    if (!found) {
      const parent = parentOf(def);
      const parentsPerRoot = parent.parent ? this.recordsUnder(parent, roots, under, rootsKey) : Promise.resolve(roots.map((root) => [root]));
      found = parentsPerRoot.then((perRoot) =>
        Promise.all(
          perRoot.map(async (parents) => {
            const lists = await Promise.all(parents.filter((p) => parentMatches(def, p)).map((p) => childRecords(this.ctx, def, p)));
            return lists.flat();
          }),
        ),
      );
      // A failure is reported by each stream that awaits it.
      found.catch(() => undefined);
      under.set(key, found);
    }
    return found;
  }
}

/** The link of a (grand)child stream to the top-level list: the one whose embedded list a list request may expand. */
function topLink(def: StreamDef): StreamDef["parent"] {
  let current = def;
  while (current.parent && parentOf(current).parent) current = parentOf(current);
  return current.parent;
}

function withoutFields(record: StripeObject, fields: string[]): StripeObject {
  if (!fields.length) return record;
  const copy = { ...record };
  for (const field of fields) delete copy[field];
  return copy;
}
