export interface LimiterOptions {
  /** Requests started per second at most (Stripe's budget for the key, or call_rate_limit). */
  ratePerSecond: number;
  /** Requests in flight at most (num_workers when given, else 100). */
  maxConcurrency: number;
  /**
   * Keep only as many requests in flight as the rate allows at the observed
   * latency (rate x latency): more would only wait, fewer would waste the budget.
   */
  adaptiveConcurrency: boolean;
}

/**
 * Which waiting request starts first when a slot frees: polls for changes, then
 * a list's next page (one step of a sequential chain), then per-parent requests
 * (many at once, any order will do: they fill the slots the chains leave).
 */
export type Priority = "poll" | "list" | "child";
const PRIORITIES: readonly Priority[] = ["poll", "list", "child"];

/** After a 429 the rate drops to this share, then climbs back by RECOVERY of the budget per second. */
const BACKOFF = 0.7;
const RECOVERY = 0.05;
/** Answers and the shortest latency are counted over windows this long (the last full one is used). */
const WINDOW_MS = 1000;

/**
 * One gate for every request of the process, shared by all streams: starts are
 * spaced to the rate budget, in-flight requests are bounded, a 429 slows the
 * rate down (and Retry-After pauses everyone), and the rate recovers after.
 */
export class RequestLimiter {
  private inFlight = 0;
  private readonly waiting: Record<Priority, Array<() => void>> = { poll: [], list: [], child: [] };
  private nextStartAt = 0;
  private rate: number;
  private lastCut = 0;
  private lastRecovery = Date.now();
  private pausedUntil = 0;
  /** Exponentially weighted request latency, seconds: a guess until the first answer, then from the answers. */
  private latency = 0.25;
  private answeredAny = false;
  /** This window and the last full one: answers, and the shortest latency (seconds). */
  private window = { startedAt: NaN, answers: 0, shortest: Infinity };
  private lastWindow?: { answersPerSecond: number; shortest: number };

  constructor(private readonly options: LimiterOptions) {
    this.rate = options.ratePerSecond;
  }

  /** How many requests may be in flight now. */
  concurrency(): number {
    const cap = this.options.maxConcurrency;
    if (!this.options.adaptiveConcurrency || !Number.isFinite(this.rate)) return cap;
    return Math.max(2, Math.min(cap, Math.ceil(this.rate * this.latency * 1.25) + 1));
  }

  /** The average request latency lately, seconds (0 before any answer). */
  averageLatency(): number {
    return this.answeredAny ? this.latency : 0;
  }

  /** Requests that start in one round trip at the current rate and latency (Infinity without a rate limit). */
  roundTrip(): number {
    return Number.isFinite(this.rate) ? this.rate * this.latency : Infinity;
  }

  /**
   * Requests a reader needs on their way to keep its pace: the rate answers come
   * back at (at most half again what the last second saw, so the estimate can
   * grow, and at most the rate budget) times the shortest latency of the last
   * second. The shortest, not the average: when the process itself is the
   * bottleneck, answers wait for it and every request more only waits longer.
   * Unknown (Infinity) until a first window has been seen.
   */
  neededInFlight(): number {
    const last = this.lastWindow;
    if (!last || !Number.isFinite(last.shortest)) return Infinity;
    return Math.min(this.rate, 1.5 * last.answersPerSecond) * last.shortest;
  }

  /**
   * Slots no request holds or waits for: work a reader could start now without
   * delaying anyone.
   */
  idleSlots(): number {
    return Math.max(0, this.concurrency() - this.inFlight - this.waitingTotal());
  }

  /** Runs `task` when a slot is free, before waiting tasks of lower priority. */
  async run<T>(task: () => Promise<T>, priority: Priority = "list"): Promise<T> {
    if (Number.isNaN(this.window.startedAt)) this.window.startedAt = performance.now();
    await this.acquire(priority);
    try {
      await this.pace();
      const started = performance.now();
      try {
        return await task();
      } finally {
        this.answered(started);
      }
    } finally {
      this.release();
    }
  }

  /** An answer came back: the average latency, and this window's answers and shortest latency. */
  private answered(started: number): void {
    const now = performance.now();
    const seconds = (now - started) / 1000;
    this.latency = this.answeredAny ? 0.8 * this.latency + 0.2 * seconds : seconds;
    this.answeredAny = true;
    const w = this.window;
    if (now - w.startedAt >= WINDOW_MS) {
      this.lastWindow = { answersPerSecond: (1000 * w.answers) / (now - w.startedAt), shortest: w.shortest };
      this.window = { startedAt: now, answers: 0, shortest: Infinity };
    }
    this.window.answers++;
    this.window.shortest = Math.min(this.window.shortest, seconds);
  }

  /** Stripe answered 429: slow down (at most once a second), and wait `retryAfterMs` if it asked. */
  rateLimited(retryAfterMs?: number): void {
    const now = Date.now();
    if (retryAfterMs) this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
    if (now - this.lastCut < 1000) return;
    this.lastCut = now;
    this.rate = Math.max(1, this.rate * BACKOFF);
  }

  private acquire(priority: Priority): Promise<void> {
    if (this.inFlight < this.concurrency()) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting[priority].push(resolve));
  }

  private release(): void {
    this.inFlight--;
    while (this.inFlight < this.concurrency()) {
      const next = this.nextWaiting();
      if (!next) return;
      this.inFlight++;
      next();
    }
  }

  private waitingTotal(): number {
    return this.waiting.poll.length + this.waiting.list.length + this.waiting.child.length;
  }

  /** The first waiting task of the highest priority, taken off its queue. */
  private nextWaiting(): (() => void) | undefined {
    for (const priority of PRIORITIES) {
      const next = this.waiting[priority].shift();
      if (next) return next;
    }
    return undefined;
  }

  private async pace(): Promise<void> {
    const budget = this.options.ratePerSecond;
    if (!Number.isFinite(budget) || budget <= 0) return;
    const now = Date.now();
    if (this.rate < budget && now - this.lastCut > 1000) {
      this.rate = Math.min(budget, this.rate + (budget * RECOVERY * (now - this.lastRecovery)) / 1000);
    }
    this.lastRecovery = now;
    const startAt = Math.max(now, this.nextStartAt, this.pausedUntil);
    this.nextStartAt = startAt + 1000 / this.rate;
    if (startAt > now) await new Promise((r) => setTimeout(r, startAt - now));
  }
}
