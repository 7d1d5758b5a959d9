import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Coverage } from "../src/read/coverage.js";
import { partsFor, splitRange, spreadParts, spreadRange } from "../src/read/split-planner.js";
import { addSpan, coveredThrough, gaps, type Span } from "../src/state/spans.js";

/** The seconds a span set covers, the slow and obvious way. */
function seconds(spans: readonly Span[]): Set<number> {
  const out = new Set<number>();
  for (const [gte, lte] of spans) for (let t = gte; t <= lte; t++) out.add(t);
  return out;
}

const span = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 40 })).map(([gte, len]): Span => [gte, gte + len]);

describe("span sets", () => {
  it("adding spans in any order gives their union, merged and sorted", () => {
    fc.assert(
      fc.property(fc.array(span, { maxLength: 12 }), (added) => {
        const set = added.reduce<Span[]>((acc, s) => addSpan(acc, s), []);
        expect(seconds(set)).toEqual(seconds(added));
        for (let i = 1; i < set.length; i++) expect(set[i]![0]).toBeGreaterThan(set[i - 1]![1] + 1);
      }),
    );
  });

  it("gaps and coverage split [from, to] exactly", () => {
    fc.assert(
      fc.property(fc.array(span, { maxLength: 8 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 400 }), (added, from, width) => {
        const to = from + width;
        const set = added.reduce<Span[]>((acc, s) => addSpan(acc, s), []);
        const holes = seconds(gaps(set, from, to));
        const covered = seconds(set);
        for (let t = from; t <= to; t++) expect(holes.has(t)).toBe(!covered.has(t));
        const through = coveredThrough(set, from);
        for (let t = from; t <= through; t++) expect(covered.has(t)).toBe(true);
        expect(covered.has(through + 1)).toBe(false);
      }),
    );
  });
});

describe("the checkpoint grid (coverage of one list read)", () => {
  it("says complete only once every second of the range is read, and never covers unread data", () => {
    fc.assert(
      fc.property(fc.array(span, { maxLength: 10 }), (reported) => {
        const coverage = new Coverage(50, 250, []);
        const read = new Set<number>();
        for (const s of reported) {
          coverage.add(s);
          for (const t of seconds([s])) if (t >= 50 && t <= 250) read.add(t);
          const p = coverage.progress();
          for (const t of seconds([[50, p.through], ...p.spans])) expect(read.has(t)).toBe(true);
          expect(p.complete).toBe(read.size === 201);
        }
      }),
    );
  });

  it("resumes from what a saved position says is done, reading only the rest", () => {
    const coverage = new Coverage(0, 99, [[0, 9], [40, 59]]);
    expect(coverage.unread()).toEqual([[10, 39], [60, 99]]);
    expect(coverage.progress()).toEqual({ through: 9, spans: [[40, 59]], complete: false });
    coverage.add([60, 99]);
    coverage.add([10, 39]);
    expect(coverage.progress()).toEqual({ through: 99, spans: [], complete: true });
  });

  it("an empty range is complete at once (a cursor in the future reads nothing)", () => {
    expect(new Coverage(100, 50, []).progress().complete).toBe(true);
    expect(new Coverage(100, 50, []).unread()).toEqual([]);
  });
});

describe("the split planner", () => {
  it("splits into idle slots, or, once a list is long, until it has as many pieces as slots", () => {
    const base = { pagesLeft: 100, longestPagesLeft: 100, pieces: 1, pagesRead: 1, idleSlots: 0, slots: 10 };
    expect(partsFor(base)).toBe(0);
    expect(partsFor({ ...base, idleSlots: 3 })).toBe(4);
    expect(partsFor({ ...base, pagesRead: 20 })).toBe(10);
    // Only the piece with (about) the most pages left splits.
    expect(partsFor({ ...base, idleSlots: 3, longestPagesLeft: 300 })).toBe(0);
    // A piece too small for part-filled pages does not split.
    expect(partsFor({ ...base, idleSlots: 3, pagesLeft: 3, longestPagesLeft: 3 })).toBe(1);
  });

  it("lays parts from the newest end back, touching, covering the range exactly", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 2, max: 5_000_000 }),
        fc.integer({ min: 1, max: 50_000 }),
        fc.integer({ min: 2, max: 32 }),
        (lower, width, secondsPerPage, parts) => {
          const upper = lower + width;
          const plan = splitRange(lower, upper, secondsPerPage, parts);
          if (!plan) return;
          const ranges = [{ gte: plan.keep, lte: upper }, ...plan.parts];
          expect(ranges.length).toBeLessThanOrEqual(parts);
          for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.lte).toBe(ranges[i - 1]!.gte - 1);
          expect(ranges.at(-1)!.gte).toBe(lower);
          for (const r of ranges) expect(r.gte).toBeLessThanOrEqual(r.lte);
        },
      ),
    );
  });

  it("spreads a range before its first page into the slots one round trip leaves idle, never into parts under a day", () => {
    const year = 365 * 86_400;
    expect(spreadParts({ seconds: 10 * year, idleSlots: 30, roundTrip: 19.4 })).toBe(20);
    expect(spreadParts({ seconds: 10 * year, idleSlots: 5, roundTrip: 19.4 })).toBe(6);
    expect(spreadParts({ seconds: 10 * year, idleSlots: 0, roundTrip: 19.4 })).toBe(0);
    expect(spreadParts({ seconds: 10 * year, idleSlots: 100, roundTrip: Infinity })).toBe(32);
    // An incremental read of the last hours stays one request.
    expect(spreadParts({ seconds: 6 * 3600, idleSlots: 30, roundTrip: 19.4 })).toBe(0);
    expect(spreadParts({ seconds: 3 * 86_400, idleSlots: 30, roundTrip: 19.4 })).toBe(3);
  });

  it("spread parts touch, cover the range exactly, newest kept by the piece", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 5_000_000 }), fc.integer({ min: 2, max: 32 }), (lower, width, parts) => {
        const upper = lower + width;
        const plan = spreadRange(lower, upper, parts);
        if (!plan) {
          expect(width + 1).toBeLessThan(parts);
          return;
        }
        const ranges = [{ gte: plan.keep, lte: upper }, ...plan.parts];
        expect(ranges).toHaveLength(parts);
        for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.lte).toBe(ranges[i - 1]!.gte - 1);
        expect(ranges.at(-1)!.gte).toBe(lower);
        for (const r of ranges) expect(r.gte).toBeLessThanOrEqual(r.lte);
      }),
    );
  });
});
