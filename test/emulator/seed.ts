/**
 * Deterministic seed data: for one account, a coherent set of objects of every
 * served type, spread over the three years before ANCHOR (denser towards recent),
 * with reference fields pointing at real seeded ids.
 */
import type { EmulatorData } from "./data.js";
import { Rng, hashUnit } from "./prng.js";
import { ANCHOR, DAY, EVENT_RETENTION, TYPES, collectionFor, creationEventType } from "./resources.js";
import { BulkSource, type DataSet, type Fields, type IdGen, type Rec } from "./store.js";

const YEAR = 365 * DAY;
const SPAN = 3 * YEAR;

const FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Radia", "Linus", "Frances", "John", "Sophie", "Tim", "Hedy", "Niklaus"];
const LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson", "Perlman", "Torvalds", "Allen", "Backus", "Wilson", "Berners", "Lamarr", "Wirth"];
const PRODUCTS = ["T-shirt", "Hoodie", "Mug", "Sticker pack", "Pro plan", "Team plan", "Storage add-on", "Support hours", "API credits", "Notebook", "Backpack", "Onboarding", "Seat license", "Cap", "Poster"];
const BRANDS: [string, string][] = [["visa", "Visa"], ["mastercard", "MasterCard"], ["amex", "American Express"], ["discover", "Discover"]];
const BANKS = ["STRIPE TEST BANK", "FIRST NATIONAL TEST BANK", "TEST SAVINGS AND LOAN"];
const MERCHANTS = [
  { name: "Rocket Rides", category: "taxicabs_limousines", category_code: "4121", city: "San Francisco" },
  { name: "Corner Cafe", category: "eating_places_restaurants", category_code: "5812", city: "Oakland" },
  { name: "Cloud Hosting Co", category: "computer_network_services", category_code: "4816", city: "Seattle" },
  { name: "Office Depot", category: "stationery_stores_office_and_school_supply_stores", category_code: "5943", city: "Austin" },
];

export interface BulkOptions {
  /** Object type of the bulk collection (realistic fields for `charge`; others get id/created only). */
  object: string;
  count: number;
  /** How far back the objects go (default 3). */
  yearsBack?: number;
  /** Yearly growth factor of the volume (default 1.5: each year has 1.5x the objects of the one before). */
  growth?: number;
  /** Account whose data set gets the collection (default: the platform). */
  account?: string;
}

interface Ctx {
  data: EmulatorData;
  templates: Record<string, Fields>;
  ids: IdGen;
  apiVersion: string;
}

/** Builds one account's data set. */
export class Seeder {
  private readonly rng: Rng;
  private readonly priceObjects = new Map<string, Fields>();
  private readonly planObjects = new Map<string, Fields>();
  private customers: Rec[] = [];
  private balanceTxns: Rec[] = [];
  private charges: Rec[] = [];
  private externalBanks: Rec[] = [];

  constructor(
    private readonly ctx: Ctx,
    private readonly ds: DataSet,
    seed: number,
    private readonly scale: number,
    private readonly opts: { platform: boolean; connected: string[]; accountRec: Rec },
  ) {
    this.rng = new Rng(seed);
  }

  private n(x: number): number {
    return Math.max(1, Math.round(x * this.scale));
  }

  /** A time in the 3 years before ANCHOR, denser towards recent (about 1 in 6 in the last 30 days). */
  private past(): number {
    const u = this.rng.next();
    return ANCHOR - 1 - Math.floor(SPAN * u * u);
  }

  /** A time after t0 (within maxGap), before ANCHOR. */
  private after(t0: number, maxGap = 30 * DAY): number {
    const room = Math.max(0, Math.min(maxGap, ANCHOR - 1 - t0));
    const u = this.rng.next();
    return t0 + Math.floor(room * u * u);
  }

  private make(type: string, t: number, fields: Fields, opts: { parent?: string; coll?: string; tags?: Record<string, string> } = {}): Rec {
    const def = TYPES[type]!;
    const id = this.ctx.ids.next(type, t);
    const f: Fields = { id, object: type };
    if (def.timeField) f[def.timeField] = t;
    if (this.hasLivemode(type)) f.livemode = false;
    Object.assign(f, fields);
    const rec: Rec = { id, type, coll: opts.coll ?? collectionFor(type), t, fields: f };
    if (opts.parent !== undefined) rec.parent = opts.parent;
    if (opts.tags) rec.tags = opts.tags;
    this.ds.add(rec);
    return rec;
  }

  private hasLivemode(type: string): boolean {
    return "livemode" in (this.ctx.templates[type] ?? {});
  }

  private amount(): number {
    return this.rng.pick([500, 1000, 1500, 2000, 2500, 4900, 9900, 19900, 1250, 3000]) * this.rng.int(1, 3);
  }

  private currency(): string {
    return this.rng.weighted({ usd: 8, eur: 1, gbp: 1 });
  }

  private person(): { first: string; last: string; name: string; email: string } {
    const first = this.rng.pick(FIRST);
    const last = this.rng.pick(LAST);
    return { first, last, name: `${first} ${last}`, email: `${first}.${last}.${this.rng.chars(4, "0123456789")}@example.com`.toLowerCase() };
  }

  private emptyAddress(): Fields {
    return { city: null, country: null, line1: null, line2: null, postal_code: null, state: null };
  }

  private address(): Fields {
    return {
      city: this.rng.pick(["San Francisco", "New York", "Austin", "Berlin", "London"]),
      country: this.rng.pick(["US", "US", "US", "DE", "GB"]),
      line1: `${this.rng.int(1, 999)} Test Street`,
      line2: null,
      postal_code: String(this.rng.int(10000, 99999)),
      state: null,
    };
  }

  private withCreated(rec: Rec): Fields {
    return Object.assign({}, this.ctx.templates[rec.type], rec.fields);
  }

  run(): void {
    const products = this.seedCatalog();
    this.seedMisc();
    this.seedConnect();
    this.seedCustomers();
    const subs = this.seedSubscriptions(products.recurring);
    this.seedInvoices(subs, products.all);
    this.seedPayments();
    this.seedSetupIntents();
    if (this.opts.platform) {
      this.seedApplicationFees();
      this.seedTransfers();
    }
    this.seedTopups();
    this.seedPayouts();
    this.seedCheckout(products.all);
    this.seedQuotes();
    this.seedIssuing();
    this.ds.seal();
    this.seedEvents();
  }

  // ---- catalog --------------------------------------------------------------------------

