import { Readable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ReadContext } from "../src/read/context.js";
import { currencyExponent, fromMinorUnits, toMinorUnits } from "../src/read/money.js";
import { ReportDataError, reportRows, typedRow } from "../src/read/report-rows.js";
import type { StripeClient } from "../src/stripe/client.js";
import { REPORTS } from "../src/streams/reports.js";

const spec = (type: string) => REPORTS.find((r) => r.type === type)!;
const RUN = { report_type: "x", interval_start: 100, interval_end: 200, payout: null };

describe("minor units from the reports' major-unit decimals", () => {
  it("follow each currency's exponent: two by default, none for JPY and the like, three for BHD and the like", () => {
    expect(["usd", "EUR", "isk", "huf"].map(currencyExponent)).toEqual([2, 2, 2, 2]);
    expect(["jpy", "krw", "clp", "xof", "ugx"].map(currencyExponent)).toEqual([0, 0, 0, 0, 0]);
    expect(["bhd", "jod", "kwd", "omr", "tnd"].map(currencyExponent)).toEqual([3, 3, 3, 3, 3]);
    expect(toMinorUnits("10.00", "usd")).toBe(1000);
    expect(toMinorUnits("-0.05", "usd")).toBe(-5);
    expect(toMinorUnits("1000", "jpy")).toBe(1000);
    expect(toMinorUnits("1000.0", "jpy")).toBe(1000);
    expect(toMinorUnits("1.250", "bhd")).toBe(1250);
    expect(toMinorUnits("1.25", "bhd")).toBe(1250);
    expect(toMinorUnits("7", "usd")).toBe(700);
    expect(toMinorUnits("-0.00", "usd")).toBe(0);
  });

  it("are null rather than wrong: digits below the minor unit, or no number at all", () => {
    expect(toMinorUnits("0.005991", "usd")).toBeNull();
    expect(toMinorUnits("10.5", "jpy")).toBeNull();
    expect(toMinorUnits("1,00", "usd")).toBeNull();
    expect(toMinorUnits("", "usd")).toBeNull();
    expect(toMinorUnits(".", "usd")).toBeNull();
  });

  it("round-trip with the CSV's own formatting for any amount and currency", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.constantFrom("usd", "jpy", "bhd", "eur", "krw", "kwd"), (amount, currency) => {
        expect(toMinorUnits(fromMinorUnits(amount, currency), currency)).toBe(amount);
      }),
    );
  });
});

describe("report rows", () => {
  it("type each cell by its column's kind and add the run's fields", () => {
    const row = typedRow(
      spec("balance_change_from_activity.itemized.3"),
      { balance_transaction_id: "txn_1", created_utc: "2026-01-31 12:00:01", currency: "jpy", gross: "1500", fee: "45", net: "1455", customer_facing_amount: "9.99", customer_facing_currency: "usd", is_link: "true", description: "" },
      RUN,
    );
    expect(row).toMatchObject({
      balance_transaction_id: "txn_1",
      created_utc: Date.UTC(2026, 0, 31, 12, 0, 1) / 1000,
      gross: "1500",
      gross_minor: 1500,
      net_minor: 1455,
      customer_facing_amount: "9.99",
      customer_facing_amount_minor: 999,
      is_link: true,
      description: null,
      charge_id: null,
      ...RUN,
    });
  });

  it("reads dates and counts", () => {
    expect(typedRow(spec("payouts.itemized.3"), { payout_expected_arrival_date: "2026-02-03", currency: "usd", net: "-12.00" }, RUN)).toMatchObject({
      payout_expected_arrival_date: Date.UTC(2026, 1, 3) / 1000,
      net_minor: -1200,
    });
    expect(typedRow(spec("payouts.summary.1"), { count: "12", currency: "usd", gross: "1.00" }, RUN)).toMatchObject({ count: 12, gross_minor: 100 });
  });

  it("refuse a cell that is not what its column holds, naming the report, line and column", () => {
    expect(() => typedRow(spec("payouts.summary.1"), { count: "twelve" }, RUN, 7)).toThrow(ReportDataError);
    expect(() => typedRow(spec("payouts.summary.1"), { count: "twelve" }, RUN, 7)).toThrow(/report payouts\.summary\.1, line 7, column count: expected an integer/);
    expect(() => typedRow(spec("payouts.summary.1"), { gross: "1,00" }, RUN)).toThrow(/column gross: expected a decimal amount/);
    expect(() => typedRow(spec("balance.summary.1"), { net_amount: "12.00", currency: "usd", category: "activity" }, RUN)).not.toThrow();
  });

  it("parse a downloaded file with a BOM, CRLF, quoted fields with commas and quotes, and empty cells", async () => {
    const csv = '\ufeff"reporting_category","currency","count","gross","fee","net"\r\n"charge","usd",2,"10.00","0.59","9.41"\r\n"other ""adjustment"", manual","eur",1,"-1.00",,"-1.00"\r\n';
    const client = { download: async () => Readable.from([Buffer.from(csv.slice(0, 37)), Buffer.from(csv.slice(37))]) } as unknown as StripeClient;
    const ctx = { client, account: { id: "acct_1" } } as unknown as ReadContext;
    const rows: Array<Record<string, unknown>> = [];
    for await (const row of reportRows(ctx, spec("payouts.summary.1"), "file_1", RUN)) rows.push(row);
    expect(rows).toEqual([
      { reporting_category: "charge", currency: "usd", count: 2, gross: "10.00", gross_minor: 1000, fee: "0.59", fee_minor: 59, net: "9.41", net_minor: 941, ...RUN },
      { reporting_category: 'other "adjustment", manual', currency: "eur", count: 1, gross: "-1.00", gross_minor: -100, fee: null, fee_minor: null, net: "-1.00", net_minor: -100, ...RUN },
    ]);
  });
});
