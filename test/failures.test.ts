import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STREAMS } from "../src/streams/table.js";
import { EMULATOR_KEY, EMULATOR_RESTRICTED_KEY, startEmulator, type Emulator } from "./emulator/server.js";
import { CLI, configuredCatalog, records, runCli, writeFiles } from "./helpers/cli.js";
import { PLATFORM } from "./helpers/incremental.js";
import { assertProtocol } from "./helpers/protocol.js";

const statuses = (messages: Array<Record<string, any>>, stream: string) =>
  messages
    .filter((m) => m.type === "TRACE" && m.trace.type === "STREAM_STATUS" && m.trace.stream_status.stream_descriptor.name === stream)
    .map((m) => m.trace.stream_status.status);
const errors = (messages: Array<Record<string, any>>) => messages.filter((m) => m.type === "TRACE" && m.trace.type === "ERROR").map((m) => m.trace.error);

describe("loud failures: permissions, products not enabled", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 5, scale: 1 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const read = async (key: string, streams: string[]) => {
    const files = writeFiles({
      config: { account_id: PLATFORM, client_secret: key, call_rate_limit: 2000 },
      catalog: configuredCatalog(streams.map((name) => ({ name }))),
    });
    const result = await runCli(["read", "--config", files.config!, "--catalog", files.catalog!], { env: { STRIPE_API_BASE: emulator.url } });
    assertProtocol(result.messages);
    return result;
  };

  it("a 403 ends that stream INCOMPLETE naming the permission; the others go on; exit 1 lists the failed streams", async () => {
    const result = await read(EMULATOR_RESTRICTED_KEY, ["customers", "balance_transactions", "payout_balance_transactions", "authorizations", "products"]);
    expect(result.code).toBe(1);
    for (const ok of ["customers", "products"]) {
      expect(statuses(result.messages, ok).at(-1), ok).toBe("COMPLETE");
      expect(records(result, ok).length, ok).toBe(emulator.listObjects(ok === "customers" ? "customer" : "product").length);
    }
    for (const denied of ["balance_transactions", "payout_balance_transactions", "authorizations"]) {
      expect(statuses(result.messages, denied).at(-1), denied).toBe("INCOMPLETE");
      const error = errors(result.messages).find((e) => e.stream_descriptor?.name === denied);
      expect(error, denied).toBeDefined();
      expect(error.failure_type).toBe("config_error");
      expect(error.message).toMatch(new RegExp(`Stream ${denied}: the API key lacks the permission to read /v1/`));
      expect(error.message).toMatch(/rak_\w+_read/);
    }
    const summary = errors(result.messages).at(-1)!;
    expect(summary.message).toMatch(/3 stream\(s\) could not be read completely: .*balance_transactions.*authorizations/);
    expect(result.stdout + result.stderr).not.toContain(EMULATOR_RESTRICTED_KEY);
  });

  it("a product the account has not enabled fails its streams with a message saying so", async () => {
    emulator.setKnobs({ disabledProducts: ["issuing"] });
    try {
      const result = await read(EMULATOR_KEY, ["cards", "charges"]);
      expect(result.code).toBe(1);
      expect(statuses(result.messages, "charges").at(-1)).toBe("COMPLETE");
      expect(statuses(result.messages, "cards").at(-1)).toBe("INCOMPLETE");
      const error = errors(result.messages).find((e) => e.stream_descriptor?.name === "cards")!;
      expect(error.message).toMatch(/issuing is not enabled on this Stripe account/);
      expect(error.failure_type).toBe("config_error");
    } finally {
      emulator.setKnobs({ disabledProducts: [] });
    }
  });

  it("check probes every stream and says which ones the key cannot read", async () => {
    const files = writeFiles({ config: { account_id: PLATFORM, client_secret: EMULATOR_RESTRICTED_KEY, call_rate_limit: 2000 } });
    emulator.resetStats();
    emulator.setKnobs({ latencyMs: 20 });
    const result = await runCli(["check", "--config", files.config!], { env: { STRIPE_API_BASE: emulator.url } }).finally(() =>
      emulator.setKnobs({ latencyMs: 0 }),
    );
    const status = result.messages[0]!.connectionStatus;
    expect(status.status).toBe("SUCCEEDED");
    for (const name of ["authorizations", "cardholders", "cards", "transactions", "balance_transactions", "payout_balance_transactions"]) {
      expect(status.message).toContain(name);
    }
    expect(status.message).toMatch(/cannot read 6 of \d+ streams/);
    // One probe per stream (plus the account lookup), sent concurrently.
    expect(emulator.stats().requests).toBeLessThanOrEqual(STREAMS.length + 2);
    expect(emulator.stats().maxInFlight).toBeGreaterThan(1);
  });
});