  private seedCatalog(): { all: Rec[]; recurring: Rec[] } {
    const all: Rec[] = [];
    const recurring: Rec[] = [];
    for (let i = 0; i < this.n(25); i++) {
      const t = this.past();
      const name = `${this.rng.pick(PRODUCTS)} ${this.rng.chars(3, "ABCDEFGHJKLMNPQRSTUVWXYZ")}`;
      const service = this.rng.chance(0.6);
      const product = this.make("product", t, {
        active: this.rng.chance(0.9),
        default_price: null,
        description: `${name} (seeded)`,
        name,
        shippable: service ? null : true,
        type: "service",
        updated: t,
        metadata: {},
      });
      const nPrices = this.rng.int(1, 2);
      for (let k = 0; k < nPrices; k++) {
        const pt = this.after(t, 10 * DAY);
        const isRecurring = service || this.rng.chance(0.3);
        const unit = this.amount();
        const currency = this.currency();
        const price = this.make("price", pt, {
          active: this.rng.chance(0.9),
          currency,
          lookup_key: this.rng.chance(0.3) ? `${name.toLowerCase().replace(/\W+/g, "_")}_${k}` : null,
          nickname: null,
          product: product.id,
          recurring: isRecurring
            ? { interval: this.rng.pick(["month", "month", "year"]), interval_count: 1, meter: null, usage_type: "licensed", trial_period_days: null }
            : null,
          type: isRecurring ? "recurring" : "one_time",
          unit_amount: unit,
          unit_amount_decimal: String(unit),
        });
        all.push(price);
        if (isRecurring) recurring.push(price);
        if (k === 0) product.fields = { ...product.fields, default_price: price.id };
      }
    }
    if (recurring.length === 0 && all.length > 0) recurring.push(all[0]!);
    for (let i = 0; i < this.n(10); i++) {
      const t = this.past();
      const amount = this.amount();
      const product = this.rng.pick(all);
      this.make("plan", t, {
        active: this.rng.chance(0.85),
        amount,
        amount_decimal: String(amount),
        currency: "usd",
        interval: this.rng.pick(["month", "year"]),
        nickname: this.rng.chance(0.5) ? `Plan ${i + 1}` : null,
        product: product.fields.product,
      });
    }
    const coupons: Rec[] = [];
    for (let i = 0; i < this.n(10); i++) {
      const t = this.past();
      const percent = this.rng.chance(0.6);
      const duration = this.rng.pick(["forever", "once", "repeating"]);
      coupons.push(
        this.make("coupon", t, {
          amount_off: percent ? null : this.amount(),
          currency: percent ? null : "usd",
          duration,
          duration_in_months: duration === "repeating" ? this.rng.int(2, 12) : null,
          name: percent ? `${this.rng.int(5, 50)}% off` : "Fixed discount",
          percent_off: percent ? this.rng.int(5, 50) : null,
          redeem_by: null,
          times_redeemed: this.rng.int(0, 40),
          valid: this.rng.chance(0.85),
        }),
      );
    }
    for (let i = 0; i < this.n(12); i++) {
      const coupon = this.rng.pick(coupons);
      const t = this.after(coupon.t, 90 * DAY);
      this.make("promotion_code", t, {
        active: this.rng.chance(0.8),
        code: `${this.rng.pick(["SPRING", "FALL", "WELCOME", "VIP", "LAUNCH"])}${this.rng.int(10, 99)}`,
        customer: null,
        expires_at: this.rng.chance(0.3) ? t + 90 * DAY : null,
        times_redeemed: this.rng.int(0, 20),
        promotion: { coupon: coupon.id, type: "coupon" },
      });
    }
    for (let i = 0; i < this.n(6); i++) {
      const country = this.rng.pick(["DE", "FR", "GB", "US", "NL", "IE"]);
      this.make("tax_rate", this.past(), {
        active: this.rng.chance(0.85),
        country,
        description: `Sales tax ${country}`,
        display_name: country === "US" ? "Sales Tax" : "VAT",
        inclusive: this.rng.chance(0.3),
        jurisdiction: country,
        percentage: this.rng.pick([5, 7.25, 19, 20, 21, 23]),
        tax_type: country === "US" ? "sales_tax" : "vat",
      });
    }
    for (let i = 0; i < this.n(5); i++) {
      const amount = this.rng.pick([0, 500, 1000, 1500, 2500]);
      this.make("shipping_rate", this.past(), {
        active: this.rng.chance(0.8),
        display_name: this.rng.pick(["Ground shipping", "Express", "Overnight", "Free shipping"]),
        fixed_amount: { amount, currency: "usd" },
      });
    }
    for (let i = 0; i < this.n(4); i++) {
      const t = this.past();
      const ev = `api_calls_${this.rng.chars(4, "abcdefghijklmnopqrstuvwxyz")}`;
      const active = this.rng.chance(0.75);
      this.make("billing.meter", t, {
        display_name: `Meter ${ev}`,
        event_name: ev,
        status: active ? "active" : "inactive",
        status_transitions: { deactivated_at: active ? null : this.after(t) },
        updated: t,
      });
    }
    return { all, recurring };
  }

  private seedMisc(): void {
    for (let i = 0; i < this.n(3); i++) {
      this.make("webhook_endpoint", this.past(), {
        description: `Webhook ${i + 1}`,
        enabled_events: this.rng.pick([["*"], ["charge.succeeded", "charge.failed"], ["invoice.paid", "customer.subscription.updated"]]),
        status: this.rng.chance(0.8) ? "enabled" : "disabled",
        url: `https://example.com/hooks/${i + 1}`,
      });
    }
    const files: Rec[] = [];
    for (let i = 0; i < this.n(12); i++) {
      const t = this.past();
      const type = this.rng.pick(["png", "pdf", "jpg", "csv"]);
      const id = this.ctx.ids.next("file", t);
      files.push(
        this.makeWithId("file", id, t, {
          expires_at: null,
          filename: `${id}.${type}`,
          purpose: this.rng.pick(["dispute_evidence", "identity_document", "business_logo", "customer_signature"]),
          size: this.rng.int(1000, 900000),
          title: null,
          type,
          url: `https://files.stripe.com/v1/files/${id}/contents`,
        }),
      );
    }
    for (let i = 0; i < this.n(8); i++) {
      const file = this.rng.pick(files);
      const t = this.after(file.t);
      const expires = this.rng.chance(0.4) ? t + this.rng.int(1, 60) * DAY : null;
      this.make("file_link", t, {
        expired: expires !== null && expires <= ANCHOR,
        expires_at: expires,
        file: file.id,
        url: `https://files.stripe.com/links/${this.rng.chars(40)}`,
      });
    }
    for (let i = 0; i < this.n(8); i++) {
      this.make("payment_link", this.past(), {
        active: this.rng.chance(0.8),
        currency: "usd",
        url: `https://buy.stripe.com/test_${this.rng.chars(14)}`,
      });
    }
    for (let i = 0; i < this.n(2); i++) {
      this.make("tax_id", this.past(), {
        country: "DE",
        customer: null,
        owner: { customer: null, type: "self", customer_account: null },
        type: "eu_vat",
        value: `DE${this.rng.chars(9, "0123456789")}`,
        verification: { status: "verified", verified_address: null, verified_name: "Emulator GmbH" },
      });
    }
  }

  private makeWithId(type: string, id: string, t: number, fields: Fields): Rec {
    const def = TYPES[type]!;
    const f: Fields = { id, object: type };
    if (def.timeField) f[def.timeField] = t;
    if (this.hasLivemode(type)) f.livemode = false;
    Object.assign(f, fields);
    const rec: Rec = { id, type, coll: collectionFor(type), t, fields: f };
    this.ds.add(rec);
    return rec;
  }

  // ---- Connect: persons and external accounts of this account; connected accounts listed by the platform ----

  private seedConnect(): void {
    const acct = this.opts.accountRec;
    const acctT = acct.t;
    const nPersons = this.rng.int(2, 3);
    for (let i = 0; i < nPersons; i++) {
      const p = this.person();
      this.make(
        "person",
        this.after(acctT, 60 * DAY),
        {
          account: acct.id,
          email: p.email,
          first_name: p.first,
          last_name: p.last,
          relationship: {
            director: i === 1,
            executive: i === 0,
            legal_guardian: false,
            owner: i === 0,
            percent_ownership: i === 0 ? 100 : null,
            representative: i === 0,
            title: i === 0 ? "CEO" : "Director",
            authorizer: null,
          },
        },
        { parent: acct.id },
      );
    }
    const many = acct.id.endsWith("connected_1");
    const nExternal = many ? 12 : this.rng.int(2, 3);
    for (let i = 0; i < nExternal; i++) {
      const t = this.after(acctT, 365 * DAY);
      const bank = i === 0 || (i > 1 && this.rng.chance(0.6));
      const rec = bank
        ? this.make("bank_account", t, this.bankFields({ account: acct.id, default_for_currency: i === 0 }), { parent: acct.id, coll: "external_account" })
        : this.make("card", t, this.cardFields({ account: acct.id, default_for_currency: false }), { parent: acct.id, coll: "external_account" });
      if (bank) this.externalBanks.push(rec);
    }
  }

