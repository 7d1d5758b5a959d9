import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { STREAM_BY_NAME, STREAMS } from "../src/streams/table.js";

const eventTypes = new Set<string>(
  JSON.parse(readFileSync(resolve(import.meta.dirname, "emulator/data/event-types.json"), "utf8")).types,
);

// Airbyte's source-stripe stream names (its manifest.yaml `streams:`).
const AIRBYTE = [
  "accounts", "application_fees", "application_fees_refunds", "authorizations", "balance_transactions", "bank_accounts",
  "cardholders", "cards", "charges", "checkout_sessions", "checkout_sessions_line_items", "coupons", "credit_notes",
  "customer_balance_transactions", "customers", "disputes", "early_fraud_warnings", "events",
  "external_account_bank_accounts", "external_account_cards", "file_links", "files", "invoice_items",
  "invoice_line_items", "invoice_payments", "invoices", "payment_intents", "payment_methods",
  "payout_balance_transactions", "payouts", "persons", "plans", "prices", "products", "promotion_codes", "refunds",
  "reviews", "setup_attempts", "setup_intents", "shipping_rates", "subscription_items", "subscription_schedule",
  "subscriptions", "top_ups", "transactions", "transfer_reversals", "transfers", "usage_records",
];
const BEYOND_AIRBYTE = ["tax_rates", "webhook_endpoints", "credit_note_line_items", "quotes", "tax_ids", "payment_links", "billing_meters"];
// What Striim's Stripe Reader offers beyond Airbyte's and Estuary's connectors: financial reports and Radar value lists.
const REPORTS = [
  "balance_summary_1", "balance_change_from_activity_summary_1", "balance_change_from_activity_itemized_3",
  "ending_balance_reconciliation_summary_1", "ending_balance_reconciliation_itemized_4", "payouts_summary_1",
  "payouts_itemized_3", "payout_reconciliation_summary_1", "payout_reconciliation_itemized_5",
  "payout_reconciliation_by_id_itemized_4", "payout_reconciliation_by_id_summary_1",
];
const BEYOND_STRIIM = ["report_runs", "report_types", "value_lists", "value_list_items"];

// Cursor fields as Airbyte's connector names them, so its state and catalogs carry over.
const AIRBYTE_CURSORS: Record<string, string> = {
  events: "created", balance_transactions: "created", files: "created", file_links: "created", shipping_rates: "created",
  setup_attempts: "created", transfer_reversals: "created", customer_balance_transactions: "created",
  invoice_line_items: "invoice_updated", subscription_items: "subscription_updated",
  checkout_sessions_line_items: "checkout_session_updated", payout_balance_transactions: "updated",
  customers: "updated", charges: "updated", invoices: "updated", subscriptions: "updated", bank_accounts: "updated",
};

