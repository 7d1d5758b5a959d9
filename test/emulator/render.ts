/**
 * Turns compact records into the JSON objects the API returns: the type's fixture
 * as template, the record's fields on top, embedded lists filled in, and `expand[]`
 * paths replaced by the objects they name.
 */
import type { EmulatorData, Json } from "./data.js";
import { invalid } from "./errors.js";
import { EMBEDS, EXTRA_EXPANDABLE, type EmbedSpec } from "./resources.js";
import { type DataSet, type Fields, OPEN_BOUNDS, type Rec, walk } from "./store.js";

/** Fixture fields that are wrong for a generic object of the type, or that the renderer computes. */
const TEMPLATE_FIXES: Record<string, Fields> = {
  account: { external_accounts: null },
  charge: { source: null, transfer_data: null, refunds: undefined, captured: true, amount_captured: 100 },
  customer: { discount: null, shipping: null },
  invoice: {
    lines: null,
    last_finalization_error: null,
    from_invoice: null,
    shipping_cost: null,
    shipping_details: null,
    customer_shipping: null,
    amount_overpaid: 0,
    parent: null,
    webhooks_delivered_at: null,
    next_payment_attempt: null,
    // The fixture still has it; the API moved it to `parent.subscription_details` in 2025-03-31.basil.
    subscription: undefined,
  },
  subscription: {
    items: null,
    pending_update: null,
    pause_collection: null,
    transfer_data: null,
    billing_schedules: [],
    pending_invoice_item_interval: null,
    next_pending_invoice_item_invoice: null,
    cancel_at_period_end: false,
    managed_payments: null,
    billing_cycle_anchor_config: null,
  },
  subscription_item: { billing_thresholds: null },
  subscription_schedule: { default_settings: undefined },
  payment_intent: {
    last_payment_error: null,
    next_action: null,
    canceled_at: null,
    transfer_data: null,
    processing: null,
    managed_payments: null,
    shipping: null,
    payment_method_configuration_details: null,
  },
  setup_intent: { last_setup_error: null, next_action: null, payment_method_configuration_details: null },
  setup_attempt: { setup_error: null },
  "checkout.session": {
    shipping_cost: null,
    currency_conversion: null,
    managed_payments: null,
    after_expiration: null,
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    payment_method_configuration_details: null,
  },
  credit_note: { lines: null, shipping_cost: null, refunds: [], post_payment_amount: 0, pre_payment_amount: 0, pretax_credit_amounts: [] },
  application_fee: { refunds: null },
  transfer: { reversals: null },
  file: { links: undefined },
  line_item: { subtotal: 1000 },
  item: { price: null },
  quote: {
    transfer_data: null,
    from_quote: null,
    computed: { recurring: null, upfront: { amount_subtotal: 0, amount_total: 0, total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 } } },
  },
  payment_link: {
    transfer_data: null,
    managed_payments: null,
    restrictions: null,
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    payment_intent_data: null,
    subscription_data: null,
    shipping_address_collection: null,
  },
  "issuing.card": { shipping: null },
  payout: { trace_id: { status: "supported", value: null } },
  price: { transform_quantity: null },
  plan: { transform_usage: null },
  product: { package_dimensions: null },
  tax_rate: { flat_amount: null },
  topup: { source: null },
  event: { api_version: null },
  invoiceitem: { net_amount: 1000, quantity_decimal: "1" },
  shipping_rate: {
    delivery_estimate: { maximum: { unit: "business_day", value: 5 }, minimum: { unit: "business_day", value: 3 } },
  },
  invoice_payment: { amount_paid: 0, livemode: false },
  "billing.meter": { livemode: false },
};

export function buildTemplates(data: EmulatorData): Record<string, Fields> {
  const out: Record<string, Fields> = {};
  for (const [type, fx] of Object.entries(data.fixtures)) {
    const tpl: Fields = structuredClone(fx) as Fields;
    for (const [k, v] of Object.entries(TEMPLATE_FIXES[type] ?? {})) {
      if (v === undefined) delete tpl[k];
      else tpl[k] = v;
    }
    if ("livemode" in tpl) tpl.livemode = false;
    deepFreeze(tpl);
    out[type] = tpl;
  }
  return out;
}

