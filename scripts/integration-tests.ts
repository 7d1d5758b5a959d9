/**
 * Writes the files under integration_tests/ that Airbyte's connector acceptance
 * tests read, in Airbyte's layout, from the stream table and from the emulator:
 *
 *   configured_catalog.json               every stream, full refresh, json_schema {} (as Airbyte's own)
 *   full_refresh_configured_catalog.json  every stream whose list reads do not change (not report_runs), full
 *                                         refresh; charges with Airbyte's column selection
 *   abnormal_state.json                   every incremental stream's cursor far in the future
 *   expected_records.jsonl                records the emulator must give (CAT compares their primary keys)
 *
 *   npm run generate:integration-tests               write them
 *   node dist/scripts/integration-tests.js --check   write nothing; exit 1 if a catalog or the state would change
 *
 * The emulator is pinned to EMULATOR_ANCHOR (its seed data and ids follow it) and
 * to a fixed clock, and the read runs in-process with a fixed `now`, so the output
 * is the same on every machine and every day.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PACKAGE_ROOT } from "../src/package-root.js";
import { runRead } from "../src/read/engine.js";
import type { ReadSink } from "../src/read/sink.js";
import { EMPTY_STATE } from "../src/state/types.js";
import { StripeClient } from "../src/stripe/client.js";
import { syncModes } from "../src/streams/facts.js";
import { STREAMS } from "../src/streams/table.js";
import type { StreamDef } from "../src/streams/types.js";

/** The emulator's anchor for the acceptance files: 2026-11-01T00:00:00Z (its data ends there). */
export const CAT_ANCHOR = 1_793_491_200;
/** A cursor no stream reaches: Airbyte's own abnormal_state.json uses it. */
const FUTURE = 10_000_000_000;
/** Records kept per stream in expected_records.jsonl: CAT checks each one is read, so a few are enough. */
const EXPECTED_PER_STREAM = 3;
/** Airbyte's column selection in the full refresh catalog: the issue's example. */
const SELECTED: Record<string, string[]> = { charges: ["id", "amount", "created", "updated"] };

export const INTEGRATION_DIR = join(PACKAGE_ROOT, "integration_tests");

/** A configured stream as Airbyte's integration files write it. */
function configuredStream(def: StreamDef, fields?: string[]): Record<string, unknown> {
  const stream: Record<string, unknown> = {
    name: def.name,
    json_schema: fields ? { type: "object", properties: Object.fromEntries(fields.map((f) => [f, {}])) } : {},
    supported_sync_modes: syncModes(def),
  };
  const out: Record<string, unknown> = { stream };
  if (def.incremental && def.cursorField) {
    stream.source_defined_cursor = true;
    stream.default_cursor_field = [def.cursorField];
  }
  if (def.primaryKey.length) {
    stream.source_defined_primary_key = def.primaryKey;
    out.primary_key = def.primaryKey;
  }
  if (def.incremental && def.cursorField) out.cursor_field = [def.cursorField];
  return { ...out, sync_mode: "full_refresh", destination_sync_mode: "overwrite" };
}

const byName = (a: StreamDef, b: StreamDef) => a.name.localeCompare(b.name);

/** The files derived from the stream table alone: name -> content. */
export function renderStaticFiles(): Map<string, string> {
  const streams = [...STREAMS].sort(byName);
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const abnormal = streams
    .filter((def) => def.incremental && def.cursorField)
    .map((def) => ({ type: "STREAM", stream: { stream_descriptor: { name: def.name }, stream_state: { [def.cursorField!]: FUTURE } } }));
  return new Map([
    ["configured_catalog.json", json({ streams: streams.map((def) => configuredStream(def)) })],
    ["full_refresh_configured_catalog.json", json({ streams: streams.filter((def) => !def.changedByReads).map((def) => configuredStream(def, SELECTED[def.name])) })],
    ["abnormal_state.json", json(abnormal)],
  ]);
}

/** Files on disk that differ from `files`. */
export function staleFiles(files: Map<string, string>): string[] {
  return [...files].filter(([name, content]) => {
    try {
      return readFileSync(join(INTEGRATION_DIR, name), "utf8") !== content;
    } catch {
      return true;
    }
  }).map(([name]) => name);
}

/**
 * expected_records.jsonl: every stream read in full from the emulator (seed 1,
 * pinned anchor and clock), the first few records of each by id, as RECORD lines.
 * The caller must have set EMULATOR_ANCHOR to CAT_ANCHOR before the emulator was loaded.
 */
export async function renderExpectedRecords(emulatorUrl: string, apiKey: string): Promise<string> {
  const records = new Map<string, Array<Record<string, unknown>>>();
  const quiet = () => undefined;
  const sink: ReadSink = {
    record: (stream, data) => void (records.get(stream) ?? records.set(stream, []).get(stream)!).push(data),
    state: quiet,
    status: quiet,
    error: (stream, message) => {
      throw new Error(`${stream}: ${message}`);
    },
    log: quiet,
  };
  const client = new StripeClient({ apiKey, apiBase: emulatorUrl, concurrency: 16, ratePerSecond: Infinity, maxAttempts: 3 });
  const result = await runRead({
    client,
    accounts: [{ id: "acct_emulator_platform" }],
    primaryAccount: "acct_emulator_platform",
    multiAccount: false,
    selections: STREAMS.map((def) => ({ def, incremental: false })),
    state: EMPTY_STATE,
    now: CAT_ANCHOR,
    options: { startDate: 0, lookbackDays: 0, sliceDays: 365, adaptive: true },
    sink,
  });
  if (result.failed.length) throw new Error(`streams failed: ${result.failed.map((f) => f.message).join("; ")}`);
  const lines: string[] = [];
  for (const def of [...STREAMS].sort(byName)) {
    const kept = [...(records.get(def.name) ?? [])].sort((a, b) => String(a.id).localeCompare(String(b.id))).slice(0, EXPECTED_PER_STREAM);
    for (const data of kept) lines.push(JSON.stringify({ stream: def.name, data, emitted_at: CAT_ANCHOR * 1000 }));
  }
  return `${lines.join("\n")}\n`;
}

async function main(argv: string[]): Promise<number> {
  const files = renderStaticFiles();
  if (argv.includes("--check")) {
    const stale = staleFiles(files);
    if (stale.length) console.error(`out of date (run npm run generate:integration-tests): ${stale.join(", ")}`);
    return stale.length ? 1 : 0;
  }
  // The anchor is read when the emulator's modules load: set it first, then load them.
  process.env.EMULATOR_ANCHOR = String(CAT_ANCHOR);
  const { EMULATOR_KEY, startEmulator } = await import("../test/emulator/server.js");
  const emulator = await startEmulator({ seed: 1, scale: 1, now: CAT_ANCHOR });
  try {
    files.set("expected_records.jsonl", await renderExpectedRecords(emulator.url, EMULATOR_KEY));
  } finally {
    await emulator.close();
  }
  for (const [name, content] of files) writeFileSync(join(INTEGRATION_DIR, name), content);
  console.error(`wrote ${[...files.keys()].map((f) => `integration_tests/${f}`).join(", ")}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
