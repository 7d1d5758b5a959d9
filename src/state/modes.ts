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

/**
 * Which part of an event-driven stream's work to decide: `all` (a read does its
 * backfill, or else its events), or one part only, for a capture that runs its
 * backfill and its events polling side by side.
 */
export type Phase = "all" | "backfill" | "events";

export interface ModeInputs {
  def: StreamDef;
  incremental: boolean;
  cursor: StreamCursor | undefined;
  now: number;
  startDate: number;
  lookbackDays: number;
  phase?: Phase;
}

/**
 * Decides how one stream is read this time, from its kind and its cursor:
 * - full refresh: the whole list, no state;
 * - `created` streams: created windows from the cursor (minus the lookback);
 * - event-driven streams: the list the first time (a backfill that checkpoints its
 *   progress so a crash resumes it), then the Events API from the cursor; when
 *   the cursor is older than the Events API keeps, the list again, said in a LOG.
 */
export function decideMode(inputs: ModeInputs): StreamMode | undefined {
  const { def, incremental, cursor, now, startDate, lookbackDays, phase = "all" } = inputs;
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
  const events = (): StreamMode | undefined =>
    cursor?.cursor === undefined
      ? undefined
      : { mode: "events", from: cursor.cursor - lookback, checkpoint: (windowEnd) => ({ [field]: windowEnd }) };
  if (phase === "events") return events();
  if (cursor?.cursor === undefined) return backfill(now, startDate);
  if (cursor.cursor - lookback < horizon) {
    const what = cursor.backfillCreated !== undefined ? "its unfinished backfill's events cursor is" : "its cursor (minus the lookback) is";
    return backfill(now, startDate, restartNote(def, cursor.cursor - lookback, now, what));
  }
  if (cursor.backfillCreated !== undefined) return backfill(cursor.cursor, Math.max(startDate, cursor.backfillCreated));
  return phase === "backfill" ? undefined : events();
}

function restartNote(def: StreamDef, since: number, now: number, what: string): string {
  const days = Math.floor((now - since) / DAY);
  return `Stream ${def.name}: ${what} ${days} days old, beyond the ${EVENTS_HORIZON_SECONDS / DAY}-day window the Events API still covers, so it is read again in full to miss no change.`;
}
