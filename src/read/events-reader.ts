import { createdWindows } from "../state/windows.js";
import { ApiError } from "../stripe/client.js";
import type { StreamDef } from "../streams/types.js";
import { childRecords, resolvePath } from "./children.js";
import type { FetchItem, ReadContext, Record_ } from "./context.js";
import { paginate } from "./paginate.js";
import { parentOf, type EventsTask } from "./plan.js";
import { asArray, isOfStream } from "./records.js";
import type { Op } from "./sink.js";

/** Stripe's `types[]` filter takes at most this many types. */
const MAX_TYPES_PER_REQUEST = 20;

interface StripeEvent {
  id: string;
  type: string;
  created: number;
  data: { object: Record_ };
}

/** Which event types tell that a stream's records changed. */
function eventTypesOf(def: StreamDef): string[] {
  return def.incremental === "parent" ? parentOf(def).eventTypes : def.eventTypes;
}

/**
 * Reads a stream's changes from `/v1/events`, created window by created window
 * (each complete before its checkpoint), turning each event into the record it
 * carries: the object with `updated` set to the event's time and `is_deleted` on
 * `*.deleted` events, or, where events carry the parent, the parent's children.
 */
export async function* readEvents(ctx: ReadContext, task: EventsTask): AsyncGenerator<FetchItem> {
  const def = task.consumer.stream.def;
  const types = eventTypesOf(def);
  const chunks: string[][] = [];
  for (let i = 0; i < types.length; i += MAX_TYPES_PER_REQUEST) chunks.push(types.slice(i, i + MAX_TYPES_PER_REQUEST));
  const windows = createdWindows(task.from, ctx.now, ctx.config.slice_range);
  for (const [i, window] of windows.entries()) {
    for (const chunk of chunks) {
      const query = { types: chunk, "created[gte]": window.gte, "created[lte]": window.lte };
      for await (const page of paginate(ctx.client, "/v1/events", query, ctx.account, undefined, "poll")) {
        for (const { data, op } of await recordsOf(ctx, def, page.data as unknown as StripeEvent[])) {
          yield { kind: "record", stream: def.name, data, op };
        }
      }
    }
    yield { kind: "checkpoint", stream: def.name, windowEnd: window.lte, last: i === windows.length - 1 };
  }
}

async function recordsOf(ctx: ReadContext, def: StreamDef, events: StripeEvent[]): Promise<Array<{ data: Record_; op: Op }>> {
  const carriesParent = def.incremental === "parent" || def.eventsCarryParent === true;
  const seen = new Set<string>();
  const perEvent = await Promise.all(
    events.map(async (event) => {
      const object = event.data.object;
      const deleted = event.type.endsWith(".deleted");
      const op: Op = deleted ? "d" : event.type.endsWith(".created") ? "c" : "u";
      // A creation and an update in the same second: the update must win a dedup on the cursor.
      const updated = event.created - (event.type.endsWith(".created") ? 1 : 0);
      if (carriesParent) {
        // Lists are newest first: the first event of a parent on a page is its latest state.
        if (seen.has(String(object.id))) return [];
        seen.add(String(object.id));
        return (await childRecords(ctx, def, { ...object, updated }, deleted)).map((data) => ({ data, op }));
      }
      if (!isOfStream(def, object)) return [];
      const current = deleted ? object : await refetched(ctx, def, object);
      const record: Record_ = { ...current, updated };
      if (deleted) record.is_deleted = true;
      return [{ data: record, op }];
    }),
  );
  return perEvent.flat();
}

/**
 * Events omit expansions; where the list read expands fields, fetch the object
 * again with the same expansions so incremental and full-refresh records match.
 */
async function refetched(ctx: ReadContext, def: StreamDef, object: Record_): Promise<Record_> {
  const expand = asArray(def.params?.expand).map((field) => field.replace(/^data\./, ""));
  if (!expand.length || def.parent) return object;
  try {
    return await ctx.client.get<Record_>(`${resolvePath(ctx, def)}/${encodeURIComponent(String(object.id))}`, { expand }, ctx.account, "poll");
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return object;
    throw error;
  }
}
