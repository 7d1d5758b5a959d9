/**
 * How a list read spreads over request slots: when a piece of its created range
 * splits, and where. Pure: the list reader asks after each page and when a piece finishes.
 */

/** Pieces of one list at once: splitting stops here, every piece still reads in parallel. */
export const MAX_PIECES = 32;
/**
 * A new part covers at most this many pages (as the page's density predicts),
 * the oldest part takes whatever is left: density measured at a piece's newest
 * end says little about years further back, which may be sparse or empty.
 */
const MAX_PAGES_PER_PART = 120;
/**
 * A list that has returned this many pages is long: worth splitting even while
 * other work waits (a density seen on a page or two may hold for days or for years).
 */
const LONG_LIST_PAGES = 20;
/** Parts smaller than this are not worth a part-filled page. */
const MIN_PAGES_PER_PART = 2;
/**
 * A range is spread before its first page only into parts at least this wide:
 * a sync of the last hours or a day (the common incremental read) stays one
 * request, whatever slots idle.
 */
const MIN_SPREAD_SECONDS = 86_400;

export interface SplitSituation {
  /** Pages the piece is thought to have left. */
  pagesLeft: number;
  /** The most pages any open piece of the list is thought to have left. */
  longestPagesLeft: number;
  /** Pieces of the list now. */
  pieces: number;
  /** Pages the list has returned so far. */
  pagesRead: number;
  /** Request slots that would idle now (and room in the page queue for them). */
  idleSlots: number;
  /** Requests the client keeps in flight. */
  slots: number;
}

/**
 * How many parts a piece should split into now (0 or 1: none). Each part costs a
 * part-filled page, so a piece splits into idle request slots (free), and, once
 * its list has shown itself long, until the list has as many pieces as the
 * client keeps requests in flight (a long sequential chain would otherwise
 * finish last, alone). Only the piece with (about) the most pages left splits:
 * parts stay long and the last pieces to finish are short.
 */
export function partsFor(s: SplitSituation): number {
  const fill = s.pagesRead >= LONG_LIST_PAGES ? s.slots - s.pieces : 0;
  const room = Math.min(MAX_PIECES - s.pieces, Math.max(s.idleSlots, fill));
  if (room < 1) return 0;
  if (s.pagesLeft < s.longestPagesLeft / 2) return 0;
  return Math.min(room + 1, Math.floor(s.pagesLeft / MIN_PAGES_PER_PART));
}

/** Where a piece splits: it keeps [keep, upper]; each part is an older range with its guessed pages. */
export interface SplitPlan {
  keep: number;
  keepPages: number;
  parts: Array<{ gte: number; lte: number; pagesLeft: number }>;
}

/**
 * Splits [lower, upper] into `parts` ranges from the newest end back: the
 * piece keeps the newest, each new part the next older one, at most
 * MAX_PAGES_PER_PART pages each at `secondsPerPage`; the oldest part takes
 * whatever is left. Undefined when the range is too narrow to split.
 */
export function splitRange(lower: number, upper: number, secondsPerPage: number, parts: number): SplitPlan | undefined {
  const pagesLeft = (upper - lower) / secondsPerPage;
  const partPages = Math.min(MAX_PAGES_PER_PART, pagesLeft / parts);
  const width = Math.max(1, Math.floor(partPages * secondsPerPage));
  const lowers: number[] = [];
  for (let top = upper; lowers.length < parts - 1 && top - width + 1 > lower; top -= width) lowers.push(top - width + 1);
  if (!lowers.length) return undefined;
  const plan: SplitPlan = { keep: lowers[0]!, keepPages: partPages, parts: [] };
  for (let i = 1; i < lowers.length; i++) plan.parts.push({ gte: lowers[i]!, lte: lowers[i - 1]! - 1, pagesLeft: partPages });
  const rest = lowers[lowers.length - 1]! - 1;
  plan.parts.push({ gte: lower, lte: rest, pagesLeft: (rest - lower + 1) / secondsPerPage });
  return plan;
}

export interface SpreadSituation {
  /** Seconds the range covers. */
  seconds: number;
  /** Request slots that would idle now (and room in the page queue for them). */
  idleSlots: number;
  /** Requests that start in one round trip (rate x latency): more would no longer be free. */
  roundTrip: number;
}

/**
 * How many parts a list's range should be laid into before its first page is
 * back (0: none). The first page is a round trip away and the slots idle until
 * then: requests sent into them now cost nothing, and they find where the data
 * is. A part over empty years costs one empty page; a part over data returns
 * a full page and its density, and splits further from there.
 */
export function spreadParts(s: SpreadSituation): number {
  const parts = Math.min(s.idleSlots + 1, Math.ceil(s.roundTrip), MAX_PIECES, Math.floor(s.seconds / MIN_SPREAD_SECONDS));
  return parts >= 2 ? parts : 0;
}

/** [lower, upper] in `parts` touching ranges of equal width, newest first: the piece keeps the newest. */
export function spreadRange(lower: number, upper: number, parts: number): SplitPlan | undefined {
  const width = Math.floor((upper - lower + 1) / parts);
  if (parts < 2 || width < 1) return undefined;
  const plan: SplitPlan = { keep: upper - width + 1, keepPages: 0, parts: [] };
  for (let i = 1; i < parts; i++) {
    const lte = upper - i * width;
    plan.parts.push({ gte: i === parts - 1 ? lower : lte - width + 1, lte, pagesLeft: 0 });
  }
  return plan;
}
