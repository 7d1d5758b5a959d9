import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readList } from "../src/read/list-reader.js";
import { SETTLE_SECONDS } from "../src/read/modes.js";
import { PageBudget } from "../src/read/page-budget.js";
import { addSpan } from "../src/state/spans.js";
import { StripeClient } from "../src/stripe/client.js";
import { PAGE_SIZE } from "../src/stripe/pagination.js";
import { STREAM_BY_NAME } from "../src/streams/table.js";
import { EMULATOR_KEY, EMULATOR_RESTRICTED_KEY, startEmulator, type Emulator } from "./emulator/server.js";
import { readInProcess, recordsOf, stateAt, statusesOf, type Recorded } from "./helpers/engine.js";

const ids = (records: Array<Record<string, unknown>>) => records.map((r) => String(r.id)).sort();
const objectIds = (emulator: Emulator, object: string) => emulator.listObjects(object).map((o) => String((o as { id: string }).id)).sort();

/** The engine in-process, with a recording sink: what the CLI tests reach, without a process in between. */
describe("the read engine", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 61, scale: 2, clockLagSeconds: SETTLE_SECONDS });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it("reads a parent list once for itself and its children; every stream goes STARTED, RUNNING, COMPLETE", async () => {
    emulator.resetStats();
    const { seen, failed } = await readInProcess(emulator, { streams: [{ name: "invoices" }, { name: "invoice_line_items" }, { name: "customers" }] });
    expect(failed).toBe(0);
    expect(ids(recordsOf(seen, "invoices"))).toEqual(objectIds(emulator, "invoice"));
    expect(ids(recordsOf(seen, "customers"))).toEqual(objectIds(emulator, "customer"));
    expect(recordsOf(seen, "invoice_line_items").length).toBeGreaterThan(0);
    for (const stream of ["invoices", "invoice_line_items", "customers"]) {
      const statuses = statusesOf(seen, stream);
      expect(statuses[0]).toBe("STARTED");
      expect(statuses.at(-1)).toBe("COMPLETE");
      expect(statuses.slice(1, -1).every((s) => s === "RUNNING") && statuses.length >= 3).toBe(true);
      // A full refresh ends with a state that says so, so the next read starts over.
      const last = seen.filter((e): e is Extract<Recorded, { kind: "state" }> => e.kind === "state" && e.stream === stream).at(-1)!;
      expect(last.states.get("acct_emulator_platform")).toEqual({ fullRefreshDone: true });
    }
    const listed = emulator.stats().perRoute["GET /v1/invoices"] ?? 0;
    expect(listed, "invoices listed once for both streams").toBeLessThanOrEqual(Math.ceil(objectIds(emulator, "invoice").length / 100) + 2);
  });

  it("every STATE covers only records already passed on: resuming from any of them loses nothing", async () => {
    const streams = [{ name: "charges", incremental: true }, { name: "balance_transactions", incremental: true }, { name: "payouts" }];
    const first = await readInProcess(emulator, { streams });
    const all = new Map(streams.map((s) => [s.name, new Set(ids(recordsOf(first.seen, s.name)))]));
    const statePoints = first.seen.flatMap((e, i) => (e.kind === "state" ? [i] : []));
    expect(statePoints.length).toBeGreaterThanOrEqual(3);
    for (const point of statePoints.filter((_, i) => i % 2 === 0)) {
      const resumed = await readInProcess(emulator, { streams, state: stateAt(first.seen, point) });
      for (const { name } of streams) {
        const before = first.seen.slice(0, point + 1).filter((e) => e.kind === "record" && e.stream === name).map((e) => String((e as { data: { id: string } }).data.id));
        const got = new Set([...before, ...ids(recordsOf(resumed.seen, name))]);
        expect([...all.get(name)!].filter((id) => !got.has(id)), `${name} resumed from item ${point}`).toEqual([]);
      }
    }
  });

  it("a child stream the key may not read fails alone; its parent and siblings complete", async () => {
    const { seen, failed } = await readInProcess(emulator, {
      apiKey: EMULATOR_RESTRICTED_KEY,
      streams: [{ name: "payouts" }, { name: "payout_balance_transactions" }, { name: "customers" }],
    });
    expect(failed).toBe(1);
    expect(statusesOf(seen, "payout_balance_transactions").at(-1)).toBe("INCOMPLETE");
    expect(statusesOf(seen, "payouts").at(-1)).toBe("COMPLETE");
    expect(statusesOf(seen, "customers").at(-1)).toBe("COMPLETE");
    const error = seen.find((e) => e.kind === "error")!;
    expect(error).toMatchObject({ stream: "payout_balance_transactions", failureType: "config_error" });
    expect((error as { message: string }).message).toMatch(/^Stream payout_balance_transactions: the API key lacks the permission to read \/v1\/balance_transactions/);
  });

  it("one record per object from each events window, its newest state; a delete wins when it is the newest", async () => {
    const backfill = await readInProcess(emulator, { streams: [{ name: "customers", incremental: true }] });
    const cursorState = stateAt(backfill.seen, backfill.seen.length - 1);
    await new Promise((r) => setTimeout(r, 1100));
    const [a, b] = emulator.listObjects("customer") as Array<{ id: string }>;
    for (const n of [1, 2, 3]) emulator.updateObject(a!.id, { description: `update ${n}` });
    emulator.deleteObject(b!.id);
    const changes = await readInProcess(emulator, { streams: [{ name: "customers", incremental: true }], state: cursorState });
    const records = recordsOf(changes.seen, "customers");
    expect(records.filter((r) => r.id === a!.id)).toEqual([expect.objectContaining({ description: "update 3" })]);
    expect(records.filter((r) => r.id === b!.id)).toEqual([expect.objectContaining({ is_deleted: true })]);
  });

  it("several accounts: each keeps its own state, and a STATE carries every account's", async () => {
    const accounts = [{ id: "acct_emulator_platform" }, { id: "acct_emulator_connected_1", header: "acct_emulator_connected_1" }];
    const { seen } = await readInProcess(emulator, { accounts, streams: [{ name: "customers", incremental: true }] });
    const states = seen.filter((e): e is Extract<Recorded, { kind: "state" }> => e.kind === "state");
    expect([...states.at(-1)!.states.keys()].sort()).toEqual(accounts.map((a) => a.id).sort());
    expect(recordsOf(seen, "customers").every((r) => accounts.some((a) => a.id === r.account_id))).toBe(true);
  });
});

