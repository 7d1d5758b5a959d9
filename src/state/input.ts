import { ConfigError } from "../errors.js";
import { STREAM_BY_NAME } from "../streams/table.js";
import type { StreamDef } from "../streams/types.js";

/** What the connector knows of one stream (for one account) from the state it was given. */
export interface StreamCursor {
  /** Everything up to this time (epoch seconds) has been delivered. */
  cursor?: number;
  /** A list backfill in progress: objects created up to this time are delivered. */
  backfillCreated?: number;
}

export interface InputState {
  /** Per stream: the cursor for the single-account case. */
  streams: Map<string, StreamCursor>;
  /** Per stream, per connected account, when several accounts are captured. */
  accounts: Map<string, Map<string, StreamCursor>>;
}

export const EMPTY_STATE: InputState = { streams: new Map(), accounts: new Map() };

/**
 * Accepts every shape Airbyte's source-stripe has written: a list of STREAM
 * messages, a GLOBAL message, a LEGACY message or a bare `{stream: state}` object;
 * cursors as integers or numeric strings; the nested sub-stream form (`state`,
 * `parent_state`, `use_global_cursor`, per-partition `states`). Streams the
 * connector does not have are ignored. Anything else is a ConfigError naming the stream.
 */
export function parseState(raw: unknown): InputState {
  const perStream = new Map<string, unknown>();
  const take = (name: unknown, blob: unknown) => {
    if (typeof name === "string") perStream.set(name, blob);
  };
  if (Array.isArray(raw)) {
    for (const [i, message] of raw.entries()) {
      if (!isObject(message)) throw new ConfigError(`Invalid state: entry ${i} is not an object.`);
      const type = message.type ?? (message.data !== undefined ? "LEGACY" : undefined);
      if (type === "STREAM") {
        const stream = message.stream;
        if (!isObject(stream) || !isObject(stream.stream_descriptor)) {
          throw new ConfigError(`Invalid state: entry ${i} is a STREAM state without stream.stream_descriptor.`);
        }
        take(stream.stream_descriptor.name, stream.stream_state ?? {});
      } else if (type === "GLOBAL") {
        const states = isObject(message.global) ? message.global.stream_states : undefined;
        if (!Array.isArray(states)) throw new ConfigError(`Invalid state: entry ${i} is a GLOBAL state without global.stream_states.`);
        for (const s of states) if (isObject(s) && isObject(s.stream_descriptor)) take(s.stream_descriptor.name, s.stream_state ?? {});
      } else if (type === "LEGACY") {
        if (!isObject(message.data)) throw new ConfigError(`Invalid state: entry ${i} is a LEGACY state without a data object.`);
        for (const [name, blob] of Object.entries(message.data)) take(name, blob);
      } else {
        throw new ConfigError(`Invalid state: entry ${i} has unknown type ${JSON.stringify(message.type)}.`);
      }
    }
  } else if (isObject(raw)) {
    for (const [name, blob] of Object.entries(raw)) take(name, blob);
  } else {
    throw new ConfigError("Invalid state: expected a list of state messages or an object keyed by stream name.");
  }

  const state: InputState = { streams: new Map(), accounts: new Map() };
  for (const [name, blob] of perStream) {
    const def = STREAM_BY_NAME.get(name);
    if (!def) continue;
    if (!isObject(blob)) throw new ConfigError(`Invalid state for stream "${name}": expected an object, got ${kind(blob)}.`);
    state.streams.set(name, streamCursor(def, blob));
    if (blob.accounts !== undefined) {
      if (!isObject(blob.accounts)) throw new ConfigError(`Invalid state for stream "${name}": "accounts" must be an object.`);
      const perAccount = new Map<string, StreamCursor>();
      for (const [account, accountBlob] of Object.entries(blob.accounts)) {
        if (!isObject(accountBlob)) throw new ConfigError(`Invalid state for stream "${name}", account ${account}: expected an object.`);
        perAccount.set(account, streamCursor(def, accountBlob));
      }
      state.accounts.set(name, perAccount);
    }
  }
  return state;
}

const CURSOR_NAMES = ["updated", "created", "date"];

function streamCursor(def: StreamDef, blob: Record<string, unknown>): StreamCursor {
  const names = [def.cursorField, ...CURSOR_NAMES].filter((n): n is string => typeof n === "string");
  const found = (source: Record<string, unknown>): number | undefined => {
    for (const name of names) {
      if (source[name] !== undefined) return epochSeconds(def, name, source[name]);
    }
    return undefined;
  };
  let cursor = found(blob);
  // Airbyte's sub-stream form: {"state": {...}, "parent_state": {...}, "use_global_cursor": ...}
  if (cursor === undefined && isObject(blob.state)) cursor = found(blob.state);
  // Per-partition form: {"states": [{"partition": ..., "cursor": {...}}]}: the oldest partition is safe.
  if (cursor === undefined && Array.isArray(blob.states)) {
    const cursors = blob.states
      .map((s) => (isObject(s) && isObject(s.cursor) ? found(s.cursor) : undefined))
      .filter((c): c is number => c !== undefined);
    if (cursors.length) cursor = Math.min(...cursors);
  }
  const result: StreamCursor = {};
  if (cursor !== undefined) result.cursor = cursor;
  if (blob.backfill_created !== undefined) result.backfillCreated = epochSeconds(def, "backfill_created", blob.backfill_created);
  return result;
}

function epochSeconds(def: StreamDef, field: string, value: unknown): number {
  const n = typeof value === "string" && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n) || n < 0) {
    throw new ConfigError(
      `Invalid state for stream "${def.name}": "${field}" must be a time in epoch seconds, got ${typeof value === "number" ? String(value) : JSON.stringify(value)}.`,
    );
  }
  // Some tools write milliseconds; a cursor past year 5138 in seconds is surely one.
  return Math.floor(n > 1e11 ? n / 1000 : n);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function kind(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}