  private bankFields(extra: Fields): Fields {
    const p = this.person();
    return {
      account_holder_name: p.name,
      account_holder_type: this.rng.pick(["individual", "company"]),
      bank_name: this.rng.pick(BANKS),
      country: "US",
      currency: "usd",
      customer: null,
      fingerprint: this.rng.chars(16),
      last4: this.rng.chars(4, "0123456789"),
      metadata: {},
      routing_number: "110000000",
      status: "new",
      ...extra,
    };
  }

  private cardFields(extra: Fields): Fields {
    const [, brand] = this.rng.pick(BRANDS);
    return {
      brand,
      customer: null,
      exp_month: this.rng.int(1, 12),
      exp_year: this.rng.int(2027, 2032),
      fingerprint: this.rng.chars(16),
      funding: this.rng.pick(["credit", "debit"]),
      last4: this.rng.chars(4, "0123456789"),
      name: null,
      ...extra,
    };
  }

  // ---- customers and what hangs off them ----------------------------------------------------

  private seedCustomers(): void {
    const nCustomers = this.n(120);
    const manySources = this.n(2);
    for (let i = 0; i < nCustomers; i++) {
      const t = this.past();
      const p = this.person();
      const cus = this.make("customer", t, {
        address: this.rng.chance(0.5) ? this.address() : null,
        balance: 0,
        currency: "usd",
        default_source: null,
        description: this.rng.chance(0.3) ? `Customer ${i + 1}` : null,
        email: p.email,
        invoice_prefix: this.rng.chars(8, "0123456789ABCDEF"),
        name: p.name,
        phone: this.rng.chance(0.3) ? `+1555${this.rng.chars(7, "0123456789")}` : null,
        shipping: null,
      });
      this.customers.push(cus);
      let update: Fields = {};
      // payment methods attached
      const nPm = this.rng.int(0, 2);
      for (let k = 0; k < nPm; k++) {
        const pm = this.paymentMethod(this.after(t), cus.id, p);
        if (k === 0) update.invoice_settings = { custom_fields: null, default_payment_method: pm.id, footer: null, rendering_options: null };
      }
      // sources: a few customers with many, mixed bank accounts and cards
      const nSources = i < manySources ? this.rng.int(12, 15) : this.rng.chance(0.25) ? this.rng.int(1, 2) : 0;
      for (let k = 0; k < nSources; k++) {
        const st = this.after(t, 400 * DAY);
        const bank = i < manySources ? k % 3 === 1 : this.rng.chance(0.2);
        const src = bank
          ? this.make("bank_account", st, this.bankFields({ customer: cus.id, status: this.rng.pick(["new", "verified"]) }), { parent: cus.id, coll: "source" })
          : this.make("card", st, this.cardFields({ customer: cus.id, name: p.name }), { parent: cus.id, coll: "source" });
        if (k === 0) update.default_source = src.id;
      }
      if (this.rng.chance(0.2)) {
        const country = this.rng.pick(["DE", "FR", "NL"]);
        this.make(
          "tax_id",
          this.after(t),
          {
            country,
            customer: cus.id,
            owner: { customer: cus.id, type: "customer", customer_account: null },
            type: "eu_vat",
            value: `${country}${this.rng.chars(9, "0123456789")}`,
            verification: { status: this.rng.pick(["verified", "pending", "unverified"]), verified_address: null, verified_name: null },
          },
          { parent: cus.id },
        );
      }
      if (this.rng.chance(0.25)) {
        let balance = 0;
        let bt = t;
        for (let k = this.rng.int(1, 3); k > 0; k--) {
          bt = this.after(bt, 200 * DAY);
          const amount = -this.rng.pick([500, 1000, 2500]) * (this.rng.chance(0.8) ? 1 : -1);
          balance += amount;
          this.make(
            "customer_balance_transaction",
            bt,
            { amount, currency: "usd", customer: cus.id, description: amount < 0 ? "Account credit" : "Balance debit", ending_balance: balance, type: "adjustment" },
            { parent: cus.id },
          );
        }
        update.balance = balance;
      }
      if (Object.keys(update).length > 0) cus.fields = { ...cus.fields, ...update };
      update = {};
    }
    for (let i = 0; i < this.n(10); i++) this.paymentMethod(this.past(), null, this.person());
  }

  private paymentMethod(t: number, customer: string | null, p: { name: string; email: string }): Rec {
    const [brand] = this.rng.pick(BRANDS);
    return this.make("payment_method", t, {
      allow_redisplay: "unspecified",
      billing_details: { address: this.emptyAddress(), email: p.email, name: p.name, phone: null, tax_id: null },
      card: {
        brand,
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
        country: "US",
        display_brand: brand,
        exp_month: this.rng.int(1, 12),
        exp_year: this.rng.int(2027, 2032),
        fingerprint: this.rng.chars(16),
        funding: this.rng.pick(["credit", "debit"]),
        generated_from: null,
        last4: this.rng.chars(4, "0123456789"),
        networks: { available: [brand], preferred: null },
        three_d_secure_usage: { supported: true },
        wallet: null,
        regulated_status: "unregulated",
      },
      customer,
      metadata: {},
      type: "card",
    });
  }

  // ---- subscriptions ------------------------------------------------------------------------

  private priceObject(price: Rec): Fields {
    let o = this.priceObjects.get(price.id);
    if (!o) {
      o = this.withCreated(price);
      this.priceObjects.set(price.id, o);
    }
    return o;
  }

  private planObject(price: Rec): Fields {
    let o = this.planObjects.get(price.id);
    if (!o) {
      const f = price.fields;
      const rec = (f.recurring ?? { interval: "month", interval_count: 1, usage_type: "licensed" }) as Fields;
      o = {
        id: price.id,
        object: "plan",
        active: f.active,
        amount: f.unit_amount,
        amount_decimal: f.unit_amount_decimal,
        billing_scheme: "per_unit",
        created: price.t,
        currency: f.currency,
        interval: rec.interval,
        interval_count: rec.interval_count,
        livemode: false,
        metadata: {},
        meter: null,
        nickname: null,
        product: f.product,
        tiers_mode: null,
        transform_usage: null,
        trial_period_days: null,
        usage_type: "licensed",
      };
      this.planObjects.set(price.id, o);
    }
    return o;
  }

