import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SETTLE_SECONDS } from "../src/read/modes.js";
import { StripeClient } from "../src/stripe/client.js";
import type { Query } from "../src/stripe/query.js";
import { EMULATOR_KEY, startEmulator, type Emulator } from "./emulator/server.js";
import { configuredCatalog, records, runCli, writeFiles, type CliResult } from "./helpers/cli.js";
import { readInProcess, recordsOf } from "./helpers/engine.js";
import { PLATFORM } from "./helpers/incremental.js";
import { assertProtocol } from "./helpers/protocol.js";

/** What a read does with the configured catalog it is handed: the streams it names, and their fields. */

const statuses = (result: CliResult, stream: string) =>
  result.messages
    .filter((m) => m.type === "TRACE" && m.trace.type === "STREAM_STATUS" && m.trace.stream_status.stream_descriptor.name === stream)
    .map((m) => m.trace.stream_status.status);
const errors = (result: CliResult) => result.messages.filter((m) => m.type === "TRACE" && m.trace.type === "ERROR").map((m) => m.trace.error);

/** A read of `catalog` from `emulator`, its output checked against the protocol. */
async function readFrom(emulator: Emulator, catalog: unknown): Promise<CliResult> {
  const files = writeFiles({ config: { account_id: PLATFORM, client_secret: EMULATOR_KEY, call_rate_limit: 2000 }, catalog });
  const result = await runCli(["read", "--config", files.config!, "--catalog", files.catalog!], { env: { STRIPE_API_BASE: emulator.url } });
  assertProtocol(result.messages);
  return result;
}

describe("the configured catalog", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 2, scale: 1 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const read = (catalog: unknown) => readFrom(emulator, catalog);

  // Airbyte's CDK reports a configured stream the source lacks and reads the others
  // (airbyte-python-cdk airbyte_cdk/sources/abstract_source.py `read`, with
  // raise_exception_on_missing_stream: a config_error TRACE, INCOMPLETE, and a failed
  // sync at the end); a catalog is never rejected whole for it.
  it("reads the streams it has and reports one it lacks: a TRACE naming it, INCOMPLETE, exit 1", async () => {
    const result = await read(configuredCatalog([{ name: "customers" }, { name: "no_such_stream" }, { name: "coupons" }]));
    expect(result.code).toBe(1);
    for (const [stream, object] of [["customers", "customer"], ["coupons", "coupon"]] as const) {
      expect(statuses(result, stream), stream).toEqual(["STARTED", "RUNNING", "COMPLETE"]);
      expect(records(result, stream)).toHaveLength(emulator.listObjects(object).length);
    }
    expect(statuses(result, "no_such_stream")).toEqual(["INCOMPLETE"]);
    const [missing, summary, ...rest] = errors(result);
    expect(rest).toEqual([]);
    expect(missing).toMatchObject({ failure_type: "config_error", stream_descriptor: { name: "no_such_stream" } });
    expect(missing.message).toMatch(/Stream no_such_stream is in the connection's catalog but this connector has no such stream/);
    expect(summary).toMatchObject({ failure_type: "config_error", message: "1 stream(s) could not be read completely: no_such_stream." });
  });

  it("reads Airbyte's own configured catalog, usage_records included, with exit 0", async () => {
    // The 46 streams of Airbyte's integration_tests/configured_catalog.json (airbytehq/airbyte,
    // airbyte-integrations/connectors/source-stripe/, commit 0212a37d): full refresh, json_schema {},
    // usage_records without a primary key.
    const names = [
      "accounts", "application_fees", "application_fees_refunds", "authorizations", "balance_transactions", "bank_accounts",
      "cardholders", "cards", "charges", "checkout_sessions", "checkout_sessions_line_items", "coupons", "credit_notes",
      "customer_balance_transactions", "customers", "disputes", "early_fraud_warnings", "events", "external_account_bank_accounts",
      "external_account_cards", "file_links", "files", "invoice_items", "invoice_line_items", "invoices", "payment_intents",
      "payment_methods", "payouts", "persons", "plans", "prices", "products", "promotion_codes", "refunds", "reviews",
      "setup_attempts", "setup_intents", "shipping_rates", "subscription_items", "subscriptions", "subscription_schedule",
      "top_ups", "transactions", "transfer_reversals", "transfers", "usage_records",
    ];
    const catalog = {
      streams: names.map((name) => ({
        stream: { name, json_schema: {}, supported_sync_modes: ["full_refresh"], ...(name === "usage_records" ? {} : { source_defined_primary_key: [["id"]] }) },
        ...(name === "usage_records" ? {} : { primary_key: [["id"]] }),
        sync_mode: "full_refresh",
        destination_sync_mode: "overwrite",
      })),
    };
    const result = await read(catalog);
    expect(result.code, result.stderr).toBe(0);
    for (const name of names) expect(statuses(result, name).at(-1), name).toBe("COMPLETE");
    expect(records(result, "usage_records").length).toBeGreaterThan(0);
    expect(errors(result)).toEqual([]);
  });
});

