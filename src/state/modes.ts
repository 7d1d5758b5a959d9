import type { StreamDef } from "../streams/types.js";
import type { StreamCursor } from "./input.js";

const DAY = 86_400;
/** Stripe keeps events for 30 days; a day less leaves room for clock skew and long reads. */
export const EVENTS_HORIZON_SECONDS = 29 * DAY;

/** Turns "the window ending at `windowEnd` is complete" into the state blob to checkpoint. */
export type CheckpointFn = (windowEnd: number, last: boolean) => Record<string, unknown>;

export type StreamMode =
  /** Read the (parent's) list from `from`, created window by created window. */
  | { mode: "list"; from: number; checkpoint?: CheckpointFn; note?: string }
  /** Read `/v1/events` from `from` on. */
  | { mode: "events"; from: number; checkpoint: CheckpointFn };

export interface ModeInputs {
  def: StreamDef;
  incremental: boolean;
  cursor: StreamCursor | undefined;
  now: number;
  startDate: number;
  lookbackDays: number;
}

/**
 * Decides how one stream is read this time, from its kind and its cursor:
 * - full refresh: the whole list, no state;
 * - `created` streams: created windows from the cursor (minus the lookback);
 * - event-driven streams: the list the first time (a backfill that checkpoints its
 *   progress so a crash resumes it), then the Events API from the cursor; when
 *   the cursor is older than the Events API keeps, the list again, said in a LOG.
 */
export function decideMode({ def, incremental, cursor, now, startDate, lookbackDays }: ModeInputs): StreamMode {
  if (!incremental || !def.incremental) return { mode: "list", from: startDate };
  const field = def.cursorField!;
  const lookback = lookbackDays * DAY;

  if (def.incremental === "created" && !def.parent) {
    const from = cursor?.cursor !== undefined ? Math.max(startDate, cursor.cursor - lookback) : startDate;
    return { mode: "list", from, checkpoint: (windowEnd) => ({ [field]: windowEnd }) };
  }

  const backfill = (syncStart: number, from: number, note?: string): StreamMode => ({
    mode: "list",
    from,
    note,
    // Until the backfill is done the cursor stays at its start: the events since then
    // replay every change made while it ran.
    checkpoint: (windowEnd, last) => (last ? { [field]: syncStart } : { [field]: syncStart, backfill_created: windowEnd }),
  });
  const horizon = now - EVENTS_HORIZON_SECONDS;
  if (cursor?.cursor === undefined) return backfill(now, startDate);
  if (cursor.backfillCreated !== undefined) {
    if (cursor.cursor >= horizon) return backfill(cursor.cursor, Math.max(startDate, cursor.backfillCreated));
    return backfill(now, startDate, restartNote(def, cursor.cursor, now, "its unfinished backfill began"));
  }
  const from = cursor.cursor - lookback;
  if (from < horizon) return backfill(now, startDate, restartNote(def, from, now, "its cursor (minus the lookback) is"));
  return { mode: "events", from, checkpoint: (windowEnd) => ({ [field]: windowEnd }) };
}

function restartNote(def: StreamDef, since: number, now: number, what: string): string {
  const days = Math.floor((now - since) / DAY);
  return `Stream ${def.name}: ${what} ${days} days ago, beyond the ${EVENTS_HORIZON_SECONDS / DAY}-day window the Events API still covers, so it is read again in full to miss no change.`;
}
