import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SETTLE_SECONDS } from "../src/read/modes.js";
import { startEmulator, type Emulator } from "./emulator/server.js";
import { records } from "./helpers/cli.js";
import { lastStates, reader, streamState, type Reader } from "./helpers/incremental.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stripe's events list is eventually consistent: an event may be listable only a
 * moment after its `created` time (Estuary's Stripe capture waits a minute for it:
 * estuary/connectors source-stripe-native/api.py, fetch_incremental, LAG). A read
 * that moved its cursor to "now" would skip such an event for good; ours stops
 * SETTLE_SECONDS short of now, so the next read still finds it.
 */
describe("cursors stop short of now, for events that become listable late", () => {
  let emulator: Emulator;
  let r: Reader;
  beforeAll(async () => {
    // Real time, and every event listable only 5 seconds after it happened.
    emulator = await startEmulator({ seed: 13, scale: 1, eventDelaySeconds: 5 });
    r = reader(emulator);
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it(
    "an update not yet listable at the first read arrives in a later one",
    async () => {
      const state = lastStates((await r.read(["customers"])).messages);
      const target = emulator.listObjects("customer")[0] as Record<string, any>;
      emulator.updateObject(target.id, { description: "listable late" });
      const early = await r.read(["customers"], state);
      expect(records(early, "customers")).toEqual([]);
      const cursor = streamState(lastStates(early.messages, state), "customers")!.updated as number;
      expect(cursor, "the cursor stays short of the unlisted event").toBeLessThan(Math.floor(Date.now() / 1000) - SETTLE_SECONDS + 2);
      await sleep((SETTLE_SECONDS + 3) * 1000);
      const later = await r.read(["customers"], lastStates(early.messages, state));
      expect(records(later, "customers").map((c) => [c.id, c.description])).toEqual([[target.id, "listable late"]]);
    },
    (SETTLE_SECONDS + 60) * 1000,
  );
});
