import { SETTLE_SECONDS } from "../src/read/modes.js";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMergePatch } from "../src/state/merge-patch.js";
import { STREAMS } from "../src/streams/table.js";
import { EMULATOR_KEY, startEmulator, type Emulator } from "./emulator/server.js";
import { CLI, runCli, trackSecret } from "./helpers/cli.js";
import { PLATFORM } from "./helpers/incremental.js";

const config = { account_id: PLATFORM, client_secret: EMULATOR_KEY, call_rate_limit: 2000 };
const flow = async (request: unknown, env: Record<string, string> = {}) => {
  trackSecret(EMULATOR_KEY);
  return runCli([], { stdin: JSON.stringify(request) + "\n", env });
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Flow mode: every request round-trips through the CLI with no arguments", () => {
  it("spec answers without a config", async () => {
    const result = await flow({ spec: {} });
    expect(result.code).toBe(0);
    expect(result.messages).toHaveLength(1);
    const spec = result.messages[0]!.spec;
    expect(spec.protocol).toBe(3032023);
    expect(spec.resourcePathPointers).toEqual(["/name"]);
    expect(spec.configSchema.properties.client_secret.airbyte_secret).toBe(true);
    expect(spec.resourceConfigSchema.properties.name.enum).toContain("customers");
    expect(spec.documentationUrl).toMatch(/^https:/);
  });

  it("older runtimes' --log.level flag still means Flow mode", async () => {
    const result = await runCli(["--log.level=debug"], { stdin: '{"spec":{}}\n' });
    expect(result.code).toBe(0);
    expect(result.messages[0]!.spec.protocol).toBe(3032023);
  });

  it("discover proposes a binding per stream, keyed by id, with merge and delete reductions", async () => {
    const result = await flow({ discover: { connectorType: "IMAGE", config } });
    expect(result.code).toBe(0);
    const bindings = result.messages[0]!.discovered.bindings;
    expect(bindings).toHaveLength(STREAMS.length);
    const customers = bindings.find((b: any) => b.recommendedName === "customers");
    expect(customers.resourceConfig).toEqual({ name: "customers", interval: "PT5M" });
    expect(customers.key).toEqual(["/id"]);
    expect(customers.documentSchema.required).toContain("id");
    expect(customers.documentSchema.reduce).toEqual({ strategy: "merge" });
    expect(customers.documentSchema.then.reduce.delete).toBe(true);
    const multi = await flow({ discover: { config: { ...config, connected_accounts: "all" } } });
    expect(multi.messages[0]!.discovered.bindings[0].key).toEqual(["/account_id", "/id"]);
  });

  it("validate answers per binding in order, and rejects a bad config or an unknown resource", async () => {
    const bindings = [{ resourceConfig: { name: "invoices" } }, { resourceConfig: { name: "customers", interval: "PT1M" } }];
    const ok = await flow({ validate: { name: "acme/stripe", config, bindings } });
    expect(ok.code).toBe(0);
    expect(ok.messages[0]).toEqual({ validated: { bindings: [{ resourcePath: ["invoices"] }, { resourcePath: ["customers"] }] } });
    const unknown = await flow({ validate: { config, bindings: [{ resourceConfig: { name: "usage_records_v0" } }] } });
    expect(unknown.code).toBe(1);
    expect(unknown.messages).toEqual([]);
    const last = JSON.parse(unknown.stderr.trim().split("\n").at(-1)!);
    expect(last).toMatchObject({ level: "error", msg: expect.stringContaining('"usage_records_v0" is not a stream') });
    const bad = await flow({ validate: { config: { ...config, start_date: "soon" }, bindings } });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split("\n").at(-1)).toContain("start_date");
  });

  it("apply answers with an action description", async () => {
    const result = await flow({ apply: { capture: { name: "acme/stripe", config, bindings: [{ resourceConfig: { name: "charges" } }] } } });
    expect(result.code).toBe(0);
    expect(result.messages[0]).toEqual({ applied: { actionDescription: "" } });
  });
});

/** A running Flow capture: its stdout parsed as it arrives. */
class Capture {
  readonly lines: Array<Record<string, any>> = [];
  stderr = "";
  private readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;

