import { addSpan, above, type Span } from "../state/spans.js";
import type { ListPosition, StreamState } from "../state/types.js";
import type { StreamDef } from "../streams/types.js";

const DAY = 86_400;
/** Stripe keeps events for 30 days; a day less leaves room for clock skew and long reads. */
export const EVENTS_HORIZON_SECONDS = 29 * DAY;
/**
 * Stripe's lists and its Events API are eventually consistent: an object or an
 * event may become listable a little after its `created` time. A cursor never
 * passes `now - SETTLE_SECONDS`, so what shows up late is still read next time.
 * Estuary's own Stripe capture waits a minute for the same reason
 * (estuary/connectors, source-stripe-native/api.py `fetch_incremental`, LAG).
 */
export const SETTLE_SECONDS = 60;

/** What a list read has done, as its reader reports it with each checkpoint. */
export interface ListProgress {
  /** Everything in [from, through] is read (`from - 1` when nothing at the bottom is). */
  through: number;
  /** Ranges above `through` that are read. */
  spans: Span[];
  /** Lists without a created filter: the last object id read. */
  after?: string;
  complete: boolean;
}

export type StreamPlan =
  /** Read the (parent's) list over created [from, to], skipping what `done`/`after` say is read. */
  | { kind: "list"; from: number; to: number; done: Span[]; after?: string; checkpoint: (p: ListProgress) => StreamState; note?: string }
  /** Read `/v1/events` over created [from, to]. */
  | { kind: "events"; from: number; to: number; checkpoint: (p: ListProgress) => StreamState }
  /** Run a financial report over windows from `from` to where the report's data ends. */
  | { kind: "report"; from: number; checkpoint: (p: ListProgress) => StreamState };

/**
 * Which part of an event-driven stream's work to plan: `all` (a read does its
 * backfill, or else its events), or one part only, for a capture that runs its
 * backfill and its events polling side by side.
 */
export type Phase = "all" | "backfill" | "events";

export interface ModeInputs {
  def: StreamDef;
  incremental: boolean;
  state: StreamState | undefined;
  /** Wall-clock time the read started, epoch seconds. */
  now: number;
  startDate: number;
  lookbackDays: number;
  phase?: Phase;
}

/**
 * Decides how one stream is read this time, from its kind and its state:
 * - full refresh: the whole list, resuming a full refresh left unfinished;
 * - `created` streams: created windows from the cursor (minus the lookback) to
 *   now less the settling time, skipping ranges an interrupted read finished;
 * - event-driven streams: the list the first time (a backfill that checkpoints
 *   its progress so a crash resumes it), then the Events API from the cursor;
 *   when the cursor is older than the Events API keeps, the list again, said in a LOG.
 */
export function decideMode(inputs: ModeInputs): StreamPlan | undefined {
  const { def, incremental, state, now, startDate, lookbackDays, phase = "all" } = inputs;
  const settled = now - SETTLE_SECONDS;
  if (def.report) return phase === "events" ? undefined : reportPlan(incremental, state, startDate, lookbackDays * DAY);
  if (!incremental || !def.incremental) return phase === "events" ? undefined : fullRefresh(state, startDate, now);
  const lookback = lookbackDays * DAY;

  if (def.incremental === "created" && !def.parent) {
    const cursor = state?.cursor;
    const from = cursor !== undefined ? Math.max(startDate, cursor - lookback) : startDate;
    const floor = cursor ?? from - 1;
    return {
      kind: "list",
      from,
      to: settled,
      done: resumeFrom(from, state?.list),
      checkpoint: (p) => {
        const through = Math.max(floor, p.through);
        const spans = above(p.spans, through);
        return p.complete ? { cursor: Math.max(floor, settled) } : { cursor: through, ...(spans.length ? { list: { spans } } : {}) };
      },
    };
  }

  const cursor = state?.cursor;
  const horizon = now - EVENTS_HORIZON_SECONDS;
  if (phase === "events") return cursor === undefined ? undefined : events(cursor - lookback, settled);
  if (cursor === undefined) return backfill(settled, startDate, now);
  if (cursor - lookback < horizon) {
    const what = state?.list ? "its unfinished backfill's events cursor is" : "its cursor (minus the lookback) is";
    return { ...backfill(settled, startDate, now), note: restartNote(def, cursor - lookback, now, what) };
  }
  if (state?.list) return backfill(cursor, startDate, now, state.list);
  return phase === "backfill" ? undefined : events(cursor - lookback, settled);
}