  private seedSubscriptions(prices: Rec[]): Rec[] {
    const subs: Rec[] = [];
    const many = this.n(2);
    for (let i = 0; i < this.n(60); i++) {
      const cus = this.rng.pick(this.customers);
      const t = this.after(cus.t, 365 * DAY);
      const status = this.rng.weighted({ active: 55, canceled: 20, past_due: 7, trialing: 8, incomplete: 3, unpaid: 4, incomplete_expired: 1, paused: 2 });
      const canceledAt = status === "canceled" || status === "incomplete_expired" ? this.after(t, 400 * DAY) : null;
      const trial = status === "trialing" || this.rng.chance(0.1);
      const sub = this.make("subscription", t, {
        billing_cycle_anchor: t,
        cancel_at: null,
        canceled_at: canceledAt,
        cancellation_details: { comment: null, feedback: null, reason: canceledAt ? "cancellation_requested" : null },
        collection_method: this.rng.chance(0.85) ? "charge_automatically" : "send_invoice",
        currency: "usd",
        customer: cus.id,
        days_until_due: null,
        default_payment_method: null,
        ended_at: canceledAt,
        latest_invoice: null,
        start_date: t,
        status,
        trial_end: trial ? t + 14 * DAY : null,
        trial_start: trial ? t : null,
        metadata: {},
      });
      subs.push(sub);
      const nItems = i < many ? this.rng.int(11, 14) : this.rng.int(1, 3);
      for (let k = 0; k < nItems; k++) {
        const price = i < many ? prices[k % prices.length]! : this.rng.pick(prices);
        const periodStart = Math.max(t, ANCHOR - 20 * DAY - this.rng.int(0, 9) * DAY);
        this.make(
          "subscription_item",
          t,
          {
            discounts: [],
            metadata: {},
            price: this.priceObject(price),
            quantity: this.rng.int(1, 5),
            subscription: sub.id,
            tax_rates: [],
            plan: this.planObject(price),
            current_period_end: periodStart + 30 * DAY,
            current_period_start: periodStart,
          },
          { parent: sub.id },
        );
      }
    }
    for (let i = 0; i < this.n(10); i++) {
      const cus = this.rng.pick(this.customers);
      const t = this.after(cus.t, 200 * DAY);
      const status = this.rng.weighted({ not_started: 2, active: 4, completed: 2, released: 1, canceled: 1 });
      const price = this.rng.pick(prices);
      const start = t + this.rng.int(0, 30) * DAY;
      const end = start + 365 * DAY;
      const sub = status === "active" || status === "released" ? this.rng.pick(subs) : null;
      this.make("subscription_schedule", t, {
        canceled_at: status === "canceled" ? this.after(t) : null,
        completed_at: status === "completed" ? this.after(t) : null,
        current_phase: status === "active" ? { end_date: end, start_date: start } : null,
        customer: cus.id,
        end_behavior: "release",
        phases: [
          {
            add_invoice_items: [],
            application_fee_percent: null,
            billing_cycle_anchor: null,
            collection_method: null,
            currency: "usd",
            default_payment_method: null,
            default_tax_rates: [],
            description: null,
            discounts: [],
            end_date: end,
            invoice_settings: null,
            items: [{ discounts: [], metadata: {}, price: price.id, quantity: 1, tax_rates: [], plan: price.id }],
            metadata: {},
            on_behalf_of: null,
            proration_behavior: "create_prorations",
            start_date: start,
            transfer_data: null,
            trial_end: null,
          },
        ],
        released_at: status === "released" ? this.after(t) : null,
        released_subscription: null,
        status,
        subscription: sub ? sub.id : null,
      });
    }
    return subs;
  }

  // ---- invoices -----------------------------------------------------------------------------

  private seedInvoices(subs: Rec[], prices: Rec[]): void {
    const plan: { cus: Rec; sub: Rec | null; t: number; nLines: number }[] = [];
    for (const sub of subs) {
      const cus = this.ds.get(sub.fields.customer as string)!;
      const k = this.rng.int(1, 4);
      for (let j = 0; j < k; j++) {
        const t = sub.t + j * 30 * DAY + this.rng.int(0, 3600);
        const nLines = this.rng.int(1, 3);
        if (t < ANCHOR - DAY) plan.push({ cus, sub, t, nLines });
      }
    }
    const big = this.n(3);
    const huge = this.n(1);
    for (let i = 0; i < this.n(40); i++) {
      const cus = this.rng.pick(this.customers);
      const nLines = i < huge ? this.rng.int(101, 130) : i < huge + big ? this.rng.int(11, 40) : this.rng.int(1, 3);
      plan.push({ cus, sub: null, t: this.after(cus.t, 500 * DAY), nLines });
    }
    const openInvoices: Rec[] = [];
    let number = 1;
    for (const p of plan) {
      const status = p.sub
        ? this.rng.weighted({ paid: 85, open: 8, void: 3, uncollectible: 2, draft: 2 })
        : this.rng.weighted({ paid: 60, open: 20, draft: 12, void: 5, uncollectible: 3 });
      const currency = "usd";
      const lines: Fields[] = [];
      let total = 0;
      for (let k = 0; k < p.nLines; k++) {
        const price = this.rng.pick(prices);
        const qty = this.rng.int(1, 3);
        const amount = (price.fields.unit_amount as number) * qty;
        total += amount;
        lines.push({ price, qty, amount });
      }
      const t = p.t;
      const finalized = status !== "draft";
      const paidAt = status === "paid" ? this.after(t, 3 * DAY) : null;
      const inv = this.make("invoice", t, {
        amount_due: total,
        amount_paid: status === "paid" ? total : 0,
        amount_remaining: status === "paid" || status === "void" ? 0 : total,
        attempt_count: status === "paid" ? 1 : status === "open" ? this.rng.int(0, 2) : 0,
        attempted: status === "paid" || status === "uncollectible",
        auto_advance: status === "open" || status === "draft",
        billing_reason: p.sub ? (p.t === p.sub.t ? "subscription_create" : "subscription_cycle") : "manual",
        collection_method: p.sub ? p.sub.fields.collection_method : "send_invoice",
        currency,
        customer: p.cus.id,
        customer_email: p.cus.fields.email,
        customer_name: p.cus.fields.name,
        due_date: p.sub && p.sub.fields.collection_method === "charge_automatically" ? null : t + 30 * DAY,
        effective_at: finalized ? t : null,
        hosted_invoice_url: finalized ? `https://invoice.stripe.com/i/acct_test/${this.rng.chars(20)}` : null,
        invoice_pdf: finalized ? `https://pay.stripe.com/invoice/acct_test/${this.rng.chars(20)}/pdf` : null,
        issuer: { type: "self" },
        number: finalized ? `${p.cus.fields.invoice_prefix}-${String(number++).padStart(4, "0")}` : null,
        parent: p.sub
          ? { quote_details: null, subscription_details: { metadata: {}, subscription: p.sub.id }, type: "subscription_details" }
          : null,
        period_end: t,
        period_start: p.sub ? t - 30 * DAY : t,
        status,
        status_transitions: {
          finalized_at: finalized ? t : null,
          marked_uncollectible_at: status === "uncollectible" ? this.after(t) : null,
          paid_at: paidAt,
          voided_at: status === "void" ? this.after(t) : null,
        },
        subtotal: total,
        subtotal_excluding_tax: total,
        total,
        total_excluding_tax: total,
      });
      if (p.sub) p.sub.fields = { ...p.sub.fields, latest_invoice: inv.id };
      if (status === "open" || status === "draft") openInvoices.push(inv);
      for (const line of lines) {
        const price = line.price as Rec;
        this.make(
          "line_item",
          t,
          {
            amount: line.amount,
            currency,
            description: `${line.qty} × ${String(price.fields.product)} (at $${((price.fields.unit_amount as number) / 100).toFixed(2)})`,
            invoice: inv.id,
            metadata: {},
            period: { end: t + (p.sub ? 30 * DAY : 0), start: t },
            quantity: line.qty,
            subscription: p.sub ? p.sub.id : null,
            parent: p.sub
              ? {
                  invoice_item_details: null,
                  subscription_item_details: { invoice_item: null, proration: false, proration_details: { credited_items: null }, subscription: p.sub.id, subscription_item: null },
                  type: "subscription_item_details",
                }
              : {
                  invoice_item_details: { invoice_item: null, proration: false, proration_details: { credited_items: null }, subscription: null },
                  subscription_item_details: null,
                  type: "invoice_item_details",
                },
            pricing: { price_details: { price: price.id, product: price.fields.product }, type: "price_details", unit_amount_decimal: price.fields.unit_amount_decimal },
            subtotal: line.amount,
          },
          { parent: inv.id },
        );
      }
      if (status === "paid") {
        const pay = this.payment(p.cus, total, paidAt!, { invoice: inv.id, forceSuccess: true });
        this.make("invoice_payment", paidAt!, {
          amount_paid: total,
          amount_requested: total,
          currency,
          invoice: inv.id,
          is_default: true,
          payment: { payment_intent: pay.pi.id, type: "payment_intent" },
          status: "paid",
          status_transitions: { canceled_at: null, paid_at: paidAt },
        });
      } else if (status === "open" && this.rng.chance(0.5)) {
        this.make("invoice_payment", t, {
          amount_paid: null,
          amount_requested: total,
          currency,
          invoice: inv.id,
          is_default: true,
          payment: { payment_intent: null, type: "payment_intent" },
          status: "open",
          status_transitions: { canceled_at: null, paid_at: null },
        });
      }
    }
    // invoice items: some pending, some on open/draft invoices
    for (let i = 0; i < this.n(60); i++) {
      const attach = openInvoices.length > 0 && this.rng.chance(0.4) ? this.rng.pick(openInvoices) : null;
      const cus = attach ? this.ds.get(attach.fields.customer as string)! : this.rng.pick(this.customers);
      const t = attach ? this.after(attach.t, DAY) : this.after(cus.t, 300 * DAY);
      const price = this.rng.pick(prices);
      const qty = this.rng.int(1, 4);
      const amount = (price.fields.unit_amount as number) * qty;
      this.make("invoiceitem", t, {
        amount,
        currency: "usd",
        customer: cus.id,
        description: `Invoice item ${i + 1}`,
        discountable: true,
        invoice: attach ? attach.id : null,
        period: { end: t, start: t },
        proration: false,
        quantity: qty,
        parent: null,
        pricing: { price_details: { price: price.id, product: price.fields.product }, type: "price_details", unit_amount_decimal: price.fields.unit_amount_decimal },
        net_amount: amount,
        quantity_decimal: String(qty),
      });
    }
    // credit notes on paid invoices
    const paid = this.ds.coll("invoice").all.a.filter((r) => r.fields.status === "paid");
    if (paid.length > 0) {
      for (let i = 0; i < this.n(15); i++) {
        const inv = this.rng.pick(paid);
        const t = this.after(inv.t, 60 * DAY);
        const nLines = i === 0 ? 12 : this.rng.int(1, 2);
        let total = 0;
        const amounts: number[] = [];
        for (let k = 0; k < nLines; k++) {
          const a = this.rng.pick([100, 250, 500, 1000]);
          amounts.push(a);
          total += a;
        }
        const cn = this.make("credit_note", t, {
          amount: total,
          customer: inv.fields.customer,
          effective_at: t,
          invoice: inv.id,
          memo: this.rng.chance(0.5) ? "Service credit" : null,
          number: `${String(inv.fields.number)}-CN-${String(i + 1).padStart(2, "0")}`,
          pdf: `https://pay.stripe.com/credit_notes/acct_test/${this.rng.chars(20)}/pdf`,
          reason: this.rng.pick(["duplicate", "order_change", "product_unsatisfactory", null]),
          status: this.rng.chance(0.9) ? "issued" : "void",
          subtotal: total,
          subtotal_excluding_tax: total,
          total,
          total_excluding_tax: total,
          type: "post_payment",
          voided_at: null,
          post_payment_amount: total,
        });
        for (const a of amounts) {
          this.make(
            "credit_note_line_item",
            t,
            {
              amount: a,
              description: "Credit",
              invoice_line_item: null,
              quantity: 1,
              tax_rates: [],
              type: "custom_line_item",
              unit_amount: a,
              unit_amount_decimal: String(a),
              pretax_credit_amounts: [],
            },
            { parent: cn.id },
          );
        }
      }
    }
  }

