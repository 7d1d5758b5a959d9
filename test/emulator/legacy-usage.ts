/**
 * Legacy usage-based billing on the platform account: prices with `usage_type:
 * metered` and no meter (what Stripe stopped allowing in 2025-03-31.basil),
 * subscriptions on them, and each metered item's usage record summaries, one per
 * monthly period, newest first. Seeded after everything else with a generator and
 * ids of its own, so the rest of the seed data stays exactly as it was.
 */
import { Rng } from "./prng.js";
import { ANCHOR, DAY } from "./resources.js";
import { type DataSet, type Fields, IdGen, type Rec } from "./store.js";

/** Stripe's version that removed usage records: requests naming it, or a later one, do not find the endpoint. */
export const USAGE_RECORDS_REMOVED_IN = "2025-03-31";

const MONTH = 30 * DAY;

/** Whether an API version (`2025-02-24.acacia`) predates the removal of usage records. */
export function hasUsageRecords(apiVersion: string): boolean {
  return apiVersion.slice(0, 10) < USAGE_RECORDS_REMOVED_IN;
}

/** Why Stripe would refuse usage record summaries for this subscription item, or null when it has them. */
export function usageRecordsRefusal(item: Rec): string | null {
  const recurring = (item.fields.price as { recurring?: { usage_type?: string; meter?: string | null } } | undefined)?.recurring;
  if (recurring?.usage_type !== "metered") return `Usage record summaries are only available for subscription items on a metered price; ${item.id} is not.`;
  if (recurring.meter) return `Cannot list usage record summaries for ${item.id} because it is not on the legacy metered billing system.`;
  return null;
}

export function seedLegacyUsage(ds: DataSet, templates: Record<string, Fields>, seed: number): void {
  const rng = new Rng(seed * 7727 + 41);
  const ids = new IdGen(rng.fork(1));
  const make = (type: string, coll: string, t: number, fields: Fields, parent?: string): Rec => {
    const id = ids.next(type, t);
    const rec: Rec = { id, type, coll, t, fields: { id, object: type, ...fields } };
    if (parent) rec.parent = parent;
    ds.add(rec);
    return rec;
  };
  const customers = ds.coll("customer").all.a;
  const licensed = ds.coll("price").all.a.filter((p) => (p.fields.recurring as { usage_type?: string } | null)?.usage_type === "licensed");
  if (customers.length === 0) return;

  const productT = ANCHOR - 800 * DAY;
  const product = make("product", "product", productT, {
    active: true, created: productT, default_price: null, description: "API calls, billed on reported usage (legacy metering)",
    livemode: false, metadata: {}, name: "API calls (legacy metered)", type: "service", updated: productT,
  });
  const prices = [0, 1].map((k) => {
    const t = productT + (k + 1) * DAY;
    const recurring = { aggregate_usage: k === 0 ? "sum" : "max", interval: "month", interval_count: 1, meter: null, trial_period_days: null, usage_type: "metered" };
    return make("price", "price", t, {
      active: true, billing_scheme: "per_unit", created: t, currency: "usd", livemode: false, lookup_key: null, metadata: {},
      nickname: k === 0 ? "per call" : "peak seats", product: product.id, recurring, type: "recurring", unit_amount: 2 + k * 98,
      unit_amount_decimal: String(2 + k * 98),
    });
  });
  const statuses = ["active", "active", "canceled"] as const;
  statuses.forEach((status, i) => {
    const t = ANCHOR - (700 - i * 200) * DAY + rng.int(0, DAY);
    const canceledAt = status === "canceled" ? t + 4 * MONTH : null;
    const sub = make("subscription", "subscription", t, {
      billing_cycle_anchor: t, cancel_at: null, canceled_at: canceledAt, collection_method: "charge_automatically", created: t,
      currency: "usd", customer: rng.pick(customers).id, days_until_due: null, default_payment_method: null, ended_at: canceledAt,
      latest_invoice: null, livemode: false, metadata: {}, start_date: t, status, trial_end: null, trial_start: null,
      cancellation_details: { comment: null, feedback: null, reason: canceledAt ? "cancellation_requested" : null },
    });
    const end = canceledAt ?? ANCHOR;
    const price = prices[i % prices.length]!;
    const item = addItem(make, templates, sub, price, t, end);
    // The last (up to) eight monthly periods; an active subscription's newest one has not ended yet.
    const first = Math.max(t, end - 8 * MONTH);
    const periods = Math.ceil((end - first) / MONTH);
    for (let p = 0; p < periods; p++) {
      const start = first + p * MONTH;
      make("usage_record_summary", "usage_record_summary", start, {
        invoice: null, livemode: false, period: { end: start + MONTH, start },
        subscription_item: item.id, total_usage: rng.int(0, 5000),
      }, item.id);
    }
    // An item on a licensed price beside it: it has no usage records, and is not to be asked for them.
    if (i === 0 && licensed.length) addItem(make, templates, sub, rng.pick(licensed), t, end);
  });
}

function addItem(make: (type: string, coll: string, t: number, fields: Fields, parent?: string) => Rec, templates: Record<string, Fields>, sub: Rec, price: Rec, t: number, end: number): Rec {
  const priceObject = { ...templates.price, ...price.fields };
  const recurring = price.fields.recurring as Fields;
  const plan = {
    id: price.id, object: "plan", active: true, aggregate_usage: recurring.aggregate_usage ?? null, amount: price.fields.unit_amount,
    amount_decimal: price.fields.unit_amount_decimal, billing_scheme: "per_unit", created: price.t, currency: price.fields.currency,
    interval: recurring.interval, interval_count: recurring.interval_count, livemode: false, metadata: {}, meter: null, nickname: null,
    product: price.fields.product, tiers_mode: null, transform_usage: null, trial_period_days: null, usage_type: recurring.usage_type,
  };
  const periodStart = Math.max(t, end - MONTH);
  return make("subscription_item", "subscription_item", t, {
    created: t, current_period_end: periodStart + MONTH, current_period_start: periodStart, discounts: [], metadata: {}, plan,
    price: priceObject, quantity: recurring.usage_type === "metered" ? null : 1, subscription: sub.id, tax_rates: [],
  }, sub.id);
}
