import { ConfigError, ConnectorError, StreamError } from "../errors.js";
import type { SelectedStream } from "../protocol/catalog.js";
import { errorTrace, logMessage, recordMessage, stateMessage, streamStatusTrace } from "../protocol/messages.js";
import type { Output } from "../protocol/output.js";
import { ApiError } from "../stripe/client.js";
import type { StreamDef } from "../streams/types.js";
import { EMPTY_STATE, type InputState } from "../state/input.js";
import { decideMode } from "../state/modes.js";
import type { FetchItem, ReadContext } from "./context.js";
import { readEvents } from "./events-reader.js";
import { consumersOf, planTasks, type Consumer, type PlannedStream, type ReadTask } from "./plan.js";
import { readList } from "./root-reader.js";

export interface ReadResult {
  /** Streams that ended INCOMPLETE, with the reason. */
  failed: StreamError[];
  recordCounts: Map<string, number>;
}

/**
 * The one read engine: every selected stream, all top-level lists at once
 * (the shared client bounds what is in flight), records and checkpoints printed
 * in the order the fetchers yield them. A stream that fails ends INCOMPLETE
 * with a TRACE error; the others go on.
 */
export async function runRead(
  ctx: Omit<ReadContext, "log">,
  selected: readonly SelectedStream[],
  output: Output,
  state: InputState = EMPTY_STATE,
): Promise<ReadResult> {
  const counts = new Map<string, number>();
  const sinceState = new Map<string, number>();
  const failed: StreamError[] = [];
  const done = new Set<string>();
  const fullContext: ReadContext = {
    ...ctx,
    log: (level, message) => void output.emit(logMessage(level, message)),
  };
  const planned: PlannedStream[] = selected.map((stream) => {
    const mode = decideMode({
      def: stream.def,
      incremental: stream.syncMode === "incremental",
      cursor: state.streams.get(stream.def.name),
      now: ctx.now,
      startDate: ctx.startDate,
      lookbackDays: ctx.config.lookback_window_days,
    });
    if (mode.mode === "list" && mode.note) fullContext.log("INFO", mode.note);
    return { stream, mode: mode.mode, from: mode.from, checkpoint: mode.checkpoint };
  });
  const consumerOf = new Map<string, Consumer>(planned.map((p) => [p.stream.def.name, p]));

  const fail = async (def: StreamDef, error: unknown): Promise<void> => {
    if (done.has(def.name)) return;
    done.add(def.name);
    const streamError = explain(def, error);
    failed.push(streamError);
    await output.emit(
      errorTrace(streamError.message, streamError.failureType, {
        internalMessage: streamError.internalMessage,
        stream: def.name,
      }),
    );
    await output.emit(streamStatusTrace(def.name, "INCOMPLETE"));
  };

  const handle = async (item: FetchItem): Promise<void> => {
    if (done.has(item.stream)) return;
    if (item.kind === "record") {
      counts.set(item.stream, (counts.get(item.stream) ?? 0) + 1);
      sinceState.set(item.stream, (sinceState.get(item.stream) ?? 0) + 1);
      await output.emit(recordMessage(item.stream, item.data, Date.now()));
    } else if (item.kind === "checkpoint") {
      const checkpoint = consumerOf.get(item.stream)?.checkpoint;
      if (!checkpoint) return;
      await output.emit(stateMessage(item.stream, checkpoint(item.windowEnd, item.last), sinceState.get(item.stream) ?? 0));
      sinceState.set(item.stream, 0);
    } else {
      const def = selected.find((s) => s.def.name === item.stream)?.def;
      if (def) await fail(def, item.error);
    }
  };

  const readOne = async (task: ReadTask): Promise<void> => {
    const streams = consumersOf(task).map((c) => c.stream);
    for (const s of streams) await output.emit(streamStatusTrace(s.def.name, "STARTED"));
    let started = false;
    try {
      const items = task.kind === "list" ? readList(fullContext, task) : readEvents(fullContext, task);
      for await (const item of items) {
        if (!started) {
          started = true;
          for (const s of streams) await output.emit(streamStatusTrace(s.def.name, "RUNNING"));
        }
        await handle(item);
      }
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      for (const s of streams) await fail(s.def, error);
      return;
    }
    for (const s of streams) {
      if (done.has(s.def.name)) continue;
      done.add(s.def.name);
      await output.emit(streamStatusTrace(s.def.name, "COMPLETE"));
    }
  };

  await Promise.all(planTasks(planned).map(readOne));
  return { failed, recordCounts: counts };
}

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
