import { Pace, RecentStarts } from "./pace.js";

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
  /**
   * Learn Stripe's per-endpoint limits from its 429s (live mode, where an endpoint's 25/s is
   * below the account's 100/s; in test mode the account's 25/s is the only limit that matters).
   */
  endpointLimits?: boolean;
}

/**
 * Which waiting request starts first when a slot frees: polls for changes, then
 * everything else in arrival order. Per-parent requests do not wait behind list
 * pages: where Stripe limits each endpoint to 25/s (see ENDPOINT_LIMIT), a child
 * stream (a request per parent) is the longest part of a read, and it must
 * start with the lists, not after them (measured: 59 streams, 15,000 charges,
 * 25/s per endpoint: 16.4 s with children last, 11.4 s in arrival order; the
 * same without endpoint limits).
 */
export type Priority = "poll" | "list";
const PRIORITIES: readonly Priority[] = ["poll", "list"];

/**
 * Stripe limits each endpoint (each named operation: GET /v1/charges, GET
 * /v1/customers/{customer}/balance_transactions, ...) to 25 requests a second
 * besides the account's 100 (https://docs.stripe.com/rate-limits, "API endpoints
 * have a default limit of 25 requests per second"; Stripe raises it for some
 * accounts). An endpoint is paced only once Stripe shows its limit: a 429 while
 * that endpoint alone started more than ENDPOINT_SUSPECT requests in the last
 * second sets its pace to ENDPOINT_BUDGET (less the same 1% margin as the
 * account's budget) and leaves the account's pace alone. That pace is then
 * fixed: a later 429 is the account's (or a fault's), and slows the account's
 * pace, which recovers, rather than cutting the endpoint's again and again.
 */
export const ENDPOINT_LIMIT = 25;
const ENDPOINT_BUDGET = 24.75;
const ENDPOINT_SUSPECT = 0.9 * ENDPOINT_LIMIT;
/** Answers and the shortest latency are counted over windows this long (the last full one is used). */
const WINDOW_MS = 1000;

/**
 * One gate for every request of the process, shared by all streams: starts are
 * spaced to the rate budget, in-flight requests are bounded, a 429 slows the
 * rate down (and Retry-After pauses everyone), and the rate recovers after.
 */
export class RequestLimiter {
  private inFlight = 0;
  private readonly waiting: Record<Priority, Array<() => void>> = { poll: [], list: [] };
  private readonly pace: Pace;
  private readonly endpoints = new Map<string, { pace: Pace; recent: RecentStarts }>();
  private pausedUntil = 0;
  /** Exponentially weighted request latency, seconds: a guess until the first answer, then from the answers. */
  private latency = 0.25;
  private answeredAny = false;
  /** This window and the last full one: answers, and the shortest latency (seconds). */
  private window = { startedAt: NaN, answers: 0, shortest: Infinity };
  private lastWindow?: { answersPerSecond: number; shortest: number };

  constructor(private readonly options: LimiterOptions) {
    this.pace = new Pace(options.ratePerSecond, Date.now());
  }

  /** Starts per second the account's pace allows now. */
  accountRate(): number {
    return this.pace.rate(Date.now());
  }

  /** How many requests may be in flight now. */
  concurrency(): number {
    const cap = this.options.maxConcurrency;
    const rate = this.accountRate();
    if (!this.options.adaptiveConcurrency || !Number.isFinite(rate)) return cap;
    return Math.max(2, Math.min(cap, Math.ceil(rate * this.latency * 1.25) + 1));
  }

  /** The average request latency lately, seconds (0 before any answer). */
  averageLatency(): number {
    return this.answeredAny ? this.latency : 0;
  }

  /** Requests that start in one round trip at the current rate and latency (Infinity without a rate limit). */
  roundTrip(): number {
    const rate = this.accountRate();
    return Number.isFinite(rate) ? rate * this.latency : Infinity;
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
    return Math.min(this.accountRate(), 1.5 * last.answersPerSecond) * last.shortest;
  }

  /**
   * Slots no request holds or waits for: work a reader could start now without
   * delaying anyone.
   */
  idleSlots(): number {
    return Math.max(0, this.concurrency() - this.inFlight - this.waitingTotal());
  }

  /**
   * Runs `task` when a slot is free, before waiting tasks of lower priority.
   * `endpoint` (method and path template) is paced on its own once Stripe shows
   * its limit; that wait holds no slot, so other endpoints' requests go meanwhile.
   */
  async run<T>(task: () => Promise<T>, priority: Priority = "list", endpointAsked?: string): Promise<T> {
    if (Number.isNaN(this.window.startedAt)) this.window.startedAt = performance.now();
    // Without endpoint limits to learn (test mode) no endpoint is tracked at all.
    const endpoint = this.options.endpointLimits === true ? endpointAsked : undefined;
    const paced = endpoint !== undefined && (await this.endpointTurn(endpoint));
    await this.acquire(priority);
    try {
      // Stripe showed the endpoint's limit while this request waited for a slot: it keeps to it too.
      if (endpoint !== undefined && !paced && this.endpoints.get(endpoint)!.pace.limited()) await this.endpointTurn(endpoint);
      await this.globalTurn();
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

  /**
   * Stripe answered 429 to a request of `endpoint`: that endpoint's limit if it
   * alone was going faster than an endpoint may (see ENDPOINT_LIMIT), else the
   * account's: slow that pace down; and wait `retryAfterMs` if Stripe asked.
   */
  rateLimited(retryAfterMs?: number, endpoint?: string): void {
    const now = Date.now();
    if (retryAfterMs) this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
    const own = endpoint === undefined ? undefined : this.endpoints.get(endpoint);
    const endpointsLimit = own !== undefined && !own.pace.limited() && own.recent.count(now) > ENDPOINT_SUSPECT;
    if (endpointsLimit) own.pace.limitTo(ENDPOINT_BUDGET, now);
    else this.pace.cut(now);
  }

  /** Starts per second `endpoint` is held to (Infinity while Stripe has shown it no limit). */
  endpointRate(endpoint: string): number {
    return this.endpoints.get(endpoint)?.pace.rate(Date.now()) ?? Infinity;
  }

  /** Waits for `endpoint`'s next start if Stripe has shown its limit; true if it did. */
  private async endpointTurn(endpoint: string): Promise<boolean> {
    let own = this.endpoints.get(endpoint);
    if (!own) this.endpoints.set(endpoint, (own = { pace: new Pace(Infinity, Date.now()), recent: new RecentStarts() }));
    const now = Date.now();
    const at = own.pace.reserve(now);
    if (at > now) await sleep(at - now);
    own.recent.add(Date.now());
    return own.pace.limited();
  }

  private async globalTurn(): Promise<void> {
    const now = Date.now();
    const at = this.pace.reserve(now, this.pausedUntil);
    if (at > now) await sleep(at - now);
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
    return this.waiting.poll.length + this.waiting.list.length;
  }

  /** The first waiting task of the highest priority, taken off its queue. */
  private nextWaiting(): (() => void) | undefined {
    for (const priority of PRIORITIES) {
      const next = this.waiting[priority].shift();
      if (next) return next;
    }
    return undefined;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
