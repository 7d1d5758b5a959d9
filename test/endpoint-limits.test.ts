import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "./emulator/server.js";
import { configuredCatalog, records, runCli, trackSecret, writeFiles } from "./helpers/cli.js";
import { PLATFORM } from "./helpers/incremental.js";
import { assertProtocol } from "./helpers/protocol.js";

const LIVE_KEY = "sk_live_endpoint_limits_4242424242";
trackSecret(LIVE_KEY);

/**
 * Stripe limits a live account to 100 requests a second and each endpoint (each
 * named operation, whatever the ids in its path) to 25 of them:
 * https://docs.stripe.com/rate-limits ("API endpoints have a default limit of 25
 * requests per second"). The emulator enforces both as token buckets, as Stripe's
 * limiter does; one stream alone must not turn that into a storm of 429s.
 */
describe("Stripe's per-endpoint limit", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({
      seed: 3,
      scale: 1,
      latencyMs: 30,
      rateLimit: 100,
      endpointRateLimit: 25,
      keys: { secret: LIVE_KEY },
      bulk: { object: "charge", count: 6_000, yearsBack: 2 },
    });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it("one endpoint read at the account's pace meets its 25/s once, then keeps to it: every record, a handful of 429s", async () => {
    const files = writeFiles({
      config: { account_id: PLATFORM, client_secret: LIVE_KEY },
      catalog: configuredCatalog([{ name: "charges" }, { name: "customers" }, { name: "invoices" }]),
    });
    emulator.resetStats();
    const result = await runCli(["read", "--config", files.config!, "--catalog", files.catalog!], { env: { STRIPE_API_BASE: emulator.url } });
    assertProtocol(result.messages);
    expect(result.code, result.stderr).toBe(0);
    expect(records(result, "charges").length).toBe(emulator.listObjects("charge").length);
    expect(records(result, "customers").length).toBe(emulator.listObjects("customer").length);
    const stats = emulator.stats();
    const charges = stats.perRoute["/v1/charges"] ?? 0;
    expect(charges).toBeGreaterThan(60);
    // Those already on their way when the first 429 came back, and no more: a limiter that
    // slowed the whole account instead would meet the endpoint's limit again and again.
    expect(stats.rateLimited).toBeLessThanOrEqual(40);
  });
});