/**
 * The checkpoint grid at the reader: after every page a checkpoint says which
 * created ranges are read; resuming from any of them, with whatever was yielded
 * before it, gives every object exactly, and reads only what is left.
 */
describe("a list read checkpoints after every page", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 62, scale: 1, bulk: { object: "charge", count: 4000, yearsBack: 0.02 } });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it("resuming from any checkpoint loses nothing and re-reads little", async () => {
    const def = STREAM_BY_NAME.get("charges")!;
    const ctx = {
      client: new StripeClient({ apiKey: EMULATOR_KEY, apiBase: emulator.url, concurrency: 8, ratePerSecond: Infinity }),
      account: { id: "acct_emulator_platform" },
      now: Math.floor(Date.now() / 1000),
      options: { startDate: 0, lookbackDays: 0, sliceDays: 365, adaptive: true },
      log: () => undefined,
      pages: new PageBudget(PAGE_SIZE),
    };
    const consumer = { selection: { def, incremental: false }, checkpoint: () => ({}), done: [] };
    const task = (done: Array<readonly [number, number]>) => ({ kind: "list" as const, def, from: 0, to: ctx.now, done, self: consumer, children: [] });
    const expected = new Set(objectIds(emulator, "charge"));
    const yielded: string[] = [];
    const checkpoints: Array<{ at: number; done: Array<readonly [number, number]> }> = [];
    for await (const item of readList(ctx, task([]))) {
      if (item.kind === "record") yielded.push(String(item.data.id));
      if (item.kind === "checkpoint") {
        const p = item.progress;
        const done = p.through >= 0 ? addSpan(p.spans, [0, p.through]) : p.spans;
        checkpoints.push({ at: yielded.length, done });
      }
    }
    expect(new Set(yielded)).toEqual(expected);
    expect(checkpoints.length, "a checkpoint after every page").toBeGreaterThanOrEqual(40);
    for (const { at, done } of checkpoints.filter((_, i) => i % 7 === 3)) {
      const resumed: string[] = [];
      for await (const item of readList(ctx, task(done))) if (item.kind === "record") resumed.push(String(item.data.id));
      const got = new Set([...yielded.slice(0, at), ...resumed]);
      expect([...expected].filter((id) => !got.has(id))).toEqual([]);
      // Only the boundary second of each piece is read twice.
      expect(at + resumed.length).toBeLessThanOrEqual(expected.size + 100 * 33);
    }
  });
});
