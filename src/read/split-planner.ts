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
