/**
 * `npm run bench [-- --quick] [-- --json FILE]`: throughput, CPU and memory of the
 * connector against the Stripe emulator, next to two baselines, in one table.
 *
 * 1. Rate-limited, realistic: 200 ms latency, 100 req/s enforced with 429s, a live key,
 *    a large charges collection whose density grows over three years, every other
 *    stream at moderate size. Rows: (a) the connector's default config on charges,
 *    (b) the same on every stream, (c) a sequential SDK loop, (d) Airbyte-default
 *    scheduling (10 workers on fixed 365-day windows), and (m) the fewest requests the
 *    data of (b) needs: one sequential pass of every stream, latency and limit off.
 *    Per-parent lists (a customer's payment methods, ...) cost a request for a
 *    record or two, so even a perfect client stays below limit x 100 objects on
 *    (b); (m) gives what it could reach: limit x records / requests.
 * 2. Zero latency, no limit: CPU per 1,000 records, connector vs. SDK loop.
 * 3. Memory: peak RSS of the connector at 1,000,000 and at 100,000 charges.
 *
 * The emulator always runs in its own process; measured processes are children
 * preloaded with probe.js (CPU, peak RSS) whose stdout is counted as it streams.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { STREAM_BY_NAME } from "../src/streams/table.js";
import { ENDPOINT_LIMIT } from "../src/stripe/limiter.js";
import {
  CONNECTOR,
  SDK_LOOP,
  connectorMessages,
  connectorNodeArgs,
  killAll,
  measure,
  startEmulator,
  type EmulatorChild,
  type MeasuredRun,
} from "./children.js";

const LIVE_KEY = "sk_live_bench_4242424242424242";
const ACCOUNT = "acct_emulator_platform";
const RATE_LIMIT = 100;
const PAGE = 100;
const CEILING = RATE_LIMIT * PAGE; // records/s a perfect client gets under the limit
/** How far back 1e reads (about 20,000 of the full bench's charges), under Stripe's limit per endpoint. */
const ENDPOINT_WINDOW_DAYS = 45;
const WARM_UP_SECONDS = 3;
const LATENCY_MS = 200;
/** Yearly growth of the bulk charges' volume: each year holds twice the one before. */
const GROWTH = 2;
const RECORD_PREFIX = '{"type":"RECORD"';

interface Sizes {
  rateLimitedCharges: number;
  scale: number;
  sdkSliceRecords: number;
  sdkSliceSeconds: number;
  airbyteSliceSeconds: number;
  cpuCharges: number;
  memoryLarge: number;
  memorySmall: number;
  capacitySeconds: number;
}

const FULL: Sizes = {
  rateLimitedCharges: 200_000,
  scale: 2,
  sdkSliceRecords: 20_000,
  sdkSliceSeconds: 30,
  airbyteSliceSeconds: 60,
  cpuCharges: 100_000,
  memoryLarge: 1_000_000,
  memorySmall: 100_000,
  capacitySeconds: 5,
};

const QUICK: Sizes = {
  rateLimitedCharges: 40_000,
  scale: 1,
  sdkSliceRecords: 5_000,
  sdkSliceSeconds: 8,
  airbyteSliceSeconds: 10,
  cpuCharges: 30_000,
  memoryLarge: 200_000,
  memorySmall: 50_000,
  capacitySeconds: 2,
};

interface Row {
  id: string;
  scenario: string;
  records: number;
  wallS: number;
  recordsPerS: number;
  requests: number | null;
  requestsPerS: number | null;
  /** Records per API request (100 = every request a full page). */
  recordsPerRequest: number | null;
  pctOfCeiling: number | null;
  rateLimited: number | null;
  peakRssMb: number | null;
  cpuMs: number | null;
  cpuMsPer1k: number | null;
  emulatorCpuPct: number | null;
  /** Stopped by the bench after a time or record budget. */
  slice: boolean;
  exitCode: number | null;
  problems: string[];
}

interface Target {
  name: string;
  value: string;
  goal: string;
  pass: boolean | null;
}

