import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import { changedFiles, expandedFields, renderSchemas, schemasDir } from "../scripts/generate-schemas.js";
import { firstSentence, sdkTypeToJsonSchema } from "../scripts/sdk-json-schema.js";
import { discoverCatalog } from "../src/protocol/discover.js";
import { addedProperties } from "../src/streams/added-fields.js";
import { STREAM_BY_NAME, STREAMS } from "../src/streams/table.js";

type Schema = Record<string, unknown>;

const DIR = schemasDir();

const loaded = new Map<string, Schema>();

function load(stream: string): Schema {
  let schema = loaded.get(stream);
  if (!schema) {
    schema = JSON.parse(readFileSync(path.join(DIR, `${stream}.json`), "utf8")) as Schema;
    loaded.set(stream, schema);
  }
  return schema;
}

function props(schema: unknown): Record<string, Schema> {
  return ((schema as Schema).properties ?? {}) as Record<string, Schema>;
}

/** Sub-schema at a path of property names; `[]` steps into an array's items. */
function prop(schema: unknown, ...names: string[]): Schema {
  let s = schema as Schema;
  for (const name of names) {
    const next = name === "[]" ? (s.items as Schema | undefined) : props(s)[name];
    if (!next) throw new Error(`no property ${names.join(".")}`);
    s = next;
  }
  return s;
}

function types(schema: Schema): string[] {
  const t = schema.type;
  return Array.isArray(t) ? (t as string[]) : typeof t === "string" ? [t] : [];
}

/** Every sub-schema, with its path and its depth (the record's own fields are depth 1). */
function* subSchemas(schema: Schema, at = "$", depth = 0): Generator<[string, Schema, number]> {
  yield [at, schema, depth];
  for (const [name, s] of Object.entries(props(schema))) yield* subSchemas(s, `${at}.${name}`, depth + 1);
  if (schema.items && typeof schema.items === "object") yield* subSchemas(schema.items as Schema, `${at}[]`, depth);
}

function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv;
}

const SCALAR = new Set(["null", "string", "integer", "number", "boolean"]);

