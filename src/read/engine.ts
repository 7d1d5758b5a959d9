import { ConfigError, ConnectorError, StreamError } from "../errors.js";
import type { SelectedStream } from "../protocol/catalog.js";
import { EMPTY_STATE, type InputState, type StreamCursor } from "../state/input.js";
import { decideMode, type Phase } from "../state/modes.js";
import { ApiError } from "../stripe/client.js";
import type { StreamDef } from "../streams/types.js";
import type { FetchItem, ReadContext } from "./context.js";
import { readEvents } from "./events-reader.js";
import { consumersOf, planTasks, type Consumer, type PlannedStream, type ReadTask } from "./plan.js";
import { PageBudget } from "./page-budget.js";
import { readList } from "./root-reader.js";
import type { ReadSink } from "./sink.js";

/** One Stripe account a read covers. */
export interface AccountScope {
  id: string;
  /** The Stripe-Account header to send; absent for the key's own account. */
  header?: string;
}

export interface ReadResult {
  /** Streams that ended INCOMPLETE, with the reason. */
  failed: StreamError[];
}

type BaseContext = Omit<ReadContext, "log" | "account">;

/** What the engine tracks of one selected stream across accounts. */
interface StreamRun {
  def: StreamDef;
  pending: number;
  running: boolean;
  failed: boolean;
  records: number;
  sinceState: number;
  /** Latest checkpoint per account. */
  blobs: Map<string, Record<string, unknown>>;
}

/**
 * The one read engine: every selected stream of every account, all tasks at once
 * (the shared client bounds what is in flight), records and checkpoints printed
 * in the order the fetchers yield them. A stream that fails ends INCOMPLETE with
 * a TRACE error; the others go on. With several accounts, records carry
 * `account_id` and state keeps a cursor per account, so accounts resume independently.
 */
export async function runRead(
  base: BaseContext,
  accounts: readonly AccountScope[],
  selected: readonly SelectedStream[],
  sink: ReadSink,
  state: InputState = EMPTY_STATE,
  phase: Phase = "all",
): Promise<ReadResult> {
  const multi = base.config.connected_accounts !== undefined;
  const log = (level: "INFO" | "WARN" | "ERROR", message: string) => void sink.log(level, message);
  const runs = new Map<string, StreamRun>(
    selected.map((s) => [
      s.def.name,
      { def: s.def, pending: 0, running: false, failed: false, records: 0, sinceState: 0, blobs: new Map() },
    ]),
  );
  const failures: StreamError[] = [];

  const cursorFor = (name: string, accountId: string): StreamCursor | undefined => {
    if (!multi) return state.streams.get(name);
    return state.accounts.get(name)?.get(accountId) ?? (accountId === base.config.account_id ? state.streams.get(name) : undefined);
  };

  const jobs: Array<{ ctx: ReadContext; accountId: string; task: ReadTask; consumers: Map<string, Consumer> }> = [];
  const pages = new PageBudget(PAGES_IN_MEMORY);
  for (const account of accounts) {
    const ctx: ReadContext = { ...base, account: account.header, log, pages };
    const planned: PlannedStream[] = [];
    for (const stream of selected) {
      const mode = decideMode({
        def: stream.def,
        incremental: stream.syncMode === "incremental",
        cursor: cursorFor(stream.def.name, account.id),
        now: base.now,
        startDate: base.startDate,
        lookbackDays: base.config.lookback_window_days,
        phase,
      });
      if (!mode) continue;
      if (mode.mode === "list" && mode.note) log("INFO", multi ? `${mode.note} (account ${account.id})` : mode.note);
      planned.push({ stream, mode: mode.mode, from: mode.from, checkpoint: mode.checkpoint });
    }
    const consumers = new Map<string, Consumer>(planned.map((p) => [p.stream.def.name, p]));
    for (const task of planTasks(planned)) {
      jobs.push({ ctx, accountId: account.id, task, consumers });
      for (const c of consumersOf(task)) runs.get(c.stream.def.name)!.pending++;
    }
  }

  const stateBlob = (run: StreamRun): Record<string, unknown> => {
    if (!multi) return run.blobs.values().next().value ?? {};
    const blob: Record<string, unknown> = {};
    const field = run.def.cursorField;
    const cursors = [...run.blobs.values()].map((b) => (field ? b[field] : undefined));
    // The flat cursor, for tools that read Airbyte's shape, is the least advanced account's.
    if (field && run.blobs.size === accounts.length && cursors.every((c) => typeof c === "number")) {
      blob[field] = Math.min(...(cursors as number[]));
    }
    blob.accounts = Object.fromEntries(run.blobs);
    return blob;
  };

  const finish = async (run: StreamRun): Promise<void> => {
    if (--run.pending === 0) await sink.status(run.def.name, run.failed ? "INCOMPLETE" : "COMPLETE");
  };

  const fail = async (run: StreamRun, accountId: string, error: unknown): Promise<void> => {
    const streamError = explain(run.def, error);
    const message = multi ? `${streamError.message} (account ${accountId})` : streamError.message;
    failures.push(new StreamError(run.def.name, message, streamError.failureType, streamError.internalMessage));
    run.failed = true;
    await sink.error(run.def.name, message, streamError.failureType, streamError.internalMessage);
  };

  const runJob = async ({ ctx, accountId, task, consumers }: (typeof jobs)[number]): Promise<void> => {
    const mine = consumersOf(task).map((c) => runs.get(c.stream.def.name)!);
    const stopped = new Set<string>();
    const handle = async (item: FetchItem): Promise<void> => {
      const run = runs.get(item.stream);
      if (!run || stopped.has(item.stream)) return;
      if (!run.running) {
        run.running = true;
        await sink.status(run.def.name, "RUNNING");
      }
      if (item.kind === "record") {
        run.records++;
        run.sinceState++;
        const data = multi ? { ...item.data, account_id: accountId } : item.data;
        await sink.record(item.stream, data, item.op);
      } else if (item.kind === "checkpoint") {
        const checkpoint = consumers.get(item.stream)?.checkpoint;
        if (!checkpoint) return;
        run.blobs.set(accountId, checkpoint(item.windowEnd, item.last));
        await sink.state(item.stream, stateBlob(run), run.sinceState);
        run.sinceState = 0;
      } else {
        stopped.add(item.stream);
        await fail(run, accountId, item.error);
        await finish(run);
      }
    };
    try {
      const items = task.kind === "list" ? readList(ctx, task) : readEvents(ctx, task);
      for await (const item of items) await handle(item);
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      for (const run of mine) {
        if (stopped.has(run.def.name)) continue;
        stopped.add(run.def.name);
        await fail(run, accountId, error);
        await finish(run);
      }
      return;
    }
    for (const run of mine) if (!stopped.has(run.def.name)) await finish(run);
  };

  for (const run of runs.values()) await sink.status(run.def.name, "STARTED");
  // A stream with nothing to do in this phase is complete at once.
  for (const run of runs.values()) if (run.pending === 0) await sink.status(run.def.name, "COMPLETE");
  const progress = reportProgress(base, runs, sink);
  try {
    await Promise.all(jobs.map(runJob));
  } finally {
    clearInterval(progress);
  }
  return { failed: failures };
}

