import { createdWindows } from "../state/windows.js";
import type { ListResponse } from "../stripe/client.js";
import type { Query } from "../stripe/query.js";
import { BoundedQueue } from "./bounded-queue.js";
import { childRecords, resolvePath } from "./children.js";
import type { FetchItem, ReadContext, Record_ } from "./context.js";
import { paginate, PAGE_SIZE } from "./paginate.js";
import { consumersOf, type ListTask } from "./plan.js";
import { asArray, createdAt, decorate, isOfStream } from "./records.js";

/**
 * Pages fetched but not yet printed, across all pieces of one list: bounds memory,
 * and so the requests one list has in flight (enough for Stripe's 100 req/s at 300 ms).
 */
const QUEUE_PAGES = 24;
/** Pieces of one list at once: splitting stops here, every piece still reads in parallel. */
const MAX_PIECES = 32;
/**
 * A new part covers at most this many pages (as the page's density predicts),
 * the oldest part takes whatever is left: density measured at a piece's newest
 * end says little about years further back, which may be sparse or empty.
 */
const MAX_PAGES_PER_PART = 120;
/**
 * A list that has returned this many pages is long: worth splitting even while
 * other work waits (a density seen on a page or two may hold for days or for years).
 */
const LONG_LIST_PAGES = 20;
/** Parts smaller than this are not worth a part-filled page. */
const MIN_PAGES_PER_PART = 2;

/**
 * Reads one top-level list, feeding the stream and its selected children.
 *
 * A list that filters on `created` is read by pieces, each a created range, all
 * at once (the shared client bounds what is in flight). A piece that still has
 * more after a page may split its unread part, from the newest end back, into
 * parts read in parallel (see `partsFor`), so the work spreads over the
 * workers whatever the data's distribution, and the read ends with short
 * pieces rather than one long chain. Records are printed as pages arrive;
 * `slice_range` windows are the checkpoint grid: a window's checkpoint is
 * printed once it and every earlier window are fully read, so state never
 * covers unread data. A list
 * without a `created` filter is read page by page.
 */