  constructor(emulator: Emulator, open: unknown) {
    this.child = spawn(process.execPath, [CLI], { env: { ...process.env, STRIPE_API_BASE: emulator.url } });
    let buffer = "";
    this.child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf("\n")) >= 0) {
        this.lines.push(JSON.parse(buffer.slice(0, i)));
        buffer = buffer.slice(i + 1);
      }
    });
    this.child.stderr.setEncoding("utf8").on("data", (c: string) => (this.stderr += c));
    this.exited = new Promise((resolve) => this.child.on("close", (code) => resolve(code)));
    this.child.stdin.write(JSON.stringify(open) + "\n");
  }

  async until(what: string, test: () => boolean, ms = 60_000): Promise<void> {
    const end = Date.now() + ms;
    while (!test()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; stderr: ${this.stderr.slice(-2000)}`);
      await sleep(100);
    }
  }

  /** Documents committed so far: those followed by a checkpoint. */
  committed(binding: number): Array<Record<string, any>> {
    const lastCheckpoint = this.lines.map((l) => "checkpoint" in l).lastIndexOf(true);
    return this.lines.slice(0, lastCheckpoint + 1).filter((l) => l.captured?.binding === binding).map((l) => l.captured.doc);
  }

  /** The connector state after applying every checkpoint's merge patch. */
  state(initial: unknown = {}): unknown {
    return this.lines.filter((l) => l.checkpoint).reduce((s, l) => applyMergePatch(s, l.checkpoint.state.updated), initial);
  }

  async stop(): Promise<number | null> {
    this.child.kill("SIGTERM");
    return this.exited;
  }
}

describe("Flow mode: a continuous capture against the emulator", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 41, scale: 1, clockLagSeconds: SETTLE_SECONDS });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const open = (state: unknown = {}) => ({
    open: {
      capture: {
        name: "acme/stripe",
        config,
        bindings: [
          { resourceConfig: { name: "customers", interval: "PT1S" }, resourcePath: ["customers"], stateKey: "customers" },
          { resourceConfig: { name: "invoice_line_items", interval: "PT1S" }, resourcePath: ["invoice_line_items"], stateKey: "invoice_line_items.v1" },
          { resourceConfig: { name: "webhook_endpoints", interval: "PT1S" }, resourcePath: ["webhook_endpoints"], stateKey: "webhook_endpoints" },
        ],
      },
      state,
    },
  });

  it("backfills, then picks up creates, updates and deletes while it runs; a restart resumes without loss", async () => {
    const customers = emulator.listObjects("customer") as Array<Record<string, any>>;
    const first = new Capture(emulator, open());
    await first.until("opened", () => first.lines.length > 0);
    expect(first.lines[0]).toEqual({ opened: {} });
    await first.until("the customers backfill", () => new Set(first.committed(0).map((d) => d.id)).size >= customers.length);
    await first.until("the webhook endpoints", () => first.committed(2).length >= emulator.listObjects("webhook_endpoint").length);
    expect(first.committed(0).every((d) => d._meta.op === "c")).toBe(true);
    await first.until("the invoice lines backfill", () => first.committed(1).length >= emulator.listObjects("line_item").length);
    expect(first.committed(1).length).toBe(emulator.listObjects("line_item").length);

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
    // Every document is followed by a checkpoint before the capture is stopped.
    const state = first.state();
    expect(await first.stop()).toBe(143);
    expect((state as any).bindingStateV1.customers.updated).toEqual(expect.any(Number));
    expect((state as any).bindingStateV1.customers.backfill_created).toBeUndefined();
    expect(first.stderr).not.toContain(EMULATOR_KEY);
    for (const line of first.stderr.trim().split("\n")) expect(JSON.parse(line)).toMatchObject({ level: expect.any(String), msg: expect.any(String) });

    // Restart with the merged state: no second backfill, and a change made while down arrives.
    await sleep(1100);
    const whileDown = emulator.createObject("customer", { email: "while-down@example.com" });
    const second = new Capture(emulator, open(state));
    await second.until("the change made while down", () => second.committed(0).some((d) => d.id === whileDown.id));
    await sleep(1500);
    const ids = new Set(second.committed(0).map((d) => d.id));
    // At most the change made while down plus the three before it, which the poll lag may replay.
    expect(ids.size, "only changes, no re-backfill").toBeLessThanOrEqual(4);
    expect(second.committed(1).length, "unchanged invoices' lines are not captured again").toBe(0);
    await second.stop();
  });

  it("a changed stateKey re-backfills that binding only", async () => {
    const capture = new Capture(emulator, open());
    await capture.until("a first backfill", () => capture.committed(0).length >= emulator.listObjects("customer").length);
    const state = capture.state() as any;
    await capture.stop();
    const renamed = open(state) as any;
    renamed.open.capture.bindings[1].stateKey = "invoice_line_items.v2";
    const again = new Capture(emulator, renamed);
    await again.until("the re-backfill", () => again.committed(1).length >= emulator.listObjects("line_item").length);
    await sleep(1000);
    expect(again.committed(0).filter((d) => d._meta.op === "c").length).toBeLessThan(emulator.listObjects("customer").length);
    await again.stop();
  });

  it("polls events while a long backfill is still running", async () => {
    const slow = await startEmulator({ seed: 42, scale: 1, clockLagSeconds: SETTLE_SECONDS, latencyMs: 20, bulk: { object: "charge", count: 30_000 } });
    try {
      const capture = new Capture(slow, {
        open: {
          capture: {
            name: "acme/stripe",
            config: { ...config, call_rate_limit: 40 },
            bindings: [{ resourceConfig: { name: "charges", interval: "PT1S" }, resourcePath: ["charges"], stateKey: "charges" }],
          },
          state: {},
        },
      });
      await capture.until("the backfill to start", () => capture.committed(0).length > 500);
      const created = slow.createObject("charge", { amount: 777, currency: "usd" });
      await capture.until("the new charge, from the events poll", () => capture.committed(0).some((d) => d.id === created.id));
      const state = capture.state() as any;
      expect(state.bindingStateV1.charges.backfill_created, "the backfill is still going").toEqual(expect.any(Number));
      expect(capture.committed(0).length).toBeLessThan(30_000);
      await capture.stop();
    } finally {
      await slow.close();
    }
  });
});
