import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SETTLE_SECONDS } from "../src/read/modes.js";
import { STREAMS } from "../src/streams/table.js";
import { EMULATOR_KEY, startEmulator, type Emulator } from "./emulator/server.js";
import { trackSecret } from "./helpers/cli.js";
import { FlowSession, reduceCollection } from "./helpers/flow.js";
import { oracleObjects } from "./helpers/oracle.js";

/**
 * Every binding at once, for a long while, against an emulator that keeps
 * changing through its admin API; killed halfway and restarted from its last
 * checkpoint, as a moved shard would be. At the end the collections, reduced from
 * the committed documents as Flow reduces them (last write wins, `d` deletes),
 * equal the emulator's objects. CI runs it for 60 s; FLOW_SOAK_SECONDS=600 for ten minutes.
 */
const SECONDS = Number(process.env.FLOW_SOAK_SECONDS ?? 60);
const config = { account_id: "acct_emulator_platform", client_secret: EMULATOR_KEY, call_rate_limit: 400 };
const bindings = STREAMS.map((def) => ({ resourceConfig: { name: def.name, interval: "PT2S" }, resourcePath: [def.name], stateKey: `${def.name}.v1` }));
const open = (state: unknown) => ({ open: { capture: { name: "acme/stripe", config, bindings }, state } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Changes a user makes in Stripe while the capture runs: creations, updates and deletes of objects without children. */
class Mutator {
  private readonly mine = { customer: [] as string[], product: [] as string[] };
  count = 0;
  constructor(private readonly emulator: Emulator) {}

  step(i: number): void {
    const e = this.emulator;
    const seeded = e.listObjects("customer") as Array<{ id: string }>;
    switch (i % 7) {
      case 0:
        this.mine.customer.push((e.createObject("customer", { email: `soak${i}@example.com` }) as { id: string }).id);
        break;
      case 1:
        e.updateObject(seeded[i % seeded.length]!.id, { description: `soak update ${i}` });
        break;
      case 2: {
        const id = this.mine.customer.shift();
        if (id) e.deleteObject(id);
        break;
      }
      case 3:
        this.mine.product.push((e.createObject("product", { name: `Soak ${i}` }) as { id: string }).id);
        break;
      case 4: {
        const id = this.mine.product[0];
        if (id) e.updateObject(id, { description: `renamed ${i}` });
        break;
      }
      case 5:
        e.createObject("charge", { amount: 100 + i, currency: "usd" });
        break;
      default: {
        const invoices = e.listObjects("invoice") as Array<{ id: string }>;
        e.updateObject(invoices[i % invoices.length]!.id, { description: `amended ${i}` });
      }
    }
    this.count++;
  }
}

describe(`a capture of every binding, ${SECONDS} s of changes, killed and restarted halfway`, () => {
  let emulator: Emulator;
  beforeAll(async () => {
    trackSecret(EMULATOR_KEY);
    emulator = await startEmulator({ seed: 81, scale: 1, clockLagSeconds: SETTLE_SECONDS, latencyMs: 5 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it(
    "the collections reduced from the committed documents equal the emulator's objects",
    async () => {
      const mutator = new Mutator(emulator);
      const first = new FlowSession(emulator, [open({})]);
      const half = Date.now() + (SECONDS * 1000) / 2;
      for (let i = 0; Date.now() < half; i++) {
        mutator.step(i);
        await sleep(400);
      }
      // A shard that moves: killed outright, restarted from what the runtime committed.
      await first.stop("SIGKILL");
      const committedFirst = first.lines.slice(0, first.lines.map((l) => "checkpoint" in l).lastIndexOf(true) + 1);
      const second = new FlowSession(emulator, [open(first.state())]);
      const end = Date.now() + (SECONDS * 1000) / 2;
      for (let i = 10_000; Date.now() < end; i++) {
        mutator.step(i);
        await sleep(400);
      }
      // Let the last changes be polled (two intervals), then stop.
      await sleep(6_000);
      expect(await second.stop()).toBe(143);
      const documents = [...committedFirst, ...second.lines.slice(0, second.lines.map((l) => "checkpoint" in l).lastIndexOf(true) + 1)];
      let total = 0;
      for (const [index, def] of STREAMS.entries()) {
        // Report rows are checked against the emulator's data in reports.test.ts; report runs grow as reports are read.
        if (def.report || def.changedByReads) continue;
        const docs = documents.filter((l) => l.captured?.binding === index).map((l) => l.captured.doc);
        total += docs.length;
        const collection = reduceCollection(docs);
        const expected = await oracleObjects(emulator, def);
        const missing = expected.filter((o) => !collection.has(o.id)).map((o) => o.id);
        expect(missing, `${def.name}: objects missing from the collection`).toEqual([]);
        // The events list keeps 30 days: older events leave it while the capture runs.
        const stale = [...collection.values()].filter((d) => !expected.some((o) => o.id === d.id) && !(def.name === "events" && d.created < Date.now() / 1000 - 30 * 86_400 + SECONDS));
        expect(stale.map((d) => d.id), `${def.name}: documents of objects that are gone`).toEqual([]);
        for (const object of expected.filter((o) => "description" in o)) {
          expect(collection.get(object.id)?.description, `${def.name} ${object.id}`).toEqual(object.description);
        }
      }
      console.log(`soak: ${SECONDS} s, ${mutator.count} changes, ${total} documents captured over two sessions`);
    },
    (SECONDS + 240) * 1000,
  );
});