export async function* readList(ctx: ReadContext, task: ListTask): AsyncGenerator<FetchItem> {
  const reader = new PageReader(ctx, task);
  if (!task.def.createdFilter) {
    if (task.from > ctx.now) return;
    for await (const page of paginate(ctx.client, resolvePath(ctx, task.def), reader.query, ctx.account)) {
      const { items, pastStart } = await reader.itemsOf(page.data, task.from);
      yield* items;
      // Lists come newest first: once past the lower bound, later pages are older still.
      if (pastStart) break;
    }
    yield* reader.checkpoints(ctx.now, true);
    return;
  }

  // The windows are the checkpoint grid. What is read is decided by pieces: one for
  // the whole range when splitting adaptively (an empty or small stream costs one
  // request), else one per window, as Airbyte schedules them.
  const windows = createdWindows(task.from, ctx.now, ctx.config.slice_range);
  if (!windows.length) return;
  const queue = new BoundedQueue<FetchItem[]>(QUEUE_PAGES, ctx.pages);
  const path = resolvePath(ctx, task.def);
  /** Pieces still reading: everything created before the lowest `lower` is read. */
  const active = new Set<Piece>();
  let checkpointed = 0;
  let pagesRead = 0;

  const finish = async (piece: Piece): Promise<void> => {
    active.delete(piece);
    relieve();
    // Claim the newly complete windows before awaiting, so two pieces finishing at
    // once never checkpoint the same window twice.
    let unread = Infinity;
    for (const p of active) unread = Math.min(unread, p.lower);
    const ready: FetchItem[] = [];
    while (checkpointed < windows.length && windows[checkpointed]!.lte < unread) {
      ready.push(...reader.checkpoints(windows[checkpointed]!.lte, checkpointed === windows.length - 1));
      checkpointed++;
    }
    const done = active.size === 0;
    if (ready.length) await queue.push(ready);
    if (done) queue.close();
  };

  /**
   * How many parts `piece` should split into now. Each part costs a part-filled
   * page, so a piece splits into idle request slots (free), and, once its list
   * has shown itself long, until the list has as many pieces as the client keeps
   * requests in flight (a long sequential chain would otherwise finish last,
   * alone). Only the piece with (about) the most pages left splits: parts stay
   * long and the last pieces to finish are short.
   */
  const partsFor = (piece: Piece): number => {
    const idle = Math.min(ctx.client.idleSlots(), queue.room());
    const fill = pagesRead >= LONG_LIST_PAGES ? ctx.client.slots() - active.size : 0;
    const room = Math.min(MAX_PIECES - active.size, Math.max(idle, fill));
    if (room < 1) return 0;
    let longest = 0;
    for (const p of active) longest = Math.max(longest, p.pagesLeft);
    if (piece.pagesLeft < longest / 2) return 0;
    return Math.min(room + 1, Math.floor(piece.pagesLeft / MIN_PAGES_PER_PART));
  };

  /** A place in the queue first, then the page: pages fetched but not printed stay bounded. */
  const fetchPage = async (query: Query): Promise<ListResponse> => {
    await queue.reserve();
    try {
      const page = await ctx.client.get<ListResponse>(path, query, ctx.account);
      pagesRead++;
      return page;
    } catch (error) {
      queue.unreserve();
      throw error;
    }
  };

  /**
   * Splits what `piece` has left below `upper` into `parts`, from the newest end
   * back: the piece keeps the newest part, each new part the next older one, the
   * oldest part whatever is left.
   */
  const split = (piece: Piece, parts: number, upper: number): void => {
    const secondsPerPage = piece.secondsPerPage!;
    const pagesLeft = (upper - piece.lower) / secondsPerPage;
    const partPages = Math.min(MAX_PAGES_PER_PART, pagesLeft / parts);
    const width = Math.max(1, Math.floor(partPages * secondsPerPage));
    const lowers: number[] = [];
    for (let top = upper; lowers.length < parts - 1 && top - width + 1 > piece.lower; top -= width) {
      lowers.push(top - width + 1);
    }
    if (!lowers.length) return;
    const oldest = piece.lower;
    piece.lower = lowers[0]!;
    piece.pagesLeft = partPages;
    for (let i = 1; i < lowers.length; i++) start(lowers[i]!, lowers[i - 1]! - 1, partPages);
    const rest = lowers[lowers.length - 1]! - 1;
    start(oldest, rest, (rest - oldest + 1) / secondsPerPage);
  };

  /** After a page that has more: note the density it shows, and maybe split what is left, [lower, oldestSeen]. */
  const afterPage = (piece: Piece, page: Record_[]): void => {
    const oldestSeen = createdAt(task.def, page[page.length - 1]!);
    if (!ctx.config.adaptive_windows || oldestSeen === undefined || oldestSeen - piece.lower < 2) return;
    const newest = createdAt(task.def, page[0]!) ?? oldestSeen;
    piece.oldestSeen = oldestSeen;
    piece.secondsPerPage = Math.max(1, newest - oldestSeen);
    piece.pagesLeft = (oldestSeen - piece.lower) / piece.secondsPerPage;
    const parts = partsFor(piece);
    if (parts >= 2) split(piece, parts, oldestSeen);
  };

  /**
   * A piece finished and its request slot would idle until another page arrives:
   * split the piece with the most pages left now, below the page it is waiting
   * for (a page that still reaches under its new lower bound is cut there).
   */
  const relieve = (): void => {
    if (!ctx.config.adaptive_windows) return;
    let longest: Piece | undefined;
    for (const p of active) {
      if (p.open && p.oldestSeen !== undefined && (!longest || p.pagesLeft > longest.pagesLeft)) longest = p;
    }
    if (!longest) return;
    const upper = longest.oldestSeen! - longest.secondsPerPage!;
    if (upper - longest.lower < 2) return;
    const parts = partsFor(longest);
    if (parts >= 2) split(longest, parts, upper);
  };

  /**
   * Reads what was created in [gte, lte]; `pagesLeft` is the guess of the piece
   * that made it. The next page is asked for before this page's children, and a
   * page's children are read while the next pages are: a parent list keeps its
   * per-parent requests coming rather than waiting a round trip between pages.
   * Pages still reach the queue in order.
   */
  const read = async (gte: number, lte: number, pagesLeft: number): Promise<void> => {
    const piece: Piece = { lower: gte, pagesLeft, open: true };
    active.add(piece);
    const query = (after?: string): Query => ({ ...reader.query, "created[gte]": piece.lower, "created[lte]": lte, limit: PAGE_SIZE, starting_after: after });
    let filled: Promise<void> = Promise.resolve();
    let failed = false;
    try {
      // With children, the next page is asked for before this page's children and they
      // overlap; without, there is nothing to overlap and a page fetched early only holds memory.
      const overlap = task.children.length > 0;
      let next: Promise<ListResponse> | undefined = fetchPage(query());
      while (next && !failed) {
        const page: ListResponse = await next;
        next = undefined;
        // The piece may have been split while this page was on its way: what is now
        // below its lower bound belongs to another piece, and this piece is done.
        const data = page.data.filter((o) => (createdAt(task.def, o) ?? piece.lower) >= piece.lower);
        const last = data[data.length - 1];
        const after = page.has_more && last && data.length === page.data.length ? String(last.id) : undefined;
        piece.open = after !== undefined;
        if (after !== undefined) afterPage(piece, data);
        if (after !== undefined && overlap) {
          next = fetchPage(query(after));
          // A failure surfaces when it is awaited.
          next.catch(() => undefined);
        }
        const items = reader.itemsOf(data);
        items.catch(() => undefined);
        filled = filled.then(async () => {
          try {
            queue.fill((await items).items);
          } catch (error) {
            failed = true;
            queue.unreserve();
            throw error;
          }
        });
        if (!overlap) {
          await filled;
          if (after !== undefined) next = fetchPage(query(after));
        }
      }
    } finally {
      // Whatever stopped the loop, the pages already read are put in order (or their failure reported).
      await filled;
    }
    await finish(piece);
  };
  const start = (gte: number, lte: number, pagesLeft = Infinity) => void read(gte, lte, pagesLeft).catch((error: unknown) => queue.fail(error));

  if (ctx.config.adaptive_windows) start(windows[0]!.gte, windows[windows.length - 1]!.lte);
  else for (const window of windows) start(window.gte, window.lte);
  for await (const items of queue.drain()) yield* items;
}