  // ---- payments -----------------------------------------------------------------------------

  private balanceTxn(t: number, amount: number, type: string, source: string | null, currency: string, description: string | null): Rec {
    const fee = type === "charge" || type === "payment" ? Math.round(Math.abs(amount) * 0.029) + 30 : 0;
    const availableOn = t + 2 * DAY;
    const rec = this.make("balance_transaction", t, {
      amount,
      available_on: availableOn,
      currency,
      description,
      exchange_rate: null,
      fee,
      fee_details: fee ? [{ amount: fee, application: null, currency, description: "Stripe processing fees", type: "stripe_fee" }] : [],
      net: amount - fee,
      reporting_category: type === "refund" ? "refund" : type === "payout" ? "payout" : type === "topup" ? "topup" : type === "transfer" ? "transfer" : type === "application_fee" ? "fee" : "charge",
      source,
      status: availableOn < ANCHOR ? "available" : "pending",
      type,
      balance_type: "payments",
    });
    this.balanceTxns.push(rec);
    return rec;
  }

  /** A payment intent with its charge (and balance transaction when it succeeded). */
  private payment(cus: Rec | null, amount: number, t: number, opts: { invoice?: string; forceSuccess?: boolean } = {}): { pi: Rec; charge: Rec | null } {
    const outcome = opts.forceSuccess ? "succeeded" : this.rng.weighted({ succeeded: 82, failed: 8, requires_payment_method: 4, canceled: 3, processing: 2, requires_capture: 1 });
    const currency = opts.invoice ? "usd" : this.currency();
    const pm = cus ? ((cus.fields.invoice_settings as Fields | undefined)?.default_payment_method as string | undefined) : undefined;
    const piId = this.ctx.ids.next("payment_intent", t);
    const hasCharge = outcome === "succeeded" || outcome === "failed" || outcome === "requires_capture";
    const chargeId = hasCharge ? this.ctx.ids.next("charge", t) : null;
    const pi = this.makeWithId("payment_intent", piId, t, {
      amount,
      amount_capturable: outcome === "requires_capture" ? amount : 0,
      amount_details: { tip: {} },
      amount_received: outcome === "succeeded" ? amount : 0,
      canceled_at: outcome === "canceled" ? this.after(t, DAY) : null,
      cancellation_reason: outcome === "canceled" ? "requested_by_customer" : null,
      capture_method: outcome === "requires_capture" ? "manual" : "automatic_async",
      client_secret: `${piId}_secret_${this.rng.chars(25)}`,
      currency,
      customer: cus ? cus.id : null,
      description: opts.invoice ? "Subscription update" : this.rng.chance(0.5) ? `Order #${this.rng.int(1000, 99999)}` : null,
      latest_charge: chargeId,
      payment_method: hasCharge ? (pm ?? null) : null,
      receipt_email: cus ? cus.fields.email : null,
      status: outcome === "failed" ? "requires_payment_method" : outcome,
    });
    if (!chargeId) return { pi, charge: null };
    const ok = outcome !== "failed";
    const captured = outcome === "succeeded";
    const txn = captured ? this.balanceTxn(t, amount, "charge", chargeId, currency, pi.fields.description as string | null) : null;
    const [brand] = this.rng.pick(BRANDS);
    const last4 = this.rng.pick(["4242", "4444", "0005", "1117", "3220"]);
    const charge = this.makeWithId("charge", chargeId, t, {
      amount,
      amount_captured: captured ? amount : 0,
      amount_refunded: 0,
      balance_transaction: txn ? txn.id : null,
      billing_details: {
        address: this.emptyAddress(),
        email: cus ? cus.fields.email : null,
        name: cus ? cus.fields.name : null,
        phone: null,
        tax_id: null,
      },
      calculated_statement_descriptor: "EMULATOR",
      captured,
      currency,
      customer: cus ? cus.id : null,
      description: pi.fields.description,
      disputed: false,
      failure_code: ok ? null : "card_declined",
      failure_message: ok ? null : "Your card was declined.",
      fraud_details: {},
      outcome: ok
        ? { advice_code: null, network_advice_code: null, network_decline_code: null, network_status: "approved_by_network", reason: null, risk_level: "normal", risk_score: this.rng.int(0, 60), seller_message: "Payment complete.", type: "authorized" }
        : { advice_code: "try_again_later", network_advice_code: null, network_decline_code: null, network_status: "declined_by_network", reason: "generic_decline", risk_level: "normal", risk_score: this.rng.int(0, 60), seller_message: "The bank did not return any further details with this decline.", type: "issuer_declined" },
      paid: ok,
      payment_intent: pi.id,
      payment_method: pm ?? `pm_${this.rng.chars(24)}`,
      payment_method_details: {
        card: {
          amount_authorized: amount,
          brand,
          checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
          country: "US",
          exp_month: this.rng.int(1, 12),
          exp_year: this.rng.int(2027, 2032),
          fingerprint: this.rng.chars(16),
          funding: "credit",
          last4,
          network: brand,
          three_d_secure: null,
          wallet: null,
        },
        type: "card",
      },
      receipt_email: cus ? cus.fields.email : null,
      receipt_url: `https://pay.stripe.com/receipts/payment/${this.rng.chars(40)}`,
      refunded: false,
      review: null,
      status: ok ? (captured ? "succeeded" : "succeeded") : "failed",
    });
    if (captured) this.charges.push(charge);
    return { pi, charge };
  }

