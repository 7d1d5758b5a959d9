import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SETTLE_SECONDS } from "../src/read/modes.js";
import { STREAMS } from "../src/streams/table.js";
import { EMULATOR_KEY, startEmulator, type Emulator } from "./emulator/server.js";
import { readUntilDone, type KillLoopResult } from "./helpers/interrupt.js";
import { oracleIds } from "./helpers/oracle.js";

/**
 * A sync killed again and again still finishes: every attempt resumes from the
 * last STATE per stream (as Airbyte's platform hands it to the next attempt of
 * the same sync, resumable full refresh included), nothing is lost, and little
 * is read twice. Against the emulator at scale 3 with 429s, 500s and resets.
 *
 * CI reads one stream of each way of reading (a list with per-parent children,
 * embedded children, events re-fetched for expansions, created windows, a child
 * listed by query, lists without a created filter) at scale 1, killed at random
 * within 1-4 s. `INTERRUPT_FULL=1` runs the issue's own figures: every stream at
 * scale 3, killed every 10 s and at random within 1-10 s, at the test key's rate
 * (about an hour).
 */
const FULL = process.env.INTERRUPT_FULL === "1";
const SCALE = FULL ? 3 : 1;
const RATE = FULL ? 25 : 300;
const EVERY_MS = FULL ? 10_000 : 3_000;
const RANDOM_MS: [number, number] = FULL ? [1_000, 10_000] : [1_000, 4_000];
const TIMEOUT = FULL ? 3_600_000 : 300_000;

const config = { account_id: "acct_emulator_platform", client_secret: EMULATOR_KEY, call_rate_limit: RATE };
const CI_STREAMS = [
  "customers",
  "payment_methods",
  "customer_balance_transactions",
  "bank_accounts",
  "invoices",
  "invoice_line_items",
  "charges",
  "balance_transactions",
  "payouts",
  "payout_balance_transactions",
  "payment_links",
  "webhook_endpoints",
];
const STREAMS_READ = FULL ? STREAMS : STREAMS.filter((s) => CI_STREAMS.includes(s.name));
const all = (syncMode: "incremental" | "full_refresh") => STREAMS_READ.map((s) => ({ name: s.name, syncMode: s.incremental ? syncMode : ("full_refresh" as const) }));
const random = () => RANDOM_MS[0] + Math.random() * (RANDOM_MS[1] - RANDOM_MS[0]);

describe("a read killed every few seconds still finishes", () => {
  let emulator: Emulator;
  let env: Record<string, string>;
  let clean: Map<string, KillLoopResult>;
  beforeAll(async () => {
    emulator = await startEmulator({
      seed: 71,
      scale: SCALE,
      clockLagSeconds: SETTLE_SECONDS,
      latencyMs: 5,
      latencyJitterMs: 20,
      faults: { p429: 0.1, p500: 0.05, pReset: 0.02 },
    });
    env = { STRIPE_API_BASE: emulator.url };
    clean = new Map();
  }, 60_000);
  afterAll(async () => {
    await emulator?.close();
  });

  /** One uninterrupted read, the yardstick: what must arrive, and how many records it takes. */
  async function uninterrupted(syncMode: "incremental" | "full_refresh"): Promise<KillLoopResult> {
    let result = clean.get(syncMode);
    if (!result) {
      result = await readUntilDone(config, all(syncMode), env, () => TIMEOUT);
      expect(result.attempts).toHaveLength(1);
      clean.set(syncMode, result);
    }
    return result;
  }

  async function expectComplete(result: KillLoopResult, yardstick: KillLoopResult, what: string): Promise<void> {
    for (const def of STREAMS_READ) {
      // Report rows are checked against the emulator's data in reports.test.ts; report runs grow as reports are read.
      if (def.report || def.changedByReads) continue;
      const expected = await oracleIds(emulator, def);
      const got = result.ids.get(def.name)!;
      expect(expected.filter((id) => !got.has(id)), `${what}: ${def.name} lost records`).toEqual([]);
    }
    const ratio = result.emitted / yardstick.emitted;
    console.log(`${what}: ${result.attempts.length} attempts, ${result.emitted} records emitted for ${yardstick.emitted} in one read (${ratio.toFixed(2)}x)`);
    expect(ratio, `${what}: records emitted over all attempts / one read`).toBeLessThanOrEqual(1.5);
  }

  for (const syncMode of ["incremental", "full_refresh"] as const) {
    it(
      `${syncMode}: killed ${FULL ? `every ${EVERY_MS / 1000} s, then ` : ""}at random within ${RANDOM_MS[0] / 1000}-${RANDOM_MS[1] / 1000} s`,
      async () => {
        const yardstick = await uninterrupted(syncMode);
        if (FULL) await expectComplete(await readUntilDone(config, all(syncMode), env, () => EVERY_MS), yardstick, `${syncMode}, every ${EVERY_MS} ms`);
        await expectComplete(await readUntilDone(config, all(syncMode), env, random), yardstick, `${syncMode}, random`);
      },
      TIMEOUT * 3,
    );
  }

  it(
    "incremental after mutations: killed at random, every change arrives",
    async () => {
      const first = await uninterrupted("incremental");
      await new Promise((r) => setTimeout(r, 1100));
      const customers = emulator.listObjects("customer").slice(0, 30) as Array<{ id: string }>;
      for (const [i, c] of customers.entries()) emulator.updateObject(c.id, { description: `changed ${i}` });
      const created = Array.from({ length: 40 }, (_, i) => emulator.createObject("charge", { amount: 100 + i, currency: "usd" }) as { id: string });
      await new Promise((r) => setTimeout(r, 1100));
      const result = await readUntilDone(config, all("incremental"), env, random, first.state);
      expect(customers.filter((c) => !result.ids.get("customers")!.has(c.id))).toEqual([]);
      expect(created.filter((c) => !result.ids.get("charges")!.has(c.id))).toEqual([]);
    },
    TIMEOUT,
  );
});
