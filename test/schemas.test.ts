import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import { changedFiles, renderSchemas, schemasDir } from "../scripts/generate-schemas.js";
import { firstSentence, sdkObjectName, sdkRootTypeName, sdkTypeToJsonSchema } from "../scripts/sdk-json-schema.js";
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

/** Every sub-schema, with its path. */
function* subSchemas(schema: Schema, at = "$"): Generator<[string, Schema]> {
  yield [at, schema];
  for (const [name, s] of Object.entries(props(schema))) yield* subSchemas(s, `${at}.${name}`);
  if (schema.items && typeof schema.items === "object") yield* subSchemas(schema.items as Schema, `${at}[]`);
  if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
    yield* subSchemas(schema.additionalProperties as Schema, `${at}.*`);
  }
  for (const [i, s] of ((schema.anyOf ?? []) as Schema[]).entries()) yield* subSchemas(s, `${at}|${i}`);
}

function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv;
}

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
        expect(schema.type).toEqual(["null", "object"]);
        expect(schema.additionalProperties).toBe(true);
        expect(Object.keys(props(schema)).length).toBeGreaterThan(3);
        expect(props(schema)).toHaveProperty("id");
      }, 30_000);

      it("is loose: open objects, nullable fields, no required lists or enums", () => {
        const added = new Set(Object.keys(addedProperties(def)).map((k) => `$.${k}`));
        const problems: string[] = [];
        for (const [at, s] of subSchemas(load(def.name))) {
          if ("required" in s) problems.push(`${at}: required`);
          if ("enum" in s) problems.push(`${at}: enum`);
          if (types(s).includes("object") && (s.additionalProperties === undefined || s.additionalProperties === false)) {
            problems.push(`${at}: closed object`);
          }
          if (at !== "$" && !added.has(at) && s.type !== undefined && !types(s).includes("null")) {
            problems.push(`${at}: not nullable`);
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

  it("has the fields one expects of the main streams", () => {
    expect(types(prop(load("customers"), "email"))).toEqual(["null", "string"]);
    expect(types(prop(load("charges"), "amount"))).toEqual(["null", "number"]);
    expect(types(prop(load("charges"), "customer"))).toEqual(["null", "string", "object"]);
    expect(types(prop(load("invoices"), "lines", "data"))).toEqual(["null", "array"]);
    expect(props(prop(load("invoices"), "lines", "data", "[]"))).toHaveProperty("amount");
    expect(Object.keys(props(prop(load("invoices"), "lines")))).toEqual(["data", "has_more", "object", "total_count", "url"]);
    expect(props(prop(load("subscriptions"), "items", "data", "[]"))).toHaveProperty("price");
    expect(types(prop(load("prices"), "unit_amount_decimal"))).toEqual(["null", "string"]);
    expect(types(prop(load("customers"), "metadata"))).toEqual(["null", "object"]);
    expect(prop(load("customers"), "metadata").additionalProperties).toEqual({ type: ["null", "string"] });
    expect(types(prop(load("checkout_sessions"), "status"))).toEqual(["null", "string"]);
    expect(props(load("events"))).toHaveProperty("type");
    expect(props(prop(load("events"), "data"))).toHaveProperty("object");
    expect(props(load("checkout_sessions_line_items"))).toHaveProperty("checkout_session_id");
    expect(props(load("authorizations"))).toHaveProperty("approved");
    expect(props(load("billing_meters"))).toHaveProperty("event_name");
  });

  it("accepts records as the API sends them, whatever the API version", () => {
    const customers = newAjv().compile(load("customers"));
    const customer = {
      id: "cus_1",
      object: "customer",
      email: null,
      balance: 0,
      created: 1700000000,
      default_source: "card_1",
      metadata: { plan: "gold" },
      invoice_settings: { custom_fields: null, default_payment_method: { id: "pm_1", object: "payment_method" } },
      a_field_from_a_later_api_version: { nested: [1, 2] },
      updated: 1700000001,
      is_deleted: false,
    };
    expect(customers(customer), JSON.stringify(customers.errors)).toBe(true);
    expect(customers({ ...customer, default_source: { id: "card_1", object: "card" } })).toBe(true);
    expect(customers({ ...customer, email: 42 })).toBe(false);

    const invoices = newAjv().compile(load("invoices"));
    const invoice = {
      id: "in_1",
      object: "invoice",
      status: "a_status_added_later",
      lines: { object: "list", data: [{ id: "il_1", object: "line_item", amount: 100 }], has_more: false, url: "/v1/invoices/in_1/lines" },
      updated: 1,
    };
    expect(invoices(invoice), JSON.stringify(invoices.errors)).toBe(true);
  }, 30_000);
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
    const def = STREAM_BY_NAME.get("customers");
    expect(def).toBeDefined();
    expect(JSON.stringify(sdkTypeToJsonSchema("Customer"))).toBe(JSON.stringify(sdkTypeToJsonSchema("Customer")));
    const names = Object.keys(props(sdkTypeToJsonSchema("Customer")));
    expect(names).toEqual([...names].sort());
  }, 30_000);
});

describe("sdkTypeToJsonSchema", () => {
  it("resolves every sdkType of the table", () => {
    for (const sdkType of new Set(STREAMS.filter((s) => !s.removedTypeFields).map((s) => s.sdkType))) {
      expect(() => sdkObjectName(sdkType), sdkType).not.toThrow();
    }
    expect(sdkObjectName("Checkout.Session")).toBe("checkout.session");
    expect(sdkObjectName("Issuing.Authorization")).toBe("issuing.authorization");
    expect(sdkRootTypeName("Event")).toBe("EventBase");
  });

  it("refuses names the SDK does not declare", () => {
    expect(() => sdkTypeToJsonSchema("NoSuchResource")).toThrow(/NoSuchResource/);
    expect(() => sdkTypeToJsonSchema("Checkout.NoSuchThing")).toThrow(/Checkout\.NoSuchThing/);
  });

  it("cuts nesting at the depth limit", () => {
    const shallow = sdkTypeToJsonSchema("Customer", { maxDepth: 0 });
    expect(prop(shallow, "address")).toEqual({
      description: "The customer's billing address.",
      type: ["null", "object"],
      additionalProperties: true,
    });
  });

  it("keeps the first sentence of descriptions", () => {
    expect(firstSentence("Time at which the object was created. Measured in seconds since the Unix epoch.")).toBe(
      "Time at which the object was created.",
    );
    expect(firstSentence("A value, e.g. `foo`. Another.")).toBe("A value, e.g. `foo`.");
    expect(firstSentence("No full stop")).toBe("No full stop");
  });
});
