import { encodeStates } from "../state/airbyte.js";
import type { ReadSink } from "../read/sink.js";
import { STREAM_BY_NAME } from "../streams/table.js";
import { errorTrace, logMessage, recordMessage, stateMessage, streamStatusTrace } from "./messages.js";
import type { Output } from "../output.js";

/** The engine's results as Airbyte messages on stdout. */
export function airbyteSink(output: Output, accounts: { multiAccount: boolean; count: number }): ReadSink {
  return {
    record: (stream, data) => output.emit(recordMessage(stream, data, Date.now())),
    state: (stream, states, recordCount) =>
      output.emit(stateMessage(stream, encodeStates(STREAM_BY_NAME.get(stream)!, states, accounts.multiAccount, accounts.count), recordCount)),
    status: (stream, status) => output.emit(streamStatusTrace(stream, status)),
    error: (stream, message, failureType, internalMessage) => output.emit(errorTrace(message, failureType, { internalMessage, stream })),
    log: (level, message) => output.emit(logMessage(level, message)),
  };
}
