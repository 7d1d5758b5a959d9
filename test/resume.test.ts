import { SETTLE_SECONDS } from "../src/read/modes.js";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_KEY, startEmulator, type Emulator } from "./emulator/server.js";
import { CLI, configuredCatalog, writeFiles } from "./helpers/cli.js";
import { lastStates, PLATFORM } from "./helpers/incremental.js";

/** Streams of every kind: created windows, event-driven backfill, and children through a parent. */
const STREAMS = ["balance_transactions", "charges", "customers", "invoices", "invoice_line_items", "bank_accounts", "events"];
const OBJECT: Record<string, string> = {
  balance_transactions: "balance_transaction",
  charges: "charge",
  customers: "customer",
  invoices: "invoice",
  events: "event",
};

/** Runs a read and SIGKILLs it after `killAfter` stdout lines (never, if undefined). */
function readUntil(emulator: Emulator, paths: Record<string, string>, killAfter?: number): Promise<{ lines: Array<Record<string, any>>; completed: boolean }> {
  return new Promise((resolve, reject) => {
    const args = [CLI, "read", "--config", paths.config!, "--catalog", paths.catalog!];
    if (paths.state) args.push("--state", paths.state);
    const child = spawn(process.execPath, args, { env: { ...process.env, STRIPE_API_BASE: emulator.url }, stdio: ["ignore", "pipe", "pipe"] });
    const lines: Array<Record<string, any>> = [];
    let buffer = "";
    let killed = false;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf("\n")) >= 0 && !killed) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        lines.push(JSON.parse(line));
        if (killAfter !== undefined && lines.length >= killAfter) {
          killed = true;
          child.kill("SIGKILL");
        }
      }
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ lines, completed: !killed && code === 0 }));
  });
}

describe("a read killed at any moment and resumed from its last STATE loses nothing", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 21, scale: 1, clockLagSeconds: SETTLE_SECONDS });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it("survives 12 kills at random points", async () => {
    // Small windows so a read checkpoints often; a seeded generator so a failure replays.
    const config = { account_id: PLATFORM, client_secret: EMULATOR_KEY, call_rate_limit: 2000, slice_range: 60, start_date: "2023-01-01T00:00:00Z" };
    const catalog = configuredCatalog(STREAMS.map((name) => ({ name, syncMode: "incremental" })));
    const full = await readUntil(emulator, writeFiles({ config, catalog }));
    expect(full.completed).toBe(true);
    const expected = new Map<string, Set<string>>();
    for (const m of full.lines) {
      if (m.type === "RECORD") {
        if (!expected.has(m.record.stream)) expected.set(m.record.stream, new Set());
        expected.get(m.record.stream)!.add(m.record.data.id);
      }
    }
    for (const [stream, object] of Object.entries(OBJECT)) {
      if (object !== "event") expect(expected.get(stream)?.size, stream).toBeGreaterThan(0);
    }
    const totalLines = full.lines.length;

    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    // Twelve kills at random points of the read, each resumed from the last STATE it printed.
    for (let kill = 0; kill < 12; kill++) {
      const killAfter = 1 + Math.floor(random() * (totalLines - 1));
      const first = await readUntil(emulator, writeFiles({ config, catalog }), killAfter);
      expect(first.completed).toBe(false);
      const state = lastStates(first.lines);
      const second = await readUntil(emulator, writeFiles({ config, catalog, ...(state.length ? { state } : {}) }));
      expect(second.completed).toBe(true);
      const delivered = new Map<string, string[]>();
      for (const m of [...first.lines, ...second.lines]) {
        if (m.type === "RECORD") delivered.set(m.record.stream, [...(delivered.get(m.record.stream) ?? []), m.record.data.id]);
      }
      for (const [stream, ids] of expected) {
        const got = new Set(delivered.get(stream) ?? []);
        const missing = [...ids].filter((id) => !got.has(id));
        expect(missing, `kill after line ${killAfter}: ${stream} lost objects`).toEqual([]);
      }
      // At least once, with duplicates bounded: a record delivered twice must belong to a
      // window its stream's last STATE did not cover yet (windows are read concurrently, so
      // that is the windows in flight at the kill). A resumed window starts at its cursor
      // second inclusive, so objects of that very second may come again too.
      const lastBlob = new Map<string, Record<string, any>>();
      for (const m of first.lines) if (m.type === "STATE") lastBlob.set(m.state.stream.stream_descriptor.name, m.state.stream.stream_state);
      const firstRecords = new Map<string, Record<string, any>>();
      for (const m of first.lines) if (m.type === "RECORD") firstRecords.set(`${m.record.stream}/${m.record.data.id}`, m.record.data);
      for (const [stream, list] of delivered) {
        const blob = lastBlob.get(stream);
        const covered = blob === undefined ? -Infinity : blob.backfill_created ?? blob.created ?? Infinity;
        const seen = new Set<string>();
        for (const id of list) {
          if (!seen.has(id)) {
            seen.add(id);
            continue;
          }
          const record = firstRecords.get(`${stream}/${id}`)!;
          const created = record.created ?? record.invoice_created ?? record.date;
          if (created === undefined) continue; // bank accounts carry no time of their own
          expect(created, `kill after line ${killAfter}: ${stream} ${id} came twice though its window was checkpointed`).toBeGreaterThanOrEqual(covered);
        }
      }
    }
  });
});
