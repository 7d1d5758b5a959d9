import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STREAMS } from "../src/streams/table.js";
import type { StreamDef } from "../src/streams/types.js";
import { EMULATOR_KEY, startEmulator, type Emulator } from "./emulator/server.js";
import { configuredCatalog, records, runCli, writeFiles, type CliResult } from "./helpers/cli.js";
import { assertProtocol, schemaValidator } from "./helpers/protocol.js";

const ACCOUNT = "acct_emulator_platform";

/**
 * An independent oracle: walks the emulator's lists with plain fetch, one page
 * after another, every parent's child endpoint from its start — the slow,
 * obviously complete way — and returns the ids a stream must deliver.
 */
async function oracleIds(emulator: Emulator, def: StreamDef): Promise<string[]> {
  const walk = async (path: string, params: Record<string, string | readonly string[]>, apiVersion?: string): Promise<Array<Record<string, any>>> => {
    const out: Array<Record<string, any>> = [];
    let after: string | undefined;
    for (;;) {
      const qs = new URLSearchParams({ limit: "100" });
      for (const [k, v] of Object.entries(params)) {
        if (k === "expand") continue;
        if (typeof v === "string") qs.set(k, v);
      }
      if (after) qs.set("starting_after", after);
      const headers = { authorization: `Bearer ${EMULATOR_KEY}`, ...(apiVersion ? { "stripe-version": apiVersion } : {}) };
      const response = await fetch(`${emulator.url}${path}?${qs}`, { headers });
      expect(response.status, `${path}?${qs}`).toBe(200);
      const page = (await response.json()) as { data: Array<Record<string, any>>; has_more: boolean };
      out.push(...page.data);
      if (!page.has_more || page.data.length === 0) return out;
      after = String(page.data.at(-1)!.id);
    }
  };
  // Every object of a stream: its list, or its endpoint under each of its parent's objects (a
  // grandchild's under its parent's, those the link's `where` names: dotted path -> value).
  const objects = async (d: StreamDef): Promise<Array<Record<string, any>>> => {
    const keep = (o: Record<string, any>) => !d.objectTypes || d.objectTypes.includes(o.object);
    const fill = (path: string, parentId?: string) => path.replace(/\{(\w+)\}/g, (_, name: string) => (d.configPathParams?.[name] ? ACCOUNT : parentId!));
    if (!d.parent) return (await walk(fill(d.path), d.params ?? {}, d.apiVersion)).filter(keep);
    const link = d.parent;
    const holds = (o: Record<string, any>) =>
      Object.entries(link.where ?? {}).every(([path, value]) => (path.split(".").reduce((v: any, k) => v?.[k], o) ?? null) === value);
    const out: Array<Record<string, any>> = [];
    for (const p of (await objects(STREAMS.find((s) => s.name === link.stream)!)).filter(holds)) {
      const params = { ...(d.params ?? {}), ...(link.queryParam ? { [link.queryParam]: String(p.id) } : {}) };
      out.push(...(await walk(fill(d.path, String(p.id)), params, d.apiVersion)).filter(keep));
    }
    return out;
  };
  return (await objects(def)).map((o) => o.id);
}

