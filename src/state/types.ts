import type { Span } from "./spans.js";

/**
 * Where a list read stands in its created range: everything at or before
 * `through` is read, and so are the `spans` above it; a list without a created
 * filter instead resumes after the id it last read.
 */
export interface ListPosition {
  through?: number;
  spans?: Span[];
  /** Lists without a created filter: the last object id read (the next page starts after it). */
  after?: string;
}

/**
 * What the connector knows of one stream for one account. Every protocol
 * decodes its state into this and encodes this back (see `airbyte.ts`, `flow.ts`).
 */
export interface StreamState {
  /**
   * Airbyte's cursor, the value under the stream's cursor field: everything up to
   * it is delivered. For event-driven streams it is the Events API cursor; for
   * created-window streams, the created time read through.
   */
  cursor?: number;
  /**
   * A list read not finished yet: an event-driven stream's backfill, the
   * ranges above `cursor` a created-window read has done, or a full refresh.
   */
  list?: ListPosition;
  /** A full refresh that finished: the next read starts over. */
  fullRefreshDone?: boolean;
}

/** A stream's state for every account it is read for (one entry in a single-account read). */
export type AccountStates = ReadonlyMap<string, StreamState>;

/** Decoded input state: per stream, the flat state and, when several accounts were read, each account's. */
export interface ReadState {
  streams: ReadonlyMap<string, { flat: StreamState; accounts?: AccountStates }>;
}

export const EMPTY_STATE: ReadState = { streams: new Map() };

/** The state of `stream` for `account`: its own entry, else the flat state when it is the primary account. */
export function stateFor(state: ReadState, stream: string, account: string, primary: string): StreamState | undefined {
  const entry = state.streams.get(stream);
  if (!entry) return undefined;
  if (entry.accounts) return entry.accounts.get(account) ?? (account === primary ? entry.flat : undefined);
  return account === primary ? entry.flat : undefined;
}
