import { setMaxListeners } from "node:events";
import { DateTime } from "luxon";
import type { ListResponse } from "../stripe/client.js";
import { paginate } from "../stripe/pagination.js";
import type { ReportSpec } from "../streams/reports.js";
import type { FetchItem, ReadContext } from "./context.js";
import type { ReportTask } from "./planner.js";
import { reportRows, type RunFields } from "./report-rows.js";
import { runReport } from "./report-runs.js";

const DAY = 86_400;
/**
 * Windows of one stream whose runs are created and waited for at once, ahead
 * of the window being downloaded: runs take minutes on Stripe's side, so they
 * overlap; records still come out window by window, each then checkpointed.
 */
const WINDOWS_AHEAD = 4;
/** Per-payout runs of one window created and waited for at once. */
const PAYOUT_RUNS_AT_ONCE = 8;

interface ReportType {
  data_available_start: number;
  data_available_end: number;
}

interface Window {
  start: number;
  /** Exclusive, as Stripe's interval_end. */
  end: number;
}

/** A succeeded run: its result file, and the fields its rows carry. */
interface Prepared {
  fileId: string;
  fields: RunFields;
}

/**
 * Reads one report stream: from `task.from` to the report type's
 * `data_available_end`, in windows of at most slice_range days, each run on
 * Stripe (one run per window, or for the by-id types one per automatic payout
 * of the window), its CSV downloaded and parsed into records, then checkpointed.
 * A failed run fails the stream after the windows before it are checkpointed.
 */
export async function* readReport(ctx: ReadContext, task: ReportTask): AsyncGenerator<FetchItem> {
  const def = task.consumer.selection.def;
  const spec = def.report!;
  const type = await ctx.client.get<ReportType>(`/v1/reporting/report_types/${encodeURIComponent(spec.type)}`, {}, { account: ctx.account.header });
  const from = Math.max(task.from, type.data_available_start);
  const windows = reportWindows(from, type.data_available_end, ctx.options.sliceDays * DAY);
  const stop = new AbortController();
  // Every waiting run listens for the stop; a window of daily payouts has hundreds.
  setMaxListeners(0, stop.signal);
  const prepared: Array<Promise<Prepared[]>> = [];
  const start = (i: number): void => {
    if (i >= windows.length) return;
    const runs = prepare(ctx, spec, windows[i]!, stop.signal);
    runs.catch(() => undefined);
    prepared[i] = runs;
  };
  for (let i = 0; i < WINDOWS_AHEAD; i++) start(i);
  try {
    for (const [i, window] of windows.entries()) {
      const runs = await prepared[i]!;
      start(i + WINDOWS_AHEAD);
      for (const run of runs) {
        for await (const data of reportRows(ctx, spec, run.fileId, run.fields)) yield { kind: "record", stream: def.name, data, op: "c" };
      }
      yield { kind: "checkpoint", progress: { through: window.end - 1, spans: [], complete: false } };
    }
  } finally {
    // A failure (or a consumer that stopped) leaves no run waiting in the background.
    stop.abort();
  }
  yield { kind: "checkpoint", progress: { through: (windows.at(-1)?.end ?? from) - 1, spans: [], complete: true } };
}

/** [from, to) cut into windows of at most `width` seconds. */
export function reportWindows(from: number, to: number, width: number): Window[] {
  const windows: Window[] = [];
  for (let start = from; start < to; start += width) windows.push({ start, end: Math.min(to, start + width) });
  return windows;
}

/** Runs the window's report run(s) until their result files exist. */
async function prepare(ctx: ReadContext, spec: ReportSpec, window: Window, signal: AbortSignal): Promise<Prepared[]> {
  const common: Record<string, unknown> = { columns: spec.columns.map((c) => c.name), ...(spec.timezone ? { timezone: "Etc/UTC" } : {}) };
  const what = `${day(window.start)} to ${day(window.end)}`;
  const base = { report_type: spec.type, interval_start: null, interval_end: null, payout: null };
  if (spec.scope === "interval") {
    const fileId = await runReport(ctx, spec, { ...common, interval_start: window.start, interval_end: window.end }, what, signal);
    return [{ fileId, fields: { ...base, interval_start: window.start, interval_end: window.end } }];
  }
  if (spec.scope === "ending") {
    const fileId = await runReport(ctx, spec, { ...common, interval_end: window.end }, `ending ${day(window.end)}`, signal);
    return [{ fileId, fields: { ...base, interval_end: window.end } }];
  }
  const payouts = await automaticPayouts(ctx, window);
  return mapLimited(payouts, PAYOUT_RUNS_AT_ONCE, async (payout) => {
    const fileId = await runReport(ctx, spec, { ...common, payout }, `payout ${payout}`, signal);
    // The run covers the payout; the window it arrived in is the records' interval (and the stream's cursor).
    return { fileId, fields: { ...base, interval_start: window.start, interval_end: window.end, payout } };
  });
}

/**
 * The automatic payouts arriving in the window (as payout_reconciliation's
 * interval reports count them), oldest first, that can have a reconciliation
 * (failed and canceled ones paid nothing out).
 */
async function automaticPayouts(ctx: ReadContext, window: Window): Promise<string[]> {
  const ids: string[] = [];
  const query = { "arrival_date[gte]": window.start, "arrival_date[lt]": window.end };
  for await (const page of paginate(ctx.client, "/v1/payouts", query, { account: ctx.account.header })) {
    for (const payout of (page as ListResponse).data) {
      if (payout.automatic === true && payout.status !== "failed" && payout.status !== "canceled") ids.push(String(payout.id));
    }
  }
  return ids.reverse();
}

/** `f` over `items` with at most `limit` at once, results in the items' order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function day(epoch: number): string {
  return DateTime.fromSeconds(epoch, { zone: "utc" }).toISO({ suppressMilliseconds: true }) ?? String(epoch);
}
