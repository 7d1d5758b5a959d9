/**
 * Pages fetched but not yet printed, across every list of a read: a list's piece
 * takes a page's place before it fetches, and gives it back once the page is
 * printed. However many streams are read at once, memory stays bounded.
 */
export class PageBudget {
  private used = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly capacity: number) {}

  /** Places free and not asked for. */
  room(): number {
    return Math.max(0, this.capacity - this.used - this.waiting.length);
  }

  async take(): Promise<void> {
    if (this.used < this.capacity && this.waiting.length === 0) {
      this.used++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.used--;
  }
}