  private seedPayments(): void {
    for (let i = 0; i < this.n(100); i++) {
      const cus = this.rng.chance(0.8) ? this.rng.pick(this.customers) : null;
      const t = cus ? this.after(cus.t, 700 * DAY) : this.past();
      this.payment(cus, this.amount(), t);
    }
    const charges = this.charges.slice();
    const take = (k: number): Rec[] => {
      const out: Rec[] = [];
      for (let i = 0; i < k && charges.length > 0; i++) out.push(charges.splice(this.rng.int(0, charges.length - 1), 1)[0]!);
      return out;
    };
    for (const ch of take(Math.round(charges.length * 0.12))) {
      const full = this.rng.chance(0.6);
      const amount = full ? (ch.fields.amount as number) : Math.max(50, Math.round((ch.fields.amount as number) / 2));
      const t = this.after(ch.t, 20 * DAY);
      const id = this.ctx.ids.next("refund", t);
      const txn = this.balanceTxn(t, -amount, "refund", id, ch.fields.currency as string, "REFUND FOR CHARGE");
      this.makeWithId("refund", id, t, {
        amount,
        balance_transaction: txn.id,
        charge: ch.id,
        currency: ch.fields.currency,
        destination_details: { card: { reference: null, reference_status: "pending", reference_type: "acquirer_reference_number", type: "refund" }, type: "card" },
        payment_intent: ch.fields.payment_intent,
        reason: this.rng.pick(["requested_by_customer", "duplicate", null]),
        status: "succeeded",
        customer: ch.fields.customer,
        payment_method: ch.fields.payment_method,
      });
      ch.fields = { ...ch.fields, amount_refunded: amount, refunded: full };
    }
    for (const ch of take(this.n(10))) {
      const t = this.after(ch.t, 30 * DAY);
      const status = this.rng.pick(["needs_response", "under_review", "won", "lost", "warning_closed"]);
      this.make("dispute", t, {
        amount: ch.fields.amount,
        balance_transactions: [],
        charge: ch.id,
        currency: ch.fields.currency,
        evidence_details: { due_by: t + 14 * DAY, has_evidence: status !== "needs_response", past_due: false, submission_count: status === "needs_response" ? 0 : 1, enhanced_eligibility: {} },
        is_charge_refundable: false,
        payment_intent: ch.fields.payment_intent,
        reason: this.rng.pick(["fraudulent", "product_not_received", "duplicate", "subscription_canceled", "general"]),
        status,
      });
      ch.fields = { ...ch.fields, disputed: true };
    }
    for (const ch of take(this.n(8))) {
      this.make("radar.early_fraud_warning", this.after(ch.t, 10 * DAY), {
        actionable: this.rng.chance(0.7),
        charge: ch.id,
        fraud_type: this.rng.pick(["misc", "card_never_received", "unauthorized_use_of_card", "made_with_stolen_card"]),
        payment_intent: ch.fields.payment_intent,
      });
    }
    for (const ch of take(this.n(16))) {
      const open = this.rng.chance(0.6);
      const closed = open ? null : this.rng.pick(["approved", "refunded", "refunded_as_fraud", "disputed"]);
      const opened = this.rng.pick(["rule", "manual"]);
      const review = this.make("review", this.after(ch.t, DAY), {
        billing_zip: null,
        charge: ch.id,
        closed_reason: closed,
        ip_address: `203.0.113.${this.rng.int(1, 254)}`,
        open,
        opened_reason: opened,
        payment_intent: ch.fields.payment_intent,
        reason: closed ?? opened,
      });
      ch.fields = { ...ch.fields, review: review.id };
    }
  }

  private seedSetupIntents(): void {
    for (let i = 0; i < this.n(30); i++) {
      const cus = this.rng.pick(this.customers);
      const t = this.after(cus.t, 300 * DAY);
      const status = this.rng.weighted({ succeeded: 7, requires_payment_method: 1, canceled: 1, requires_action: 1 });
      const pm = ((cus.fields.invoice_settings as Fields | undefined)?.default_payment_method as string | undefined) ?? null;
      const id = this.ctx.ids.next("setup_intent", t);
      const nAttempts = this.rng.int(1, 2);
      const si = this.makeWithId("setup_intent", id, t, {
        cancellation_reason: status === "canceled" ? "requested_by_customer" : null,
        client_secret: `${id}_secret_${this.rng.chars(25)}`,
        customer: cus.id,
        latest_attempt: null,
        payment_method: status === "succeeded" ? pm : null,
        status,
        usage: "off_session",
      });
      let last: Rec | null = null;
      for (let k = 0; k < nAttempts; k++) {
        const ok = k === nAttempts - 1 ? status === "succeeded" : false;
        last = this.make(
          "setup_attempt",
          this.after(t, DAY),
          {
            customer: cus.id,
            payment_method: pm ?? `pm_${this.rng.chars(24)}`,
            setup_error: ok ? null : { code: "card_declined", message: "Your card was declined.", type: "card_error" },
            setup_intent: si.id,
            status: ok ? "succeeded" : "failed",
            usage: "off_session",
          },
          { parent: si.id },
        );
      }
      if (last) si.fields = { ...si.fields, latest_attempt: last.id };
    }
  }

  private seedApplicationFees(): void {
    const manyAt = 0;
    for (let i = 0; i < this.n(20); i++) {
      const ch = this.charges.length > 0 ? this.rng.pick(this.charges) : null;
      const t = ch ? this.after(ch.t, DAY) : this.past();
      const amount = this.rng.pick([100, 200, 500, 1000]);
      const id = this.ctx.ids.next("application_fee", t);
      const txn = this.balanceTxn(t, amount, "application_fee", id, "usd", null);
      const nRefunds = i === manyAt ? 12 : this.rng.chance(0.3) ? this.rng.int(1, 2) : 0;
      const refundEach = Math.max(1, Math.floor(amount / Math.max(1, nRefunds) / 2));
      const connected = this.opts.connected;
      const fee = this.makeWithId("application_fee", id, t, {
        account: connected.length > 0 ? this.rng.pick(connected) : this.opts.accountRec.id,
        amount,
        amount_refunded: refundEach * nRefunds,
        application: "ca_emulator_application",
        balance_transaction: txn.id,
        charge: ch ? ch.id : null,
        currency: "usd",
        fee_source: ch ? { charge: ch.id, type: "charge" } : null,
        originating_transaction: null,
        refunded: false,
      });
      let rt = t;
      for (let k = 0; k < nRefunds; k++) {
        rt = this.after(rt, 20 * DAY);
        this.make("fee_refund", rt, { amount: refundEach, balance_transaction: null, currency: "usd", fee: fee.id, metadata: {} }, { parent: fee.id });
      }
    }
  }

