import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeAirbyteState, decodeStreamBlob, encodeStates, encodeStreamState, FULL_REFRESH_COMPLETE } from "../src/state/airbyte.js";
import { bindingStatePatch, decodeBindingState } from "../src/state/flow.js";
import { applyMergePatch } from "../src/state/merge-patch.js";
import type { Span } from "../src/state/spans.js";
import type { ListPosition, StreamState } from "../src/state/types.js";
import { STREAMS } from "../src/streams/table.js";
import type { StreamDef } from "../src/streams/types.js";

const time = fc.integer({ min: 0, max: 4_000_000_000 });

/** Sorted, disjoint, non-touching spans, as the engine writes them. */
const spans: fc.Arbitrary<Span[]> = fc
  .array(fc.tuple(fc.integer({ min: 2, max: 10_000 }), fc.integer({ min: 0, max: 10_000 })), { maxLength: 6 })
  .chain((steps) =>
    time.map((start) => {
      const out: Span[] = [];
      let at = start;
      for (const [gap, length] of steps) {
        const gte = at + gap;
        out.push([gte, gte + length]);
        at = gte + length;
      }
      return out;
    }),
  );

const position: fc.Arbitrary<ListPosition> = fc
  .record({ through: time, spans, after: fc.stringMatching(/^[a-z]{2,4}_[A-Za-z0-9]{4,12}$/) }, { requiredKeys: [] })
  .map((p) => {
    const out: ListPosition = { ...p };
    if (!out.spans?.length) delete out.spans;
    return out;
  });

/** Any state the engine can hold for `def`. */
function stateOf(def: StreamDef): fc.Arbitrary<StreamState> {
  const withCursor = fc.record({ cursor: time, list: position.filter((p) => Object.keys(p).length > 0) }, { requiredKeys: ["cursor"] });
  const fullRefresh = fc.record({ list: position, fullRefreshDone: fc.constant(true as const) }, { requiredKeys: [] });
  return def.cursorField ? fc.oneof(withCursor, fullRefresh) : fullRefresh;
}

const anyStream = fc.constantFrom(...STREAMS);