/** A created range being read; `pagesLeft` is the latest guess of the pages it still holds. */
interface Piece {
  lower: number;
  pagesLeft: number;
  /** A page is on its way or will be asked for. */
  open: boolean;
  /** From its latest page: the oldest creation time seen, and the seconds a page spans. */
  oldestSeen?: number;
  secondsPerPage?: number;
}

/** Turns a page of a top-level list into the records of the stream and its children. */
class PageReader {
  readonly query: Query;
  private readonly expanded: string[];
  private readonly failed = new Set<string>();

  constructor(
    private readonly ctx: ReadContext,
    private readonly task: ListTask,
  ) {
    const def = task.def;
    this.expanded = task.children
      .map((c) => c.stream.def.parent)
      .filter((link) => link?.expandEmbedded && link.embedded)
      .map((link) => link!.embedded!);
    this.query = { ...def.params };
    const expand = [...asArray(def.params?.expand), ...this.expanded.map((field) => `data.${field}`)];
    if (expand.length) this.query.expand = expand;
  }

  /** Records of one page; with `from`, objects created before it are dropped (lists without a created filter). */
  async itemsOf(objects: Record_[], from?: number): Promise<{ items: FetchItem[]; pastStart: boolean }> {
    const { def } = this.task;
    const items: FetchItem[] = [];
    const parents: Record_[] = [];
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
      const childDef = child.stream.def;
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

  checkpoints(windowEnd: number, last: boolean): FetchItem[] {
    return consumersOf(this.task)
      .filter((c) => !this.failed.has(c.stream.def.name))
      .map((c) => ({ kind: "checkpoint", stream: c.stream.def.name, windowEnd, last }));
  }
}

function withoutFields(record: Record_, fields: string[]): Record_ {
  if (!fields.length) return record;
  const copy = { ...record };
  for (const field of fields) delete copy[field];
  return copy;
}
