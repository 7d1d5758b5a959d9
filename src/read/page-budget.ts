/**
 * Objects fetched but not yet printed, across every list of a read: a list's
 * piece takes its page's place (the page size it asks for) before it fetches,
 * and gives it back once the page is printed. However many streams are read
 * at once, memory stays bounded; a page of ten parents (whose children cost
 * requests) takes a tenth of a full page's place.
 *
 * The capacity follows what the client needs on its way (rate x latency, see
 * RequestLimiter.neededInFlight), between MIN_PAGES and MAX_PAGES full pages:
 * the rate-limited reads keep their pace, and a read whose bottleneck is the
 * process itself (no latency, no limit) holds a few pages rather than dozens.
 */
export const MAX_PAGES = 32;
const MIN_PAGES = 4;
/** Headroom over what is needed: pages waiting to be printed, and latency that varies. */
const HEADROOM = 1.25;
const SPARE_PAGES = 2;

export class PageBudget {
  private used = 0;
  private readonly waiting: Array<{ units: number; resolve: () => void }> = [];

  /**
   * `pageUnits`: what a full page takes. `needed`: pages needed on their way now
   * (Infinity when not yet known: the capacity is then MAX_PAGES).
   */
  constructor(
    private readonly pageUnits: number,
    private readonly needed: () => number = () => Infinity,
  ) {}

  /** Full pages the budget holds now. */
  capacityPages(): number {
    const needed = this.needed();
    const pages = Number.isFinite(needed) ? Math.ceil(needed * HEADROOM) + SPARE_PAGES : MAX_PAGES;
    return Math.max(MIN_PAGES, Math.min(MAX_PAGES, pages));
  }

  /** Places of `units` that could be taken now without waiting. */
  room(units: number = this.pageUnits): number {
    if (this.waiting.length > 0) return 0;
    return Math.max(0, Math.floor((this.capacityPages() * this.pageUnits - this.used) / units));
  }

  async take(units: number = this.pageUnits): Promise<void> {
    if (this.waiting.length === 0 && this.fits(units)) {
      this.used += units;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push({ units, resolve }));
  }

  give(units: number = this.pageUnits): void {
    this.used -= units;
    this.wake();
  }

  /** A place freed: the waiting takers that fit now, in order. */
  private wake(): void {
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.units)) {
      const next = this.waiting.shift()!;
      this.used += next.units;
      next.resolve();
    }
  }

  /** Always fits when nothing is taken, whatever the capacity: a read never stalls. */
  private fits(units: number): boolean {
    return this.used === 0 || this.used + units <= this.capacityPages() * this.pageUnits;
  }
}
