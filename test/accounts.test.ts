import { SETTLE_SECONDS } from "../src/read/modes.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONNECTED_ACCOUNTS, startEmulator, type Emulator } from "./emulator/server.js";
import { records } from "./helpers/cli.js";
import { lastStates, PLATFORM, reader, streamState, type Reader } from "./helpers/incremental.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("several connected accounts in one read", () => {
  let emulator: Emulator;
  let r: Reader;
  const [one, two] = CONNECTED_ACCOUNTS as unknown as [string, string];
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 31, scale: 1, clockLagSeconds: SETTLE_SECONDS });
    r = reader(emulator, { connected_accounts: [one, two] });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it("reads every account, records carry account_id, state keeps a cursor per account", async () => {
    const first = await r.read(["customers", "balance_transactions"]);
    expect(first.code, first.stderr).toBe(0);
    for (const account of [PLATFORM, one, two]) {
      const mine = records(first, "customers").filter((c) => c.account_id === account);
      expect(mine.length, account).toBe(emulator.listObjects("customer", account === PLATFORM ? undefined : account).length);
      expect(mine.length, account).toBeGreaterThan(0);
    }
    const state = lastStates(first.messages);
    const customers = streamState(state, "customers")!;
    expect(Object.keys(customers.accounts).sort()).toEqual([PLATFORM, one, two].sort());
    expect(customers.updated).toBe(Math.min(...Object.values(customers.accounts).map((a: any) => a.updated)));

    await sleep(1100);
    const created = emulator.createObject("customer", { email: "only-in-one@example.com" }, { account: one });
    await sleep(1100); // a cursor re-reads its own second (at least once); keep the change out of the next one
    const second = await r.read(["customers", "balance_transactions"], state);
    expect(second.code, second.stderr).toBe(0);
    expect(records(second, "customers").map((c) => [c.account_id, c.id])).toEqual([[one, created.id]]);

    // Accounts resume independently: forget account two's cursor and only it is read again in full.
    const next = lastStates(second.messages, state) as Array<Record<string, any>>;
    const blob = streamState(next, "customers")!;
    delete blob.accounts[two];
    const third = await r.read(["customers"], next);
    const got = records(third, "customers");
    expect(got.filter((c) => c.account_id !== two).map((c) => [c.account_id, c.id])).toEqual([]);
    expect(got.length).toBe(emulator.listObjects("customer", two).length);
    expect(got.every((c) => c.account_id === two)).toBe(true);
  });

  it('"all" finds the connected accounts through /v1/accounts', async () => {
    const all = reader(emulator, { connected_accounts: "all" });
    const result = await all.read(["products"]);
    expect(result.code, result.stderr).toBe(0);
    expect(new Set(records(result, "products").map((p) => p.account_id))).toEqual(new Set([PLATFORM, one, two]));
  });
});

describe("account_id naming a connected account", () => {
  let emulator: Emulator;
  const [one] = CONNECTED_ACCOUNTS as unknown as [string];
  beforeAll(async () => {
    // Latency, so that the first pages are asked for before the key's own account is known.
    emulator = await startEmulator({ seed: 32, scale: 1, clockLagSeconds: SETTLE_SECONDS, latencyMs: 40 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it("reads that account's objects, not the platform's, though reading starts before the account is checked", async () => {
    const result = await reader(emulator).read(["customers", "products", "charges"], undefined, { account_id: one });
    expect(result.code, result.stderr).toBe(0);
    for (const [stream, object] of [
      ["customers", "customer"],
      ["products", "product"],
      ["charges", "charge"],
    ] as const) {
      const expected = emulator.listObjects(object, one).map((o) => o.id).sort();
      expect(expected.length, stream).toBeGreaterThan(0);
      expect(records(result, stream).map((r) => r.id).sort(), stream).toEqual(expected);
    }
  });
});

