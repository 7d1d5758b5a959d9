import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_KEY, startEmulator, type Emulator } from "./emulator/server.js";
import { configuredCatalog, records, runCli, writeFiles, type CliResult } from "./helpers/cli.js";
import { PLATFORM } from "./helpers/incremental.js";
import { assertProtocol } from "./helpers/protocol.js";

/**
 * usage_records, Airbyte's stream of legacy usage record summaries: Stripe removed
 * them in API version 2025-03-31.basil, but an older Stripe-Version still reaches
 * them for subscription items on legacy metered prices. Existing Airbyte
 * connections have the stream selected; it must never fail a sync.
 */

const ROUTE = "/v1/subscription_items/{subscription_item}/usage_record_summaries";
const statuses = (result: CliResult, stream: string) =>
  result.messages
    .filter((m) => m.type === "TRACE" && m.trace.type === "STREAM_STATUS" && m.trace.stream_status.stream_descriptor.name === stream)
    .map((m) => m.trace.stream_status.status);
const logs = (result: CliResult) => result.messages.filter((m) => m.type === "LOG").map((m) => m.log as { level: string; message: string });

type Item = { id: string; price: { recurring: { usage_type: string; meter: string | null } | null } };

describe("usage_records", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 4, scale: 1 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const read = async (streams: string[], account = PLATFORM): Promise<CliResult> => {
    const files = writeFiles({
      config: { account_id: account, client_secret: EMULATOR_KEY, call_rate_limit: 2000 },
      catalog: configuredCatalog(streams.map((name) => ({ name }))),
    });
    emulator.resetStats();
    const result = await runCli(["read", "--config", files.config!, "--catalog", files.catalog!], { env: { STRIPE_API_BASE: emulator.url } });
    assertProtocol(result.messages);
    return result;
  };

  const legacyItems = () =>
    (emulator.listObjects("subscription_item") as Item[]).filter((i) => i.price.recurring?.usage_type === "metered" && i.price.recurring.meter === null);

  it("reads the summaries of every item on a legacy metered price, and asks no other item", async () => {
    const result = await read(["usage_records"]);
    expect(result.code).toBe(0);
    expect(statuses(result, "usage_records")).toEqual(["STARTED", "RUNNING", "COMPLETE"]);
    const items = legacyItems();
    expect(items.length).toBeGreaterThan(1);
    expect(emulator.listObjects("subscription_item").length).toBeGreaterThan(items.length);
    // One request per legacy metered item (each has fewer than a page of summaries), none for the others.
    expect(emulator.stats().perRoute[ROUTE]).toBe(items.length);
    const got = records(result, "usage_records");
    const expected = emulator.listObjects("usage_record_summary") as Array<{ id: string; subscription_item: string }>;
    expect(got.map((r) => r.id).sort()).toEqual(expected.map((s) => s.id).sort());
    expect(new Set(got.map((r) => r.subscription_item))).toEqual(new Set(items.map((i) => i.id)));
    for (const record of got) {
      expect(record).toMatchObject({ object: "usage_record_summary", period: { start: expect.any(Number) }, total_usage: expect.any(Number) });
    }
  });

  it("shares the subscription items it reads through with the subscription_items stream", async () => {
    const result = await read(["usage_records", "subscription_items"]);
    expect(result.code).toBe(0);
    expect(records(result, "subscription_items")).toHaveLength(emulator.listObjects("subscription_item").length);
    expect(records(result, "usage_records")).toHaveLength(emulator.listObjects("usage_record_summary").length);
  });

  it("completes empty with a LOG line saying why when Stripe answers that the endpoint is gone", async () => {
    emulator.setKnobs({ usageRecordsGone: true });
    try {
      const result = await read(["usage_records", "customers"]);
      expect(result.code).toBe(0);
      expect(statuses(result, "usage_records")).toEqual(["STARTED", "RUNNING", "COMPLETE"]);
      expect(records(result, "usage_records")).toEqual([]);
      expect(records(result, "customers").length).toBeGreaterThan(0);
      expect(result.messages.filter((m) => m.type === "TRACE" && m.trace.type === "ERROR")).toEqual([]);
      const warning = logs(result).find((l) => l.level === "WARN" && l.message.startsWith("Stream usage_records:"));
      expect(warning?.message).toMatch(/not available .*Unrecognized request URL.*completes with what it read.*2025-03-31\.basil/);
      expect(logs(result).some((l) => /^Stream usage_records read no records\. Stripe removed legacy usage records/.test(l.message))).toBe(true);
      // A gone endpoint is not retried: each legacy item is asked once at most.
      expect(emulator.stats().perRoute[ROUTE]).toBeLessThanOrEqual(legacyItems().length);
    } finally {
      emulator.setKnobs({ usageRecordsGone: false });
    }
  });

  it("completes empty with a LOG line on an account with no legacy metered prices, asking nothing", async () => {
    const result = await read(["usage_records"], "acct_emulator_connected_1");
    expect(result.code).toBe(0);
    expect(statuses(result, "usage_records")).toEqual(["STARTED", "RUNNING", "COMPLETE"]);
    expect(records(result, "usage_records")).toEqual([]);
    expect(emulator.stats().perRoute[ROUTE]).toBeUndefined();
    expect(logs(result).some((l) => l.level === "INFO" && /^Stream usage_records read no records\./.test(l.message))).toBe(true);
  });

  it("is discovered as Airbyte has it: no primary key, no cursor, full refresh only", async () => {
    const files = writeFiles({ config: { account_id: PLATFORM, client_secret: EMULATOR_KEY } });
    const result = await runCli(["discover", "--config", files.config!], { env: { STRIPE_API_BASE: emulator.url } });
    const stream = result.messages[0]!.catalog.streams.find((s: { name: string }) => s.name === "usage_records");
    expect(stream.supported_sync_modes).toEqual(["full_refresh"]);
    expect(stream).not.toHaveProperty("source_defined_primary_key");
    expect(stream).not.toHaveProperty("default_cursor_field");
    expect(Object.keys(stream.json_schema.properties)).toEqual(
      expect.arrayContaining(["id", "invoice", "livemode", "object", "period", "subscription_item", "total_usage"]),
    );
  });

  it("check does not count it against the key when Stripe says it is gone", async () => {
    emulator.setKnobs({ usageRecordsGone: true });
    try {
      const files = writeFiles({ config: { account_id: PLATFORM, client_secret: EMULATOR_KEY } });
      const result = await runCli(["check", "--config", files.config!], { env: { STRIPE_API_BASE: emulator.url } });
      expect(result.messages).toEqual([
        { type: "CONNECTION_STATUS", connectionStatus: { status: "SUCCEEDED", message: expect.stringMatching(/can read all \d+ streams/) } },
      ]);
    } finally {
      emulator.setKnobs({ usageRecordsGone: false });
    }
  });
});
