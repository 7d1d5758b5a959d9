import type { ListResponse } from "../stripe/client.js";
import { NotFoundError } from "../stripe/errors.js";
import type { Query } from "../stripe/query.js";
import { BoundedQueue } from "./bounded-queue.js";
import { pathFor, requestFor } from "./children.js";
import type { FetchItem, ReadContext, StripeObject } from "./context.js";
import { Coverage } from "./coverage.js";
import { createdWindows } from "./windows.js";
import { PageReader } from "./page-reader.js";
import type { ListTask } from "./planner.js";
import { createdAt } from "./records.js";
import { partsFor, splitRange, spreadParts, spreadRange } from "./split-planner.js";

/**
 * Pages fetched but not yet printed, across all pieces of one list: bounds memory,
 * and so the requests one list has in flight (enough for Stripe's 100 req/s at 300 ms).
 */
const QUEUE_PAGES = 24;
/**
 * A list without children fetches its next page while it turns this one into
 * records only when a round trip is this long (seconds): then it is worth a
 * page more in memory; on a fast connection prefetching only holds memory.
 */
const PREFETCH_LATENCY = 0.1;

/**
 * Reads one top-level list, feeding the stream and its selected children, and
 * yields a checkpoint after every page: what it says is read has been yielded.
 *
 * A list that filters on `created` is read by pieces, each a created range, all
 * at once (the shared client bounds what is in flight); ranges an interrupted
 * read already finished are skipped. A piece that still has more after a page
 * may split its unread part (see split-planner.ts), so the work spreads over the
 * workers whatever the data's distribution. A list without a `created` filter is
 * read page by page, and resumes after the last id it read.
 */
export async function* readList(ctx: ReadContext, task: ListTask): AsyncGenerator<FetchItem> {
  if (task.def.createdFilter) yield* new PieceReader(ctx, task).read();
  else yield* readUnfiltered(ctx, task);
}

async function* readUnfiltered(ctx: ReadContext, task: ListTask): AsyncGenerator<FetchItem> {
  const reader = new PageReader(ctx, task);
  const path = pathFor(ctx, task.def);
  let after = task.after;
  const progress = (complete: boolean): FetchItem => ({ kind: "checkpoint", progress: { through: task.from - 1, spans: [], after, complete } });
  if (task.from <= task.to) {
    for (;;) {
      let page: ListResponse;
      try {
        // An unpaginated list (report types) answers whole, and refuses limit and starting_after.
        const paging = task.def.unpaginated ? {} : { limit: reader.pageSize, starting_after: after };
        page = await ctx.client.get<ListResponse>(path, { ...reader.query, ...paging }, requestFor(ctx, task.def));
      } catch (error) {
        // The object an interrupted read stopped after is gone: start the list over (at least once, never a gap).
        if (!(error instanceof NotFoundError && after !== undefined && after === task.after)) throw error;
        ctx.log("WARN", `Stream ${task.def.name}: ${after}, where the last read stopped, no longer exists; reading the list from its start.`);
        after = undefined;
        continue;
      }
      const { items, pastStart } = await reader.itemsOf(page.data, task.from);
      yield* items;
      const last = page.data[page.data.length - 1];
      // Lists come newest first: once past the lower bound, later pages are older still.
      if (pastStart || !page.has_more || !last) break;
      after = String(last.id);
      yield progress(false);
    }
  }
  after = undefined;
  yield progress(true);
}

/** A created range being read, from its newest end down. */
interface Piece {
  lower: number;
  readonly upper: number;
  /** The latest guess of the pages it still holds. */
  pagesLeft: number;
  /** A page is on its way or will be asked for. */
  open: boolean;
  /** From its latest page: the oldest creation time seen, and the seconds a page spans. */
  oldestSeen?: number;
  secondsPerPage?: number;
}

/** The pieces of one created-filtered list, their shared page queue and their coverage. */
class PieceReader {
  private readonly pages: PageReader;
  private readonly queue: BoundedQueue<FetchItem[]>;
  private readonly coverage: Coverage;
  private readonly path: string;
  private readonly active = new Set<Piece>();
  private pagesRead = 0;

