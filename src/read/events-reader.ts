import type { ListResponse } from "../stripe/client.js";
import { NotFoundError } from "../stripe/errors.js";
import { COSTLY_PAGE_SIZE, PAGE_SIZE } from "../stripe/pagination.js";
import { costlyPerEvent, eventsCarryParent, eventTypesOf } from "../streams/facts.js";
import type { StreamDef } from "../streams/types.js";
import { childRecords, pathFor } from "./children.js";
import type { FetchItem, ReadContext, StripeObject } from "./context.js";
import type { EventsTask } from "./planner.js";
import { emits, expandedField } from "./projection.js";
import { asArray, isOfStream } from "./records.js";
import type { Selection } from "./selection.js";
import type { Op } from "./sink.js";
import { createdWindows } from "./windows.js";

/** Stripe's `types[]` filter takes at most this many types. */
const MAX_TYPES_PER_REQUEST = 20;
/**
 * A window of events is read whole before any of it is emitted (so each object
 * is emitted once, in its newest state) and checkpointed when done: a window
 * denser than this many pages is cut into older and newer windows first, so
 * an interrupted read redoes little and memory holds little.
 */
const PAGES_PER_WINDOW = 10;

interface StripeEvent {
  id: string;
  type: string;
  created: number;
  data: { object: StripeObject };
}

/**
 * Reads a stream's changes from `/v1/events` over created [from, to], window by
 * window in chronological order. Within a window each object yields one record,
 * from its newest event: the object with `updated` set to the event's time and
 * `is_deleted` on `*.deleted` events (a delete wins when it is the newest), or,
 * where events carry the parent, the parent's children. So however a consumer
 * reduces documents (Flow: last write wins, in capture order; an Airbyte
 * destination: newest `updated`), it ends with the newest state.
 */
export async function* readEvents(ctx: ReadContext, task: EventsTask): AsyncGenerator<FetchItem> {
  const selection = task.consumer.selection;
  const types = eventTypesOf(selection.def);
  const chunks: string[][] = [];
  for (let i = 0; i < types.length; i += MAX_TYPES_PER_REQUEST) chunks.push(types.slice(i, i + MAX_TYPES_PER_REQUEST));
  for (const window of createdWindows(task.from, task.to, ctx.options.sliceDays)) {
    yield* readWindow(ctx, selection, chunks, window.gte, window.lte);
  }
  yield { kind: "checkpoint", progress: { through: task.to, spans: [], complete: true } };
}

async function* readWindow(ctx: ReadContext, selection: Selection, chunks: string[][], gte: number, lte: number): AsyncGenerator<FetchItem> {
  const def = selection.def;
  const fetched = await fetchWindow(ctx, chunks, gte, lte, costlyPerEvent(def) ? COSTLY_PAGE_SIZE : PAGE_SIZE);
  if ("split" in fetched) {
    for (const window of fetched.split) yield* readWindow(ctx, selection, chunks, window.gte, window.lte);
    return;
  }
  const newest = newestPerObject(def, fetched.events);
  const records = await Promise.all(newest.reverse().map((event) => recordsOf(ctx, selection, event)));
  for (const list of records) for (const { data, op } of list) yield { kind: "record", stream: def.name, data, op };
  yield { kind: "checkpoint", progress: { through: lte, spans: [], complete: false } };
}

/**
 * Every event of [gte, lte] of every chunk of types, newest first; or, when the
 * window holds more than PAGES_PER_WINDOW pages of some chunk, how to cut it
 * (by the density seen), oldest first.
 */