describe("a fault storm", () => {
  it("429s, 500s, resets and jitter still deliver exactly the emulator's objects", async () => {
    const calm = await startEmulator({ seed: 9, scale: 1 });
    const storm = await startEmulator({ seed: 9, scale: 1, latencyMs: 5, latencyJitterMs: 20, faults: { p429: 0.3, p500: 0.1, pReset: 0.05 } });
    try {
      const streams = STREAMS.map((s) => ({ name: s.name }));
      const run = async (emulator: Emulator) => {
        const files = writeFiles({
          config: { account_id: PLATFORM, client_secret: EMULATOR_KEY, call_rate_limit: 2000, num_workers: 20 },
          catalog: configuredCatalog(streams),
        });
        return runCli(["read", "--config", files.config!, "--catalog", files.catalog!], { env: { STRIPE_API_BASE: emulator.url }, timeoutMs: 400_000 });
      };
      const [quiet, stormy] = await Promise.all([run(calm), run(storm)]);
      expect(quiet.code, quiet.stderr).toBe(0);
      expect(stormy.code, stormy.stderr).toBe(0);
      assertProtocol(stormy.messages);
      const stats = storm.stats();
      expect(stats.rateLimited).toBeGreaterThan(50);
      expect(stats.serverErrors).toBeGreaterThan(10);
      expect(stats.resets).toBeGreaterThan(3);
      for (const def of STREAMS) {
        // The read itself creates report runs, some after report_runs has listed them: how many it sees is a race.
        if (def.name === "report_runs") continue;
        // `updated` of objects without `created` is the read time: compare ids (report rows: their keys).
        const ids = (r: typeof quiet) => records(r, def.name).map((x) => JSON.stringify(def.primaryKey.map(([f]) => x[f!]))).sort();
        expect(ids(stormy), def.name).toEqual(ids(quiet));
      }
    } finally {
      await Promise.all([calm.close(), storm.close()]);
    }
  }, 420_000);
});

describe("signals", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 6, scale: 3, latencyMs: 20 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const start = () => {
    const files = writeFiles({
      config: { account_id: PLATFORM, client_secret: EMULATOR_KEY, call_rate_limit: 2000, slice_range: 30 },
      catalog: configuredCatalog(["charges", "customers", "invoices", "invoice_line_items"].map((name) => ({ name, syncMode: "incremental" as const }))),
    });
    return spawn(process.execPath, [CLI, "read", "--config", files.config!, "--catalog", files.catalog!], {
      env: { ...process.env, STRIPE_API_BASE: emulator.url },
      stdio: ["ignore", "pipe", "pipe"],
    });
  };

  for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
    it(`${signal} ends the read on whole lines after a STATE, exit ${code}`, async () => {
      const child = start();
      let stdout = "";
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
      const exited = new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
      await new Promise<void>((resolve) => {
        child.stdout.setEncoding("utf8").on("data", (c: string) => {
          stdout += c;
          if ((stdout.match(/"type":"STATE"/g) ?? []).length >= 2) resolve();
        });
      });
      child.kill(signal);
      expect(await exited).toBe(code);
      expect(stdout.endsWith("\n")).toBe(true);
      const messages = stdout.trim().split("\n").map((l) => JSON.parse(l));
      assertProtocol(messages);
      expect(messages.at(-1)).toMatchObject({ type: "LOG", log: { level: "WARN", message: expect.stringContaining(signal) } });
      expect(stderr).not.toMatch(/\n\s+at /);
    });
  }

  it("a consumer that goes away (SIGPIPE) ends the process quietly", async () => {
    const child = start();
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    const code = await exited;
    expect(code).toBe(141);
    expect(stderr).toBe("");
  });
});