function deepFreeze(v: unknown): void {
  if (v && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
}

export interface ListObject {
  object: "list";
  data: Json[];
  has_more: boolean;
  total_count: number;
  url: string;
}

/** Resolves the data set an account's own objects live in (for account.external_accounts). */
export type DataSetLookup = (acct: string) => DataSet | undefined;

export class Renderer {
  readonly templates: Record<string, Fields>;
  private readonly expandable: Record<string, Set<string>> = {};

  constructor(
    data: EmulatorData,
    private readonly datasetOf: DataSetLookup,
  ) {
    this.templates = buildTemplates(data);
    for (const [type, fields] of Object.entries(data.expandable)) {
      this.expandable[type] = new Set([...fields, ...(EXTRA_EXPANDABLE[type] ?? []), ...(EMBEDS[type] ?? []).map((e) => e.field)]);
    }
    for (const [type, extra] of Object.entries(EXTRA_EXPANDABLE)) {
      if (!this.expandable[type] && !data.expandable[type]) continue;
      this.expandable[type] ??= new Set(extra);
    }
  }

  /** The object as the API shows it (embedded lists that are always present included). */
  render(rec: Rec, ds: DataSet): Json {
    if (rec.type === "event") return this.renderEvent(rec, ds);
    const tpl = this.templates[rec.type];
    const o: Json = tpl ? Object.assign({}, tpl, rec.fields) : Object.assign({}, rec.fields);
    for (const spec of EMBEDS[rec.type] ?? []) {
      if (spec.always) o[spec.field] = this.embedded(spec, rec, ds);
    }
    if (rec.deleted) o.deleted = true;
    return o;
  }

  private renderEvent(rec: Rec, ds: DataSet): Json {
    const o: Json = Object.assign({}, this.templates.event, rec.fields);
    if (rec.snap) {
      const obj = this.render(rec.snap, ds);
      o.data = rec.prev ? { object: obj, previous_attributes: rec.prev } : { object: obj };
    }
    return o;
  }

  /** First page (10) of a list embedded in a parent. */
  embedded(spec: EmbedSpec, parent: Rec, ds: DataSet): ListObject {
    const home = spec.ownAccount ? this.datasetOf(parent.id) : ds;
    const url = spec.url(parent.id);
    const empty: ListObject = { object: "list", data: [], has_more: false, total_count: 0, url };
    if (!home) return empty;
    const idx = home.coll(spec.collection).index(spec.key);
    const run = idx?.get(parent.id);
    if (!run) return empty;
    const pred = spec.filter ? (r: Rec) => spec.filter!(r.fields) : null;
    const recs = walk([run], OPEN_BOUNDS, "desc", pred, 11);
    let total = run.a.length;
    if (pred) total = run.a.reduce((n, r) => n + (pred(r) ? 1 : 0), 0);
    return {
      object: "list",
      data: recs.slice(0, 10).map((r) => this.render(r, home)),
      has_more: recs.length > 10,
      total_count: total,
      url,
    };
  }

  private isExpandable(type: string | null, field: string): boolean {
    if (!type) return true;
    const set = this.expandable[type];
    return set ? set.has(field) : true;
  }

  /**
   * Applies `expand[]` paths (already split on dots, with any leading `data.`
   * removed) to a freshly rendered object. Throws a 400 for fields that cannot be
   * expanded.
   */
  expand(obj: Json, paths: string[][], ds: DataSet): void {
    for (const segs of paths) this.expandInto(obj, String(obj.object ?? ""), segs, segs.join("."), ds);
  }

  private expandInto(container: Json, type: string | null, segs: string[], full: string, ds: DataSet): void {
    const [field, ...rest] = segs;
    if (field === undefined) return;
    if (!this.isExpandable(type, field)) throw invalid(400, `This property cannot be expanded (${full}).`, undefined, "expand");
    let v = container[field];
    const spec = type ? (EMBEDS[type] ?? []).find((e) => e.field === field) : undefined;
    if (spec && !spec.always && (v === undefined || v === null)) {
      const self = typeof container.id === "string" ? ds.get(container.id) : undefined;
      v = self ? this.embedded(spec, self, ds) : { object: "list", data: [], has_more: false, total_count: 0, url: spec.url(String(container.id)) };
    } else if (typeof v === "string") {
      v = this.lookup(v, ds) ?? v;
    } else if (Array.isArray(v)) {
      v = v.map((x) => (typeof x === "string" ? (this.lookup(x, ds) ?? x) : x && typeof x === "object" ? { ...x } : x));
    } else if (v && typeof v === "object") {
      v = { ...(v as Json) };
    }
    container[field] = v;
    if (rest.length === 0 || !v || typeof v !== "object") return;
    if (Array.isArray(v)) {
      for (const item of v) {
        if (item && typeof item === "object") this.expandInto(item as Json, strOrNull((item as Json).object), rest, full, ds);
      }
      return;
    }
    const o = v as Json;
    if (o.object === "list" && rest[0] === "data" && Array.isArray(o.data)) {
      const items = (o.data as Json[]).map((x) => ({ ...x }));
      o.data = items;
      for (const item of items) this.expandInto(item, strOrNull(item.object), rest.slice(1), full, ds);
      return;
    }
    this.expandInto(o, strOrNull(o.object), rest, full, ds);
  }

  private lookup(id: string, ds: DataSet): Json | undefined {
    const live = ds.get(id);
    if (live) return this.render(live, ds);
    const tomb = ds.tombs.get(id);
    return tomb ? { id: tomb.id, object: tomb.type, deleted: true } : undefined;
  }
}

function strOrNull(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}