/** A configured catalog whose streams list only some properties, as Airbyte sends it after column selection. */
function selecting(streams: Record<string, string[]>): unknown {
  return {
    streams: Object.entries(streams).map(([name, fields]) => ({
      stream: {
        name,
        json_schema: { type: "object", properties: Object.fromEntries(fields.map((f) => [f, { type: ["null", "string"] }])) },
        supported_sync_modes: ["full_refresh", "incremental"],
      },
      sync_mode: "full_refresh",
      destination_sync_mode: "overwrite",
    })),
  };
}

/** A client for the emulator that notes every request it sends. */
function watchedClient(emulator: Emulator): { client: StripeClient; sent: Array<{ path: string; query: Query }> } {
  const sent: Array<{ path: string; query: Query }> = [];
  const client = new StripeClient({ apiKey: EMULATOR_KEY, apiBase: emulator.url, concurrency: 16, ratePerSecond: Infinity, maxAttempts: 2 });
  const get = client.get.bind(client);
  client.get = (path, query = {}, options = {}) => {
    sent.push({ path, query });
    return get(path, query, options);
  };
  return { client, sent };
}

describe("field selection", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 2, scale: 1, clockLagSeconds: SETTLE_SECONDS });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const read = (catalog: unknown) => readFrom(emulator, catalog);

  it("a charges schema listing id, amount, created and updated gives records with exactly those fields", async () => {
    const result = await read(selecting({ charges: ["id", "amount", "created", "updated"] }));
    expect(result.code).toBe(0);
    const charges = records(result, "charges");
    expect(charges).toHaveLength(emulator.listObjects("charge").length);
    for (const charge of charges) expect(Object.keys(charge).sort()).toEqual(["amount", "created", "id", "updated"]);
  });

  it("always keeps the primary key and the cursor; json_schema {} or without properties keeps every field", async () => {
    const catalog = selecting({ customers: ["email"], invoice_line_items: ["amount"] }) as { streams: Array<Record<string, any>> };
    catalog.streams.push(...(configuredCatalog([{ name: "coupons" }]) as { streams: unknown[] }).streams);
    catalog.streams.push({ ...catalog.streams[2], stream: { name: "products", json_schema: { type: "object" } } });
    const result = await read(catalog);
    expect(result.code).toBe(0);
    for (const customer of records(result, "customers")) expect(Object.keys(customer).sort()).toEqual(["email", "id", "updated"]);
    const lines = records(result, "invoice_line_items");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(Object.keys(line).sort()).toEqual(["amount", "id", "invoice_updated"]);
    expect(Object.keys(records(result, "coupons")[0]!).length).toBeGreaterThan(10);
    expect(Object.keys(records(result, "products")[0]!).length).toBeGreaterThan(10);
  });

  it("asks Stripe for an expansion only when its field is selected", async () => {
    const run = async (fields?: string[]) => {
      const { client, sent } = watchedClient(emulator);
      const { seen, failed } = await readInProcess(emulator, { streams: [{ name: "charges", ...(fields ? { fields } : {}) }], client });
      expect(failed).toBe(0);
      return { charges: recordsOf(seen, "charges"), expands: sent.filter((r) => r.path === "/v1/charges").map((r) => r.query.expand) };
    };
    const all = await run();
    expect(all.expands.every((e) => JSON.stringify(e) === JSON.stringify(["data.refunds"]))).toBe(true);
    expect(typeof all.charges[0]!.refunds).toBe("object");
    const some = await run(["amount", "customer"]);
    expect(some.expands.length).toBeGreaterThan(0);
    expect(some.expands.every((e) => e === undefined)).toBe(true);
    expect(some.charges.length).toBe(all.charges.length);
    expect(Object.keys(some.charges[0]!).sort()).toEqual(["amount", "customer", "id", "updated"]);
  });

  it("re-fetches a changed object for its expansions only when their field is selected", async () => {
    const now = Math.floor(Date.now() / 1000);
    const state = { streams: new Map([["charges", { flat: { cursor: now - 3600 } }]]) };
    const customer = (emulator.listObjects("customer")[0] as { id: string }).id;
    const charge = emulator.createObject("charge", { amount: 4200, currency: "usd", customer }) as { id: string };
    await new Promise((r) => setTimeout(r, 1100));
    const refetches = async (fields?: string[]) => {
      const { client, sent } = watchedClient(emulator);
      const { seen } = await readInProcess(emulator, { streams: [{ name: "charges", incremental: true, ...(fields ? { fields } : {}) }], state, client });
      expect(recordsOf(seen, "charges").map((c) => c.id)).toContain(charge.id);
      return sent.filter((r) => r.path.startsWith("/v1/charges/")).length;
    };
    expect(await refetches()).toBeGreaterThan(0);
    expect(await refetches(["refunds"])).toBeGreaterThan(0);
    expect(await refetches(["amount"])).toBe(0);
  });
});