describe("full refresh of every stream against the emulator", () => {
  let emulator: Emulator;
  let result: CliResult;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: 7, scale: 1 });
    const files = writeFiles({
      config: { account_id: ACCOUNT, client_secret: EMULATOR_KEY, start_date: "2017-01-25T00:00:00Z", call_rate_limit: 2000 },
      catalog: configuredCatalog(STREAMS.map((s) => ({ name: s.name }))),
    });
    result = await runCli(["read", "--config", files.config!, "--catalog", files.catalog!], { env: { STRIPE_API_BASE: emulator.url } });
  }, 180_000);

  afterAll(async () => {
    await emulator?.close();
  });

  it("exits 0 and prints only valid Airbyte messages", () => {
    expect(result.code, result.stderr).toBe(0);
    assertProtocol(result.messages);
  });

  it("reports every stream STARTED then COMPLETE", () => {
    for (const def of STREAMS) {
      const statuses = result.messages
        .filter((m) => m.type === "TRACE" && m.trace.type === "STREAM_STATUS" && m.trace.stream_status.stream_descriptor.name === def.name)
        .map((m) => m.trace.stream_status.status);
      expect(statuses[0], def.name).toBe("STARTED");
      expect(statuses.at(-1), def.name).toBe("COMPLETE");
    }
  });

  for (const def of STREAMS) {
    it(`${def.name}: delivers exactly the emulator's objects, each valid against its schema`, async () => {
      const got = records(result, def.name);
      const expected = await oracleIds(emulator, def);
      expect(expected.length, `the emulator seeds ${def.name}`).toBeGreaterThan(0);
      expect(got.map((r) => r.id).sort()).toEqual([...expected].sort());
      const validate = schemaValidator(JSON.parse(readFileSync(resolve(import.meta.dirname, `../schemas/${def.name}.json`), "utf8")));
      for (const record of got) {
        expect(validate(record), `${def.name} ${record.id}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    });
  }

  it("child streams are complete where the parent's embedded list has more than one page", async () => {
    for (const [parentStream, field, childStream] of [
      ["invoices", "lines", "invoice_line_items"],
      ["subscriptions", "items", "subscription_items"],
      ["transfers", "reversals", "transfer_reversals"],
    ] as const) {
      const parents = records(result, parentStream);
      const params = new URLSearchParams({ limit: "100", ...(parentStream === "subscriptions" ? { status: "all" } : {}) });
      const listed: Array<Record<string, any>> = [];
      for (let after: string | undefined, more = true; more; ) {
        if (after) params.set("starting_after", after);
        const response = await fetch(`${emulator.url}${STREAMS.find((s) => s.name === parentStream)!.path}?${params}`, {
          headers: { authorization: `Bearer ${EMULATOR_KEY}` },
        });
        const page = (await response.json()) as { data: Array<Record<string, any>>; has_more: boolean };
        listed.push(...page.data);
        more = page.has_more;
        after = page.data.at(-1)?.id;
      }
      const long = listed.filter((p) => p[field]?.has_more);
      expect(long.length, `${parentStream} with more than one page of ${field}`).toBeGreaterThan(0);
      const children = records(result, childStream);
      for (const parent of long) {
        expect(parents.some((p) => p.id === parent.id)).toBe(true);
        const parentKey = childStream === "invoice_line_items" ? "invoice_id" : childStream === "subscription_items" ? "subscription" : "transfer";
        const mine = children.filter((c) => c[parentKey] === parent.id);
        expect(mine.length, `${childStream} of ${parent.id}`).toBeGreaterThan(parent[field].data.length);
      }
    }
  });

  it("adds the cursor and parent fields Airbyte's records carry", () => {
    const customer = records(result, "customers")[0]!;
    expect(customer.updated).toBe(customer.created);
    const line = records(result, "invoice_line_items")[0]!;
    const invoice = records(result, "invoices").find((i) => i.id === line.invoice_id)!;
    expect(line.invoice_updated).toBe(invoice.updated);
    expect(line.invoice_created).toBe(invoice.created);
    expect(records(result, "bank_accounts").every((b) => b.object === "bank_account")).toBe(true);
    expect(records(result, "external_account_cards").every((b) => b.object === "card")).toBe(true);
    expect(records(result, "customers").every((c) => !("sources" in c))).toBe(true);
  });

  it("lists what Stripe hides by default: canceled subscriptions", () => {
    expect(records(result, "subscriptions").some((s) => s.status === "canceled")).toBe(true);
  });

  it("honours start_date", async () => {
    const startDate = "2025-06-01T00:00:00Z";
    const since = Date.parse(startDate) / 1000;
    const files = writeFiles({
      config: { account_id: ACCOUNT, client_secret: EMULATOR_KEY, start_date: startDate, call_rate_limit: 2000 },
      catalog: configuredCatalog([{ name: "charges" }, { name: "quotes" }, { name: "invoice_items" }]),
    });
    const late = await runCli(["read", "--config", files.config!, "--catalog", files.catalog!], { env: { STRIPE_API_BASE: emulator.url } });
    expect(late.code).toBe(0);
    for (const [stream, field] of [["charges", "created"], ["quotes", "created"], ["invoice_items", "date"]] as const) {
      const all = records(result, stream).filter((r) => r[field] >= since);
      const got = records(late, stream);
      expect(got.length, stream).toBeGreaterThan(0);
      expect(got.length, stream).toBeLessThan(records(result, stream).length);
      expect(got.map((r) => r.id).sort()).toEqual(all.map((r) => r.id).sort());
    }
  });
});
