import { SETTLE_SECONDS } from "../src/read/modes.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STREAMS } from "../src/streams/table.js";
import { startEmulator, type Emulator } from "./emulator/server.js";
import { records } from "./helpers/cli.js";
import { lastStates, reader, streamState, type Reader } from "./helpers/incremental.js";
import { schemaProblems } from "./helpers/schemas.js";

const DAY = 86_400;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ids = (rows: Array<Record<string, any>>) => rows.map((r) => r.id).sort();

describe("incremental sync delivers exactly the changes", () => {
  let emulator: Emulator;
  let r: Reader;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 11, scale: 1, clockLagSeconds: SETTLE_SECONDS });
    r = reader(emulator);
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it("creates, updates and deletes between two reads arrive in the second, deletions flagged", async () => {
    const streams = ["customers", "products", "charges", "invoices", "invoice_line_items", "subscription_items", "balance_transactions", "events"];
    const first = await r.read(streams);
    expect(first.code, first.stderr).toBe(0);
    const state = lastStates(first.messages);
    for (const s of streams) expect(streamState(state, s), s).toBeDefined();
    expect(streamState(state, "customers")).toEqual({ updated: expect.any(Number) });
    expect(streamState(state, "balance_transactions")).toEqual({ created: expect.any(Number) });

    await sleep(1100);
    const [kept, changed, doomed] = emulator.listObjects("customer").slice(0, 3) as Array<Record<string, any>>;
    const created = emulator.createObject("customer", { email: "new@example.com", name: "New" });
    emulator.updateObject(changed!.id, { email: "changed@example.com" });
    emulator.deleteObject(doomed!.id);
    const product = emulator.createObject("product", { name: "Widget" });
    const charge = emulator.createObject("charge", { amount: 4200, currency: "usd", customer: kept!.id });
    const invoice = emulator.listObjects("invoice")[0] as Record<string, any>;
    emulator.updateObject(invoice.id, { description: "amended" });
    const txn = emulator.createObject("balance_transaction", { amount: 100, currency: "usd" });
    await sleep(1100); // a cursor re-reads its own second (at least once); keep the changes out of the next one

    const second = await r.read(streams, state);
    expect(second.code, second.stderr).toBe(0);
    // Records built from events (deletions included) declare every field, as list records do.
    for (const s of streams) expect(schemaProblems(s, records(second, s)), s).toEqual([]);
    const customers = records(second, "customers");
    expect(ids(customers)).toEqual([changed!.id, created.id, doomed!.id].sort());
    expect(customers.find((c) => c.id === changed!.id)!.email).toBe("changed@example.com");
    expect(customers.find((c) => c.id === doomed!.id)!.is_deleted).toBe(true);
    expect(customers.filter((c) => c.id !== doomed!.id).every((c) => c.is_deleted === undefined)).toBe(true);
    expect(ids(records(second, "products"))).toEqual([product.id]);
    const charges = records(second, "charges");
    expect(ids(charges)).toEqual([charge.id]);
    // The list read expands refunds; the incremental record is re-fetched with the same expansion.
    expect(typeof charges[0]!.refunds).toBe("object");
    expect(ids(records(second, "invoices"))).toEqual([invoice.id]);
    const lines = records(second, "invoice_line_items");
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.invoice_id === invoice.id && l.invoice_updated >= records(second, "invoices")[0]!.updated - 1)).toBe(true);
    expect(ids(records(second, "balance_transactions"))).toEqual([txn.id]);
    expect(records(second, "subscription_items")).toEqual([]);
    expect(records(second, "events").length).toBeGreaterThanOrEqual(6); // a new balance transaction emits no event in Stripe
    // Cursors moved forward.
    const next = lastStates(second.messages, state);
    expect(streamState(next, "customers")!.updated).toBeGreaterThan(streamState(state, "customers")!.updated);

    const third = await r.read(streams, next);
    expect(records(third, "customers").length, "nothing changed since").toBe(0);
  });

  it("a burst of changes between reads: the newest record per id (by updated, then by order) is the final state", async () => {
    const first = await r.read(["customers"]);
    const state = lastStates(first.messages);
    await sleep(1100);
    const [a, b] = emulator.listObjects("customer").slice(0, 2) as Array<Record<string, any>>;
    for (const n of [1, 2, 3]) emulator.updateObject(a!.id, { description: `burst ${n}` });
    emulator.updateObject(b!.id, { description: "about to go" });
    emulator.deleteObject(b!.id);
    await sleep(1100);
    const second = await r.read(["customers"], state);
    // What an Airbyte destination deduplicating on the cursor keeps: the highest `updated`, the later record on a tie.
    const newest = new Map<string, Record<string, any>>();
    for (const c of records(second, "customers")) if (!newest.has(c.id) || c.updated >= newest.get(c.id)!.updated) newest.set(c.id, c);
    expect(newest.get(a!.id)!.description).toBe("burst 3");
    expect(newest.get(b!.id)!.is_deleted).toBe(true);
  });

  it("a cursor older than the Events API's 30 days triggers a full re-read, said in a LOG", async () => {
    const old = Math.floor(Date.now() / 1000) - 40 * DAY;
    const state = [{ type: "STREAM", stream: { stream_descriptor: { name: "customers" }, stream_state: { updated: String(old) } } }];
    const result = await r.read(["customers"], state);
    expect(result.code).toBe(0);
    expect(records(result, "customers").length).toBe(emulator.listObjects("customer").length);
    const log = result.messages.find((m) => m.type === "LOG" && /customers.*read again in full/.test(m.log.message));
    expect(log, "a LOG line says why").toBeDefined();
  });

  it("lookback_window_days re-reads the last N days of a created stream", async () => {
    const all = (emulator.listObjects("balance_transaction") as Array<Record<string, any>>).map((t) => t.created as number).sort((a, b) => a - b);
    const cursor = all[Math.floor(all.length / 2)]!;
    const state = [{ type: "STREAM", stream: { stream_descriptor: { name: "balance_transactions" }, stream_state: { created: cursor } } }];
    const plain = records(await r.read(["balance_transactions"], state), "balance_transactions");
    const back = records(await r.read(["balance_transactions"], state, { lookback_window_days: 30 }), "balance_transactions");
    expect(plain.every((t) => t.created >= cursor)).toBe(true);
    expect(plain.length).toBe(all.filter((c) => c >= cursor).length);
    expect(back.length).toBe(all.filter((c) => c >= cursor - 30 * DAY).length);
    expect(back.length).toBeGreaterThan(plain.length);
  });

  it("accepts the state shapes Airbyte's connector writes, ignores unknown streams, and a future cursor reads nothing", async () => {
    const future = 10_000_000_000;
    const state = [
      { type: "STREAM", stream: { stream_descriptor: { name: "charges" }, stream_state: { updated: future } } },
      { type: "STREAM", stream: { stream_descriptor: { name: "events" }, stream_state: { created: String(future) } } },
      {
        type: "STREAM",
        stream: {
          stream_descriptor: { name: "invoice_line_items" },
          stream_state: { use_global_cursor: true, state: { invoice_updated: future }, parent_state: { invoices: { updated: future } } },
        },
      },
      { type: "STREAM", stream: { stream_descriptor: { name: "not_a_stream" }, stream_state: { updated: 1 } } },
      { type: "STREAM", stream: { stream_descriptor: { name: "customers" }, stream_state: { updated: 1 } } },
    ];
    const result = await r.read(["charges", "events", "invoice_line_items"], state);
    expect(result.code, result.stderr).toBe(0);
    expect(result.messages.filter((m) => m.type === "RECORD")).toHaveLength(0);
  });

  it("garbage state is a config error naming the stream", async () => {
    const state = [{ type: "STREAM", stream: { stream_descriptor: { name: "charges" }, stream_state: { updated: "soon" } } }];
    const result = await r.read(["charges"], state);
    expect(result.code).toBe(1);
    const error = result.messages.find((m) => m.type === "TRACE")!.trace.error;
    expect(error.failure_type).toBe("config_error");
    expect(error.message).toMatch(/stream "charges"/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("emits STATE after the records it covers, per stream, with record counts", async () => {
    const result = await r.read(["balance_transactions", "customers"], undefined, { slice_range: 90 });
    const states = result.messages.filter((m) => m.type === "STATE");
    // At least the final STATE of each stream (more while a read lasts over a second).
    expect(states.length).toBeGreaterThanOrEqual(2);
    for (const stream of ["balance_transactions", "customers"]) {
      let sinceState = 0;
      let total = 0;
      for (const m of result.messages) {
        if (m.type === "RECORD" && m.record.stream === stream) sinceState++;
        if (m.type === "STATE" && m.state.stream.stream_descriptor.name === stream) {
          expect(m.state.sourceStats.recordCount).toBe(sinceState);
          total += sinceState;
          sinceState = 0;
        }
      }
      expect(sinceState, `${stream}: records after its last STATE`).toBe(0);
      expect(total).toBe(records(result, stream).length);
    }
  });
});

describe("every incremental stream", () => {
  it("runs a first sync and a no-change second sync cleanly", async () => {
    const emulator = await startEmulator({ seed: 12, scale: 1, clockLagSeconds: SETTLE_SECONDS });
    try {
      const r = reader(emulator);
      const incremental = STREAMS.filter((s) => s.incremental).map((s) => s.name);
      const first = await r.read(incremental);
      expect(first.code, first.stderr).toBe(0);
      const state = lastStates(first.messages);
      for (const name of incremental) expect(streamState(state, name), name).toBeDefined();
      emulator.resetStats();
      const second = await r.read(incremental, state);
      expect(second.code, second.stderr).toBe(0);
      // report_runs lists the runs the first sync's report streams created after it had read: new objects, rightly read.
      expect(second.messages.filter((m) => m.type === "RECORD" && m.record.stream !== "report_runs")).toHaveLength(0);
      // How many requests an incremental run with no changes costs, for the README.
      console.log(`no-change incremental run of ${incremental.length} streams: ${emulator.stats().requests} requests`);
    } finally {
      await emulator.close();
    }
  });
});