  private seedTransfers(): void {
    const many = this.n(1);
    for (let i = 0; i < this.n(20); i++) {
      const t = this.past();
      const amount = this.amount() * 2;
      const id = this.ctx.ids.next("transfer", t);
      const txn = this.balanceTxn(t, -amount, "transfer", id, "usd", null);
      const nRev = i < many ? this.rng.int(12, 15) : this.rng.chance(0.25) ? this.rng.int(1, 2) : 0;
      const each = Math.max(1, Math.floor(amount / (nRev + 1) / 2));
      const group = this.rng.chance(0.3) ? `group_${this.rng.chars(8)}` : null;
      const tr = this.makeWithId("transfer", id, t, {
        amount,
        amount_reversed: each * nRev,
        balance_transaction: txn.id,
        currency: "usd",
        description: null,
        destination: this.opts.connected.length > 0 ? this.rng.pick(this.opts.connected) : null,
        destination_payment: `py_${this.rng.chars(24)}`,
        reversed: false,
        source_transaction: null,
        source_type: "card",
        transfer_group: group,
      });
      let rt = t;
      for (let k = 0; k < nRev; k++) {
        rt = this.after(rt, 30 * DAY);
        this.make(
          "transfer_reversal",
          rt,
          { amount: each, balance_transaction: null, currency: "usd", destination_payment_refund: `pyr_${this.rng.chars(24)}`, source_refund: null, transfer: tr.id },
          { parent: tr.id },
        );
      }
    }
  }

  private seedTopups(): void {
    for (let i = 0; i < this.n(10); i++) {
      const t = this.past();
      const status = this.rng.weighted({ succeeded: 7, pending: 1, failed: 1, canceled: 1 });
      const amount = this.amount() * 5;
      const id = this.ctx.ids.next("topup", t);
      const txn = status === "succeeded" ? this.balanceTxn(t, amount, "topup", id, "usd", "Top-up") : null;
      this.makeWithId("topup", id, t, {
        amount,
        balance_transaction: txn ? txn.id : null,
        currency: "usd",
        description: "Top-up",
        expected_availability_date: t + 5 * DAY,
        failure_code: status === "failed" ? "insufficient_funds" : null,
        failure_message: status === "failed" ? "Insufficient funds" : null,
        metadata: {},
        source: null,
        statement_descriptor: null,
        status,
      });
    }
  }

  /** Payouts sweep the balance transactions created since the previous payout. */
  private seedPayouts(): void {
    const txns = this.balanceTxns.slice().sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : 1));
    const k = this.n(20);
    const times: number[] = [];
    for (let i = 0; i < k; i++) times.push(this.past());
    times.sort((a, b) => a - b);
    let j = 0;
    const dest = this.externalBanks[0];
    for (const t of times) {
      const batch: Rec[] = [];
      while (j < txns.length && txns[j]!.t < t) batch.push(txns[j++]!);
      let sum = 0;
      for (const r of batch) sum += r.fields.net as number;
      const amount = Math.max(0, sum);
      const id = this.ctx.ids.next("payout", t);
      const tag = { payout: id };
      for (const r of batch) r.tags = tag;
      const own = this.make(
        "balance_transaction",
        t,
        {
          amount: -amount,
          available_on: t,
          currency: "usd",
          description: "STRIPE PAYOUT",
          exchange_rate: null,
          fee: 0,
          fee_details: [],
          net: -amount,
          reporting_category: "payout",
          source: id,
          status: "available",
          type: "payout",
          balance_type: "payments",
        },
        { tags: tag },
      );
      const recent = t > ANCHOR - 3 * DAY;
      this.makeWithId("payout", id, t, {
        amount,
        arrival_date: t + 2 * DAY,
        automatic: true,
        balance_transaction: own.id,
        currency: "usd",
        description: "STRIPE PAYOUT",
        destination: dest ? dest.id : null,
        method: "standard",
        reconciliation_status: recent ? "in_progress" : "completed",
        source_type: "card",
        status: recent ? "in_transit" : "paid",
        type: "bank_account",
      });
    }
  }

  private seedCheckout(prices: Rec[]): void {
    const many = this.n(2);
    for (let i = 0; i < this.n(30); i++) {
      const cus = this.rng.chance(0.7) ? this.rng.pick(this.customers) : null;
      const t = cus ? this.after(cus.t, 300 * DAY) : this.past();
      const status = this.rng.weighted({ complete: 6, expired: 2, open: 1 });
      const nItems = i < many ? this.rng.int(11, 15) : this.rng.int(1, 3);
      const items: { price: Rec; qty: number; amount: number }[] = [];
      let total = 0;
      for (let k = 0; k < nItems; k++) {
        const price = i < many ? prices[k % prices.length]! : this.rng.pick(prices);
        const qty = this.rng.int(1, 3);
        const amount = (price.fields.unit_amount as number) * qty;
        total += amount;
        items.push({ price, qty, amount });
      }
      const pay = status === "complete" ? this.payment(cus, total, t, { forceSuccess: true }) : null;
      const id = this.ctx.ids.next("checkout.session", t);
      const email = cus ? (cus.fields.email as string) : this.person().email;
      this.makeWithId("checkout.session", id, t, {
        amount_subtotal: total,
        amount_total: total,
        currency: "usd",
        customer: cus ? cus.id : null,
        customer_details: {
          address: this.emptyAddress(),
          email,
          name: cus ? cus.fields.name : null,
          phone: null,
          tax_exempt: "none",
          tax_ids: [],
          business_name: null,
          individual_name: null,
        },
        customer_email: null,
        expires_at: t + DAY,
        mode: "payment",
        payment_intent: pay ? pay.pi.id : null,
        payment_status: status === "complete" ? "paid" : "unpaid",
        status,
        total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
        url: status === "open" ? `https://checkout.stripe.com/c/pay/${id}` : null,
        shipping_address_collection: null,
        collected_information: null,
      });
      for (const it of items) {
        this.make(
          "item",
          t,
          {
            amount_discount: 0,
            amount_subtotal: it.amount,
            amount_tax: 0,
            amount_total: it.amount,
            currency: "usd",
            description: String(it.price.fields.product),
            price: this.priceObject(it.price),
            quantity: it.qty,
            metadata: {},
            adjustable_quantity: null,
          },
          { parent: id },
        );
      }
    }
  }

  private seedQuotes(): void {
    for (let i = 0; i < this.n(10); i++) {
      const cus = this.rng.pick(this.customers);
      const t = this.after(cus.t, 200 * DAY);
      const status = this.rng.weighted({ draft: 3, open: 3, accepted: 3, canceled: 1 });
      const amount = this.amount();
      this.make("quote", t, {
        amount_subtotal: amount,
        amount_total: amount,
        customer: cus.id,
        expires_at: t + 30 * DAY,
        number: status === "draft" ? null : `QT-${String(i + 1).padStart(4, "0")}`,
        status,
        status_transitions: {
          accepted_at: status === "accepted" ? this.after(t) : null,
          canceled_at: status === "canceled" ? this.after(t) : null,
          finalized_at: status === "draft" ? null : t,
        },
      });
    }
  }

  private seedIssuing(): void {
    const holders: Rec[] = [];
    for (let i = 0; i < this.n(8); i++) {
      const p = this.person();
      holders.push(
        this.make("issuing.cardholder", this.past(), {
          email: p.email,
          name: p.name,
          phone_number: `+1555${this.rng.chars(7, "0123456789")}`,
          status: this.rng.chance(0.85) ? "active" : "inactive",
          type: this.rng.chance(0.7) ? "individual" : "company",
        }),
      );
    }
    const cards: Rec[] = [];
    for (let i = 0; i < this.n(12); i++) {
      const holder = this.rng.pick(holders);
      cards.push(
        this.make("issuing.card", this.after(holder.t, 200 * DAY), {
          cardholder: this.withCreated(holder),
          currency: "usd",
          exp_month: this.rng.int(1, 12),
          exp_year: this.rng.int(2027, 2031),
          last4: this.rng.chars(4, "0123456789"),
          status: this.rng.weighted({ active: 8, inactive: 1, canceled: 1 }),
          type: this.rng.chance(0.6) ? "virtual" : "physical",
        }),
      );
    }
    const cardObjects = new Map<string, Fields>();
    const auths: Rec[] = [];
    for (let i = 0; i < this.n(25); i++) {
      const card = this.rng.pick(cards);
      let cardObj = cardObjects.get(card.id);
      if (!cardObj) cardObjects.set(card.id, (cardObj = this.withCreated(card)));
      const t = this.after(card.t, 300 * DAY);
      const amount = this.rng.int(200, 20000);
      const approved = this.rng.chance(0.9);
      const merchant = this.rng.pick(MERCHANTS);
      auths.push(
        this.make("issuing.authorization", t, {
          amount: approved ? amount : 0,
          approved,
          balance_transactions: [],
          card: cardObj,
          cardholder: (card.fields.cardholder as Fields).id,
          currency: "usd",
          merchant_amount: amount,
          merchant_currency: "usd",
          merchant_data: { ...merchant, country: "US", network_id: this.rng.chars(10, "0123456789"), postal_code: "94107", state: "CA", terminal_id: null, url: null, tax_id: null },
          pending_request: null,
          request_history: [],
          status: approved ? this.rng.pick(["closed", "closed", "pending", "reversed"]) : "closed",
          transactions: [],
          verification_data: { address_line1_check: "not_provided", address_postal_code_check: "match", cvc_check: "match", expiry_check: "match" },
          wallet: null,
        }),
      );
    }
    for (let i = 0; i < this.n(20) && auths.length > 0; i++) {
      const auth = this.rng.pick(auths);
      const card = auth.fields.card as Fields;
      const amount = -(auth.fields.merchant_amount as number);
      this.make("issuing.transaction", this.after(auth.t, 3 * DAY), {
        amount: this.rng.chance(0.9) ? amount : -amount,
        authorization: auth.id,
        balance_transaction: null,
        card: card.id,
        cardholder: auth.fields.cardholder,
        currency: "usd",
        merchant_amount: amount,
        merchant_currency: "usd",
        merchant_data: auth.fields.merchant_data,
        network_data: { authorization_code: this.rng.chars(6, "0123456789"), processing_date: null, transaction_id: null },
        type: this.rng.chance(0.9) ? "capture" : "refund",
        wallet: null,
      });
    }
  }

  // ---- events -------------------------------------------------------------------------------

  /** Objects created in the 30 days before ANCHOR get their creation event (`<type>.created`, `charge.succeeded`, ...). */
  private seedEvents(): void {
    const from = ANCHOR - EVENT_RETENTION;
    const acct = this.opts.platform ? undefined : this.opts.accountRec.id;
    const events: Rec[] = [];
    for (const coll of this.ds.colls.values()) {
      if (coll.name === "event") continue;
      const a = coll.all.a;
      for (let i = coll.all.lowerBound(from, ""); i < a.length; i++) {
        const rec = a[i]!;
        const type = creationEventType(rec.type, rec.coll, rec.fields);
        if (!type || !this.ctx.data.eventTypes.has(type)) continue;
        events.push(makeEvent(this.ctx, rec.t, type, { ...rec }, undefined, acct));
      }
    }
    for (const e of events) this.ds.add(e);
    this.ds.coll("event").seal();
  }
}