describe("stream table", () => {
  it("has every Airbyte stream and the extra ones, each once", () => {
    const names = STREAMS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...AIRBYTE, ...BEYOND_AIRBYTE, ...REPORTS, ...BEYOND_STRIIM].sort());
  });

  it("uses Airbyte's cursor fields and primary keys", () => {
    for (const [name, cursor] of Object.entries(AIRBYTE_CURSORS)) expect(STREAM_BY_NAME.get(name)?.cursorField, name).toBe(cursor);
    // usage_records has no primary key and no cursor in Airbyte's manifest.yaml; the others but the reports are keyed by id.
    for (const s of STREAMS) if (!s.report) expect(s.primaryKey, s.name).toEqual(s.name === "usage_records" ? [] : [["id"]]);
    expect(STREAM_BY_NAME.get("usage_records")).toMatchObject({ incremental: null });
    expect(STREAM_BY_NAME.get("usage_records")!.cursorField).toBeUndefined();
  });

  it("keys report rows by their natural id, else by run, category and currency; cursor interval_end", () => {
    const key = (name: string) => STREAM_BY_NAME.get(name)!.primaryKey.map(([f]) => f);
    expect(key("balance_change_from_activity_itemized_3")).toEqual(["balance_transaction_id"]);
    expect(key("payouts_itemized_3")).toEqual(["balance_transaction_id"]);
    expect(key("ending_balance_reconciliation_itemized_4")).toEqual(["interval_end", "balance_transaction_id"]);
    expect(key("payout_reconciliation_by_id_itemized_4")).toEqual(["payout", "balance_transaction_id"]);
    expect(key("balance_summary_1")).toEqual(["interval_start", "interval_end", "category", "currency"]);
    expect(key("payouts_summary_1")).toEqual(["interval_start", "interval_end", "reporting_category", "currency"]);
    expect(key("ending_balance_reconciliation_summary_1")).toEqual(["interval_end", "reporting_category", "currency"]);
    expect(key("payout_reconciliation_by_id_summary_1")).toEqual(["payout", "reporting_category", "currency"]);
    for (const name of REPORTS) {
      const def = STREAM_BY_NAME.get(name)!;
      expect([def.cursorField, def.incremental, def.report?.type.replace(/\./g, "_")]).toEqual(["interval_end", "report", name]);
    }
  });

  it("names only event types that exist in stripe@23", () => {
    for (const s of STREAMS) for (const type of s.eventTypes) expect(eventTypes.has(type), `${s.name}: ${type}`).toBe(true);
  });

  it("links children to parents that exist, at most two levels under a top-level list, with a way to pass the parent id", () => {
    for (const s of STREAMS) {
      if (!s.parent) continue;
      const parent = STREAM_BY_NAME.get(s.parent.stream);
      expect(parent, s.name).toBeDefined();
      if (parent!.parent) {
        expect(STREAM_BY_NAME.get(parent!.parent.stream)!.parent, `${s.name}: its grandparent must be top-level`).toBeUndefined();
        // Changes reach a stream through its own or its parent's events; a grandchild's are not followed.
        expect(s.incremental, `${s.name}: a grandchild is read in full`).toBeNull();
        expect(s.parent.expandEmbedded, `${s.name}: only a top-level list request can expand`).toBeUndefined();
      }
      const viaPath = s.parent.pathParam !== undefined && s.path.includes(`{${s.parent.pathParam}}`);
      expect(viaPath || s.parent.queryParam !== undefined, s.name).toBe(true);
    }
  });

  it("gives an endpoint Stripe removed its API version, its fields, and what to say when it is gone", () => {
    for (const s of STREAMS) {
      if (s.removedTypeFields) expect(Object.keys(s.removedTypeFields), s.name).toContain("id");
      if (s.apiVersion) expect(s.apiVersion, s.name).toMatch(/^\d{4}-\d{2}-\d{2}\.[a-z]+$/);
    }
    const usage = STREAM_BY_NAME.get("usage_records")!;
    // 2025-03-31.basil removed usage records; the last version before it still has them.
    expect(usage.apiVersion! < "2025-03-31").toBe(true);
    expect(usage.whenUnavailable).toMatch(/2025-03-31\.basil/);
  });

  it("gives incremental streams a cursor and full-refresh-only streams none needed", () => {
    for (const s of STREAMS) {
      if (s.incremental) expect(s.cursorField, s.name).toBeTruthy();
      if (s.incremental === "events") expect(s.eventTypes.length, s.name).toBeGreaterThan(0);
    }
  });
});

describe("integration_tests/configured_catalog.json", () => {
  it("selects every stream of the table and is a valid configured catalog", async () => {
    const { isConfiguredCatalog } = await import("./helpers/protocol.js");
    const catalog = JSON.parse(readFileSync(resolve(import.meta.dirname, "../integration_tests/configured_catalog.json"), "utf8"));
    expect(isConfiguredCatalog(catalog)).toBe(true);
    expect(catalog.streams.map((s: { stream: { name: string } }) => s.stream.name).sort()).toEqual(STREAMS.map((s) => s.name).sort());
  });
});
