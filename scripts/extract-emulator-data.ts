/**
 * Builds the compact reference data the Stripe emulator (test/emulator/) reads at
 * run time, from the Stripe OpenAPI reference files in ../shared/stripe-openapi.
 *
 *   npm run build && node dist/scripts/extract-emulator-data.js [--shared DIR] [--out DIR]
 *
 * The output is committed, so neither the build nor the tests need ../shared.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

type Json = Record<string, unknown>;

/** Object types the emulator seeds, serves or embeds: their fixtures are kept. */
const FIXTURE_TYPES = [
  "account",
  "application_fee",
  "balance",
  "balance_transaction",
  "bank_account",
  "billing.meter",
  "card",
  "charge",
  "checkout.session",
  "coupon",
  "credit_note",
  "credit_note_line_item",
  "customer",
  "customer_balance_transaction",
  "dispute",
  "event",
  "fee_refund",
  "file",
  "file_link",
  "invoice",
  "invoice_payment",
  "invoiceitem",
  "issuing.authorization",
  "issuing.card",
  "issuing.cardholder",
  "issuing.transaction",
  "item",
  "line_item",
  "payment_intent",
  "payment_link",
  "payment_method",
  "payout",
  "person",
  "plan",
  "price",
  "product",
  "promotion_code",
  "quote",
  "radar.early_fraud_warning",
  "refund",
  "review",
  "setup_attempt",
  "setup_intent",
  "shipping_rate",
  "subscription",
  "subscription_item",
  "subscription_schedule",
  "tax_id",
  "tax_rate",
  "topup",
  "transfer",
  "transfer_reversal",
  "webhook_endpoint",
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The repository root, whether this runs from scripts/ (tsx) or dist/scripts/ (compiled). */
function repoRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const parts = here.split(path.sep);
  const distAt = parts.lastIndexOf("dist");
  return distAt >= 0 ? parts.slice(0, distAt).join(path.sep) : path.resolve(here, "..");
}

function readJson(file: string): Json {
  return JSON.parse(readFileSync(file, "utf8")) as Json;
}

function write(file: string, value: unknown): void {
  writeFileSync(file, JSON.stringify(value, null, 1) + "\n");
  console.log(`wrote ${file}`);
}

function main(): void {
  const root = repoRoot();
  const shared = path.resolve(arg("--shared") ?? path.join(root, "..", "shared", "stripe-openapi"));
  const out = path.resolve(arg("--out") ?? path.join(root, "test", "emulator", "data"));
  mkdirSync(out, { recursive: true });

  // Fixtures: one sample object per type.
  const resources = (readJson(path.join(shared, "fixtures3.json")).resources ?? {}) as Record<string, Json>;
  const fixtures: Record<string, Json> = {};
  for (const type of FIXTURE_TYPES) {
    const fx = resources[type];
    if (!fx) throw new Error(`fixtures3.json has no resource ${type}`);
    fixtures[type] = fx;
  }
  write(path.join(out, "fixtures.json"), fixtures);

  // List endpoints: v1 list and search methods with their query parameter names.
  const listFile = readJson(path.join(shared, "list-endpoints.stripe-node-23.1.0.json"));
  const endpoints = (listFile.endpoints as Json[])
    .filter((e) => typeof e.path === "string" && (e.path as string).startsWith("/v1/"))
    .map((e) => {
      const params = (e.params as { name: string; required: boolean }[]) ?? [];
      return {
        path: e.path as string,
        kind: e.kind as string,
        params: params.map((p) => p.name),
        required: params.filter((p) => p.required).map((p) => p.name),
        parentParams: (e.parent_path_params as string[]) ?? [],
        objectType: (e.object_type as string | null) ?? null,
        hasCreated: (e.object_has_created as boolean | null) ?? null,
        createdFilter: Boolean(e.supports_created_filter),
      };
    });
  write(path.join(out, "endpoints.json"), { api_version: (listFile.meta as Json).api_version, endpoints });

  // Event types (names only).
  const events = readJson(path.join(shared, "event-types.stripe-node-23.1.0.json"));
  write(path.join(out, "event-types.json"), { api_version: (events.meta as Json).api_version, types: events.types });

  // x-expandableFields of the object types we keep (2023 spec: newer types are absent).
  const spec = readJson(path.join(shared, "spec3.json"));
  const schemas = ((spec.components as Json).schemas ?? {}) as Record<string, Json>;
  const expandable: Record<string, string[]> = {};
  for (const type of FIXTURE_TYPES) {
    const fields = schemas[type]?.["x-expandableFields"];
    if (Array.isArray(fields)) expandable[type] = fields as string[];
  }
  write(path.join(out, "expandable.json"), expandable);
}

main();