/** Every few seconds, a LOG line with what the read has done so far. */
function reportProgress(base: BaseContext, runs: Map<string, StreamRun>, sink: ReadSink): NodeJS.Timeout {
  const started = Date.now();
  const timer = setInterval(() => {
    const records = [...runs.values()].reduce((n, r) => n + r.records, 0);
    const { requests, rateLimited } = base.client.stats;
    const seconds = (Date.now() - started) / 1000;
    void sink.log(
      "INFO",
      `progress: ${records} records, ${requests} requests (${(requests / seconds).toFixed(1)}/s), ${rateLimited} answered 429, after ${seconds.toFixed(0)} s`,
    );
  }, PROGRESS_EVERY_MS);
  timer.unref();
  return timer;
}

const PROGRESS_EVERY_MS = 5_000;
/** Pages fetched but not yet printed, across all streams: what memory holds of the data at most. */
const PAGES_IN_MEMORY = 32;

/** Turns whatever stopped a stream into a one-line, actionable message with a failure type. */
export function explain(def: StreamDef, error: unknown): StreamError {
  if (error instanceof StreamError) return error;
  if (error instanceof ApiError) {
    const said = `Stripe said: ${error.stripeMessage}`;
    if (error.status === 403) {
      return new StreamError(
        def.name,
        `Stream ${def.name}: the API key lacks the permission to read ${error.path}. Grant it read access to this resource, or deselect the stream. ${said}`,
        "config_error",
      );
    }
    if (error.status === 404 && def.product && error.code !== "resource_missing") {
      return new StreamError(
        def.name,
        `Stream ${def.name}: ${error.path} is not available because ${def.product} is not enabled on this Stripe account. Enable it or deselect the stream. ${said}`,
        "config_error",
      );
    }
    const transient = error.status === undefined || error.status === 429 || error.status >= 500;
    return new StreamError(
      def.name,
      `Stream ${def.name}: ${error.message}`,
      transient ? "transient_error" : "system_error",
      error.requestId ? `request id ${error.requestId}` : undefined,
    );
  }
  if (error instanceof ConnectorError) return new StreamError(def.name, error.message, error.failureType, error.internalMessage);
  const err = error instanceof Error ? error : new Error(String(error));
  return new StreamError(def.name, `Stream ${def.name}: unexpected error: ${err.message}`, "system_error", err.stack);
}
