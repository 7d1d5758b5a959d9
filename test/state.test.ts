import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/errors.js";
import { decodeAirbyteState } from "../src/state/airbyte.js";
import { decideMode, EVENTS_HORIZON_SECONDS, SETTLE_SECONDS, type ListProgress } from "../src/read/modes.js";
import { createdWindows } from "../src/read/windows.js";
import { STREAM_BY_NAME } from "../src/streams/table.js";

const stream = (name: string, stream_state: unknown) => ({ type: "STREAM", stream: { stream_descriptor: { name }, stream_state } });
const def = (name: string) => STREAM_BY_NAME.get(name)!;
const NOW = 1_790_000_000;
const SETTLED = NOW - SETTLE_SECONDS;
/** Flat cursors as the tests below compare them. */
const parseState = (raw: unknown) => {
  const decoded = decodeAirbyteState(raw);
  return { streams: new Map([...decoded.streams].map(([name, s]) => [name, s.flat.cursor === undefined ? {} : { cursor: s.flat.cursor }])) };
};
const done = (through: number, complete = false): ListProgress => ({ through, spans: [], complete });
const DAY = 86_400;

describe("state input: every shape Airbyte's connector has written", () => {
  it("per-stream STREAM messages with integer or numeric-string cursors", () => {
    const state = parseState([stream("customers", { updated: 1577836800 }), stream("events", { created: "1646998902" })]);
    expect(state.streams.get("customers")).toEqual({ cursor: 1577836800 });
    expect(state.streams.get("events")).toEqual({ cursor: 1646998902 });
  });

  it("the nested sub-stream form and per-partition states", () => {
    const nested = { use_global_cursor: true, state: { invoice_updated: "1700000000" }, parent_state: { invoices: { updated: 1 } }, lookback_window: 0 };
    const partitions = { states: [{ partition: { setup_intent_id: "seti_1" }, cursor: { created: 20 } }, { partition: {}, cursor: { created: 10 } }] };
    const state = parseState([stream("invoice_line_items", nested), stream("setup_attempts", partitions)]);
    expect(state.streams.get("invoice_line_items")).toEqual({ cursor: 1700000000 });
    expect(state.streams.get("setup_attempts")).toEqual({ cursor: 10 });
  });

  it("legacy whole-object state, LEGACY and GLOBAL messages", () => {
    expect(parseState({ charges: { updated: 5 }, invoice_items: { date: 7 } }).streams.get("invoice_items")).toEqual({ cursor: 7 });
    expect(parseState([{ type: "LEGACY", data: { charges: { created: 9 } } }]).streams.get("charges")).toEqual({ cursor: 9 });
    const global = { type: "GLOBAL", global: { shared_state: {}, stream_states: [{ stream_descriptor: { name: "refunds" }, stream_state: { updated: 3 } }] } };
    expect(parseState([global]).streams.get("refunds")).toEqual({ cursor: 3 });
  });

  it("ignores streams the connector does not have, and empty blobs", () => {
    const state = parseState([stream("usage_record_summaries_v0", { x: 1 }), stream("charges", {})]);
    expect(state.streams.has("usage_record_summaries_v0")).toBe(false);
    expect(state.streams.get("charges")).toEqual({});
  });

  it("rejects garbage with a message naming the stream", () => {
    expect(() => parseState([stream("charges", { updated: "yesterday" })])).toThrow(/stream "charges": "updated" must be a time/);
    expect(() => parseState([stream("charges", { updated: -5 })])).toThrow(ConfigError);
    expect(() => parseState([stream("charges", "nope")])).toThrow(/stream "charges": expected an object, got string/);
    expect(() => parseState([{ type: "SOMETHING" }])).toThrow(/unknown type/);
    expect(() => parseState("state")).toThrow(ConfigError);
    expect(() => parseState([stream("charges", { updated: 1, accounts: [] })])).toThrow(/"accounts" must be an object/);
  });
});

describe("how each stream is read", () => {
  const base = { now: NOW, startDate: NOW - 1000 * DAY, lookbackDays: 0 };

  it("full refresh reads the list from start_date, and says when it is done", () => {
    const m = decideMode({ ...base, def: def("customers"), incremental: false, state: { cursor: NOW } });
    expect(m).toMatchObject({ kind: "list", from: base.startDate, to: NOW, done: [] });
    expect(m!.checkpoint(done(NOW, true))).toEqual({ fullRefreshDone: true });
    expect(m!.checkpoint({ through: base.startDate - 1, spans: [[NOW - DAY, NOW]], complete: false })).toEqual({ list: { spans: [[NOW - DAY, NOW]] } });
  });

  it("created streams resume from the cursor minus the lookback, never before start_date, and stop short of now", () => {
    const m = decideMode({ ...base, def: def("balance_transactions"), incremental: true, state: { cursor: NOW - 10 * DAY }, lookbackDays: 3 });
    expect(m).toMatchObject({ kind: "list", from: NOW - 13 * DAY, to: SETTLED });
    expect(m!.checkpoint(done(SETTLED, true))).toEqual({ cursor: SETTLED });
    const early = decideMode({ ...base, def: def("balance_transactions"), incremental: true, state: { cursor: base.startDate }, lookbackDays: 30 });
    expect(early!.kind === "list" && early.from).toBe(base.startDate);
  });

  it("event streams backfill from the list first, checkpointing progress, then read events", () => {
    const first = decideMode({ ...base, def: def("customers"), incremental: true, state: undefined });
    expect(first!.kind).toBe("list");
    expect(first!.checkpoint(done(NOW - 500 * DAY))).toEqual({ cursor: SETTLED, list: { through: NOW - 500 * DAY } });
    expect(first!.checkpoint(done(NOW, true))).toEqual({ cursor: SETTLED });
    const resumed = decideMode({ ...base, def: def("customers"), incremental: true, state: { cursor: NOW - DAY, list: { through: NOW - 400 * DAY } } });
    expect(resumed).toMatchObject({ kind: "list", from: base.startDate, done: [[base.startDate, NOW - 400 * DAY]] });
    expect(resumed!.checkpoint(done(NOW, true))).toEqual({ cursor: NOW - DAY });
    const later = decideMode({ ...base, def: def("customers"), incremental: true, state: { cursor: NOW - 2 * DAY } });
    expect(later).toMatchObject({ kind: "events", from: NOW - 2 * DAY, to: SETTLED });
  });

  it("a cursor beyond the Events API's retention falls back to a full re-read, and says so", () => {
    const old = decideMode({ ...base, def: def("invoices"), incremental: true, state: { cursor: NOW - EVENTS_HORIZON_SECONDS - 60 } });
    expect(old!.kind).toBe("list");
    expect(old!.kind === "list" && old.from).toBe(base.startDate);
    expect(old!.kind === "list" && old.note).toMatch(/invoices.*read again in full/);
    const withLookback = decideMode({ ...base, def: def("invoices"), incremental: true, state: { cursor: NOW - 20 * DAY }, lookbackDays: 15 });
    expect(withLookback!.kind).toBe("list");
  });

  it("windows cover the range in order without gaps or overlaps", () => {
    const windows = createdWindows(100, 100 + 10 * DAY, 3);
    expect(windows[0]!.gte).toBe(100);
    for (let i = 1; i < windows.length; i++) expect(windows[i]!.gte).toBe(windows[i - 1]!.lte + 1);
    expect(windows.at(-1)!.lte).toBe(100 + 10 * DAY);
    expect(createdWindows(200, 100, 1)).toEqual([]);
  });
});
