import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SETTLE_SECONDS } from "../src/read/modes.js";
import { STREAMS } from "../src/streams/table.js";
import { EMULATOR_KEY, startEmulator, type Emulator } from "./emulator/server.js";
import { CLI, runCli, trackSecret } from "./helpers/cli.js";
import { assertFlowResponse, FlowSession, reduceCollection } from "./helpers/flow.js";
import { PLATFORM } from "./helpers/incremental.js";

const config = { account_id: PLATFORM, client_secret: EMULATOR_KEY, call_rate_limit: 2000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The internal spec request the runtime opens every connector session with (estuary/flow crates/connector/src/capture.rs, spec_request). */
const INTERNAL_SPEC = { spec: { connectorType: "IMAGE", config: {} } };

/** Sends requests on one stdin, then EOF, as the runtime does for unary requests; checks every stdout line. */
async function session(requests: unknown[], env: Record<string, string> = {}) {
  trackSecret(EMULATOR_KEY);
  const result = await runCli([], { stdin: requests.map((r) => JSON.stringify(r) + "\n").join(""), env });
  result.messages.forEach(assertFlowResponse);
  return result;
}

describe("Flow mode: a session of requests, as Estuary's runtime sends them", () => {
  // estuary/flow crates/connector/src/protocol.rs `start`: every session opens with an internal
  // Spec request, then the real request follows on the same stdin of the same process; for unary
  // requests the runtime then closes stdin (crates/runtime/src/capture/serve.rs, serve_unary).
  it("[spec, discover], [spec, validate], [spec, apply]: both answers in order, exit 0 at EOF", async () => {
    const bindings = [{ resourceConfig: { name: "invoices" } }, { resourceConfig: { name: "customers", interval: "PT1M" } }];
    const cases: Array<[unknown, string]> = [
      [{ discover: { connectorType: "IMAGE", config } }, "discovered"],
      [{ validate: { name: "acme/stripe", connectorType: "IMAGE", config, bindings } }, "validated"],
      [{ apply: { capture: { name: "acme/stripe", config, bindings } } }, "applied"],
    ];
    for (const [request, answer] of cases) {
      const result = await session([INTERNAL_SPEC, request]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.messages.map((m) => Object.keys(m)[0])).toEqual(["spec", answer]);
    }
  });

  it("one request per process still works, and a spec request may come with no fields at all", async () => {
    const result = await session([{ spec: {} }]);
    expect(result.code).toBe(0);
    const spec = result.messages[0]!.spec;
    expect(spec.protocol).toBe(3032023);
    expect(spec.resourcePathPointers).toEqual(["/name"]);
    expect(spec.configSchema.properties.client_secret.airbyte_secret).toBe(true);
    expect(spec.resourceConfigSchema.properties.name.enum).toContain("customers");
    expect(spec.resourceConfigSchema.additionalProperties).toBe(false);
  });

  it("older runtimes' --log.level flag still means Flow mode; LOG_LEVEL sets the level", async () => {
    const result = await runCli(["--log.level=debug"], { stdin: '{"spec":{}}\n' });
    expect(result.code).toBe(0);
    expect(result.messages[0]!.spec.protocol).toBe(3032023);
    const quiet = await session([{ validate: { config: { ...config, start_date: "soon" } } }], { LOG_LEVEL: "WARN" });
    expect(quiet.code).toBe(1);
    expect(quiet.stderr.trim().split("\n").at(-1)).toContain("start_date");
  });

  it("discover: one binding per stream keyed by /id whatever the accounts, with Estuary's document conventions", async () => {
    const result = await session([INTERNAL_SPEC, { discover: { connectorType: "IMAGE", config } }]);
    const bindings = result.messages[1]!.discovered.bindings;
    expect(bindings).toHaveLength(STREAMS.length);
    const customers = bindings.find((b: any) => b.recommendedName === "customers");
    expect(customers.resourceConfig).toEqual({ name: "customers", interval: "PT5M", schedule: "" });
    expect(customers.key).toEqual(["/id"]);
    const schema = customers.documentSchema;
    expect(schema.required).toEqual(["id"]);
    expect(schema["x-infer-schema"]).toBe(true);
    expect(schema.reduce, "last write wins: no top-level reduce").toBeUndefined();
    // The delete condition exactly as estuary-cdk writes it (estuary_cdk/capture/common.py, discovered).
    expect(schema.if).toEqual({ required: ["_meta"], properties: { _meta: { required: ["op"], properties: { op: { const: "d" } } } } });
    expect(schema.then).toEqual({ reduce: { strategy: "merge", delete: true } });
    expect(schema.properties.account_id.type).toBe("string");
    const webhooks = bindings.find((b: any) => b.recommendedName === "webhook_endpoints");
    expect(webhooks.resourceConfig.schedule, "full-refresh-only streams are re-read daily").toBe("0 0 * * *");
    const multi = await session([{ discover: { config: { ...config, connected_accounts: "all" } } }]);
    // Keys follow the stream's primary key (/id for all but the report streams) and never name the account.
    for (const b of multi.messages[0]!.discovered.bindings) expect(b.key, b.recommendedName).toEqual(bindings.find((x: any) => x.recommendedName === b.recommendedName).key);
    // Report streams are keyed by their rows' natural keys; usage_records, which has no primary key, by its subscription item.
    for (const b of bindings.filter((b: any) => b.key.join() !== "/id")) {
      const def = STREAMS.find((s) => s.name === b.recommendedName)!;
      expect(def.report !== undefined || def.primaryKey.length === 0, b.recommendedName).toBe(true);
    }
  });

  it("validate answers per binding in order, and rejects a bad config, an unknown resource or resource field, a bad schedule", async () => {
    const bindings = [{ resourceConfig: { name: "invoices" } }, { resourceConfig: { name: "customers", interval: "PT1M", schedule: "30 2 * * 1" } }];
    const ok = await session([{ validate: { name: "acme/stripe", config, bindings } }]);
    expect(ok.code).toBe(0);
    expect(ok.messages[0]).toEqual({ validated: { bindings: [{ resourcePath: ["invoices"] }, { resourcePath: ["customers"] }] } });
    const failures: Array<[unknown, string]> = [
      [{ resourceConfig: { name: "usage_records_v0" } }, '"usage_records_v0" is not a stream'],
      [{ resourceConfig: { name: "customers", intervall: "PT1M" } }, 'unknown field "intervall"'],
      [{ resourceConfig: { name: "customers", schedule: "every day" } }, "not a five-field cron expression"],
    ];
    for (const [binding, message] of failures) {
      const bad = await session([{ validate: { config, bindings: [binding] } }]);
      expect(bad.code).toBe(1);
      expect(bad.messages).toEqual([]);
      expect(JSON.parse(bad.stderr.trim().split("\n").at(-1)!)).toMatchObject({ level: "error", msg: expect.stringContaining(message) });
    }
    const badConfig = await session([{ validate: { config: { ...config, start_date: "soon" }, bindings } }]);
    expect(badConfig.code).toBe(1);
    expect(badConfig.stderr.trim().split("\n").at(-1)).toContain("start_date");
  });

  it("a person at a terminal gets the usage text, not a wait for JSON", async () => {
    // `script` gives the process a terminal as stdin, as `docker run -it image` would.
    const result = await new Promise<{ code: number | null; out: string }>((done) => {
      const child = spawn("script", ["-qec", `${process.execPath} ${CLI}`, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      child.on("close", (code) => {
        clearTimeout(timer);
        done({ code, out });
      });
    });
    expect(result.out).toContain("Usage: source-stripe");
    expect(result.code).toBe(2);
  });
});

describe("Flow mode: a continuous capture against the emulator", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 41, scale: 1, clockLagSeconds: SETTLE_SECONDS });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const open = (state: unknown = {}, bindings = [
    { resourceConfig: { name: "customers", interval: "PT1S" }, resourcePath: ["customers"], stateKey: "customers" },
    { resourceConfig: { name: "invoice_line_items", interval: "PT1S" }, resourcePath: ["invoice_line_items"], stateKey: "invoice_line_items.v1" },
    { resourceConfig: { name: "webhook_endpoints", interval: "PT1S" }, resourcePath: ["webhook_endpoints"], stateKey: "webhook_endpoints" },
  ]) => ({ open: { capture: { name: "acme/stripe", config, bindings }, state } });

  it("[spec, open]: the spec answer, then opened, then documents and checkpoints while stdin stays open; EOF stops it", async () => {
    const capture = new FlowSession(emulator, [INTERNAL_SPEC, open()]);
    await capture.until("documents", () => capture.committed(0).length > 0);
    expect(Object.keys(capture.lines[0]!)).toEqual(["spec"]);
    expect(capture.lines[1]).toEqual({ opened: {} });
    expect(capture.committed(0, "customers").every((d) => d.account_id === PLATFORM)).toBe(true);
    capture.endInput();
    expect(await capture.exited).toBe(0);
  });

  it("backfills, then picks up creates, updates and deletes while it runs; a restart resumes without loss", async () => {
    const customers = emulator.listObjects("customer") as Array<Record<string, any>>;
    const first = new FlowSession(emulator, [open()]);
    await first.until("the customers backfill", () => new Set(first.committed(0).map((d) => d.id)).size >= customers.length);
    await first.until("the webhook endpoints", () => first.committed(2).length >= emulator.listObjects("webhook_endpoint").length);
    expect(first.committed(0, "customers").every((d) => d._meta.op === "c")).toBe(true);
    await first.until("the invoice lines backfill", () => first.committed(1).length >= emulator.listObjects("line_item").length);
    expect(first.committed(1, "invoice_line_items").length).toBe(emulator.listObjects("line_item").length);

    const created = emulator.createObject("customer", { email: "flow-new@example.com" });
    emulator.updateObject(customers[0]!.id, { email: "flow-changed@example.com" });
    emulator.deleteObject(customers[1]!.id);
    await first.until("the changes", () => {
      const docs = first.committed(0);
      return (
        docs.some((d) => d.id === created.id && d._meta.op === "c") &&
        docs.some((d) => d.id === customers[0]!.id && d._meta.op === "u" && d.email === "flow-changed@example.com") &&
        docs.some((d) => d.id === customers[1]!.id && d._meta.op === "d")
      );
    });
    const state = first.state() as any;
    expect(await first.stop()).toBe(143);
    expect(state.bindingStateV1.customers.updated).toEqual(expect.any(Number));
    expect(state.bindingStateV1.customers.backfill_created).toBeUndefined();
    expect(first.stderr).not.toContain(EMULATOR_KEY);
    for (const line of first.stderr.trim().split("\n")) expect(JSON.parse(line)).toMatchObject({ level: expect.any(String), msg: expect.any(String) });

    // Restart with the merged state: no second backfill, and a change made while down arrives.
    await sleep(1100);
    const whileDown = emulator.createObject("customer", { email: "while-down@example.com" });
    const second = new FlowSession(emulator, [open(state)]);
    await second.until("the change made while down", () => second.committed(0).some((d) => d.id === whileDown.id));
    await sleep(1500);
    const ids = new Set(second.committed(0).map((d) => d.id));
    // At most the change made while down plus the three before it, which a poll may replay.
    expect(ids.size, "only changes, no re-backfill").toBeLessThanOrEqual(4);
    expect(second.committed(1).length, "unchanged invoices' lines are not captured again").toBe(0);
    expect(second.committed(2).length, "a full-refresh stream is read again only on its schedule").toBe(0);
    await second.stop();
  });

  it("a burst of changes within one poll reduces, last write wins, to the objects' final state", async () => {
    const capture = new FlowSession(emulator, [open({}, [{ resourceConfig: { name: "customers", interval: "PT3S" }, resourcePath: ["customers"], stateKey: "customers" }])]);
    await capture.until("the backfill", () => capture.committed(0).length >= emulator.listObjects("customer").length);
    const [a, b] = emulator.listObjects("customer") as Array<Record<string, any>>;
    for (const n of [1, 2, 3]) emulator.updateObject(a!.id, { description: `burst ${n}` });
    // A change, then a delete: listed newest first, the delete comes before the older update.
    emulator.updateObject(b!.id, { description: "about to go" });
    emulator.deleteObject(b!.id);
    await capture.until("the burst", () => capture.committed(0).some((d) => d.id === b!.id && d._meta.op === "d"));
    await sleep(3500);
    const collection = reduceCollection(capture.committed(0, "customers"));
    expect(collection.get(a!.id)!.description).toBe("burst 3");
    expect(collection.has(b!.id)).toBe(false);
    const live = emulator.listObjects("customer") as Array<Record<string, any>>;
    expect([...collection.keys()].sort()).toEqual(live.map((c) => c.id).sort());
    await capture.stop();
  });

  it("a changed stateKey re-backfills that binding only", async () => {
    const capture = new FlowSession(emulator, [open()]);
    await capture.until("a first backfill", () => capture.committed(0).length >= emulator.listObjects("customer").length);
    const state = capture.state() as any;
    await capture.stop();
    const renamed = open(state) as any;
    renamed.open.capture.bindings[1].stateKey = "invoice_line_items.v2";
    const again = new FlowSession(emulator, [renamed]);
    await again.until("the re-backfill", () => again.committed(1).length >= emulator.listObjects("line_item").length);
    await sleep(1000);
    expect(again.committed(0).filter((d) => d._meta.op === "c").length).toBeLessThan(emulator.listObjects("customer").length);
    await again.stop();
  });

  it("created-window streams poll what was created since their cursor; a due schedule re-reads in full as updates", async () => {
    const bindings = [
      { resourceConfig: { name: "balance_transactions", interval: "PT1S" }, resourcePath: ["balance_transactions"], stateKey: "bt" },
      { resourceConfig: { name: "webhook_endpoints", interval: "PT1S", schedule: "0 0 * * *" }, resourcePath: ["webhook_endpoints"], stateKey: "wh" },
    ];
    const first = new FlowSession(emulator, [open({}, bindings)]);
    const total = emulator.listObjects("balance_transaction").length;
    await first.until("the first read", () => first.committed(0).length >= total && first.committed(1).length > 0);
    await sleep(1100);
    const bt = emulator.createObject("balance_transaction", { amount: 4242, currency: "usd" });
    await first.until("the new balance transaction", () => first.committed(0, "balance_transactions").some((d) => d.id === bt.id));
    expect(first.committed(0).length, "polls read only what is new").toBeLessThanOrEqual(total + 3);
    const state = first.state() as any;
    await first.stop();
    // Pretend the last full read of the webhook endpoints began two days ago: the daily schedule is due.
    state.bindingStateV1.wh.flow.full_read_started_at -= 2 * 86_400;
    const second = new FlowSession(emulator, [open(state, bindings)]);
    await second.until("the scheduled re-read", () => second.committed(1).length >= emulator.listObjects("webhook_endpoint").length);
    expect(second.committed(1, "webhook_endpoints").every((d) => d._meta.op === "u")).toBe(true);
    await second.stop();
  });

  it("several accounts: each polled from its own cursor, documents keyed by id and carrying account_id", async () => {
    const multi = { ...config, connected_accounts: ["acct_emulator_connected_1"] };
    const capture = new FlowSession(emulator, [
      { open: { capture: { name: "acme/stripe", config: multi, bindings: [{ resourceConfig: { name: "customers", interval: "PT1S" }, stateKey: "c" }] }, state: {} } },
    ]);
    const want = emulator.listObjects("customer").length + emulator.listObjects("customer", "acct_emulator_connected_1").length;
    await capture.until("both backfills", () => capture.committed(0).length >= want);
    const state = capture.state() as any;
    await capture.until("both accounts' cursors", () => Object.keys((capture.state() as any).bindingStateV1.c.accounts ?? {}).length === 2);
    const created = emulator.createObject("customer", { email: "connected@example.com" }, { account: "acct_emulator_connected_1" });
    await capture.until("a change on the connected account", () =>
      capture.committed(0, "customers").some((d) => d.id === created.id && d.account_id === "acct_emulator_connected_1"),
    );
    expect(state.bindingStateV1.c).toBeDefined();
    await capture.stop();
  });

  it("polls events while a long backfill is still running", async () => {
    const slow = await startEmulator({ seed: 42, scale: 1, clockLagSeconds: SETTLE_SECONDS, latencyMs: 20, bulk: { object: "charge", count: 30_000 } });
    try {
      const capture = new FlowSession(slow, [
        {
          open: {
            capture: { name: "acme/stripe", config: { ...config, call_rate_limit: 40 }, bindings: [{ resourceConfig: { name: "charges", interval: "PT1S" }, stateKey: "charges" }] },
            state: {},
          },
        },
      ]);
      await capture.until("the backfill to start", () => capture.committed(0).length > 500);
      const created = slow.createObject("charge", { amount: 777, currency: "usd" });
      await capture.until("the new charge, from the events poll", () => capture.committed(0).some((d) => d.id === created.id));
      const state = capture.state() as any;
      expect(state.bindingStateV1.charges.backfill_created, "the backfill is still going").toEqual(expect.any(Number));
      expect(capture.committed(0).length).toBeLessThan(30_000);
      // SIGTERM: nothing but capture responses on stdout (checked line by line), the last word on stderr.
      expect(await capture.stop()).toBe(143);
      expect(JSON.parse(capture.stderr.trim().split("\n").at(-1)!)).toMatchObject({ level: "warn", msg: expect.stringContaining("SIGTERM") });
    } finally {
      await slow.close();
    }
  });
});
