import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { toMinorUnits } from "../src/read/money.js";
import type { ReadState } from "../src/state/types.js";
import { STREAMS } from "../src/streams/table.js";
import { ANCHOR, EMULATOR_RESTRICTED_KEY, startEmulator, type Emulator } from "./emulator/server.js";
import { PLATFORM, readInProcess, recordsOf, statusesOf, type Recorded } from "./helpers/engine.js";

const DAY = 86_400;
const REPORT_STREAMS = STREAMS.filter((s) => s.report).map((s) => s.name);
type Row = Record<string, any>;

function errorsOf(seen: Recorded[], stream: string): string[] {
  return seen.flatMap((e) => (e.kind === "error" && e.stream === stream ? [e.message] : []));
}

function lastState(seen: Recorded[], stream: string) {
  const states = seen.filter((e) => e.kind === "state" && e.stream === stream);
  const last = states.at(-1);
  return last?.kind === "state" ? last.states.get(PLATFORM) : undefined;
}

/** Sums of itemized rows per (reporting_category, currency), in minor units. */
function sums(rows: Row[]): Map<string, { count: number; gross: number; fee: number; net: number }> {
  const out = new Map<string, { count: number; gross: number; fee: number; net: number }>();
  for (const r of rows) {
    const key = `${r.reporting_category}/${r.currency}`;
    const s = out.get(key) ?? { count: 0, gross: 0, fee: 0, net: 0 };
    s.count++;
    s.gross += r.gross_minor;
    s.fee += r.fee_minor;
    s.net += r.net_minor;
    out.set(key, s);
  }
  return out;
}

function summaryMap(rows: Row[]): Map<string, { count: number; gross: number; fee: number; net: number }> {
  return new Map(rows.map((r) => [`${r.reporting_category}/${r.currency}`, { count: r.count, gross: r.gross_minor, fee: r.fee_minor, net: r.net_minor }]));
}