function parseCli(argv: string[]): { quick: boolean; json?: string } {
  const out: { quick: boolean; json?: string } = { quick: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--quick") out.quick = true;
    else if (arg === "--json") {
      const file = argv[++i];
      if (!file) throw new Error("--json needs a file name");
      out.json = file;
    } else if (arg.startsWith("--json=")) out.json = arg.slice("--json=".length);
    else if (arg === "--help" || arg === "-h") {
      console.log("usage: npm run bench [-- --quick] [-- --json FILE]");
      process.exit(0);
    } else throw new Error(`unknown option ${arg} (usage: npm run bench [-- --quick] [-- --json FILE])`);
  }
  return out;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);

class Bench {
  readonly rows: Row[] = [];
  readonly notes: string[] = [];
  readonly emulatorChecks: Record<string, unknown> = {};
  readonly startupCpuMs: { connector: number | null; sdkLoop: number | null } = { connector: null, sdkLoop: null };
  private probeSeq = 0;

  constructor(
    readonly sizes: Sizes,
    readonly dir: string,
  ) {}

  file(name: string, content: unknown): string {
    const path = join(this.dir, name);
    writeFileSync(path, JSON.stringify(content));
    return path;
  }

  /** One measured child run against `emu`, as a table row. */
  async run(
    emu: EmulatorChild,
    id: string,
    scenario: string,
    opts: { script: string; args: string[]; recordPrefix: string; stopAfterMs?: number; rateLimited: boolean; ceiling?: number },
  ): Promise<Row> {
    log(`${id}: ${scenario} ...`);
    await emu.resetStats();
    const cpuBefore = emu.cpuSeconds();
    const result: MeasuredRun = await measure({
      script: opts.script,
      args: opts.args,
      nodeArgs: opts.script === CONNECTOR ? connectorNodeArgs() : [],
      env: { STRIPE_API_BASE: emu.url },
      recordPrefix: opts.recordPrefix,
      ...(opts.stopAfterMs !== undefined ? { stopAfterMs: opts.stopAfterMs } : {}),
      probeFile: join(this.dir, `probe-${++this.probeSeq}.json`),
    });
    const cpuAfter = emu.cpuSeconds();
    const stats = await emu.stats();
    const cpuMs = result.probe ? result.probe.cpuUserMs + result.probe.cpuSystemMs : null;
    const problems: string[] = [];
    const expectedExit = result.exitCode === 0 || (result.stopped && (result.exitCode === 143 || result.signal === "SIGTERM"));
    if (!expectedExit) problems.push(`exit ${result.signal ?? result.exitCode}`);
    if (result.incomplete.length > 0) problems.push(`INCOMPLETE: ${result.incomplete.join(", ")}`);
    problems.push(...result.errors.map((e) => `error: ${e.slice(0, 300)}`));
    if (!expectedExit && result.stderr) {
      const lines = result.stderr.split("\n");
      const telling = lines.filter((l) => /error|cannot|not found|exception/i.test(l) && !/^\s+at /.test(l));
      problems.push(`stderr: ${(telling.length > 0 ? telling.slice(0, 3) : lines.slice(-3)).join(" | ").slice(0, 500)}`);
    }
    if (!result.probe) problems.push("no probe report (CPU/RSS unknown)");
    const recordsPerS = result.records / result.wallS;
    const row: Row = {
      id,
      scenario,
      records: result.records,
      wallS: result.wallS,
      recordsPerS,
      requests: stats.requests,
      requestsPerS: stats.requests / result.wallS,
      recordsPerRequest: stats.requests > 0 ? result.records / stats.requests : null,
      pctOfCeiling: opts.rateLimited ? (100 * recordsPerS) / (opts.ceiling ?? CEILING) : null,
      rateLimited: stats.rateLimited,
      peakRssMb: result.probe?.maxRssMb ?? null,
      cpuMs,
      cpuMsPer1k: cpuMs !== null && result.records > 0 ? (cpuMs * 1000) / result.records : null,
      emulatorCpuPct: cpuBefore !== null && cpuAfter !== null ? (100 * (cpuAfter - cpuBefore)) / result.wallS : null,
      slice: result.stopped,
      exitCode: result.exitCode,
      problems,
    };
    this.rows.push(row);
    log(
      `${id}: ${row.records} records in ${row.wallS.toFixed(1)} s (${Math.round(row.recordsPerS)}/s), ${stats.requests} requests, ${stats.rateLimited} x 429${problems.length ? `; ${problems.join("; ")}` : ""}`,
    );
    return row;
  }
}

