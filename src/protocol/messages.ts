import type { FailureType } from "../errors.js";
import type { StreamStatus } from "../read/sink.js";

/** Builders for the Airbyte messages the connector prints. */

export type AirbyteMessage = Record<string, unknown> & { type: string };

export function recordMessage(stream: string, data: object, emittedAt: number): AirbyteMessage {
  return { type: "RECORD", record: { stream, data, emitted_at: emittedAt } };
}

export function stateMessage(stream: string, streamState: object, recordCount: number): AirbyteMessage {
  return {
    type: "STATE",
    state: {
      type: "STREAM",
      stream: { stream_descriptor: { name: stream }, stream_state: streamState },
      sourceStats: { recordCount },
    },
  };
}

/**
 * Airbyte's CONTROL message asking the platform to store a new config (here:
 * after Stripe rotated the OAuth refresh token). `config` is the whole config.
 */
export function connectorConfigMessage(config: Record<string, unknown>, emittedAt = Date.now()): AirbyteMessage {
  return { type: "CONTROL", control: { type: "CONNECTOR_CONFIG", emitted_at: emittedAt, connectorConfig: { config } } };
}

export type LogLevel = "FATAL" | "ERROR" | "WARN" | "INFO" | "DEBUG" | "TRACE";

export function logMessage(level: LogLevel, message: string): AirbyteMessage {
  return { type: "LOG", log: { level, message } };
}

export function errorTrace(
  message: string,
  failureType: FailureType,
  details: { internalMessage?: string; stackTrace?: string; stream?: string } = {},
): AirbyteMessage {
  const error: Record<string, unknown> = { message, failure_type: failureType };
  if (details.internalMessage) error.internal_message = details.internalMessage;
  if (details.stackTrace) error.stack_trace = details.stackTrace;
  if (details.stream) error.stream_descriptor = { name: details.stream };
  return { type: "TRACE", trace: { type: "ERROR", emitted_at: Date.now(), error } };
}


export function streamStatusTrace(stream: string, status: StreamStatus): AirbyteMessage {
  return {
    type: "TRACE",
    trace: {
      type: "STREAM_STATUS",
      emitted_at: Date.now(),
      stream_status: { stream_descriptor: { name: stream }, status },
    },
  };
}

export function connectionStatus(succeeded: boolean, message?: string): AirbyteMessage {
  const status: Record<string, unknown> = { status: succeeded ? "SUCCEEDED" : "FAILED" };
  if (message) status.message = message;
  return { type: "CONNECTION_STATUS", connectionStatus: status };
}
