export interface Window {
  /** Inclusive lower bound, epoch seconds. */
  gte: number;
  /** Inclusive upper bound, epoch seconds. */
  lte: number;
}

const DAY = 86_400;

/**
 * Cuts [from, to] into consecutive windows of `sliceDays`, oldest first, so
 * that completing them in order moves a cursor forward without gaps.
 */
export function createdWindows(from: number, to: number, sliceDays: number): Window[] {
  const windows: Window[] = [];
  const width = Math.max(1, sliceDays) * DAY;
  for (let gte = from; gte <= to; gte += width) {
    windows.push({ gte, lte: Math.min(gte + width - 1, to) });
  }
  return windows;
}
