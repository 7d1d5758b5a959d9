/**
 * Sets of `created` seconds already read, as sorted, disjoint, inclusive
 * [gte, lte] ranges. Pure: a list read adds what each page covers, and state
 * records what is done, so a resumed read skips it.
 */
export type Span = readonly [gte: number, lte: number];

/** `spans` with `span` added; touching or overlapping ranges merge. */
export function addSpan(spans: readonly Span[], span: Span): Span[] {
  if (span[0] > span[1]) return [...spans];
  const out: Span[] = [];
  let [gte, lte] = span;
  let placed = false;
  for (const s of spans) {
    if (s[1] + 1 < gte) out.push(s);
    else if (lte + 1 < s[0]) {
      if (!placed) out.push([gte, lte]);
      placed = true;
      out.push(s);
    } else {
      gte = Math.min(gte, s[0]);
      lte = Math.max(lte, s[1]);
    }
  }
  if (!placed) out.push([gte, lte]);
  return out;
}

/** The union of two sets. */
export function unionSpans(a: readonly Span[], b: readonly Span[]): Span[] {
  return b.reduce<Span[]>((acc, s) => addSpan(acc, s), [...a]);
}

/** The highest second `c` such that all of [from, c] is in `spans`; `from - 1` when `from` itself is not. */
export function coveredThrough(spans: readonly Span[], from: number): number {
  let through = from - 1;
  for (const [gte, lte] of spans) {
    if (gte > through + 1) break;
    through = Math.max(through, lte);
  }
  return through;
}

/** The parts of [from, to] not in `spans`, oldest first. */
export function gaps(spans: readonly Span[], from: number, to: number): Span[] {
  const out: Span[] = [];
  let next = from;
  for (const [gte, lte] of spans) {
    if (lte < next) continue;
    if (gte > to) break;
    if (gte > next) out.push([next, Math.min(gte - 1, to)]);
    next = Math.max(next, lte + 1);
    if (next > to) break;
  }
  if (next <= to) out.push([next, to]);
  return out;
}

/** The parts of `spans` strictly above `floor`. */
export function above(spans: readonly Span[], floor: number): Span[] {
  const out: Span[] = [];
  for (const [gte, lte] of spans) if (lte > floor) out.push([Math.max(gte, floor + 1), lte]);
  return out;
}

/** Whether `value` is a well-formed span set (what a state file must hold). */
export function isSpanList(value: unknown): value is Span[] {
  if (!Array.isArray(value)) return false;
  let last = -Infinity;
  for (const s of value) {
    if (!Array.isArray(s) || s.length !== 2 || !s.every((n) => Number.isSafeInteger(n) && n >= 0)) return false;
    const [gte, lte] = s as [number, number];
    if (gte > lte || gte <= last + 1) return false;
    last = lte;
  }
  return true;
}

/** The seconds in both sets. */
export function intersectSpans(a: readonly Span[], b: readonly Span[]): Span[] {
  const out: Span[] = [];
  for (const [ag, al] of a) {
    for (const [bg, bl] of b) {
      const gte = Math.max(ag, bg);
      const lte = Math.min(al, bl);
      if (gte <= lte) out.push([gte, lte]);
    }
  }
  return out.reduce<Span[]>((acc, s) => addSpan(acc, s), []);
}

/** Whether `second` is in the set. */
export function inSpans(spans: readonly Span[], second: number): boolean {
  return spans.some(([gte, lte]) => gte <= second && second <= lte);
}