describe("report streams against the emulator", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 3, scale: 1 });
  });
  afterAll(async () => {
    await emulator?.close();
  });
  afterEach(() => {
    emulator.setKnobs({ reportRunDelayMs: 0, reportRunFail: [], restrictedDenied: ["/v1/issuing/*", "/v1/balance_transactions"] });
  });

  it("reads every report stream in full refresh, one run per window, records typed and keyed", async () => {
    const { seen, failed } = await readInProcess(emulator, { streams: REPORT_STREAMS.map((name) => ({ name })) });
    expect(failed).toBe(0);
    for (const name of REPORT_STREAMS) {
      expect(statusesOf(seen, name), name).toEqual(["STARTED", "RUNNING", "COMPLETE"]);
      expect(lastState(seen, name), name).toEqual({ fullRefreshDone: true });
      const def = STREAMS.find((s) => s.name === name)!;
      const rows = recordsOf(seen, name);
      expect(rows.length, name).toBeGreaterThan(0);
      // The primary key is unique and never null.
      const keys = rows.map((r) => JSON.stringify(def.primaryKey.map(([f]) => r[f!])));
      expect(new Set(keys).size, name).toBe(rows.length);
      for (const r of rows) for (const [f] of def.primaryKey) expect(r[f!], `${name}.${f}`).not.toBeNull();
    }
    const item = recordsOf(seen, "balance_change_from_activity_itemized_3")[0]!;
    expect(item).toMatchObject({ report_type: "balance_change_from_activity.itemized.3", payout: null });
    expect(typeof item.created_utc).toBe("number");
    expect(typeof item.net).toBe("string");
    expect(item.net_minor).toBe(toMinorUnits(item.net, item.currency));
  }, 60_000);

  it("incremental: the cursor is the end of the last interval; the next sync starts there less the lookback", async () => {
    const name = "balance_change_from_activity_itemized_3";
    const first = await readInProcess(emulator, { streams: [{ name, incremental: true }] });
    const end = Math.floor(emulator.clock.now() / DAY) * DAY;
    expect(lastState(first.seen, name)).toEqual({ cursor: end });

    const runs = emulator.reporting.runCount("balance_change_from_activity.itemized.3");
    const state: ReadState = { streams: new Map([[name, { flat: { cursor: end } }]]) };
    const again = await readInProcess(emulator, { streams: [{ name, incremental: true }], state });
    expect(recordsOf(again.seen, name)).toEqual([]);
    expect(emulator.reporting.runCount("balance_change_from_activity.itemized.3")).toBe(runs);
    expect(lastState(again.seen, name)).toEqual({ cursor: end });

    const lookback = await readInProcess(emulator, { streams: [{ name, incremental: true }], state, options: { lookbackDays: 10 } });
    const rows = recordsOf(lookback.seen, name);
    expect(new Set(rows.map((r) => r.interval_start))).toEqual(new Set([end - 10 * DAY]));
    for (const r of rows) expect(r.created_utc).toBeGreaterThanOrEqual(end - 10 * DAY);
    expect(lastState(lookback.seen, name)).toEqual({ cursor: end });
  }, 60_000);

  it("the itemized balance report of a window is exactly that window's balance transactions, amount for amount", async () => {
    const end = Math.floor(emulator.clock.now() / DAY) * DAY;
    const start = end - 90 * DAY;
    const { seen, failed } = await readInProcess(emulator, {
      streams: [{ name: "balance_change_from_activity_itemized_3" }, { name: "balance_transactions" }],
      options: { startDate: start, sliceDays: 90 },
    });
    expect(failed).toBe(0);
    const report = recordsOf(seen, "balance_change_from_activity_itemized_3");
    expect(new Set(report.map((r) => `${r.interval_start}-${r.interval_end}`))).toEqual(new Set([`${start}-${end}`]));
    const txns = recordsOf(seen, "balance_transactions").filter(
      (t) => t.created >= start && t.created < end && t.reporting_category !== "payout" && t.reporting_category !== "payout_reversal",
    );
    expect(txns.length).toBeGreaterThan(5);
    const byId = new Map(report.map((r) => [r.balance_transaction_id, r]));
    expect([...byId.keys()].sort()).toEqual(txns.map((t) => t.id).sort());
    for (const t of txns) {
      const r = byId.get(t.id)!;
      expect([r.gross_minor, r.fee_minor, r.net_minor, r.currency, r.created_utc, r.reporting_category]).toEqual([
        t.amount,
        t.fee,
        t.net,
        t.currency,
        t.created,
        t.reporting_category,
      ]);
    }
  }, 60_000);

  it("summaries are the sums of the itemized rows; the balance summary adds up", async () => {
    const end = Math.floor(emulator.clock.now() / DAY) * DAY;
    const start = end - 400 * DAY;
    const names = [
      "balance_summary_1",
      "balance_change_from_activity_summary_1",
      "balance_change_from_activity_itemized_3",
      "payouts_summary_1",
      "payouts_itemized_3",
      "payout_reconciliation_summary_1",
      "payout_reconciliation_itemized_5",
      "payout_reconciliation_by_id_summary_1",
      "payout_reconciliation_by_id_itemized_4",
      "ending_balance_reconciliation_summary_1",
      "ending_balance_reconciliation_itemized_4",
    ];
    const { seen, failed } = await readInProcess(emulator, { streams: names.map((name) => ({ name })), options: { startDate: start, sliceDays: 400 } });
    expect(failed).toBe(0);
    const rows = (name: string) => recordsOf(seen, name);
    expect(summaryMap(rows("balance_change_from_activity_summary_1"))).toEqual(sums(rows("balance_change_from_activity_itemized_3")));
    expect(summaryMap(rows("payouts_summary_1"))).toEqual(sums(rows("payouts_itemized_3")));
    expect(summaryMap(rows("payout_reconciliation_summary_1"))).toEqual(sums(rows("payout_reconciliation_itemized_5")));
    expect(summaryMap(rows("ending_balance_reconciliation_summary_1"))).toEqual(sums(rows("ending_balance_reconciliation_itemized_4")));
    const payouts = new Set(rows("payout_reconciliation_by_id_itemized_4").map((r) => r.payout));
    expect(payouts.size).toBeGreaterThan(1);
    for (const payout of payouts) {
      const summary = rows("payout_reconciliation_by_id_summary_1").filter((r) => r.payout === payout);
      expect(summaryMap(summary)).toEqual(sums(rows("payout_reconciliation_by_id_itemized_4").filter((r) => r.payout === payout)));
    }
    // By payout, the same transactions as the interval's payout reconciliation.
    expect(rows("payout_reconciliation_by_id_itemized_4").map((r) => r.balance_transaction_id).sort()).toEqual(
      rows("payout_reconciliation_itemized_5").map((r) => r.balance_transaction_id).sort(),
    );
    const balance = rows("balance_summary_1");
    const activity = sums(rows("balance_change_from_activity_itemized_3"));
    const payoutNet = sums(rows("payouts_itemized_3"));
    for (const currency of new Set(balance.map((r) => r.currency))) {
      const line = (category: string) => balance.find((r) => r.currency === currency && r.category === category)!.net_amount_minor as number;
      const net = (m: ReturnType<typeof sums>) => [...m].filter(([k]) => k.endsWith(`/${currency}`)).reduce((n, [, s]) => n + s.net, 0);
      expect(line("activity"), currency).toBe(net(activity));
      expect(line("payouts"), currency).toBe(net(payoutNet));
      expect(line("ending_balance"), currency).toBe(line("starting_balance") + line("activity") + line("payouts"));
    }
  }, 60_000);

  it("minor units follow the currency's exponent: JPY has none, BHD three", async () => {
    const end = Math.floor(emulator.clock.now() / DAY) * DAY;
    const at = end - 2 * DAY;
    const saved = emulator.clock.now();
    emulator.clock.set(at);
    const yen = emulator.createObject("balance_transaction", { amount: 123456, fee: 0, net: 123456, currency: "jpy", reporting_category: "charge", type: "charge" });
    const dinar = emulator.createObject("balance_transaction", { amount: -1250, fee: 5, net: -1255, currency: "bhd", reporting_category: "refund", type: "refund" });
    emulator.clock.set(saved);
    const name = "balance_change_from_activity_itemized_3";
    const { seen } = await readInProcess(emulator, { streams: [{ name }], options: { startDate: end - 7 * DAY, sliceDays: 7 } });
    const rows = new Map(recordsOf(seen, name).map((r) => [r.balance_transaction_id, r]));
    expect(rows.get(yen.id)).toMatchObject({ currency: "jpy", gross: "123456", gross_minor: 123456, net_minor: 123456 });
    expect(rows.get(dinar.id)).toMatchObject({ currency: "bhd", gross: "-1.250", gross_minor: -1250, fee: "0.005", fee_minor: 5, net: "-1.255", net_minor: -1255 });
  }, 60_000);

  it("a failed run fails only its stream, saying which run and why", async () => {
    emulator.setKnobs({ reportRunFail: ["payouts.itemized.3"] });
    const { seen } = await readInProcess(emulator, { streams: [{ name: "payouts_itemized_3" }, { name: "balance_summary_1" }, { name: "value_lists" }] });
    expect(statusesOf(seen, "payouts_itemized_3").at(-1)).toBe("INCOMPLETE");
    expect(errorsOf(seen, "payouts_itemized_3")[0]).toMatch(/^Stream payouts_itemized_3: report run frr_\w+ \(payouts\.itemized\.3, .* to .*\) failed: /);
    expect(statusesOf(seen, "balance_summary_1").at(-1)).toBe("COMPLETE");
    expect(statusesOf(seen, "value_lists").at(-1)).toBe("COMPLETE");
  }, 60_000);

  it("a run still pending after retry_max_seconds fails its stream, clearly", async () => {
    emulator.setKnobs({ reportRunDelayMs: 60_000 });
    const started = Date.now();
    const { seen } = await readInProcess(emulator, {
      streams: [{ name: "payouts_summary_1" }, { name: "value_list_items" }],
      options: { reportWaitSeconds: 1, startDate: ANCHOR - 30 * DAY, sliceDays: 30 },
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(statusesOf(seen, "payouts_summary_1").at(-1)).toBe("INCOMPLETE");
    expect(errorsOf(seen, "payouts_summary_1")[0]).toMatch(/report run frr_\w+ \(payouts\.summary\.1, .*\) was still pending after 1 s \(retry_max_seconds\)/);
    expect(statusesOf(seen, "value_list_items").at(-1)).toBe("COMPLETE");
  }, 30_000);

  it("a restricted key without report-run write fails the report streams, naming the permission", async () => {
    emulator.setKnobs({ restrictedDenied: ["/v1/reporting/report_runs"] });
    const { seen } = await readInProcess(emulator, {
      apiKey: EMULATOR_RESTRICTED_KEY,
      streams: [{ name: "balance_summary_1" }, { name: "value_lists" }],
    });
    expect(statusesOf(seen, "balance_summary_1").at(-1)).toBe("INCOMPLETE");
    expect(errorsOf(seen, "balance_summary_1")[0]).toMatch(
      /Stream balance_summary_1: the API key lacks the permission to write \/v1\/reporting\/report_runs\. Grant it rak_reporting_report_run_write/,
    );
    expect(statusesOf(seen, "value_lists").at(-1)).toBe("COMPLETE");
  }, 30_000);

  it("runs overlap: a dozen reports take about as long as the slowest one alone", async () => {
    const DELAY = 1_500;
    emulator.setKnobs({ reportRunDelayMs: DELAY });
    const options = { startDate: ANCHOR - 30 * DAY, sliceDays: 30 };
    const timed = async (names: string[]) => {
      const started = performance.now();
      const { failed } = await readInProcess(emulator, { streams: names.map((name) => ({ name })), options });
      expect(failed).toBe(0);
      return performance.now() - started;
    };
    const singles = [await timed(["payout_reconciliation_by_id_itemized_4"]), await timed(["balance_change_from_activity_itemized_3"])];
    const slowest = Math.max(...singles);
    const all = await timed([...REPORT_STREAMS, "report_types"]);
    console.log(`report runs pending ${DELAY} ms: single reports ${singles.map((ms) => ms.toFixed(0)).join(" and ")} ms, ${REPORT_STREAMS.length} reports + report_types ${all.toFixed(0)} ms`);
    expect(slowest).toBeGreaterThanOrEqual(DELAY);
    expect(all).toBeLessThan(2 * slowest);
  }, 60_000);
});
