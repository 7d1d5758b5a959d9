import type { FailureType } from "../errors.js";
import type { AccountStates } from "../state/types.js";

/** How a record came to be: backfilled or created (c), changed (u), deleted (d). */
export type Op = "c" | "u" | "d";

export type StreamStatus = "STARTED" | "RUNNING" | "COMPLETE" | "INCOMPLETE";

/**
 * Where the engine's results go. The engine decides what happened; a sink
 * decides how a protocol says it (Airbyte messages, or Flow's capture protocol).
 * Each method may return a promise when the consumer is behind.
 */
export interface ReadSink {
  record(stream: string, data: Record<string, unknown>, op: Op): Promise<void> | undefined;
  /** Everything emitted for `stream` so far is covered by `states` (per account); `recordCount` records since the last. */
  state(stream: string, states: AccountStates, recordCount: number): Promise<void> | undefined;
  status(stream: string, status: StreamStatus): Promise<void> | undefined;
  error(stream: string, message: string, failureType: FailureType, internalMessage?: string): Promise<void> | undefined;
  log(level: "INFO" | "WARN" | "ERROR", message: string): Promise<void> | undefined;
}
