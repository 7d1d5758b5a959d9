/**
 * `npm run demo`: starts the Stripe emulator, then runs spec, check, discover and
 * a full read of every stream through the CLI, as a user would, and prints one
 * row per stream: records, time and status.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EMULATOR_KEY, startEmulator } from "../test/emulator/server.js";

const CLI = resolve(import.meta.dirname, "../src/main.js");

interface Run {
  code: number | null;
  messages: Array<Record<string, any>>;
  seconds: number;
}

function runCli(args: string[], env: Record<string, string>): Promise<Run> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let buffer = "";
    const messages: Array<Record<string, any>> = [];
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line) messages.push(JSON.parse(line));
      }
    });
    child.on("error", fail);
    child.on("close", (code) => done({ code, messages, seconds: (performance.now() - started) / 1000 }));
  });
}

const scale = Number(process.argv.find((a) => a.startsWith("--scale="))?.split("=")[1] ?? 1);
const emulator = await startEmulator({ seed: 1, scale });
const env = { STRIPE_API_BASE: emulator.url };
const dir = mkdtempSync(join(tmpdir(), "source-stripe-demo-"));
const configPath = join(dir, "config.json");
writeFileSync(configPath, JSON.stringify({ account_id: "acct_emulator_platform", client_secret: EMULATOR_KEY, start_date: "2017-01-25T00:00:00Z" }));

try {
  const spec = await runCli(["spec"], env);
  console.log(`spec      exit ${spec.code}, ${Object.keys(spec.messages[0]?.spec?.connectionSpecification?.properties ?? {}).length} config keys`);
  const check = await runCli(["check", "--config", configPath], env);
  console.log(`check     exit ${check.code}, ${check.messages.find((m) => m.type === "CONNECTION_STATUS")?.connectionStatus.status}`);
  const discover = await runCli(["discover", "--config", configPath], env);
  const streams: Array<{ name: string }> = discover.messages.find((m) => m.type === "CATALOG")?.catalog.streams ?? [];
  console.log(`discover  exit ${discover.code}, ${streams.length} streams`);

  const catalogPath = join(dir, "catalog.json");
  writeFileSync(
    catalogPath,
    JSON.stringify({
      streams: streams.map((s) => ({ stream: s, sync_mode: "full_refresh", destination_sync_mode: "overwrite" })),
    }),
  );
  const read = await runCli(["read", "--config", configPath, "--catalog", catalogPath], env);
  const rows = new Map<string, { records: number; started?: number; ended?: number; status: string }>();
  for (const s of streams) rows.set(s.name, { records: 0, status: "-" });
  for (const m of read.messages) {
    if (m.type === "RECORD") rows.get(m.record.stream)!.records++;
    if (m.type === "TRACE" && m.trace.type === "STREAM_STATUS") {
      const row = rows.get(m.trace.stream_status.stream_descriptor.name)!;
      const status = m.trace.stream_status.status;
      if (status === "STARTED") row.started = m.trace.emitted_at;
      if (status === "COMPLETE" || status === "INCOMPLETE") row.ended = m.trace.emitted_at;
      row.status = status;
    }
  }
  console.log(`read      exit ${read.code}, ${read.seconds.toFixed(1)} s wall\n`);
  console.log(`${"stream".padEnd(32)} ${"records".padStart(8)} ${"seconds".padStart(8)}  status`);
  let total = 0;
  for (const [name, row] of rows) {
    total += row.records;
    const seconds = row.started && row.ended ? ((row.ended - row.started) / 1000).toFixed(2) : "-";
    console.log(`${name.padEnd(32)} ${String(row.records).padStart(8)} ${seconds.padStart(8)}  ${row.status}`);
  }
  console.log(`${"total".padEnd(32)} ${String(total).padStart(8)} ${read.seconds.toFixed(2).padStart(8)}`);
  process.exitCode = read.code ?? 1;
} finally {
  await emulator.close();
}
