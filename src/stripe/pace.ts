/**
 * Spaces request starts to a rate: each start reserves the next free instant
 * (1/rate after the one before), so starts never bunch and a late start does not
 * make the next one later. After a 429 the rate drops to BACKOFF of itself (at
 * most once a second), then climbs back to the budget by RECOVERY of it per
 * second. Pure: every method takes the time, in milliseconds.
 */
export const BACKOFF = 0.7;
export const RECOVERY = 0.05;

export class Pace {
  private next = 0;
  private lastCut = -Infinity;
  private lastRecovery: number;
  private current: number;

  /** `budget`: starts per second at most (Infinity: no spacing). */
  constructor(
    private budget: number,
    now: number,
  ) {
    this.current = budget;
    this.lastRecovery = now;
  }

  /** Starts per second now. */
  rate(now: number): number {
    if (this.current < this.budget && now - this.lastCut > 1000) {
      this.current = Math.min(this.budget, this.current + (this.budget * RECOVERY * (now - this.lastRecovery)) / 1000);
    }
    this.lastRecovery = now;
    return this.current;
  }

  /** Reserves the next start no earlier than `earliest`: when it may go. */
  reserve(now: number, earliest = now): number {
    const rate = this.rate(now);
    if (!Number.isFinite(rate) || rate <= 0) return Math.max(now, earliest);
    const at = Math.max(now, earliest, this.next);
    this.next = at + 1000 / rate;
    return at;
  }

  /** Stripe answered 429: slow down, at most once a second. */
  cut(now: number): void {
    if (now - this.lastCut < 1000 || !Number.isFinite(this.current)) return;
    this.lastCut = now;
    this.current = Math.max(1, this.current * BACKOFF);
  }

  /** A budget learned on the way (an endpoint's own limit): the rate drops to it at once. */
  limitTo(budget: number, now: number): void {
    this.budget = budget;
    this.current = Math.min(this.current, budget);
    this.lastCut = now;
  }

  limited(): boolean {
    return Number.isFinite(this.budget);
  }
}

/** Starts of one endpoint over the last second, to tell whose limit a 429 is. */
export class RecentStarts {
  private readonly starts: number[] = [];

  add(now: number): void {
    this.starts.push(now);
    this.prune(now);
  }

  count(now: number): number {
    this.prune(now);
    return this.starts.length;
  }

  private prune(now: number): void {
    let drop = 0;
    while (drop < this.starts.length && this.starts[drop]! <= now - 1000) drop++;
    if (drop) this.starts.splice(0, drop);
  }
}
