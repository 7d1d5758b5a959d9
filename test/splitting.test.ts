import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_KEY, startEmulator, type Emulator } from "./emulator/server.js";
import { configuredCatalog, records, runCli, writeFiles } from "./helpers/cli.js";
import { PLATFORM } from "./helpers/incremental.js";

/**
 * Dense data: thousands of charges within minutes, many in the same second, so
 * pieces split again and again and split points fall between objects that share
 * a timestamp. Every object must still arrive exactly once.
 */
describe("dense windows split without losing or repeating objects", () => {
  let emulator: Emulator;
  let expected: string[];
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 51, scale: 1, latencyMs: 10, bulk: { object: "charge", count: 6000, yearsBack: 0.00002 } });
    expected = [];
    for (let after: string | undefined, more = true; more; ) {
      const qs = new URLSearchParams({ limit: "100", ...(after ? { starting_after: after } : {}) });
      const page = (await (await fetch(`${emulator.url}/v1/charges?${qs}`, { headers: { authorization: `Bearer ${EMULATOR_KEY}` } })).json()) as {
        data: Array<{ id: string }>;
        has_more: boolean;
      };
      expected.push(...page.data.map((c) => c.id));
      more = page.has_more;
      after = page.data.at(-1)?.id;
    }
  });
  afterAll(async () => {
    await emulator?.close();
  });

  for (const adaptive of [true, false]) {
    it(`adaptive_windows=${adaptive}: exactly the emulator's charges`, async () => {
      const files = writeFiles({
        config: { account_id: PLATFORM, client_secret: EMULATOR_KEY, call_rate_limit: 1000, adaptive_windows: adaptive, slice_range: 30 },
        catalog: configuredCatalog([{ name: "charges", syncMode: "incremental" }]),
      });
      emulator.resetStats();
      const result = await runCli(["read", "--config", files.config!, "--catalog", files.catalog!], { env: { STRIPE_API_BASE: emulator.url } });
      expect(result.code, result.stderr).toBe(0);
      const ids = records(result, "charges").map((c) => c.id);
      expect(expected.length).toBeGreaterThan(6000);
      expect(new Set(ids).size, "no object twice").toBe(ids.length);
      expect([...ids].sort()).toEqual([...expected].sort());
      if (adaptive) expect(emulator.stats().maxInFlight, "the dense range was read in parallel").toBeGreaterThan(2);
    });
  }
});

/**
 * A piece is split while its next page is on its way, and that page reaches below
 * the piece's new lower bound: what lies there must come from the new piece only.
 * Recent charges one a second (150, a 500-second gap, 150 more), read with three
 * request slots: the first page splits the range, the top piece keeping both
 * groups; its next page (held back by the emulator) crosses the gap; meanwhile the
 * other, empty, pieces finish and the top piece is split again below its last
 * page, so the held-back page arrives partly outside it.
 */
describe("a piece split while its next page is on its way", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 53, scale: 1, latencyMs: 30 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it("delivers every object exactly once", async () => {
    const top = Math.floor(Date.now() / 1000) - 5;
    const at = (created: number) => {
      emulator.clock.set(created);
      return emulator.createObject("charge", { amount: 100, currency: "usd" });
    };
    const recent = Array.from({ length: 150 }, (_, i) => at(top - i));
    for (let i = 0; i < 150; i++) at(top - 651 - i);
    emulator.clock.set(top + 5);
    const start = top - 3000;
    // The top piece's second page: after the 100th newest charge.
    emulator.setKnobs({ slowRequests: [{ match: `starting_after=${String(recent[99]!.id)}`, ms: 1500 }] });
    const files = writeFiles({
      config: {
        account_id: PLATFORM,
        client_secret: EMULATOR_KEY,
        call_rate_limit: 1000,
        num_workers: 3,
        start_date: new Date(start * 1000).toISOString().replace(/\.\d+Z$/, "Z"),
      },
      catalog: configuredCatalog([{ name: "charges" }]),
    });
    const result = await runCli(["read", "--config", files.config!, "--catalog", files.catalog!], { env: { STRIPE_API_BASE: emulator.url } });
    expect(result.code, result.stderr).toBe(0);
    const ids = records(result, "charges").map((c) => c.id);
    const expected = emulator
      .listObjects("charge")
      .filter((c) => (c.created as number) >= start)
      .map((c) => c.id);
    expect(expected.length).toBeGreaterThanOrEqual(300);
    expect(new Set(ids).size, "no object twice").toBe(ids.length);
    expect([...ids].sort()).toEqual([...expected].sort());
  });
});

