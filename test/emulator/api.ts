/**
 * The /v1 API: routing, parameter validation, list semantics (ordering, cursors,
 * created filters, has_more), retrieve by id, expansion, and the per-endpoint
 * quirks of Stripe's lists.
 */
import type { EndpointInfo, Json } from "./data.js";
import { ApiError, invalid, missingParam, noSuch, unknownParam, unrecognizedUrl } from "./errors.js";
import { type QueryObject, type QueryValue, asStringArray } from "./query.js";
import { hasUsageRecords, usageRecordsRefusal } from "./legacy-usage.js";
import { EVENT_RETENTION, TYPES } from "./resources.js";
import { type Bounds, type DataSet, MAX_ID, type Rec, type Source, keyValue, walk } from "./store.js";
import type { AccountState, World } from "./world.js";

export interface RequestCtx {
  world: World;
  /** The request's Stripe-Version (the emulator's own when it sends none). */
  version: string;
  /** The account whose data the request reads (the key's own, or the Stripe-Account one). */
  account: AccountState;
  method: string;
  path: string;
  query: QueryObject;
}

type Pred = (r: Rec) => boolean;

/** What a query filter contributes: a predicate, a run of an index to walk, or nothing. */
type FilterResult = { pred?: Pred; index?: [string, string] } | null;
type Filter = (v: QueryValue, ctx: RequestCtx, ds: DataSet) => FilterResult;

interface ListSpec {
  path: string;
  coll: string;
  /** Path parameter naming the parent; `key` selects children in the collection's index. */
  parent?: { param: string; type: string; key: string; account?: boolean };
  /** Required query parameter naming the parent (subscription_items?subscription=). */
  queryParent?: { param: string; type: string; key: string };
  filters?: Record<string, Filter>;
  /** Applied when the named parameter is absent (subscriptions hide canceled ones unless status=...). */
  defaults?: Record<string, (ctx: RequestCtx, ds: DataSet) => FilterResult>;
  /** Filters that always apply. */
  always?: (ctx: RequestCtx) => FilterResult;
  /** Lower bound on created (events: last 30 days). */
  minCreated?: (ctx: RequestCtx) => number;
  /** Whether the endpoint exists for this request (its API version); if not, Stripe's unrecognized-URL 404. */
  exists?: (ctx: RequestCtx) => boolean;
  /** Why the parent named in the path has no such list (a 400), or null. */
  refuse?: (parent: Rec) => string | null;
}

interface RetrieveSpec {
  path: string;
  coll: string;
  parent?: { param: string; key: string; account?: boolean };
}

const STD_LIST_PARAMS = ["limit", "starting_after", "ending_before", "expand", "created"];
/** Fields that are worth an index when filtered by equality. */
const INDEXABLE = new Set(["customer", "charge", "invoice", "subscription", "payment_intent", "setup_intent", "file", "product", "cardholder", "card", "destination", "transfer_group", "coupon", "type"]);

const eqPred = (field: string, value: string): Pred => (r) => r.fields[field] === value;

const SUB_STATUSES = new Set(["active", "all", "canceled", "ended", "incomplete", "incomplete_expired", "past_due", "paused", "trialing", "unpaid"]);

function boolParam(v: QueryValue, name: string): boolean {
  if (v === "true") return true;
  if (v === "false") return false;
  throw invalid(400, `Invalid boolean: ${typeof v === "string" ? v : "[object]"}`, "parameter_invalid_boolean", name);
}

function objectFilter(v: QueryValue): FilterResult {
  if (v !== "bank_account" && v !== "card") throw invalid(400, `Invalid object: must be one of bank_account or card`, "parameter_invalid_string", "object");
  const want = v;
  return { pred: (r) => r.type === want };
}

function subscriptionItemsHave(field: "price" | "plan") {
  return (v: QueryValue, _ctx: RequestCtx, ds: DataSet): FilterResult => {
    if (typeof v !== "string") throw invalid(400, `Invalid string: ${field}`, "parameter_invalid_string", field);
    const items = ds.coll("subscription_item").index("@parent");
    return {
      pred: (sub) => {
        const run = items?.get(sub.id);
        return !!run && run.a.some((it) => (it.fields[field] as { id?: string } | null)?.id === v);
      },
    };
  };
}

