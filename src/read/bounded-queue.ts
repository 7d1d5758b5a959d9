/**
 * A queue between concurrent producers and one consumer. Producers wait when it
 * is full, so a slow consumer (stdout's backpressure) holds the fetchers back and
 * memory stays flat; a producer's failure reaches the consumer.
 */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private readonly spaceWaiters: Array<() => void> = [];
  private itemWaiter?: () => void;
  private failure?: { error: unknown };
  private closed = false;

  constructor(private readonly capacity: number) {}

  /** Items arrive in the order push was called: a waiting producer is never overtaken. */
  async push(item: T): Promise<void> {
    if ((this.items.length >= this.capacity || this.spaceWaiters.length > 0) && !this.failure) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
    this.items.push(item);
    this.wake();
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