describe("state codecs", () => {
  it("a report stream's state: its cursor is interval_end; an unfinished full refresh its last window", () => {
    const def = STREAMS.find((s) => s.name === "balance_summary_1")!;
    expect(encodeStreamState(def, { cursor: 1764547200 })).toEqual({ interval_end: 1764547200 });
    expect(decodeStreamBlob(def, { interval_end: "1764547200" }).flat).toEqual({ cursor: 1764547200 });
    expect(encodeStreamState(def, { list: { through: 1764547199 } })).toEqual({ full_refresh: { through: 1764547199 } });
    expect(decodeStreamBlob(def, { full_refresh: { through: 1764547199 } }).flat).toEqual({ list: { through: 1764547199 } });
  });

  it("decode(encode(s)) = s for every stream state, in Airbyte's STATE and in Flow's binding state", () => {
    fc.assert(
      fc.property(anyStream.chain((def) => fc.tuple(fc.constant(def), stateOf(def))), ([def, state]) => {
        const blob = encodeStreamState(def, state);
        expect(decodeStreamBlob(def, JSON.parse(JSON.stringify(blob))).flat).toEqual(state);
        const message = [{ type: "STREAM", stream: { stream_descriptor: { name: def.name }, stream_state: blob } }];
        expect(decodeAirbyteState(message).streams.get(def.name)?.flat).toEqual(state);
        // Flow: the runtime reduces merge patches into the binding's document and hands it back.
        const patch = bindingStatePatch("key.v1", undefined, blob);
        const flow = decodeBindingState(applyMergePatch({}, patch), { def, stateKey: "key.v1" });
        expect(flow.read.streams.get(def.name)?.flat).toEqual(state);
      }),
      { numRuns: 300 },
    );
  });

  it("every account's state survives a multi-account STATE, and the flat cursor is the least advanced", () => {
    const def = STREAMS.find((s) => s.name === "customers")!;
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^acct_[a-z0-9]{4,8}$/), stateOf(def), { minKeys: 1, maxKeys: 4 }), (perAccount) => {
        const states = new Map(Object.entries(perAccount));
        const blob = encodeStates(def, states, true, states.size);
        const decoded = decodeStreamBlob(def, JSON.parse(JSON.stringify(blob)));
        expect(Object.fromEntries(decoded.accounts!)).toEqual(perAccount);
        const cursors = [...states.values()].map((s) => s.cursor);
        if (cursors.every((c) => c !== undefined)) expect(decoded.flat.cursor).toBe(Math.min(...(cursors as number[])));
      }),
    );
  });

  it("a Flow checkpoint is a merge patch: applied to the previous document it gives the new one", () => {
    const def = STREAMS.find((s) => s.name === "invoices")!;
    fc.assert(
      fc.property(stateOf(def), stateOf(def), (before, after) => {
        const a = encodeStreamState(def, before);
        const b = encodeStreamState(def, after);
        const patch = bindingStatePatch("k", a, b) as { bindingStateV1: { k: unknown } };
        expect(applyMergePatch({ bindingStateV1: { k: a } }, patch)).toEqual({ bindingStateV1: { k: b } });
      }),
    );
  });

  it("every state shape Airbyte's connector writes decodes to its cursor", () => {
    const withCursor = STREAMS.filter((s) => s.cursorField);
    const cursorValue = time.chain((t) => fc.constantFrom<number | string>(t, String(t)).map((v) => [t, v] as const));
    const blobOf = (field: string, value: number | string) =>
      fc.constantFrom<Record<string, unknown>>(
        { [field]: value },
        // The declarative CDK's sub-stream form.
        { use_global_cursor: true, state: { [field]: value }, parent_state: { parent: { updated: 1 } }, lookback_window: 0 },
        // Per-partition form: the oldest partition wins (here, the only one).
        { states: [{ partition: { id: "x" }, cursor: { [field]: value } }] },
      );
    const wrap = (name: string, blob: Record<string, unknown>) =>
      fc.constantFrom<unknown>(
        [{ type: "STREAM", stream: { stream_descriptor: { name }, stream_state: blob } }],
        [{ type: "GLOBAL", global: { shared_state: {}, stream_states: [{ stream_descriptor: { name }, stream_state: blob }] } }],
        [{ type: "LEGACY", data: { [name]: blob } }],
        { [name]: blob },
      );
    fc.assert(
      fc.property(
        fc.constantFrom(...withCursor).chain((def) =>
          cursorValue.chain(([t, v]) => blobOf(def.cursorField!, v).chain((blob) => wrap(def.name, blob).map((raw) => ({ def, t, raw })))),
        ),
        ({ def, t, raw }) => {
          expect(decodeAirbyteState(raw).streams.get(def.name)?.flat.cursor).toBe(t);
        },
      ),
    );
  });

  it("a finished full refresh says so in Airbyte's own words", () => {
    const def = STREAMS.find((s) => s.name === "webhook_endpoints")!;
    expect(encodeStreamState(def, { fullRefreshDone: true })).toEqual({ [FULL_REFRESH_COMPLETE]: true });
    expect(encodeStreamState(def, { list: { through: 5, spans: [[10, 20]] } })).toEqual({ full_refresh: { through: 5, ranges: [[10, 20]] } });
  });

  it("rejects progress that is not a span list, naming the stream", () => {
    const def = STREAMS.find((s) => s.name === "charges")!;
    expect(() => decodeStreamBlob(def, { updated: 5, progress: { ranges: [[3, 1]] } })).toThrow(/"charges".*progress.ranges/);
    expect(() => decodeStreamBlob(def, { updated: 5, progress: { ranges: [[1, 3], [2, 5]] } })).toThrow(/sorted, disjoint/);
    expect(() => decodeStreamBlob(def, { full_refresh: "x" })).toThrow(/"full_refresh" must be an object/);
  });
});