describe("schemas/*.json", () => {
  const ajv = newAjv();

  for (const def of STREAMS) {
    describe(def.name, () => {
      it("exists, parses and is a valid draft-07 schema", () => {
        expect(existsSync(path.join(DIR, `${def.name}.json`)), `schemas/${def.name}.json`).toBe(true);
        const schema = load(def.name);
        expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
        expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
        expect(() => newAjv().compile(schema)).not.toThrow();
        expect(schema.type).toBe("object");
        expect(schema.additionalProperties).toBe(true);
        expect(Object.keys(props(schema)).length).toBeGreaterThan(3);
        // Every key field is declared, and never null (Flow keys documents by it).
        for (const [field] of def.primaryKey) expect(types(prop(schema, field!)), field).not.toContain("null");
        if (!def.report) expect(prop(schema, "id").type).toBe("string");
      });

      it("follows the rules: open objects, no unions of a string with an object, shallow, described at the top only", () => {
        const schema = load(def.name);
        const notNull = new Set(["$.id", "$.object", "$.created", ...def.primaryKey.map(([f]) => `$.${f}`)]);
        for (const [name, s] of Object.entries(addedProperties(def))) if (!types(s).includes("null")) notNull.add(`$.${name}`);
        const problems: string[] = [];
        for (const [at, s, depth] of subSchemas(schema)) {
          for (const keyword of ["required", "enum", "$ref", "anyOf", "oneOf", "allOf"]) if (keyword in s) problems.push(`${at}: ${keyword}`);
          const t = types(s);
          if (t.includes("object") && s.additionalProperties !== true) problems.push(`${at}: closed object`);
          if (t.includes("string") && (t.includes("object") || t.includes("array"))) problems.push(`${at}: ${t.join("|")}`);
          if (depth > 4) problems.push(`${at}: deeper than 4`);
          if (depth > 1 && "description" in s) problems.push(`${at}: description below the top level`);
          if (depth > 0 && !notNull.has(at) && s.type !== undefined && !t.includes("null")) problems.push(`${at}: not nullable`);
          const fields = props(s);
          if (depth > 0 && "id" in fields && "object" in fields) {
            // An embedded Stripe object: its scalar fields only.
            for (const [name, f] of Object.entries(fields)) if (!types(f).every((x) => SCALAR.has(x))) problems.push(`${at}.${name}: not scalar`);
          }
        }
        expect(problems).toEqual([]);
      });

      it("contains the fields the connector adds", () => {
        const properties = props(load(def.name));
        for (const [name, schema] of Object.entries(addedProperties(def))) {
          expect(properties[name], name).toEqual(schema);
        }
      });
    });
  }

  it("types the fields one expects", () => {
    const int = ["null", "integer"];
    const str = ["null", "string"];
    const num = ["null", "number"];
    const obj = ["null", "object"];
    const arr = ["null", "array"];
    const expected: Record<string, Record<string, string[]>> = {
      balance_transactions: { amount: int, fee: int, net: int, available_on: int, exchange_rate: num, source: str },
      charges: { amount: int, amount_captured: int, amount_refunded: int, application_fee_amount: int, customer: str, payment_intent: str, balance_transaction: str, refunds: obj, updated: ["integer"] },
      checkout_sessions: { amount_total: int, customer: str, payment_intent: str, subscription: str, invoice: str, expires_at: int, line_items: obj },
      checkout_sessions_line_items: { amount_total: int, quantity: int, price: obj, checkout_session_id: str, checkout_session_updated: int },
      coupons: { amount_off: int, percent_off: num, times_redeemed: int, redeem_by: int, max_redemptions: int },
      credit_notes: { amount: int, total: int, invoice: str, customer: str },
      customers: { balance: int, default_source: str, email: str, test_clock: str, sources: obj },
      disputes: { amount: int, charge: str, payment_intent: str },
      events: { pending_webhooks: int, data: obj, type: str },
      invoice_items: { amount: int, date: int, customer: str, invoice: str },
      invoice_line_items: { amount: int, quantity: int, invoice: str, invoice_id: str, invoice_updated: int, invoice_created: int },
      invoices: { amount_due: int, amount_paid: int, amount_remaining: int, total: int, subtotal: int, due_date: int, period_end: int, customer: str, latest_revision: str, lines: obj, parent: obj },
      payment_intents: { amount: int, amount_received: int, customer: str, latest_charge: str, payment_method: str },
      payouts: { amount: int, arrival_date: int, destination: str, balance_transaction: str },
      plans: { amount: int, product: str, tiers: arr },
      prices: { unit_amount: int, unit_amount_decimal: str, product: str },
      refunds: { amount: int, charge: str, payment_intent: str },
      subscription_items: { quantity: int, subscription: str, current_period_end: int, price: obj, subscription_updated: int },
      subscriptions: { latest_invoice: str, customer: str, billing_cycle_anchor: int, start_date: int, cancel_at: int, items: obj, default_payment_method: str },
      tax_rates: { percentage: num },
      transfers: { amount: int, destination: str, balance_transaction: str },
    };
    const wrong: string[] = [];
    for (const [stream, fields] of Object.entries(expected)) {
      const schema = load(stream);
      if (stream !== "invoice_items" && !stream.endsWith("line_items")) expect(prop(schema, "created").type, `${stream}.created`).toBe("integer");
      for (const [field, want] of Object.entries(fields)) {
        const got = types(prop(schema, field));
        if (got.join() !== want.join()) wrong.push(`${stream}.${field}: ${got.join("|")}, expected ${want.join("|")}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(types(prop(load("charges"), "refunds", "data", "[]", "amount"))).toEqual(["null", "integer"]);
    expect(props(prop(load("subscriptions"), "items", "data", "[]"))).toHaveProperty("quantity");
    expect(prop(load("customers"), "metadata")).toEqual({ description: expect.any(String), type: ["null", "object"], additionalProperties: true });
  });

  it("describes each field the stream expands as that object", () => {
    expect(expandedFields(STREAM_BY_NAME.get("charges")!)).toEqual(new Set(["refunds"]));
    expect(expandedFields(STREAM_BY_NAME.get("customers")!)).toEqual(new Set(["sources"]));
    expect(expandedFields(STREAM_BY_NAME.get("checkout_sessions")!)).toEqual(new Set(["line_items"]));
    for (const def of STREAMS) {
      for (const field of expandedFields(def)) {
        expect(types(prop(load(def.name), field)).filter((t) => t !== "null"), `${def.name}.${field}`).toHaveLength(1);
      }
    }
  });

  it("accepts records as the API sends them, and refuses wrong types", () => {
    const customers = newAjv().compile(load("customers"));
    const customer = {
      id: "cus_1",
      object: "customer",
      email: null,
      balance: 0,
      created: 1700000000,
      default_source: "card_1",
      metadata: { plan: "gold" },
      invoice_settings: { custom_fields: null, default_payment_method: "pm_1", a_later_field: 1 },
      a_field_from_a_later_api_version: { nested: [1, 2] },
      updated: 1700000001,
      is_deleted: false,
    };
    expect(customers(customer), JSON.stringify(customers.errors)).toBe(true);
    expect(customers({ ...customer, default_source: { id: "card_1", object: "card" } })).toBe(false);
    expect(customers({ ...customer, email: 42 })).toBe(false);
    expect(customers({ ...customer, balance: 1.5 })).toBe(false);
    expect(customers({ ...customer, id: null })).toBe(false);

    const invoices = newAjv().compile(load("invoices"));
    const invoice = {
      id: "in_1",
      object: "invoice",
      status: "a_status_added_later",
      lines: { object: "list", data: [{ id: "il_1", object: "line_item", amount: 100, pricing: { type: "price_details" } }], has_more: false, url: "/v1/invoices/in_1/lines" },
      updated: 1,
    };
    expect(invoices(invoice), JSON.stringify(invoices.errors)).toBe(true);
  });
});

describe("the catalog discover prints", () => {
  const catalog = discoverCatalog();
  const size = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

  it("is at most 500 KB compact, and at most 64 KB per stream", () => {
    expect(size(catalog)).toBeLessThanOrEqual(500_000);
    const large = catalog.streams.filter((s) => size(s.json_schema) > 64_000).map((s) => s.name);
    expect(large).toEqual([]);
  });

  it("has no union of a string with an object anywhere", () => {
    const unions: string[] = [];
    const walk = (v: unknown, at: string): void => {
      if (!v || typeof v !== "object") return;
      const t = (v as Schema).type;
      if (Array.isArray(t) && t.includes("string") && t.includes("object")) unions.push(at);
      for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
    };
    walk(catalog, "$");
    expect(unions).toEqual([]);
  });

  it("compiles with ajv", () => {
    const started = performance.now();
    const ajv = new Ajv({ strict: false });
    for (const stream of catalog.streams) ajv.compile(stream.json_schema as Schema);
    // Before the warehouse rules, compiling the 2.1 MB catalog took ajv about 8 s.
    console.log(`ajv compiled ${catalog.streams.length} schemas in ${Math.round(performance.now() - started)} ms`);
  });
});

describe("generate-schemas", () => {
  let rendered: Map<string, string>;
  beforeAll(() => {
    rendered = renderSchemas();
  }, 120_000);

  it("renders one file per stream", () => {
    expect([...rendered.keys()].sort()).toEqual(STREAMS.map((s) => `${s.name}.json`).sort());
    for (const content of rendered.values()) expect(content.endsWith("}\n")).toBe(true);
  });

  it("matches the committed files (run npm run generate:schemas if not)", () => {
    expect(changedFiles(rendered, DIR)).toEqual([]);
  });

  it("is deterministic", () => {
    expect(JSON.stringify(sdkTypeToJsonSchema("Customer"))).toBe(JSON.stringify(sdkTypeToJsonSchema("Customer")));
    const names = Object.keys(props(sdkTypeToJsonSchema("Customer")));
    expect(names).toEqual([...names].sort());
  }, 30_000);
});

describe("sdkTypeToJsonSchema", () => {
  it("describes a union of events by the base they share", () => {
    const events = sdkTypeToJsonSchema("Event");
    expect(types(prop(events, "type"))).toEqual(["null", "string"]);
    expect(types(prop(events, "data"))).toEqual(["null", "object"]);
    expect(types(prop(events, "created"))).toEqual(["integer"]);
  });

  it("resolves every sdkType of the table (but the types the SDK no longer declares, and reports)", () => {
    for (const sdkType of new Set(STREAMS.filter((s) => !s.removedTypeFields && !s.report).map((s) => s.sdkType))) {
      expect(() => sdkTypeToJsonSchema(sdkType), sdkType).not.toThrow();
    }
  });

  it("refuses names the SDK does not declare", () => {
    expect(() => sdkTypeToJsonSchema("NoSuchResource")).toThrow(/NoSuchResource/);
    expect(() => sdkTypeToJsonSchema("Checkout.NoSuchThing")).toThrow(/Checkout\.NoSuchThing/);
  });

  it("types a reference as its id, and as the object only where the stream expands it", () => {
    expect(prop(sdkTypeToJsonSchema("Charge"), "customer").type).toEqual(["null", "string"]);
    const expanded = prop(sdkTypeToJsonSchema("Charge", { expanded: new Set(["customer"]) }), "customer");
    expect(expanded.type).toEqual(["null", "object"]);
    expect(types(prop(expanded, "balance"))).toEqual(["null", "integer"]);
    expect(props(expanded)).not.toHaveProperty("address"); // an embedded Stripe object: scalars only
  });

  it("cuts nesting at the depth limit", () => {
    const shallow = sdkTypeToJsonSchema("Customer", { maxDepth: 1 });
    expect(prop(shallow, "address")).toEqual({ description: "The customer's billing address.", type: ["null", "object"], additionalProperties: true });
  });

  it("keeps the first sentence of descriptions", () => {
    expect(firstSentence("Time at which the object was created. Measured in seconds since the Unix epoch.")).toBe(
      "Time at which the object was created.",
    );
    expect(firstSentence("A value, e.g. `foo`. Another.")).toBe("A value, e.g. `foo`.");
    expect(firstSentence("No full stop")).toBe("No full stop");
  });
});