export function makeEvent(ctx: { ids: IdGen; apiVersion: string }, t: number, type: string, snap: Rec, prev: Fields | undefined, account: string | undefined): Rec {
  const id = ctx.ids.next("event", t);
  const fields: Fields = {
    id,
    object: "event",
    api_version: ctx.apiVersion,
    created: t,
    livemode: false,
    pending_webhooks: 0,
    request: { id: null, idempotency_key: null },
    type,
  };
  if (account) fields.account = account;
  const rec: Rec = { id, type: "event", coll: "event", t, fields, snap };
  if (prev) rec.prev = prev;
  return rec;
}

/** Builds the account object of a Connect account. */
export function accountFields(id: string, t: number, opts: { name: string; email: string; type: "standard" | "express" | "custom"; country: string }): Fields {
  return {
    id,
    object: "account",
    business_profile: {
      annual_revenue: null,
      estimated_worker_count: null,
      mcc: "5734",
      name: opts.name,
      product_description: null,
      support_address: null,
      support_email: opts.email,
      support_phone: null,
      support_url: null,
      url: `https://${opts.name.toLowerCase().replace(/\W+/g, "")}.example.com`,
      minority_owned_business_designation: null,
    },
    business_type: "company",
    charges_enabled: true,
    country: opts.country,
    created: t,
    default_currency: opts.country === "US" ? "usd" : "eur",
    details_submitted: true,
    email: opts.email,
    payouts_enabled: true,
    type: opts.type,
    requirements: {
      alternatives: [],
      current_deadline: null,
      currently_due: [],
      disabled_reason: null,
      errors: [],
      eventually_due: [],
      past_due: [],
      pending_verification: [],
    },
  };
}

/** Adds a virtual bulk collection of `count` objects to a data set. */
export function addBulk(ds: DataSet, opts: BulkOptions, seed: number, customers: string[]): BulkSource {
  const years = opts.yearsBack ?? 3;
  const growth = opts.growth ?? 1.5;
  const span = Math.floor(years * YEAR);
  const start = ANCHOR - span;
  const k = Math.log(Math.max(1.000001, growth)) * years; // density grows like e^(k x), x in [0,1]
  const ek = Math.exp(k) - 1;
  const times = new Uint32Array(opts.count);
  for (let i = 0; i < opts.count; i++) {
    const u = (i + 0.5) / opts.count;
    const x = growth === 1 ? u : Math.log(1 + u * ek) / k;
    times[i] = Math.min(ANCHOR - 1, start + Math.floor(x * span));
  }
  const type = opts.object;
  const coll = collectionFor(type);
  const make = type === "charge" ? bulkCharge(seed, customers) : (i: number, t: number, id: string): Rec => bulkGeneric(type, coll, i, t, id);
  const b = new BulkSource(type, coll, times, make);
  ds.addBulk(b);
  return b;
}

function bulkGeneric(type: string, coll: string, _i: number, t: number, id: string): Rec {
  const def = TYPES[type];
  const fields: Fields = { id, object: type };
  if (def?.timeField) fields[def.timeField] = t;
  fields.livemode = false;
  return { id, type, coll, t, fields };
}

function bulkCharge(seed: number, customers: string[]): (i: number, t: number, id: string) => Rec {
  const amounts = [500, 1000, 1500, 2000, 2500, 4900, 9900, 19900];
  return (i, t, id) => {
    const h = hashUnit(seed, i);
    const h2 = hashUnit(seed, i, 7);
    const ok = h2 > 0.05;
    const amount = amounts[Math.floor(h * amounts.length)]! * (1 + (i % 3));
    const customer = customers.length > 0 && h2 < 0.85 ? customers[Math.floor(hashUnit(seed, i, 3) * customers.length)]! : null;
    const fields: Fields = {
      id,
      object: "charge",
      amount,
      amount_captured: ok ? amount : 0,
      amount_refunded: 0,
      balance_transaction: null,
      captured: ok,
      created: t,
      currency: "usd",
      customer,
      description: null,
      failure_code: ok ? null : "card_declined",
      failure_message: ok ? null : "Your card was declined.",
      livemode: false,
      paid: ok,
      payment_intent: null,
      status: ok ? "succeeded" : "failed",
    };
    return { id, type: "charge", coll: "charge", t, fields };
  };
}
