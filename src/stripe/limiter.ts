/**
 * One gate for every request of the process: at most `concurrency` in flight,
 * and starts spaced so that no more than `ratePerSecond` begin in any second.
 */
export class RequestLimiter {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private nextStartAt = 0;

  constructor(
    private readonly concurrency: number,
    private readonly ratePerSecond: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      await this.pace();
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.inFlight < this.concurrency) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  private async pace(): Promise<void> {
    if (!Number.isFinite(this.ratePerSecond) || this.ratePerSecond <= 0) return;
    const now = Date.now();
    const startAt = Math.max(now, this.nextStartAt);
    this.nextStartAt = startAt + 1000 / this.ratePerSecond;
    if (startAt > now) await new Promise((r) => setTimeout(r, startAt - now));
  }
}