async function fetchWindow(
  ctx: ReadContext,
  chunks: string[][],
  gte: number,
  lte: number,
  limit: number,
): Promise<{ events: StripeEvent[] } | { split: Array<{ gte: number; lte: number }> }> {
  const perChunk = await Promise.all(
    chunks.map(async (types) => {
      const events: StripeEvent[] = [];
      let after: string | undefined;
      for (let pages = 1; ; pages++) {
        const query = { types, "created[gte]": gte, "created[lte]": lte, limit, starting_after: after };
        const page = await ctx.client.get<ListResponse>("/v1/events", query, { account: ctx.account.header, priority: "poll" });
        events.push(...(page.data as unknown as StripeEvent[]));
        const last = events[events.length - 1];
        if (!page.has_more || !last) return { events, secondsPerPage: Infinity };
        const secondsPerPage = Math.max(1, (lte - last.created) / pages);
        const expectedPages = (lte - gte + 1) / secondsPerPage;
        if (lte > gte && (pages === 1 ? expectedPages > PAGES_PER_WINDOW : pages >= 2 * PAGES_PER_WINDOW)) return { events, secondsPerPage, cut: true };
        after = last.id;
      }
    }),
  );
  const dense = perChunk.filter((c) => "cut" in c);
  if (dense.length) {
    const secondsPerPage = Math.min(...dense.map((c) => c.secondsPerPage));
    const width = Math.max(1, Math.min(lte - gte, Math.floor((secondsPerPage * PAGES_PER_WINDOW) / 2)));
    return { split: createdWindowsBySeconds(gte, lte, width) };
  }
  // Newest first across chunks; events of one chunk keep the list's order within a second.
  const events = perChunk.flatMap((c) => c.events);
  return { events: chunks.length > 1 ? events.sort((a, b) => b.created - a.created) : events };
}

function createdWindowsBySeconds(gte: number, lte: number, width: number): Array<{ gte: number; lte: number }> {
  const windows: Array<{ gte: number; lte: number }> = [];
  for (let start = gte; start <= lte; start += width) windows.push({ gte: start, lte: Math.min(lte, start + width - 1) });
  return windows;
}

/** The newest event of each object (events come newest first), objects of other streams left out. */
function newestPerObject(def: StreamDef, events: StripeEvent[]): StripeEvent[] {
  const carriesParent = eventsCarryParent(def);
  const seen = new Set<string>();
  const out: StripeEvent[] = [];
  for (const event of events) {
    const object = event.data.object;
    if (!carriesParent && !isOfStream(def, object)) continue;
    const id = String(object.id);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(event);
  }
  return out;
}

async function recordsOf(ctx: ReadContext, selection: Selection, event: StripeEvent): Promise<Array<{ data: StripeObject; op: Op }>> {
  const def = selection.def;
  const object = event.data.object;
  const deleted = event.type.endsWith(".deleted");
  const created = event.type.endsWith(".created");
  const op: Op = deleted ? "d" : created ? "c" : "u";
  // A creation and an update in the same second: the update must win a dedup on the cursor.
  const updated = event.created - (created ? 1 : 0);
  if (eventsCarryParent(def)) return (await childRecords(ctx, def, { ...object, updated }, deleted)).map((data) => ({ data, op }));
  const current = deleted ? object : await refetched(ctx, selection, object);
  const record: StripeObject = { ...current, updated };
  if (deleted) record.is_deleted = true;
  return [{ data: record, op }];
}

/**
 * Events omit expansions; where the list read expands fields, fetch the object
 * again with the same expansions so incremental and full-refresh records match
 * (not when every field they fill is deselected: the request would be for nothing).
 */
async function refetched(ctx: ReadContext, selection: Selection, object: StripeObject): Promise<StripeObject> {
  const def = selection.def;
  const expand = asArray(def.params?.expand)
    .filter((path) => emits(selection, expandedField(path)))
    .map((path) => path.replace(/^data\./, ""));
  if (!expand.length || def.parent) return object;
  try {
    const path = `${pathFor(ctx, def)}/${encodeURIComponent(String(object.id))}`;
    return await ctx.client.get<StripeObject>(path, { expand }, { account: ctx.account.header, priority: "poll", endpoint: `${def.path}/{id}` });
  } catch (error) {
    if (error instanceof NotFoundError) return object;
    throw error;
  }
}
