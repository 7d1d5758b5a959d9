import { above, addSpan, coveredThrough, gaps, type Span } from "../state/spans.js";
import type { ListProgress } from "./modes.js";

/**
 * The checkpoint grid of one list read: which parts of its created range
 * [from, to] are read. Pieces report a range once every object in it has been
 * queued for output, in order; a checkpoint taken after that covers exactly the
 * ranges reported so far, so state never covers unread data, whatever order the
 * pieces finish in. Pure.
 */
export class Coverage {
  private spans: Span[];

  constructor(
    readonly from: number,
    readonly to: number,
    done: readonly Span[],
  ) {
    this.spans = [];
    for (const [gte, lte] of done) this.add([gte, lte]);
  }

  /** Everything created in `span` has been queued. */
  add(span: Span): void {
    const gte = Math.max(span[0], this.from);
    const lte = Math.min(span[1], this.to);
    if (gte <= lte) this.spans = addSpan(this.spans, [gte, lte]);
  }

  /** The ranges still to read, oldest first. */
  unread(): Span[] {
    return gaps(this.spans, this.from, this.to);
  }

  progress(): ListProgress {
    const through = coveredThrough(this.spans, this.from);
    return { through, spans: above(this.spans, through), complete: through >= this.to };
  }
}
