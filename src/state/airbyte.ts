import { ConfigError } from "../errors.js";
import { STREAM_BY_NAME } from "../streams/table.js";
import type { StreamDef } from "../streams/types.js";
import { isSpanList } from "./spans.js";
import type { AccountStates, ListPosition, ReadState, StreamState } from "./types.js";

/**
 * A stream's state as Airbyte messages carry it. The keys Airbyte's connector
 * reads keep its meaning (the cursor field: everything up to it is delivered;
 * `backfill_created` is ours from earlier versions), so a user can switch back;
 * progress inside a read that has not finished lives in keys of ours:
 *
 *   {"updated": 1764547200, "backfill_created": 1600000000, "progress": {"ranges": [[1700000000, 1764547200]]}}
 *   {"created": 1764547200, "progress": {"ranges": [[1764600000, 1764610000]]}}
 *   {"full_refresh": {"ranges": [[1700000000, 1764547200]]}}   a full refresh half done
 *   {"__ab_full_refresh_sync_complete": true}                  a full refresh done
 *
 * With several accounts: the least advanced account's cursor, and each account's own state under `accounts`.
 */
export type AirbyteBlob = Record<string, unknown>;

/** Airbyte's own marker of a finished resumable full refresh. */
export const FULL_REFRESH_COMPLETE = "__ab_full_refresh_sync_complete";

/** Encodes one account's state for `def`. */
export function encodeStreamState(def: StreamDef, state: StreamState): AirbyteBlob {
  const blob: AirbyteBlob = {};
  if (state.fullRefreshDone) blob[FULL_REFRESH_COMPLETE] = true;
  if (state.cursor !== undefined && def.cursorField) {
    blob[def.cursorField] = state.cursor;
    if (state.list?.through !== undefined) blob.backfill_created = state.list.through;
    const progress = encodePosition({ ...state.list, through: undefined });
    if (Object.keys(progress).length) blob.progress = progress;
  } else if (state.list) {
    blob.full_refresh = encodePosition(state.list);
  }
  return blob;
}

/**
 * Encodes a stream's state: one account's as it is; several accounts' with the
 * least advanced cursor flat, and each account's under `accounts`.
 */
export function encodeStates(def: StreamDef, states: AccountStates, multiAccount: boolean, accountCount: number): AirbyteBlob {
  if (!multiAccount) return encodeStreamState(def, states.values().next().value ?? {});
  const blob: AirbyteBlob = {};
  const cursors = [...states.values()].map((s) => s.cursor);
  // The flat cursor, for tools that read Airbyte's shape, is the least advanced account's.
  if (def.cursorField && states.size === accountCount && cursors.every((c) => c !== undefined)) {
    blob[def.cursorField] = Math.min(...(cursors as number[]));
  }
  blob.accounts = Object.fromEntries([...states].map(([id, s]) => [id, encodeStreamState(def, s)]));
  return blob;
}

function encodePosition(position: ListPosition): AirbyteBlob {
  const out: AirbyteBlob = {};
  if (position.through !== undefined) out.through = position.through;
  if (position.spans?.length) out.ranges = position.spans.map((s) => [...s]);
  if (position.after !== undefined) out.after = position.after;
  return out;
}

/**
 * Accepts every shape Airbyte's source-stripe has written, and ours: a list of
 * STREAM messages, a GLOBAL message, a LEGACY message or a bare `{stream: state}`
 * object; cursors as integers or numeric strings; the nested sub-stream form
 * (`state`, `parent_state`, `use_global_cursor`, per-partition `states`).
 * Streams the connector does not have are ignored. Anything else is a
 * ConfigError naming the stream.
 */
export function decodeAirbyteState(raw: unknown): ReadState {
  const streams = new Map<string, { flat: StreamState; accounts?: AccountStates }>();
  for (const [name, blob] of Object.entries(perStreamBlobs(raw))) {
    const def = STREAM_BY_NAME.get(name);
    if (!def) continue;
    streams.set(name, decodeStreamBlob(def, blob));
  }
  return { streams };
}

