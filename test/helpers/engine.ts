import type { FailureType } from "../../src/errors.js";
import { runRead, type ReadRequest } from "../../src/read/engine.js";
import type { Phase } from "../../src/read/modes.js";
import type { Op, ReadSink, StreamStatus } from "../../src/read/sink.js";
import { EMPTY_STATE, type ReadState, type StreamState } from "../../src/state/types.js";
import { StripeClient } from "../../src/stripe/client.js";
import { STREAM_BY_NAME } from "../../src/streams/table.js";
import { EMULATOR_KEY, type Emulator } from "../emulator/server.js";

export type Recorded =
  | { kind: "record"; stream: string; data: Record<string, unknown>; op: Op }
  | { kind: "state"; stream: string; states: Map<string, StreamState>; recordCount: number }
  | { kind: "status"; stream: string; status: StreamStatus }
  | { kind: "error"; stream: string; message: string; failureType: FailureType }
  | { kind: "log"; level: string; message: string };

/** A sink that keeps everything the engine says, in order. */
export function recordingSink(): ReadSink & { seen: Recorded[] } {
  const seen: Recorded[] = [];
  return {
    seen,
    record: (stream, data, op) => void seen.push({ kind: "record", stream, data: structuredClone(data), op }),
    state: (stream, states, recordCount) => void seen.push({ kind: "state", stream, states: new Map(states), recordCount }),
    status: (stream, status) => void seen.push({ kind: "status", stream, status }),
    error: (stream, message, failureType) => void seen.push({ kind: "error", stream, message, failureType }),
    log: (level, message) => void seen.push({ kind: "log", level, message }),
  };
}

export const PLATFORM = "acct_emulator_platform";

export interface EngineRun {
  /** `fields`: the selected top-level fields (all when absent). */
  streams: Array<{ name: string; incremental?: boolean; fields?: string[] }>;
  state?: ReadState;
  phase?: Phase;
  apiKey?: string;
  accounts?: ReadRequest["accounts"];
  options?: Partial<ReadRequest["options"]>;
  now?: number;
  /** A client of the test's own (to watch the requests); by default one for the emulator. */
  client?: StripeClient;
}

/** Runs the engine in-process against the emulator, with a recording sink. */
export async function readInProcess(emulator: Emulator, run: EngineRun): Promise<{ seen: Recorded[]; failed: number }> {
  const sink = recordingSink();
  const client =
    run.client ?? new StripeClient({ apiKey: run.apiKey ?? EMULATOR_KEY, apiBase: emulator.url, concurrency: 16, ratePerSecond: Infinity, maxAttempts: 5 });
  const accounts = run.accounts ?? [{ id: PLATFORM }];
  const result = await runRead({
    client,
    accounts,
    primaryAccount: PLATFORM,
    multiAccount: accounts.length > 1,
    selections: run.streams.map((s) => ({
      def: STREAM_BY_NAME.get(s.name)!,
      incremental: s.incremental ?? false,
      ...(s.fields ? { fields: new Set(s.fields) } : {}),
    })),
    state: run.state ?? EMPTY_STATE,
    now: run.now ?? Math.floor(Date.now() / 1000),
    options: { startDate: 0, lookbackDays: 0, sliceDays: 365, adaptive: true, ...run.options },
    sink,
    phase: run.phase,
  });
  return { seen: sink.seen, failed: result.failed.length };
}

export function recordsOf(seen: Recorded[], stream: string): Array<Record<string, unknown>> {
  return seen.flatMap((e) => (e.kind === "record" && e.stream === stream ? [e.data] : []));
}

export function statusesOf(seen: Recorded[], stream: string): StreamStatus[] {
  return seen.flatMap((e) => (e.kind === "status" && e.stream === stream ? [e.status] : []));
}

/** The read state as of recorded item `index`: the last STATE of each stream up to there. */
export function stateAt(seen: Recorded[], index: number): ReadState {
  const streams = new Map<string, { flat: StreamState; accounts?: Map<string, StreamState> }>();
  for (const e of seen.slice(0, index + 1)) {
    if (e.kind === "state") streams.set(e.stream, { flat: e.states.get(PLATFORM) ?? {}, accounts: e.states });
  }
  return { streams };
}
