/**
 * Diagnostic, not part of `npm run bench`: one connector read of bulk charges
 * against an in-process emulator (200 ms latency, 100 req/s), with every list
 * request logged, to see where a read's time goes (start, ramp-up, part-filled
 * pages, the tail).
 *
 *   node dist/bench/timeline.js [--charges N] [--scale S] [--all] [--config JSON]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api } from "../test/emulator/api.js";
import { startEmulator } from "../test/emulator/server.js";
import { CONNECTOR, connectorMessages } from "./children.js";
import { LineCounter } from "./lines.js";

interface Entry {
  at: number;
  path: string;
  lte?: unknown;
  gte?: unknown;
  after: boolean;
  limit: unknown;
  n: number;
  more: boolean;
}

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : dflt;
};
const KEY = "sk_live_bench_4242424242424242";
const charges = Number(opt("--charges", "40000"));
const log: Entry[] = [];
let t0 = 0;
const original = Api.prototype.handle;
Api.prototype.handle = function (this: Api, ctx) {
  const out = original.call(this, ctx) as { data?: unknown[]; has_more?: boolean };
  const created = (ctx.query.created ?? {}) as Record<string, unknown>;
  log.push({
    at: performance.now() - t0,
    path: ctx.path,
    lte: created.lte,
    gte: created.gte,
    after: ctx.query.starting_after !== undefined,
    limit: ctx.query.limit,
    n: Array.isArray(out.data) ? out.data.length : -1,
    more: out.has_more === true,
  });
  return out as never;
};

const emu = await startEmulator({
  seed: 1,
  scale: Number(opt("--scale", "1")),
  latencyMs: Number(opt("--latency", "200")),
  rateLimit: 100,
  keys: { secret: KEY },
  bulk: { object: "charge", count: charges, yearsBack: 3, growth: 2 },
});
const dir = mkdtempSync(join(tmpdir(), "timeline-"));
const config = join(dir, "config.json");
writeFileSync(config, JSON.stringify({ account_id: "acct_emulator_platform", client_secret: KEY, ...JSON.parse(opt("--config", "{}")) }));
const discovered = await connectorMessages(["discover", "--config", config], { STRIPE_API_BASE: emu.url });
const all = (discovered.find((m) => m.type === "CATALOG")?.catalog?.streams ?? []) as Array<Record<string, unknown>>;
const streams = args.includes("--all") ? all : all.filter((s) => s.name === "charges");
const catalog = join(dir, "catalog.json");
writeFileSync(catalog, JSON.stringify({ streams: streams.map((stream) => ({ stream, sync_mode: "full_refresh", destination_sync_mode: "overwrite" })) }));
emu.resetStats();
log.length = 0;
await new Promise((r) => setTimeout(r, 1100));
t0 = performance.now();
const counter = new LineCounter('{"type":"RECORD"');
const inFlight: number[] = [];
const sampler = setInterval(() => inFlight.push(emu.stats().inFlight), 50);
let firstRecordAt = 0;
const child = spawn(process.execPath, [...(opt("--node", "") ? opt("--node", "").split(" ") : []), CONNECTOR, "read", "--config", config, "--catalog", catalog], {
  env: { ...process.env, STRIPE_API_BASE: emu.url },
  stdio: ["ignore", "pipe", "inherit"],
});
child.stdout.on("data", (c: Buffer) => {
  counter.push(c);
  if (!firstRecordAt && counter.matched > 0) firstRecordAt = performance.now() - t0;
});
await new Promise((r) => child.once("close", r));
const wall = performance.now() - t0;
clearInterval(sampler);
await emu.close();

const lists = log.filter((e) => e.path === "/v1/charges");
const full = lists.filter((e) => e.n === 100).length;
const empty = lists.filter((e) => e.n === 0).length;
const partial = lists.filter((e) => e.n > 0 && e.n < 100);
console.log(`records ${counter.matched}, wall ${(wall / 1000).toFixed(2)} s, ${((100 * counter.matched) / (wall / 1000) / 10_000).toFixed(1)}% of ceiling`);
console.log(`requests ${log.length} (charges ${lists.length}: full ${full}, empty ${empty}, part-filled ${partial.length} holding ${partial.reduce((s, e) => s + e.n, 0)})`);
console.log(`first request answered at ${log[0]?.at.toFixed(0)} ms (sent ~${((log[0]?.at ?? 0) - 200).toFixed(0)}), first record ${firstRecordAt.toFixed(0)} ms, last answer ${log.at(-1)?.at.toFixed(0)} ms, exit ${wall.toFixed(0)} ms`);
const buckets = new Map<number, { req: number; recs: number }>();
for (const e of log) {
  const b = Math.floor(e.at / 500);
  const x = buckets.get(b) ?? { req: 0, recs: 0 };
  x.req++;
  x.recs += Math.max(0, e.n);
  buckets.set(b, x);
}
console.log("per 0.5 s: " + [...buckets.entries()].map(([b, x]) => `${b / 2}s:${x.req}/${x.recs}`).join(" "));
const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
console.log("in flight per 0.5 s: " + Array.from({ length: Math.ceil(inFlight.length / 10) }, (_, i) => avg(inFlight.slice(i * 10, i * 10 + 10)).toFixed(1)).join(" "));
if (args.includes("--verbose")) for (const e of log.slice(0, Number(opt("--first", "80")))) console.log(JSON.stringify(e));