  constructor(
    private readonly ctx: ReadContext,
    private readonly task: ListTask,
  ) {
    this.pages = new PageReader(ctx, task);
    this.queue = new BoundedQueue<FetchItem[]>(QUEUE_PAGES, ctx.pages, this.pages.pageSize);
    this.coverage = new Coverage(task.from, task.to, task.done);
    this.path = pathFor(ctx, task.def);
  }

  async *read(): AsyncGenerator<FetchItem> {
    const unread = this.coverage.unread();
    if (!unread.length) {
      yield this.checkpoint();
      return;
    }
    // Splitting adaptively, one piece per unread range (an empty or small stream costs
    // one request); else fixed slice_range windows, as Airbyte schedules them.
    for (const [gte, lte] of unread) {
      if (this.ctx.options.adaptive) this.start(gte, lte, Infinity);
      else for (const w of createdWindows(gte, lte, this.ctx.options.sliceDays)) this.start(w.gte, w.lte, Infinity);
    }
    // Once every stream of the read has asked for its first page, slots still idle.
    if (this.ctx.options.adaptive) setImmediate(() => this.spread());
    for await (const items of this.queue.drain()) yield* items;
  }

  private checkpoint(): FetchItem {
    return { kind: "checkpoint", progress: this.coverage.progress() };
  }

  private start(gte: number, lte: number, pagesLeft: number): void {
    const piece: Piece = { lower: gte, upper: lte, pagesLeft, open: true };
    this.active.add(piece);
    this.readPiece(piece).catch((error: unknown) => this.queue.fail(error));
  }

  /**
   * Reads one piece. With children, the next page is asked for before this
   * page's children and they overlap (per-parent requests keep coming rather
   * than waiting a round trip between pages); without, only when round trips
   * are long (PREFETCH_LATENCY). Pages reach the queue in order, each with its checkpoint.
   */
  private async readPiece(piece: Piece): Promise<void> {
    const overlap = this.task.children.length > 0 || this.ctx.client.latency() >= PREFETCH_LATENCY;
    let filled: Promise<void> = Promise.resolve();
    let failed = false;
    try {
      let next: Promise<ListResponse> | undefined = this.fetchPage(this.query(piece));
      while (next && !failed) {
        const page: ListResponse = await next;
        next = undefined;
        // The piece may have been split while this page was on its way: what is now
        // below its lower bound belongs to another piece, and this piece is done.
        const data = page.data.filter((o) => (createdAt(this.task.def, o) ?? piece.lower) >= piece.lower);
        const last = data[data.length - 1];
        const after = page.has_more && last && data.length === page.data.length ? String(last.id) : undefined;
        piece.open = after !== undefined;
        if (after !== undefined) this.afterPage(piece, data);
        if (after !== undefined && overlap) {
          next = this.fetchPage(this.query(piece, after));
          // A failure surfaces when it is awaited.
          next.catch(() => undefined);
        }
        const items = this.pages.itemsOf(data);
        items.catch(() => undefined);
        filled = filled.then(() =>
          items.then(
            ({ items: records }) => this.fill(piece, records, after === undefined ? undefined : createdAt(this.task.def, last!)),
            (error: unknown) => {
              failed = true;
              this.queue.unreserve();
              throw error;
            },
          ),
        );
        if (!overlap) {
          await filled;
          if (after !== undefined) next = this.fetchPage(this.query(piece, after));
        }
      }
    } finally {
      // Whatever stopped the loop, the pages already read are put in order (or their failure reported).
      await filled;
    }
    this.finish(piece);
  }

  private query(piece: Piece, after?: string): Query {
    return { ...this.pages.query, "created[gte]": piece.lower, "created[lte]": piece.upper, limit: this.pages.pageSize, starting_after: after };
  }

  /** A place in the queue first, then the page: pages fetched but not printed stay bounded. */
  private async fetchPage(query: Query): Promise<ListResponse> {
    await this.queue.reserve();
    try {
      const page = await this.ctx.client.get<ListResponse>(this.path, query, requestFor(this.ctx, this.task.def));
      this.pagesRead++;
      return page;
    } catch (error) {
      this.queue.unreserve();
      throw error;
    }
  }

