import type { PageBudget } from "./page-budget.js";

/**
 * A queue between concurrent producers and one consumer, with room for a fixed
 * number of items. A producer reserves its place before it fetches what it will
 * put there, so at most `capacity` pages are ever fetched but not yet printed: a
 * slow consumer (stdout's backpressure) holds the fetchers back and memory stays
 * flat. Places are granted in the order they were asked for; a producer's
 * failure reaches the consumer.
 */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private readonly spaceWaiters: Array<() => void> = [];
  private itemWaiter?: () => void;
  private failure?: { error: unknown };
  private closed = false;
  private reserved = 0;

  /**
   * `budget`, when given, is shared with other queues: a place needs room in
   * both, and takes `units` of the budget (the objects a page holds at most).
   */
  constructor(
    private readonly capacity: number,
    private readonly budget?: PageBudget,
    private readonly units?: number,
  ) {}

  /** Places a producer could reserve now without waiting. */
  room(): number {
    const own = this.capacity - this.items.length - this.reserved - this.spaceWaiters.length;
    return Math.max(0, Math.min(own, this.budget?.room(this.units) ?? own));
  }

  /** Waits for a place; fill it with `fill`. */
  async reserve(): Promise<void> {
    if ((this.items.length + this.reserved >= this.capacity || this.spaceWaiters.length > 0) && !this.failure) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
    this.reserved++;
    await this.budget?.take(this.units);
  }

  /** Puts an item in a place reserved before. */
  fill(item: T): void {
    this.reserved--;
    this.items.push(item);
    this.wake();
  }

  /** Gives back a place reserved before and not filled (its fetch failed). */
  unreserve(): void {
    this.reserved--;
    this.budget?.give(this.units);
    this.spaceWaiters.shift()?.();
  }

  async push(item: T): Promise<void> {
    await this.reserve();
    this.fill(item);
  }

  /** No more items will come. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  fail(error: unknown): void {
    this.failure ??= { error };
    this.wake();
    for (const waiter of this.spaceWaiters.splice(0)) waiter();
  }

  async *drain(): AsyncGenerator<T> {
    for (;;) {
      if (this.failure) throw this.failure.error;
      const item = this.items.shift();
      if (item !== undefined) {
        this.spaceWaiters.shift()?.();
        yield item;
        // The item is printed: its place in the shared budget is free again.
        this.budget?.give(this.units);
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.itemWaiter = resolve));
    }
  }

  private wake(): void {
    const waiter = this.itemWaiter;
    this.itemWaiter = undefined;
    waiter?.();
  }
}