/**
 * A full refresh: the whole list, continuing one that an interrupted attempt
 * left half done. One that an earlier attempt finished reads nothing: the
 * platform hands state to the attempts of one sync and drops it when the next
 * sync begins (airbyte-python-cdk, streams/checkpoint/checkpoint_reader.py,
 * ResumableFullRefreshCheckpointReader: a state that says complete reads no page).
 */
function fullRefresh(state: StreamState | undefined, startDate: number, now: number): StreamPlan {
  const resume = state?.cursor === undefined ? state?.list : undefined;
  return {
    kind: "list",
    from: startDate,
    to: now,
    done: state?.fullRefreshDone && state.cursor === undefined ? [[startDate, now]] : resumeFrom(startDate, resume),
    after: resume?.after,
    checkpoint: (p) => (p.complete ? { fullRefreshDone: true } : { list: position(p, startDate) }),
  };
}

/**
 * An event-driven stream's backfill from the list. Until it is done the cursor
 * stays where the backfill began: the events since then replay every change made while it ran.
 */
function backfill(syncStart: number, startDate: number, now: number, resume?: ListPosition): Extract<StreamPlan, { kind: "list" }> {
  return {
    kind: "list",
    from: startDate,
    to: now,
    done: resumeFrom(startDate, resume),
    after: resume?.after,
    checkpoint: (p) => (p.complete ? { cursor: syncStart } : { cursor: syncStart, list: { ...position(p, startDate), through: Math.max(startDate - 1, p.through) } }),
  };
}

/**
 * A report stream: windows from the cursor, the end of the last interval read
 * (less the lookback), or from start_date for a full refresh, which resumes
 * after the last window an interrupted attempt finished. The reader's progress
 * `through` is the last second its windows cover (a window's end is exclusive).
 */
function reportPlan(incremental: boolean, state: StreamState | undefined, startDate: number, lookback: number): StreamPlan {
  if (!incremental) {
    const through = state?.cursor === undefined && !state?.fullRefreshDone ? state?.list?.through : undefined;
    const from = through !== undefined ? Math.max(startDate, through + 1) : startDate;
    return { kind: "report", from, checkpoint: (p) => (p.complete ? { fullRefreshDone: true } : { list: { through: Math.max(from - 1, p.through) } }) };
  }
  const cursor = state?.cursor;
  const from = cursor !== undefined ? Math.max(startDate, cursor - lookback) : startDate;
  const floor = cursor ?? from;
  return { kind: "report", from, checkpoint: (p) => ({ cursor: Math.max(floor, p.through + 1) }) };
}

function events(from: number, to: number): StreamPlan {
  return { kind: "events", from, to, checkpoint: (p) => ({ cursor: p.complete ? Math.max(from, to) : p.through }) };
}

/** The created ranges a saved position says are read. */
function resumeFrom(from: number, position: ListPosition | undefined): Span[] {
  let done: Span[] = [...(position?.spans ?? [])];
  if (position?.through !== undefined && position.through >= from) done = addSpan(done, [from, position.through]);
  return done;
}

function position(p: ListProgress, from: number): ListPosition {
  const out: ListPosition = {};
  if (p.through >= from) out.through = p.through;
  if (p.spans.length) out.spans = p.spans;
  if (p.after !== undefined) out.after = p.after;
  return out;
}

function restartNote(def: StreamDef, since: number, now: number, what: string): string {
  const days = Math.floor((now - since) / DAY);
  return `Stream ${def.name}: ${what} ${days} days old, beyond the ${EVENTS_HORIZON_SECONDS / DAY}-day window the Events API still covers, so it is read again in full to miss no change.`;
}