function catalogOf(streams: Array<Record<string, unknown>>): unknown {
  return { streams: streams.map((stream) => ({ stream, sync_mode: "full_refresh", destination_sync_mode: "overwrite" })) };
}

/** The highest call_rate_limit the connector's spec accepts, capped at 100,000. */
function maxCallRate(spec: Array<Record<string, any>>): number {
  const max = spec.find((m) => m.type === "SPEC")?.spec?.connectionSpecification?.properties?.call_rate_limit?.maximum;
  return typeof max === "number" ? Math.min(100_000, max) : 100_000;
}

// ---------------------------------------------------------------------------------------------
// Emulator capacity: can it serve the ceiling at this latency without being the bottleneck?

async function capacityCheck(emu: EmulatorChild, seconds: number, perSecond: number, concurrency: number): Promise<Record<string, number | null>> {
  const now = Math.floor(Date.now() / 1000);
  const span = 3 * 365 * 86400;
  const latencies: number[] = [];
  const marker = '"object":"charge"';
  let ok = 0;
  let limited = 0;
  let other = 0;
  let objects = 0;
  await emu.resetStats();
  const cpuBefore = emu.cpuSeconds();
  const started = performance.now();
  const end = started + seconds * 1000;
  let nextStart = started;
  const one = async (): Promise<void> => {
    const lte = now - Math.floor(Math.random() * span);
    const t0 = performance.now();
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${emu.url}/v1/charges?limit=${PAGE}&created%5Blte%5D=${lte}`, { headers: { Authorization: `Bearer ${LIVE_KEY}` } });
      // Not parsed: the bench shares the machine with the emulator and should cost it as little as possible.
      text = await res.text();
    } catch {
      other++;
      return;
    }
    latencies.push(performance.now() - t0);
    if (res.status === 200) {
      ok++;
      for (let i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + marker.length)) objects++;
    } else if (res.status === 429) limited++;
    else other++;
  };
  const worker = async (): Promise<void> => {
    while (true) {
      const at = nextStart;
      nextStart += 1000 / perSecond;
      if (at >= end) return;
      const wait = at - performance.now();
      if (wait > 0) await sleep(wait);
      await one();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  const wall = (performance.now() - started) / 1000;
  const cpuAfter = emu.cpuSeconds();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? null;
  return {
    targetPerS: perSecond,
    concurrency,
    okPerS: ok / seconds,
    objectsPerS: objects / seconds,
    rateLimited: limited,
    otherErrors: other,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    emulatorCpuPct: cpuBefore !== null && cpuAfter !== null ? (100 * (cpuAfter - cpuBefore)) / wall : null,
  };
}

/** CPU of starting each measured program without reading anything, to put per-record figures in context. */
async function startupCost(bench: Bench): Promise<void> {
  const once = async (script: string, args: string[]) => {
    const nodeArgs = script === CONNECTOR ? connectorNodeArgs() : [];
    const run = await measure({ script, args, nodeArgs, env: {}, recordPrefix: RECORD_PREFIX, probeFile: join(bench.dir, "probe-startup.json") });
    return run.probe ? run.probe.cpuUserMs + run.probe.cpuSystemMs : null;
  };
  bench.startupCpuMs.connector = await once(CONNECTOR, ["spec"]);
  bench.startupCpuMs.sdkLoop = await once(SDK_LOOP, ["--startup-only", "--port", "1", "--key", LIVE_KEY]);
}

// ---------------------------------------------------------------------------------------------
// Scenarios

const baseConfig = { account_id: ACCOUNT, client_secret: LIVE_KEY };

async function rateLimitedScenario(bench: Bench, callRate: number): Promise<void> {
  const s = bench.sizes;
  log(`scenario 1: starting the emulator (latency ${LATENCY_MS} ms, ${RATE_LIMIT} req/s, ${s.rateLimitedCharges} bulk charges, scale ${s.scale})`);
  const emu = await startEmulator([
    "--seed", "1",
    "--scale", String(s.scale),
    "--latency", String(LATENCY_MS),
    "--rate-limit", String(RATE_LIMIT),
    "--secret-key", LIVE_KEY,
    "--bulk", `charge:${s.rateLimitedCharges}:3:${GROWTH}`,
  ]);
  try {
    const env = { STRIPE_API_BASE: emu.url };
    const defaultConfig = bench.file("config-default.json", baseConfig);
    const airbyteConfig = bench.file("config-airbyte.json", { ...baseConfig, num_workers: 10, slice_range: 365, adaptive_windows: false });
    const discovered = await connectorMessages(["discover", "--config", defaultConfig], env);
    const streams = (discovered.find((m) => m.type === "CATALOG")?.catalog?.streams ?? []) as Array<Record<string, unknown>>;
    const charges = streams.filter((st) => st.name === "charges");
    if (charges.length !== 1) throw new Error("discover did not list a charges stream");
    const chargesCatalog = bench.file("catalog-charges.json", catalogOf(charges));
    // Every list stream; not the report streams, which are read by creating report runs and
    // waiting for Stripe to compute them (their time is Stripe's, and every read creates runs).
    const lists = streams.filter((st) => STREAM_BY_NAME.get(String(st.name))?.report === undefined);
    const allCatalog = bench.file("catalog-all.json", catalogOf(lists));
    const pause = () => sleep(1100); // let the emulator's token bucket refill between runs
    // The emulator renders bulk charges on demand: its first seconds (JIT, caches) are slower
    // than Stripe ever is, and would be charged to whichever run comes first.
    log("scenario 1: warming the emulator up (charge pages at the limit, not measured)");
    await capacityCheck(emu, WARM_UP_SECONDS, RATE_LIMIT * 0.95, 64);
    await pause();

    await bench.run(emu, "1a", "1a connector, default config, charges", {
      script: CONNECTOR,
      args: ["read", "--config", defaultConfig, "--catalog", chargesCatalog],
      recordPrefix: RECORD_PREFIX,
      rateLimited: true,
    });
    await pause();
    await bench.run(emu, "1b", `1b connector, default config, ${lists.length} list streams`, {
      script: CONNECTOR,
      args: ["read", "--config", defaultConfig, "--catalog", allCatalog],
      recordPrefix: RECORD_PREFIX,
      rateLimited: true,
    });
    await pause();
    await bench.run(emu, "1c", "1c baseline: sequential SDK loop", {
      script: SDK_LOOP,
      args: ["--port", String(emu.port), "--key", LIVE_KEY, "--max-records", String(s.sdkSliceRecords), "--max-seconds", String(s.sdkSliceSeconds)],
      recordPrefix: "{",
      rateLimited: true,
    });
    await pause();
    await bench.run(emu, "1d", "1d baseline: Airbyte-default scheduling", {
      script: CONNECTOR,
      args: ["read", "--config", airbyteConfig, "--catalog", chargesCatalog],
      recordPrefix: RECORD_PREFIX,
      stopAfterMs: s.airbyteSliceSeconds * 1000,
      rateLimited: true,
    });
    await pause();
    // Stripe also limits each endpoint to 25 requests a second (https://docs.stripe.com/rate-limits):
    // one list alone then has a ceiling of 2,500 records/s. The connector learns that limit from
    // Stripe's first 429s on the endpoint and keeps to it; the 429s column counts what learning it cost.
    const recentConfig = bench.file("config-recent.json", { ...baseConfig, start_date: new Date(Date.now() - ENDPOINT_WINDOW_DAYS * 86_400_000).toISOString().slice(0, 19) + "Z" });
    await emu.knobs({ endpointRateLimit: ENDPOINT_LIMIT });
    await bench.run(emu, "1e", `1e connector, charges of ${ENDPOINT_WINDOW_DAYS} days, ${ENDPOINT_LIMIT}/s per endpoint (ceiling ${fmt(ENDPOINT_LIMIT * PAGE)}/s)`, {
      script: CONNECTOR,
      args: ["read", "--config", recentConfig, "--catalog", chargesCatalog],
      recordPrefix: RECORD_PREFIX,
      rateLimited: true,
      ceiling: ENDPOINT_LIMIT * PAGE,
    });
    await emu.knobs({ endpointRateLimit: 0 });
    await pause();
    // One window per stream (slice_range covers the whole history), no splitting: every
    // request but a list's last returns a full page, which is the fewest requests.
    const sequentialConfig = bench.file("config-sequential.json", { ...baseConfig, adaptive_windows: false, slice_range: 3650, call_rate_limit: callRate });
    await emu.knobs({ latencyMs: 0, rateLimit: 0 });
    await bench.run(emu, "1m", `1m fewest requests for 1b (one sequential pass, no latency)`, {
      script: CONNECTOR,
      args: ["read", "--config", sequentialConfig, "--catalog", allCatalog],
      recordPrefix: RECORD_PREFIX,
      rateLimited: false,
    });
    await emu.knobs({ latencyMs: LATENCY_MS, rateLimit: RATE_LIMIT });
    await pause();
    log("scenario 1: emulator capacity check");
    // Paced just under the limit, from the bench process: what a client at the ceiling sees.
    // Every request started in the window counts, so the rate is the pace if the emulator keeps up
    // (and the latencies show whether it does).
    bench.emulatorChecks.pacedAtLimit = await capacityCheck(emu, s.capacitySeconds, RATE_LIMIT * 0.95, 64);
  } finally {
    await emu.close();
  }
}

async function cpuScenario(bench: Bench, callRate: number): Promise<void> {
  const s = bench.sizes;
  log(`scenario 2: starting the emulator (no latency, no limit, ${s.cpuCharges} bulk charges)`);
  const emu = await startEmulator(["--seed", "1", "--secret-key", LIVE_KEY, "--bulk", `charge:${s.cpuCharges}`]);
  try {
    const config = bench.file("config-fast.json", { ...baseConfig, call_rate_limit: callRate });
    const catalog = bench.file("catalog-charges-2.json", catalogOf([{ name: "charges" }]));
    await bench.run(emu, "2c", "2  connector, zero latency (CPU)", {
      script: CONNECTOR,
      args: ["read", "--config", config, "--catalog", catalog],
      recordPrefix: RECORD_PREFIX,
      rateLimited: false,
    });
    await bench.run(emu, "2s", "2  sequential SDK loop, zero latency (CPU)", {
      script: SDK_LOOP,
      args: ["--port", String(emu.port), "--key", LIVE_KEY],
      recordPrefix: "{",
      rateLimited: false,
    });
  } finally {
    await emu.close();
  }
}

async function memoryScenario(bench: Bench, callRate: number): Promise<void> {
  const s = bench.sizes;
  const config = bench.file("config-memory.json", { ...baseConfig, call_rate_limit: callRate });
  const catalog = bench.file("catalog-charges-3.json", catalogOf([{ name: "charges" }]));
  for (const [id, count] of [
    ["3L", s.memoryLarge],
    ["3S", s.memorySmall],
  ] as const) {
    log(`scenario 3: starting the emulator (no latency, no limit, ${count} bulk charges)`);
    const emu = await startEmulator(["--seed", "1", "--secret-key", LIVE_KEY, "--bulk", `charge:${count}`]);
    try {
      await bench.run(emu, id, `3  connector memory, ${count.toLocaleString("en-US")} charges`, {
        script: CONNECTOR,
        args: ["read", "--config", config, "--catalog", catalog],
        recordPrefix: RECORD_PREFIX,
        rateLimited: false,
      });
    } finally {
      await emu.close();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Report

function fmt(value: number | null, digits = 0): string {
  if (value === null || !Number.isFinite(value)) return "-";
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(rows: Row[]): string {
  const header = ["scenario", "records", "wall s", "records/s", "req/s", "% ceiling", "429s", "peak RSS MiB", "CPU ms/1k rec", "emu CPU %"];
  const body = rows.map((r) => [
    r.scenario + (r.slice ? " (slice)" : "") + (r.problems.length ? " !" : ""),
    fmt(r.records),
    fmt(r.wallS, 1),
    fmt(r.recordsPerS),
    fmt(r.requestsPerS, 1),
    r.pctOfCeiling === null ? "-" : `${fmt(r.pctOfCeiling, 1)}%`,
    fmt(r.rateLimited),
    fmt(r.peakRssMb, 0),
    fmt(r.cpuMsPer1k, 1),
    fmt(r.emulatorCpuPct, 0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

/** Net CPU per 1,000 records of a scenario-2 row: its CPU less the program's start, per record. */
function netCpuPer1k(rows: Row[], id: string, startupMs: number | null): number | null {
  const r = rows.find((row) => row.id === id);
  return r && r.cpuMs !== null && startupMs !== null && r.records > 0 ? ((r.cpuMs - startupMs) * 1000) / r.records : null;
}

function evaluate(rows: Row[], quick: boolean, startup: Bench["startupCpuMs"]): { ratios: Record<string, number | null>; targets: Target[] } {
  const by = (id: string) => rows.find((r) => r.id === id);
  const ratio = (a?: number | null, b?: number | null) => (a != null && b != null && b > 0 ? a / b : null);
  const a = by("1a");
  const b = by("1b");
  const c = by("1c");
  const d = by("1d");
  const m = by("1m");
  // What a perfect client could reach on 1b's data: the limit spent on the fewest requests.
  const attainable: number | null = m?.requests && m.records === b?.records ? (RATE_LIMIT * m.records) / m.requests : null;
  const share = (r?: Row) => (r && r.requests ? (100 * (r.rateLimited ?? 0)) / r.requests : null);
  const ratios = {
    connectorVsSdkLoop: ratio(a?.recordsPerS, c?.recordsPerS),
    connectorVsAirbyteDefault: ratio(a?.recordsPerS, d?.recordsPerS),
    attainable1bRecordsPerS: attainable,
    attainable1bPctOfCeiling: attainable === null ? null : (100 * attainable) / CEILING,
    pctOfAttainable1b: attainable === null || !b ? null : (100 * b.recordsPerS) / attainable,
    share429PctA: share(a),
    share429PctB: share(b),
    cpuConnectorVsSdk: ratio(by("2c")?.cpuMsPer1k, by("2s")?.cpuMsPer1k),
    cpuNetConnectorVsSdk: ratio(netCpuPer1k(rows, "2c", startup.connector), netCpuPer1k(rows, "2s", startup.sdkLoop)),
    rssLargeMb: by("3L")?.peakRssMb ?? null,
    rssSmallMb: by("3S")?.peakRssMb ?? null,
  };
  const check = (v: number | null, ok: (v: number) => boolean) => (v === null ? null : ok(v));
  const largeN = by("3L")?.records;
  const smallN = by("3S")?.records;
  const rssDiff = ratio(ratios.rssLargeMb, ratios.rssSmallMb);
  const goalA = quick ? 80 : 95;
  const targets: Target[] = [
    { name: "1a records/s of ceiling", value: `${fmt(a?.pctOfCeiling ?? null, 1)}%`, goal: `>= ${goalA}%`, pass: check(a?.pctOfCeiling ?? null, (v) => v >= goalA) },
    {
      name: "1b records/s of attainable (1m)",
      value: `${fmt(ratios.pctOfAttainable1b, 1)}%`,
      goal: ">= 95%",
      pass: check(ratios.pctOfAttainable1b, (v) => v >= 95),
    },
    { name: "1a requests answered 429", value: fmt(a?.rateLimited ?? null), goal: "0", pass: check(a?.rateLimited ?? null, (v) => v === 0) },
    { name: "1b requests answered 429", value: `${fmt(ratios.share429PctB, 2)}%`, goal: "< 1%", pass: check(ratios.share429PctB, (v) => v < 1) },
    { name: "1a / 1c sequential SDK loop", value: `${fmt(ratios.connectorVsSdkLoop, 1)}x`, goal: ">= 15x", pass: check(ratios.connectorVsSdkLoop, (v) => v >= 15) },
    { name: "1a / 1d Airbyte-default", value: `${fmt(ratios.connectorVsAirbyteDefault, 1)}x`, goal: ">= 4x", pass: check(ratios.connectorVsAirbyteDefault, (v) => v >= 4) },
    {
      name: "2 CPU per record net of start, conn/SDK",
      value: `${fmt(ratios.cpuNetConnectorVsSdk, 2)}x`,
      goal: "<= 1.2x",
      pass: check(ratios.cpuNetConnectorVsSdk, (v) => v <= 1.2),
    },
    {
      name: `3 peak RSS at ${fmt(largeN ?? null)} records`,
      value: `${fmt(ratios.rssLargeMb, 0)} MiB`,
      goal: "<= 128 MiB",
      pass: check(ratios.rssLargeMb, (v) => v <= 128),
    },
    {
      name: `3 peak RSS ${fmt(largeN ?? null)} vs ${fmt(smallN ?? null)} records`,
      value: rssDiff === null ? "-" : `${rssDiff >= 1 ? "+" : ""}${fmt(100 * (rssDiff - 1), 0)}%`,
      goal: "within 10%",
      pass: check(rssDiff, (v) => Math.abs(v - 1) <= 0.1),
    },
  ];
  return { ratios, targets };
}

function checksText(checks: Record<string, any>): string[] {
  const out: string[] = [];
  const p = checks.pacedAtLimit;
  if (p) {
    out.push(
      `emulator at ${fmt(p.targetPerS, 0)} req/s paced (limit on): ${fmt(p.okPerS, 1)} pages/s answered 200 (${fmt(p.objectsPerS, 0)} charges/s), ` +
        `${fmt(p.rateLimited)} x 429, latency p50 ${fmt(p.p50Ms, 0)} ms / p99 ${fmt(p.p99Ms, 0)} ms, emulator CPU ${fmt(p.emulatorCpuPct, 0)}%`,
    );
  }
  return out;
}

function startupText(bench: Bench): string[] {
  const { connector, sdkLoop } = bench.startupCpuMs;
  if (connector === null || sdkLoop === null) return [];
  const net = (id: string, startup: number) => {
    const r = bench.rows.find((row) => row.id === id);
    return r && r.cpuMs !== null && r.records > 0 ? ((r.cpuMs - startup) * 1000) / r.records : null;
  };
  const c = net("2c", connector);
  const s = net("2s", sdkLoop);
  return [
    `startup CPU without requests: connector (spec) ${fmt(connector)} ms, sdk-loop ${fmt(sdkLoop)} ms; scenario 2 net of it: ` +
      `connector ${fmt(c, 1)}, SDK ${fmt(s, 1)} ms/1k records (${c !== null && s !== null && s > 0 ? fmt(c / s, 2) : "-"}x)`,
  ];
}

/**
 * A fixed piece of CPU work (integer arithmetic, JSON of 50,000 small objects): how
 * fast this machine is right now. A shared VM's speed drifts by a third or more
 * within minutes; figures from runs whose machine speeds differ are not comparable.
 */
function machineSpeedMs(): number {
  const t0 = performance.now();
  let x = 0;
  for (let i = 0; i < 1e8; i++) x = (x * 31 + i) | 0;
  const text = JSON.stringify(Array.from({ length: 50_000 }, (_, i) => ({ id: `ch_${i}`, amount: i + (x & 1), created: 1_700_000_000 + i })));
  JSON.parse(text);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const cli = parseCli(process.argv.slice(2));
  const sizes = cli.quick ? QUICK : FULL;
  const dir = mkdtempSync(join(tmpdir(), "source-stripe-bench-"));
  const bench = new Bench(sizes, dir);
  process.once("exit", () => rmSync(dir, { recursive: true, force: true })); // also when interrupted
  const started = performance.now();
  const speedBefore = machineSpeedMs();
  let failure: Error | null = null;
  try {
    const spec = await connectorMessages(["spec"], {});
    const callRate = maxCallRate(spec);
    await startupCost(bench);
    if (callRate < 100_000) bench.notes.push(`call_rate_limit for scenarios 2 and 3 is ${callRate}, the most the connector's spec accepts (100,000 asked).`);
    await rateLimitedScenario(bench, callRate);
    await cpuScenario(bench, callRate);
    await memoryScenario(bench, callRate);
  } catch (error) {
    failure = error as Error;
  } finally {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  }
  const wallS = (performance.now() - started) / 1000;

  const title = `source-stripe bench${cli.quick ? " (quick)" : ""}: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), ${new Date().toISOString()}`;
  const { ratios, targets } = evaluate(bench.rows, cli.quick, bench.startupCpuMs);
  const out: string[] = [title, ""];
  out.push(
    `1: emulator latency ${LATENCY_MS} ms, ${RATE_LIMIT} req/s (live key), ${fmt(sizes.rateLimitedCharges)} bulk charges over 3 years (x${GROWTH}/year), scale ${sizes.scale}; ceiling ${fmt(CEILING)} records/s.`,
    `2, 3: no latency, no limit. Slices: 1c stops at ${fmt(sizes.sdkSliceRecords)} records or ${sizes.sdkSliceSeconds} s, 1d after ${sizes.airbyteSliceSeconds} s (SIGTERM).`,
    `The connector runs as the image starts it: node ${connectorNodeArgs().join(" ")} main.js (the Dockerfile's ENTRYPOINT).`,
    "",
    table(bench.rows),
    "",
  );
  out.push(...checksText(bench.emulatorChecks));
  const m = bench.rows.find((r) => r.id === "1m");
  const attainable = ratios.attainable1bRecordsPerS ?? null;
  if (m && attainable !== null) {
    out.push(
      `1b's ${fmt(m.records)} records need at least ${fmt(m.requests)} requests (1m): a perfect client at ${RATE_LIMIT} req/s reaches ` +
        `${fmt(attainable)} records/s, ${fmt(ratios.attainable1bPctOfCeiling ?? null, 1)}% of the ceiling; 1b reached ${fmt(ratios.pctOfAttainable1b ?? null, 1)}% of that.`,
    );
  } else if (m) {
    out.push("1m: its records differ from 1b's, so no attainable figure (see problems).");
  }
  out.push(...startupText(bench), "");
  for (const t of targets) out.push(`${t.pass === null ? "n/a " : t.pass ? "PASS" : "FAIL"}  ${t.name.padEnd(40)} ${t.value.padStart(9)}  (target ${t.goal})`);
  const problemRows = bench.rows.filter((r) => r.problems.length > 0);
  if (problemRows.length > 0 || bench.notes.length > 0 || failure) out.push("");
  for (const note of bench.notes) out.push(`note: ${note}`);
  for (const r of problemRows) for (const p of r.problems) out.push(`! ${r.id}: ${p}`);
  if (failure) out.push(`bench failed: ${failure.message}`);
  out.push("", `bench wall time ${fmt(wallS, 1)} s`);
  out.push(`machine: a fixed CPU task took ${fmt(speedBefore)} ms before the runs and ${fmt(machineSpeedMs())} ms after (compare runs only where these agree)`);
  console.log(out.join("\n"));

  if (cli.json) {
    writeFileSync(
      cli.json,
      JSON.stringify(
        {
          title,
          quick: cli.quick,
          node: process.version,
          cpus: cpus().length,
          ceilingRecordsPerS: CEILING,
          sizes,
          rows: bench.rows,
          ratios,
          targets,
          emulatorChecks: bench.emulatorChecks,
          startupCpuMs: bench.startupCpuMs,
          notes: bench.notes,
          error: failure?.message ?? null,
          wallS,
        },
        null,
        2,
      ) + "\n",
    );
  }
  if (failure) process.exitCode = 1;
}

await main();