  /**
   * Queues a page's records with the checkpoint that covers them: everything
   * from the page's oldest second (exclusive: more objects of that second may
   * follow on the next page) up to the piece's top is read. `oldest` is
   * undefined on the piece's last page.
   */
  private fill(piece: Piece, records: FetchItem[], oldest: number | undefined): void {
    if (oldest !== undefined) this.coverage.add([oldest + 1, piece.upper]);
    this.queue.fill([...records, this.checkpoint()]);
  }

  /** A piece read everything down to its lower bound. */
  private finish(piece: Piece): void {
    this.active.delete(piece);
    this.relieve();
    this.coverage.add([piece.lower, piece.upper]);
    if (this.active.size > 0) return;
    // The last piece: its final checkpoint ends the list.
    void this.queue.push([this.checkpoint()]).then(() => this.queue.close());
  }

  /** After a page that has more: note the density it shows, and maybe split what is left, [lower, oldestSeen]. */
  private afterPage(piece: Piece, page: StripeObject[]): void {
    const oldestSeen = createdAt(this.task.def, page[page.length - 1]!);
    if (!this.ctx.options.adaptive || oldestSeen === undefined || oldestSeen - piece.lower < 2) return;
    const newest = createdAt(this.task.def, page[0]!) ?? oldestSeen;
    piece.oldestSeen = oldestSeen;
    piece.secondsPerPage = Math.max(1, newest - oldestSeen);
    piece.pagesLeft = (oldestSeen - piece.lower) / piece.secondsPerPage;
    this.split(piece, oldestSeen);
  }

  /**
   * A piece finished and its request slot would idle until another page arrives:
   * split the piece with the most pages left now, below the page it is waiting
   * for (a page that still reaches under its new lower bound is cut there).
   */
  private relieve(): void {
    if (!this.ctx.options.adaptive) return;
    let longest: Piece | undefined;
    for (const p of this.active) {
      if (p.open && p.oldestSeen !== undefined && (!longest || p.pagesLeft > longest.pagesLeft)) longest = p;
    }
    if (!longest) return;
    const upper = longest.oldestSeen! - longest.secondsPerPage!;
    if (upper - longest.lower >= 2) this.split(longest, upper);
  }

  /**
   * Before any page is back: lays the widest range still waiting for its first
   * page into parts, one per request slot that would idle until that page arrives.
   */
  private spread(): void {
    let widest: Piece | undefined;
    for (const p of this.active) {
      if (p.open && p.secondsPerPage === undefined && (!widest || p.upper - p.lower > widest.upper - widest.lower)) widest = p;
    }
    if (!widest) return;
    const parts = spreadParts({
      seconds: widest.upper - widest.lower + 1,
      idleSlots: Math.min(this.ctx.client.idleSlots(), this.queue.room()),
      roundTrip: this.ctx.client.roundTrip(),
    });
    const plan = parts >= 2 ? spreadRange(widest.lower, widest.upper, parts) : undefined;
    if (!plan) return;
    widest.lower = plan.keep;
    for (const part of plan.parts) this.start(part.gte, part.lte, part.pagesLeft);
  }

  /** Splits what `piece` has left below `upper`, if the split planner says it pays. */
  private split(piece: Piece, upper: number): void {
    // Pieces yet to show a page have no guess worth comparing.
    let longest = 0;
    for (const p of this.active) if (p.secondsPerPage !== undefined) longest = Math.max(longest, p.pagesLeft);
    const parts = partsFor({
      pagesLeft: piece.pagesLeft,
      longestPagesLeft: longest,
      pieces: this.active.size,
      pagesRead: this.pagesRead,
      idleSlots: Math.min(this.ctx.client.idleSlots(), this.queue.room()),
      slots: this.ctx.client.slots(),
    });
    const plan = parts >= 2 ? splitRange(piece.lower, upper, piece.secondsPerPage!, parts) : undefined;
    if (!plan) return;
    piece.lower = plan.keep;
    piece.pagesLeft = plan.keepPages;
    for (const part of plan.parts) this.start(part.gte, part.lte, part.pagesLeft);
  }
}