const LISTS: ListSpec[] = [
  { path: "/v1/accounts", coll: "account" },
  { path: "/v1/accounts/{account}/persons", coll: "person", parent: { param: "account", type: "account", key: "@parent", account: true } },
  {
    path: "/v1/accounts/{account}/external_accounts",
    coll: "external_account",
    parent: { param: "account", type: "account", key: "@parent", account: true },
    filters: { object: objectFilter },
  },
  { path: "/v1/application_fees", coll: "application_fee" },
  { path: "/v1/application_fees/{id}/refunds", coll: "fee_refund", parent: { param: "id", type: "application_fee", key: "@parent" } },
  {
    path: "/v1/balance_transactions",
    coll: "balance_transaction",
    filters: {
      payout: (v, _ctx, ds) => {
        if (typeof v !== "string") throw invalid(400, "Invalid string: payout", "parameter_invalid_string", "payout");
        const po = ds.get(v);
        if (!po || po.type !== "payout") throw noSuch("payout", v, "payout");
        return { index: ["@payout", v] };
      },
    },
  },
  { path: "/v1/billing/meters", coll: "billing.meter" },
  { path: "/v1/charges", coll: "charge" },
  { path: "/v1/checkout/sessions", coll: "checkout.session" },
  { path: "/v1/checkout/sessions/{session}/line_items", coll: "item", parent: { param: "session", type: "checkout.session", key: "@parent" } },
  { path: "/v1/coupons", coll: "coupon" },
  { path: "/v1/credit_notes", coll: "credit_note" },
  { path: "/v1/credit_notes/{credit_note}/lines", coll: "credit_note_line_item", parent: { param: "credit_note", type: "credit_note", key: "@parent" } },
  { path: "/v1/customers", coll: "customer" },
  {
    path: "/v1/customers/{customer}/sources",
    coll: "source",
    parent: { param: "customer", type: "customer", key: "@parent" },
    filters: { object: objectFilter },
  },
  {
    path: "/v1/customers/{customer}/balance_transactions",
    coll: "customer_balance_transaction",
    parent: { param: "customer", type: "customer", key: "@parent" },
  },
  { path: "/v1/customers/{customer}/payment_methods", coll: "payment_method", parent: { param: "customer", type: "customer", key: "customer" } },
  { path: "/v1/customers/{customer}/tax_ids", coll: "tax_id", parent: { param: "customer", type: "customer", key: "@parent" } },
  { path: "/v1/disputes", coll: "dispute" },
  {
    path: "/v1/events",
    coll: "event",
    minCreated: (ctx) => ctx.world.clock.now() - EVENT_RETENTION,
    // Stripe's events list is eventually consistent: an event may be listable only a while after it happened.
    always: (ctx) => (ctx.world.eventDelaySeconds > 0 ? { pred: (r) => r.t <= ctx.world.clock.now() - ctx.world.eventDelaySeconds } : null),
    filters: {
      type: (v, ctx) => {
        if (typeof v !== "string") throw invalid(400, "Invalid string: type", "parameter_invalid_string", "type");
        if ("types" in ctx.query) throw invalid(400, "You may pass either `type` or `types`, but not both.", undefined, "types");
        if (!v.includes("*")) return { index: ["type", v] };
        const re = new RegExp(`^${v.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
        return { pred: (r) => re.test(r.fields.type as string) };
      },
      types: (v) => {
        const list = asStringArray(v);
        if (list === null) throw invalid(400, "Invalid array", "parameter_invalid_array", "types");
        if (list.length > 20) throw invalid(400, `You can filter by at most 20 event types (got ${list.length}).`, "parameter_invalid_array", "types");
        const set = new Set(list);
        return { pred: (r) => set.has(r.fields.type as string) };
      },
      delivery_success: (v) => (boolParam(v, "delivery_success") ? null : { pred: () => false }),
    },
  },
  {
    path: "/v1/file_links",
    coll: "file_link",
    filters: {
      expired: (v, ctx) => {
        const want = boolParam(v, "expired");
        const now = ctx.world.clock.now();
        return { pred: (r) => (typeof r.fields.expires_at === "number" && r.fields.expires_at <= now) === want };
      },
    },
  },
  { path: "/v1/files", coll: "file" },
  {
    path: "/v1/invoiceitems",
    coll: "invoiceitem",
    filters: {
      pending: (v) => {
        const want = boolParam(v, "pending");
        return { pred: (r) => (r.fields.invoice === null || r.fields.invoice === undefined) === want };
      },
    },
  },
  { path: "/v1/invoice_payments", coll: "invoice_payment" },
  {
    path: "/v1/invoices",
    coll: "invoice",
    // Invoices name their subscription under `parent` since 2025-03-31.basil.
    filters: {
      subscription: (v) => ({
        pred: (r) => (r.fields.parent as { subscription_details?: { subscription?: unknown } } | null | undefined)?.subscription_details?.subscription === v,
      }),
    },
  },
  { path: "/v1/invoices/{invoice}/lines", coll: "line_item", parent: { param: "invoice", type: "invoice", key: "@parent" } },
  { path: "/v1/issuing/authorizations", coll: "issuing.authorization" },
  { path: "/v1/issuing/cardholders", coll: "issuing.cardholder" },
  { path: "/v1/issuing/cards", coll: "issuing.card" },
  { path: "/v1/issuing/transactions", coll: "issuing.transaction" },
  { path: "/v1/payment_intents", coll: "payment_intent" },
  { path: "/v1/payment_links", coll: "payment_link" },
  { path: "/v1/payment_methods", coll: "payment_method" },
  { path: "/v1/payouts", coll: "payout" },
  { path: "/v1/plans", coll: "plan" },
  {
    path: "/v1/prices",
    coll: "price",
    filters: {
      lookup_keys: (v) => {
        const list = asStringArray(v);
        if (list === null) throw invalid(400, "Invalid array", "parameter_invalid_array", "lookup_keys");
        const set = new Set(list);
        return { pred: (r) => set.has(r.fields.lookup_key as string) };
      },
    },
  },
  {
    path: "/v1/products",
    coll: "product",
    filters: {
      ids: (v) => {
        const list = asStringArray(v);
        if (list === null) throw invalid(400, "Invalid array", "parameter_invalid_array", "ids");
        const set = new Set(list);
        return { pred: (r) => set.has(r.id) };
      },
    },
  },
  {
    path: "/v1/promotion_codes",
    coll: "promotion_code",
    filters: {
      coupon: (v) => ({ pred: (r) => (r.fields.promotion as { coupon?: unknown } | undefined)?.coupon === v }),
    },
  },
  { path: "/v1/quotes", coll: "quote" },
  { path: "/v1/radar/early_fraud_warnings", coll: "radar.early_fraud_warning" },
  { path: "/v1/radar/value_lists", coll: "radar.value_list" },
  {
    path: "/v1/radar/value_list_items",
    coll: "radar.value_list_item",
    queryParent: { param: "value_list", type: "radar.value_list", key: "@parent" },
  },
  { path: "/v1/refunds", coll: "refund" },
  // Stripe lists only open reviews.
  { path: "/v1/reviews", coll: "review", always: () => ({ pred: (r) => r.fields.open === true }) },
  { path: "/v1/setup_attempts", coll: "setup_attempt", queryParent: { param: "setup_intent", type: "setup_intent", key: "@parent" } },
  { path: "/v1/setup_intents", coll: "setup_intent" },
  { path: "/v1/shipping_rates", coll: "shipping_rate" },
  { path: "/v1/subscription_items", coll: "subscription_item", queryParent: { param: "subscription", type: "subscription", key: "@parent" } },
  {
    path: "/v1/subscription_schedules",
    coll: "subscription_schedule",
    filters: { scheduled: (v) => {
      const want = boolParam(v, "scheduled");
      return { pred: (r) => (r.fields.status === "not_started") === want };
    } },
  },
  {
    path: "/v1/subscriptions",
    coll: "subscription",
    filters: {
      status: (v) => {
        if (typeof v !== "string" || !SUB_STATUSES.has(v)) {
          throw invalid(400, `Invalid status: must be one of ${[...SUB_STATUSES].join(", ")}`, "parameter_invalid_string", "status");
        }
        if (v === "all") return null;
        if (v === "ended") return { pred: (r) => r.fields.status === "canceled" || r.fields.status === "incomplete_expired" };
        return { pred: eqPred("status", v) };
      },
      price: subscriptionItemsHave("price"),
      plan: subscriptionItemsHave("plan"),
    },
    // Without status, canceled (and expired incomplete) subscriptions are hidden.
    defaults: { status: () => ({ pred: (r) => r.fields.status !== "canceled" && r.fields.status !== "incomplete_expired" }) },
  },
  {
    path: "/v1/tax_ids",
    coll: "tax_id",
    filters: {
      owner: (v) => {
        if (typeof v !== "object" || Array.isArray(v)) throw invalid(400, "Invalid hash", "parameter_invalid_hash", "owner");
        const type = v.type;
        if (type === "self") return { pred: (r) => (r.fields.owner as { type?: string } | undefined)?.type === "self" };
        if (type === "customer") {
          if (typeof v.customer !== "string") throw missingParam("owner[customer]");
          return { index: ["@parent", v.customer] };
        }
        if (type === "account" || type === "application") return { pred: () => false };
        throw invalid(400, "Invalid owner[type]: must be one of self, customer, account or application", "parameter_invalid_string", "owner[type]");
      },
    },
    // Without owner, Stripe lists the account's own tax ids (owner[type]=self).
    defaults: { owner: () => ({ pred: (r) => (r.fields.owner as { type?: string } | undefined)?.type === "self" }) },
  },
  { path: "/v1/tax_rates", coll: "tax_rate" },
  { path: "/v1/topups", coll: "topup" },
  { path: "/v1/transfers", coll: "transfer" },
  { path: "/v1/transfers/{id}/reversals", coll: "transfer_reversal", parent: { param: "id", type: "transfer", key: "@parent" } },
  { path: "/v1/webhook_endpoints", coll: "webhook_endpoint" },
  // Removed in 2025-03-31.basil: only requests that send an older Stripe-Version find it.
  {
    path: "/v1/subscription_items/{subscription_item}/usage_record_summaries",
    coll: "usage_record_summary",
    parent: { param: "subscription_item", type: "subscription_item", key: "@parent" },
    exists: (ctx) => !ctx.world.usageRecordsGone && hasUsageRecords(ctx.version),
    refuse: usageRecordsRefusal,
  },
];

const RETRIEVES: RetrieveSpec[] = [
  ...Object.values(TYPES)
    .filter((d) => d.retrievePath && d.type !== "account")
    .map((d) => ({ path: `${d.retrievePath}/{id}`, coll: d.collection })),
  { path: "/v1/customers/{customer}/sources/{id}", coll: "source", parent: { param: "customer", key: "@parent" } },
  { path: "/v1/customers/{customer}/tax_ids/{id}", coll: "tax_id", parent: { param: "customer", key: "@parent" } },
  { path: "/v1/customers/{customer}/balance_transactions/{id}", coll: "customer_balance_transaction", parent: { param: "customer", key: "@parent" } },
  { path: "/v1/customers/{customer}/payment_methods/{id}", coll: "payment_method", parent: { param: "customer", key: "customer" } },
  { path: "/v1/accounts/{account}/persons/{id}", coll: "person", parent: { param: "account", key: "@parent", account: true } },
  { path: "/v1/accounts/{account}/external_accounts/{id}", coll: "external_account", parent: { param: "account", key: "@parent", account: true } },
  { path: "/v1/application_fees/{fee}/refunds/{id}", coll: "fee_refund", parent: { param: "fee", key: "@parent" } },
  { path: "/v1/transfers/{transfer}/reversals/{id}", coll: "transfer_reversal", parent: { param: "transfer", key: "@parent" } },
];

// ---- routing -------------------------------------------------------------------------------

interface Route {
  segs: string[];
  literals: number;
  handle: (ctx: RequestCtx, params: Record<string, string>) => Json;
}

function compile(path: string, handle: Route["handle"]): Route {
  const segs = path.split("/").slice(1);
  return { segs, literals: segs.filter((s) => !s.startsWith("{")).length, handle };
}

export class Api {
  private readonly routes: Route[] = [];
  private readonly endpoints = new Map<string, EndpointInfo>();

  constructor(world: World) {
    for (const ep of world.data.endpoints) this.endpoints.set(ep.path, ep);
    const served = new Set<string>();
    for (const spec of LISTS) {
      served.add(spec.path);
      this.routes.push(compile(spec.path, (ctx, params) => this.list(ctx, spec, params)));
    }
    for (const spec of RETRIEVES) this.routes.push(compile(spec.path, (ctx, params) => this.retrieve(ctx, spec, params)));
    this.routes.push(compile("/v1/account", (ctx) => this.account(ctx, ctx.account.id)));
    this.routes.push(compile("/v1/accounts/{account}", (ctx, p) => this.account(ctx, p.account!)));
    this.routes.push(compile("/v1/balance", (ctx) => this.balance(ctx)));
    // Every other list endpoint of the API answers an empty list; search endpoints an empty search result.
    for (const ep of world.data.endpoints) {
      if (served.has(ep.path)) continue;
      this.routes.push(compile(ep.path, (ctx) => this.emptyList(ctx, ep)));
    }
    this.routes.sort((a, b) => b.literals - a.literals);
  }

  handle(ctx: RequestCtx): Json {
    if (ctx.method !== "GET") throw unrecognizedUrl(ctx.method, ctx.path);
    const parts = ctx.path.split("/").slice(1);
    for (const route of this.routes) {
      if (route.segs.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = route.segs[i]!;
        const part = parts[i]!;
        if (seg.startsWith("{")) {
          if (!part) {
            ok = false;
            break;
          }
          params[seg.slice(1, -1)] = safeDecode(part);
        } else if (seg !== part) {
          ok = false;
          break;
        }
      }
      if (ok) return route.handle(ctx, params);
    }
    throw unrecognizedUrl(ctx.method, ctx.path);
  }

  /** The route template a path matches (for stats), or null. */
  routeOf(path: string): string | null {
    const parts = path.split("/").slice(1);
    for (const route of this.routes) {
      if (route.segs.length !== parts.length) continue;
      if (route.segs.every((seg, i) => seg.startsWith("{") ? parts[i] !== "" : seg === parts[i])) return "/" + route.segs.join("/");
    }
    return null;
  }

  // ---- helpers ----

  private checkParams(query: QueryObject, allowed: Iterable<string>): void {
    const set = new Set(allowed);
    for (const k of Object.keys(query)) if (!set.has(k)) throw unknownParam(k);
  }

  private parseExpand(query: QueryObject, list: boolean): string[][] {
    if (query.expand === undefined) return [];
    const items = asStringArray(query.expand);
    if (items === null) throw invalid(400, "Invalid array", "parameter_invalid_array", "expand");
    return items.map((item) => {
      let segs = item.split(".");
      if (list) {
        if (segs[0] !== "data" || segs.length < 2) throw invalid(400, `This property cannot be expanded (${item}).`, undefined, "expand");
        segs = segs.slice(1);
      }
      if (segs.length > 4) throw invalid(400, `You cannot expand more than 4 levels of a property. Property: ${item}`, undefined, "expand");
      return segs;
    });
  }

  private parseLimit(v: QueryValue | undefined): number {
    if (v === undefined) return 10;
    if (typeof v !== "string" || !/^-?\d+$/.test(v)) throw invalid(400, `Invalid integer: ${typeof v === "string" ? v : "[object]"}`, "parameter_invalid_integer", "limit");
    const n = Number(v);
    if (n < 1) throw invalid(400, "This value must be greater than or equal to 1.", "parameter_invalid_integer", "limit");
    if (n > 100) throw invalid(400, "This value must be less than or equal to 100.", "parameter_invalid_integer", "limit");
    return n;
  }

  /** Turns `created` (exact or gt/gte/lt/lte) into key bounds. */
  private createdBounds(v: QueryValue | undefined, b: Bounds): void {
    if (v === undefined) return;
    const int = (x: QueryValue | undefined, name: string): number => {
      if (typeof x !== "string" || !/^-?\d+$/.test(x)) throw invalid(400, `Invalid integer: ${typeof x === "string" ? x : "[object]"}`, "parameter_invalid_integer", name);
      return Number(x);
    };
    const upper = (t: number, id: string) => {
      if (t < b.hiT || (t === b.hiT && id < b.hiId)) {
        b.hiT = t;
        b.hiId = id;
      }
    };
    const lower = (t: number, id: string) => {
      if (t > b.loT || (t === b.loT && id > b.loId)) {
        b.loT = t;
        b.loId = id;
      }
    };
    if (typeof v === "string") {
      const t = int(v, "created");
      upper(t, MAX_ID);
      lower(t, "");
      return;
    }
    if (Array.isArray(v)) throw invalid(400, "Invalid integer: created", "parameter_invalid_integer", "created");
    for (const [k, x] of Object.entries(v)) {
      const t = int(x, `created[${k}]`);
      if (k === "gt") lower(t, MAX_ID);
      else if (k === "gte") lower(t, "");
      else if (k === "lt") upper(t, "");
      else if (k === "lte") upper(t, MAX_ID);
      else throw unknownParam(`created[${k}]`);
    }
  }

  /** Data set of an account named in a path, if the requester may see it. */
  private accountData(ctx: RequestCtx, id: string, param: string): AccountState {
    const acct = ctx.world.accounts.get(id);
    const own = ctx.account;
    if (!acct || (acct.id !== own.id && acct.platform !== own.id)) throw noSuch("account", id, param);
    return acct;
  }

  private renderPage(ctx: RequestCtx, ds: DataSet, recs: Rec[], expand: string[][]): Json[] {
    return recs.map((r) => {
      const o = ctx.world.render(r, ds);
      if (expand.length > 0) ctx.world.renderer.expand(o, expand, ds);
      return o;
    });
  }

  // ---- handlers ----

  private list(ctx: RequestCtx, spec: ListSpec, params: Record<string, string>): Json {
    if (spec.exists && !spec.exists(ctx)) throw unrecognizedUrl(ctx.method, ctx.path);
    const ep = this.endpoints.get(spec.path);
    const q = ctx.query;
    this.checkParams(q, [...STD_LIST_PARAMS, ...(ep?.params ?? [])]);
    for (const name of ep?.required ?? []) if (q[name] === undefined) throw missingParam(name);
    const limit = this.parseLimit(q.limit);
    const expand = this.parseExpand(q, true);
    if (q.starting_after !== undefined && q.ending_before !== undefined) {
      throw invalid(400, "You may only specify one of these parameters: ending_before, starting_after.", undefined, "ending_before");
    }
    let ds = ctx.account.data;
    const coll = () => ds.coll(spec.coll);
    let base: Source[] | null = null;
    const useIndex = (key: string, value: string): void => {
      const idx = coll().index(key);
      if (idx && base === null) {
        const run = idx.get(value);
        base = run ? [run] : [];
      } else {
        preds.push((r) => keyValue(r, key) === value);
      }
    };
    const preds: Pred[] = [];
    if (spec.parent) {
      const parentId = params[spec.parent.param]!;
      if (spec.parent.account) {
        ds = this.accountData(ctx, parentId, spec.parent.param).data;
      } else {
        const p = ds.get(parentId);
        if (!p || p.type !== spec.parent.type) throw noSuch(TYPES[spec.parent.type]?.noun ?? spec.parent.type, parentId, spec.parent.param);
        const refusal = spec.refuse?.(p);
        if (refusal) throw invalid(400, refusal);
      }
      useIndex(spec.parent.key, parentId);
    }
    if (spec.queryParent) {
      const v = q[spec.queryParent.param];
      if (typeof v !== "string" || v === "") throw missingParam(spec.queryParent.param);
      const p = ds.get(v);
      if (!p || p.type !== spec.queryParent.type) throw noSuch(TYPES[spec.queryParent.type]?.noun ?? spec.queryParent.type, v, spec.queryParent.param);
      useIndex(spec.queryParent.key, v);
    }
    const tpl = ctx.world.renderer.templates[TYPES[spec.coll]?.type ?? (spec.coll === "source" || spec.coll === "external_account" ? "bank_account" : spec.coll)] ?? {};
    const apply = (r: FilterResult) => {
      if (!r) return;
      if (r.index) useIndex(r.index[0], r.index[1]);
      if (r.pred) preds.push(r.pred);
    };
    for (const [name, v] of Object.entries(q)) {
      if (STD_LIST_PARAMS.includes(name) || name === spec.queryParent?.param) continue;
      const special = spec.filters?.[name];
      if (special) {
        apply(special(v, ctx, ds));
        continue;
      }
      if (!(name in tpl)) continue; // a filter on something the object does not show: accepted, not applied
      if (typeof v === "string" && INDEXABLE.has(name)) useIndex(name, v);
      else preds.push((r) => matchValue(fieldValue(r, name, tpl), v));
    }
    for (const [name, fn] of Object.entries(spec.defaults ?? {})) if (q[name] === undefined) apply(fn(ctx, ds));
    if (spec.always) apply(spec.always(ctx));

    const bounds: Bounds = { hiT: Number.POSITIVE_INFINITY, hiId: MAX_ID, loT: Number.NEGATIVE_INFINITY, loId: "" };
    this.createdBounds(q.created, bounds);
    if (spec.minCreated) {
      const min = spec.minCreated(ctx);
      if (min > bounds.loT || (min === bounds.loT && bounds.loId === "")) {
        bounds.loT = min;
        bounds.loId = "";
      }
    }
    const cursorParam = q.starting_after !== undefined ? "starting_after" : q.ending_before !== undefined ? "ending_before" : null;
    if (cursorParam) {
      const id = q[cursorParam];
      if (typeof id !== "string" || id === "") throw invalid(400, `Invalid string: ${cursorParam}`, "parameter_invalid_string", cursorParam);
      const r = ds.get(id) ?? ds.tombs.get(id);
      if (!r || r.coll !== spec.coll) {
        const noun = TYPES[spec.coll]?.noun ?? (spec.coll === "source" || spec.coll === "external_account" ? "source" : "object");
        throw noSuch(noun, id, cursorParam, 400);
      }
      if (cursorParam === "starting_after") {
        if (r.t < bounds.hiT || (r.t === bounds.hiT && r.id < bounds.hiId)) {
          bounds.hiT = r.t;
          bounds.hiId = r.id;
        }
      } else if (r.t > bounds.loT || (r.t === bounds.loT && r.id > bounds.loId)) {
        bounds.loT = r.t;
        bounds.loId = r.id;
      }
    }
    const sources: Source[] = base ?? coll().sources();
    const pred: Pred | null = preds.length === 0 ? null : preds.length === 1 ? preds[0]! : (r) => preds.every((p) => p(r));
    const dir = cursorParam === "ending_before" ? "asc" : "desc";
    const got = walk(sources, bounds, dir, pred, limit + 1);
    const hasMore = got.length > limit;
    const page = got.slice(0, limit);
    if (dir === "asc") page.reverse();
    return { object: "list", data: this.renderPage(ctx, ds, page, expand), has_more: hasMore, url: ctx.path };
  }

  private retrieve(ctx: RequestCtx, spec: RetrieveSpec, params: Record<string, string>): Json {
    this.checkParams(ctx.query, ["expand"]);
    const expand = this.parseExpand(ctx.query, false);
    let ds = ctx.account.data;
    const id = params.id!;
    if (spec.parent?.account) ds = this.accountData(ctx, params[spec.parent.param]!, spec.parent.param).data;
    const rec = ds.get(id) ?? ds.tombs.get(id);
    const noun = TYPES[spec.coll]?.noun ?? (spec.coll === "source" || spec.coll === "external_account" ? "source" : "object");
    if (!rec || rec.coll !== spec.coll) throw noSuch(noun, id);
    if (spec.parent && !spec.parent.account) {
      const parentId = params[spec.parent.param]!;
      const owner = spec.parent.key === "@parent" ? rec.parent : (rec.fields[spec.parent.key] as string | undefined);
      if (owner !== parentId) throw noSuch(noun, id);
    }
    if (rec.deleted) return { id: rec.id, object: rec.type, deleted: true };
    const o = ctx.world.render(rec, ds);
    if (expand.length > 0) ctx.world.renderer.expand(o, expand, ds);
    return o;
  }

  private account(ctx: RequestCtx, id: string): Json {
    this.checkParams(ctx.query, ["expand"]);
    const expand = this.parseExpand(ctx.query, false);
    const acct = this.accountData(ctx, id, "account");
    const o = ctx.world.render(acct.rec, acct.data);
    if (expand.length > 0) ctx.world.renderer.expand(o, expand, acct.data);
    return o;
  }

  private balance(ctx: RequestCtx): Json {
    this.checkParams(ctx.query, ["expand"]);
    const available = new Map<string, number>();
    const pending = new Map<string, number>();
    for (const r of ctx.account.data.coll("balance_transaction").all.a) {
      const cur = r.fields.currency as string;
      const m = r.fields.status === "available" ? available : pending;
      m.set(cur, (m.get(cur) ?? 0) + ((r.fields.net as number) ?? 0));
    }
    const rows = (m: Map<string, number>) =>
      (m.size === 0 ? [["usd", 0] as const] : [...m.entries()].sort()).map(([currency, amount]) => ({ amount, currency, source_types: { card: amount } }));
    return {
      object: "balance",
      available: rows(available),
      connect_reserved: [{ amount: 0, currency: "usd" }],
      livemode: false,
      pending: rows(pending),
    };
  }

  private emptyList(ctx: RequestCtx, ep: EndpointInfo): Json {
    const q = ctx.query;
    if (ep.kind === "search") {
      this.checkParams(q, ["query", "limit", "page", "expand"]);
      if (q.query === undefined) throw missingParam("query");
      this.parseLimit(q.limit);
      return { object: "search_result", data: [], has_more: false, next_page: null, url: ctx.path };
    }
    this.checkParams(q, [...STD_LIST_PARAMS, ...ep.params]);
    for (const name of ep.required) if (q[name] === undefined) throw missingParam(name);
    this.parseLimit(q.limit);
    this.parseExpand(q, true);
    return { object: "list", data: [], has_more: false, url: ctx.path };
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function fieldValue(r: Rec, name: string, tpl?: Record<string, unknown>): unknown {
  return name in r.fields ? r.fields[name] : tpl?.[name];
}

/** Whether a field value satisfies a query value (equality, id of an object, ranges, sub-objects, lists). */
export function matchValue(fv: unknown, qv: QueryValue): boolean {
  if (typeof qv === "string") {
    if (fv === null || fv === undefined) return qv === "";
    if (typeof fv === "string") return fv === qv;
    if (typeof fv === "boolean") return String(fv) === qv;
    if (typeof fv === "number") return Number(qv) === fv;
    if (typeof fv === "object" && typeof (fv as { id?: unknown }).id === "string") return (fv as { id: string }).id === qv;
    return false;
  }
  if (Array.isArray(qv)) return qv.some((x) => x !== undefined && matchValue(fv, x));
  if (typeof fv === "number") {
    for (const [k, x] of Object.entries(qv)) {
      const n = Number(x);
      if (k === "gt" && !(fv > n)) return false;
      if (k === "gte" && !(fv >= n)) return false;
      if (k === "lt" && !(fv < n)) return false;
      if (k === "lte" && !(fv <= n)) return false;
    }
    return true;
  }
  if (fv && typeof fv === "object") {
    return Object.entries(qv).every(([k, x]) => matchValue((fv as Record<string, unknown>)[k], x));
  }
  return false;
}

export { ApiError };