/** One stream's blob (ours or Airbyte's), with its per-account states. */
export function decodeStreamBlob(def: StreamDef, blob: unknown): { flat: StreamState; accounts?: AccountStates } {
  const name = def.name;
  if (!isObject(blob)) throw new ConfigError(`Invalid state for stream "${name}": expected an object, got ${kind(blob)}.`);
  const flat = decodeOne(def, blob, "");
  if (blob.accounts === undefined) return { flat };
  if (!isObject(blob.accounts)) throw new ConfigError(`Invalid state for stream "${name}": "accounts" must be an object.`);
  const accounts = new Map<string, StreamState>();
  for (const [account, accountBlob] of Object.entries(blob.accounts)) {
    if (!isObject(accountBlob)) throw new ConfigError(`Invalid state for stream "${name}", account ${account}: expected an object.`);
    accounts.set(account, decodeOne(def, accountBlob, `, account ${account}`));
  }
  return { flat, accounts };
}

function perStreamBlobs(raw: unknown): Record<string, unknown> {
  const perStream: Record<string, unknown> = {};
  const take = (name: unknown, blob: unknown) => {
    if (typeof name === "string") perStream[name] = blob;
  };
  if (isObject(raw)) {
    for (const [name, blob] of Object.entries(raw)) take(name, blob);
    return perStream;
  }
  if (!Array.isArray(raw)) throw new ConfigError("Invalid state: expected a list of state messages or an object keyed by stream name.");
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
  return perStream;
}

const CURSOR_NAMES = ["updated", "created", "date"];

function decodeOne(def: StreamDef, blob: Record<string, unknown>, where: string): StreamState {
  const invalid = (what: string) => new ConfigError(`Invalid state for stream "${def.name}"${where}: ${what}.`);
  const time = (field: string, value: unknown) => epochSeconds(value, () => invalid(`"${field}" must be a time in epoch seconds, got ${show(value)}`));
  const names = [def.cursorField, ...CURSOR_NAMES].filter((n): n is string => typeof n === "string");
  const found = (source: Record<string, unknown>): number | undefined => {
    for (const name of names) if (source[name] !== undefined) return time(name, source[name]);
    return undefined;
  };
  const state: StreamState = {};
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
  if (cursor !== undefined) state.cursor = cursor;
  if (blob[FULL_REFRESH_COMPLETE] === true) state.fullRefreshDone = true;
  const position = (key: string, value: unknown): ListPosition => {
    if (!isObject(value)) throw invalid(`"${key}" must be an object`);
    const out: ListPosition = {};
    if (value.through !== undefined) out.through = time(`${key}.through`, value.through);
    if (value.ranges !== undefined) {
      if (!isSpanList(value.ranges)) throw invalid(`"${key}.ranges" must be sorted, disjoint [gte, lte] pairs of epoch seconds`);
      out.spans = value.ranges;
    }
    if (value.after !== undefined) {
      if (typeof value.after !== "string" || value.after === "") throw invalid(`"${key}.after" must be an object id`);
      out.after = value.after;
    }
    return out;
  };
  if (cursor !== undefined) {
    const list: ListPosition = blob.progress === undefined ? {} : position("progress", blob.progress);
    if (blob.backfill_created !== undefined) list.through = time("backfill_created", blob.backfill_created);
    if (Object.keys(list).length) state.list = list;
  } else if (blob.full_refresh !== undefined) {
    state.list = position("full_refresh", blob.full_refresh);
  }
  return state;
}

function epochSeconds(value: unknown, error: () => ConfigError): number {
  const n = typeof value === "string" && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n) || n < 0) throw error();
  // Some tools write milliseconds; a cursor past year 5138 in seconds is surely one.
  return Math.floor(n > 1e11 ? n / 1000 : n);
}

function show(value: unknown): string {
  return typeof value === "number" ? String(value) : JSON.stringify(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function kind(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}
