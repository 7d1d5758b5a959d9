import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ANCHOR,
  CONNECTED_ACCOUNTS,
  EMULATOR_KEY,
  EMULATOR_RESTRICTED_KEY,
  type Emulator,
  startEmulator,
} from "./emulator/server.js";

type Json = Record<string, any>;
type ListBody = { object: string; data: Json[]; has_more: boolean; url: string };

const DAY = 86400;

let emu: Emulator;

interface GetOptions {
  key?: string | null;
  account?: string;
  base?: string;
}

async function get(path: string, opts: GetOptions = {}): Promise<{ status: number; body: Json; headers: Headers }> {
  const headers: Record<string, string> = {};
  const key = opts.key === undefined ? EMULATOR_KEY : opts.key;
  if (key !== null) headers.Authorization = `Bearer ${key}`;
  if (opts.account) headers["Stripe-Account"] = opts.account;
  const res = await fetch((opts.base ?? emu.url) + path, { headers });
  return { status: res.status, body: (await res.json()) as Json, headers: res.headers };
}

async function getList(path: string, opts: GetOptions = {}): Promise<ListBody> {
  const r = await get(path, opts);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as ListBody;
}

/** Pages through a list with starting_after; returns all objects. */
async function pageAll(path: string, limit: number, opts: GetOptions = {}): Promise<Json[]> {
  const out: Json[] = [];
  let after: string | undefined;
  const sep = path.includes("?") ? "&" : "?";
  for (;;) {
    const page = await getList(`${path}${sep}limit=${limit}${after ? `&starting_after=${after}` : ""}`, opts);
    out.push(...page.data);
    if (!page.has_more) return out;
    after = page.data[page.data.length - 1]!.id;
  }
}

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(emu.url + path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

function timeOf(o: Json): number {
  return (o.created ?? o.date) as number;
}

function expectNewestFirst(objs: Json[]): void {
  for (let i = 1; i < objs.length; i++) {
    const a = objs[i - 1]!;
    const b = objs[i]!;
    const ok = timeOf(a) > timeOf(b) || (timeOf(a) === timeOf(b) && a.id > b.id);
    expect(ok, `${a.id} (${timeOf(a)}) before ${b.id} (${timeOf(b)})`).toBe(true);
  }
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: 1, now: ANCHOR });
});

afterAll(async () => {
  await emu?.close();
});

describe("stripe SDK compatibility", () => {
  it("lists, auto-paginates and sends raw requests through the official SDK", async () => {
    const stripe = new Stripe(EMULATOR_KEY, { host: "127.0.0.1", port: emu.port, protocol: "http", maxNetworkRetries: 0 });
    const page = await stripe.customers.list({ limit: 3 });
    expect(page.data).toHaveLength(3);
    expect(page.has_more).toBe(true);
    expect(page.data[0]!.object).toBe("customer");

    const ids: string[] = [];
    for await (const charge of stripe.charges.list({ limit: 100 })) ids.push(charge.id);
    const all = emu.listObjects("charge");
    expect(ids.length).toBe(all.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(all.map((c) => c.id));

    const raw = await stripe.rawRequest("GET", "/v1/invoices?limit=2&expand[]=data.customer");
    expect(raw.data).toHaveLength(2);
    expect(typeof raw.data[0].customer).toBe("object");

    const connected = await stripe.customers.list({ limit: 1 }, { stripeAccount: CONNECTED_ACCOUNTS[0] });
    expect(connected.data[0]!.id).not.toBe(page.data[0]!.id);

    await expect(stripe.subscriptionItems.list({ subscription: "sub_nope" })).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe("lists", () => {
  it("pages forward without gaps or duplicates and backwards with ending_before", async () => {
    const expected = emu.listObjects("invoice").map((o) => o.id);
    expect(expected.length).toBeGreaterThan(50);
    const forward = await pageAll("/v1/invoices", 7);
    expect(forward.map((o) => o.id)).toEqual(expected);
    expectNewestFirst(forward);

    // Backwards from the oldest: ending_before returns the page just newer, newest first.
    const back: Json[] = [];
    let before = expected[expected.length - 1]!;
    for (;;) {
      const page = await getList(`/v1/invoices?limit=9&ending_before=${before}`);
      back.unshift(...page.data);
      if (!page.has_more) break;
      before = page.data[0]!.id;
    }
    expect(back.map((o) => o.id)).toEqual(expected.slice(0, -1));
  });

  it("filters invoices by subscription through parent.subscription_details, as the current API names it", async () => {
    const invoices = emu.listObjects("invoice");
    expect(invoices.every((i) => !("subscription" in i))).toBe(true);
    const sub = invoices.map((i) => i.parent?.subscription_details?.subscription).find((s) => typeof s === "string") as string;
    expect(sub).toBeDefined();
    const listed = await pageAll(`/v1/invoices?subscription=${sub}`, 100);
    expect(listed.map((i) => i.id)).toEqual(invoices.filter((i) => i.parent?.subscription_details?.subscription === sub).map((i) => i.id));
  });

  it("orders every seeded endpoint newest first and has data for it", async () => {
    const paths = [
      "/v1/accounts",
      "/v1/application_fees",
      "/v1/balance_transactions",
      "/v1/billing/meters",
      "/v1/charges",
      "/v1/checkout/sessions",
      "/v1/coupons",
      "/v1/credit_notes",
      "/v1/customers",
      "/v1/disputes",
      "/v1/events",
      "/v1/file_links",
      "/v1/files",
      "/v1/invoiceitems",
      "/v1/invoice_payments",
      "/v1/invoices",
      "/v1/issuing/authorizations",
      "/v1/issuing/cardholders",
      "/v1/issuing/cards",
      "/v1/issuing/transactions",
      "/v1/payment_intents",
      "/v1/payment_links",
      "/v1/payment_methods",
      "/v1/payouts",
      "/v1/plans",
      "/v1/prices",
      "/v1/products",
      "/v1/promotion_codes",
      "/v1/quotes",
      "/v1/radar/early_fraud_warnings",
      "/v1/refunds",
      "/v1/reviews",
      "/v1/setup_intents",
      "/v1/shipping_rates",
      "/v1/subscription_schedules",
      "/v1/subscriptions",
      "/v1/tax_ids",
      "/v1/tax_rates",
      "/v1/topups",
      "/v1/transfers",
      "/v1/webhook_endpoints",
    ];
    for (const p of paths) {
      const page = await getList(`${p}?limit=100`);
      expect(page.data.length, p).toBeGreaterThan(0);
      expect(page.url).toBe(p);
      if (p !== "/v1/payment_links") expectNewestFirst(page.data);
    }
    const links = await getList("/v1/payment_links");
    expect(links.data[0]).not.toHaveProperty("created");
    const items = await getList("/v1/invoiceitems");
    expect(items.data[0]).toHaveProperty("date");
    expect(items.data[0]).not.toHaveProperty("created");
  });

  it("filters by created (exact and ranges)", async () => {
    const all = emu.listObjects("customer");
    const pivot = all[Math.floor(all.length / 2)]!.created as number;
    const gte = await pageAll(`/v1/customers?created[gte]=${pivot}`, 100);
    expect(gte.map((c) => c.id)).toEqual(all.filter((c) => c.created >= pivot).map((c) => c.id));
    const lt = await pageAll(`/v1/customers?created[lt]=${pivot}`, 100);
    expect(lt.length + gte.length).toBe(all.length);
    const window = await pageAll(`/v1/customers?created[gt]=${pivot - 200 * DAY}&created[lte]=${pivot}`, 5);
    expect(window.map((c) => c.id)).toEqual(all.filter((c) => c.created > pivot - 200 * DAY && c.created <= pivot).map((c) => c.id));
    const exact = await getList(`/v1/customers?created=${pivot}`);
    expect(exact.data.length).toBeGreaterThan(0);
    expect(exact.data.every((c) => c.created === pivot)).toBe(true);
    // invoice items filter on their `date`
    const items = emu.listObjects("invoiceitem");
    const d = items[3]!.date as number;
    const filtered = await pageAll(`/v1/invoiceitems?created[lte]=${d}`, 100);
    expect(filtered.map((i) => i.id)).toEqual(items.filter((i) => i.date <= d).map((i) => i.id));
  });

  it("parses bracket notation: types[0], expand[0], nested filters", async () => {
    const events = await getList("/v1/events?types[0]=customer.created&types[1]=invoice.created&limit=100");
    expect(events.data.length).toBeGreaterThan(0);
    expect(events.data.every((e) => e.type === "customer.created" || e.type === "invoice.created")).toBe(true);
    const charges = await getList("/v1/charges?limit=5&expand[0]=data.customer&expand[1]=data.balance_transaction");
    const withCustomer = charges.data.find((c) => c.customer !== null);
    expect(withCustomer?.customer.object).toBe("customer");
    expect(charges.data.find((c) => c.balance_transaction)?.balance_transaction.object).toBe("balance_transaction");
    const wildcard = await getList("/v1/events?type=customer.*&limit=100");
    expect(wildcard.data.length).toBeGreaterThan(0);
    expect(wildcard.data.every((e) => String(e.type).startsWith("customer."))).toBe(true);
  });

  it("hides canceled subscriptions unless status=all, and lists only open reviews", async () => {
    const all = emu.listObjects("subscription");
    const canceled = all.filter((s) => s.status === "canceled" || s.status === "incomplete_expired");
    expect(canceled.length).toBeGreaterThan(0);
    const dflt = await pageAll("/v1/subscriptions", 100);
    expect(dflt.length).toBe(all.length - canceled.length);
    expect(dflt.some((s) => s.status === "canceled")).toBe(false);
    const everything = await pageAll("/v1/subscriptions?status=all", 100);
    expect(everything.length).toBe(all.length);
    const onlyCanceled = await pageAll("/v1/subscriptions?status=canceled", 100);
    expect(onlyCanceled.length).toBe(all.filter((s) => s.status === "canceled").length);

    const reviews = emu.listObjects("review");
    expect(reviews.some((r) => !r.open)).toBe(true);
    const listed = await pageAll("/v1/reviews", 100);
    expect(listed.map((r) => r.id)).toEqual(reviews.filter((r) => r.open).map((r) => r.id));
  });

  it("keeps only the last 30 days of events, each with its object", async () => {
    const events = await pageAll("/v1/events", 100);
    expect(events.length).toBeGreaterThan(50);
    const since = emu.clock.now() - 30 * DAY;
    expect(events.every((e) => e.created >= since)).toBe(true);
    expect(events.every((e) => typeof e.data?.object?.id === "string")).toBe(true);
    // Creation events carry Stripe's names: `<type>.created`, but `charge.succeeded` for charges.
    const types = new Set(events.map((e) => e.type));
    expect(types.has("customer.created")).toBe(true);
    expect(types.has("charge.succeeded")).toBe(true);
    expect(types.has("charge.created")).toBe(false);
    const older = emu.listObjects("customer").filter((c) => c.created < since);
    expect(older.length).toBeGreaterThan(0);
    expect(events.some((e) => e.data.object.id === older[0]!.id)).toBe(false);
    const one = await get(`/v1/events/${events[0]!.id}`);
    expect(one.body.id).toBe(events[0]!.id);
  });

  it("lists a payout's balance transactions and filters sources by object", async () => {
    const payouts = emu.listObjects("payout");
    let seen = 0;
    for (const po of payouts.slice(0, 5)) {
      const txns = await pageAll(`/v1/balance_transactions?payout=${po.id}`, 100);
      expect(txns.some((t) => t.id === po.balance_transaction)).toBe(true);
      seen += txns.length;
    }
    expect(seen).toBeGreaterThan(5);
    const missing = await get("/v1/balance_transactions?payout=po_missing");
    expect(missing.status).toBe(404);
  });
});

describe("embedded lists", () => {
  it("invoice lines: first 10 embedded, has_more, the rest from /v1/invoices/{id}/lines", async () => {
    const invoices = emu.listObjects("invoice");
    const big = invoices.filter((i) => i.lines.has_more);
    expect(big.length).toBeGreaterThan(1);
    let sawHundred = false;
    for (const inv of big) {
      expect(inv.lines.data).toHaveLength(10);
      expect(inv.lines.url).toBe(`/v1/invoices/${inv.id}/lines`);
      const lines = await pageAll(`/v1/invoices/${inv.id}/lines`, 100);
      expect(lines.length).toBeGreaterThan(10);
      expect(lines.slice(0, 10).map((l) => l.id)).toEqual(inv.lines.data.map((l: Json) => l.id));
      expect(new Set(lines.map((l) => l.id)).size).toBe(lines.length);
      expect(lines.every((l) => l.invoice === inv.id)).toBe(true);
      if (lines.length > 100) sawHundred = true;
    }
    expect(sawHundred).toBe(true);
  });

  it("subscription items, transfer reversals, fee refunds, credit note lines page past 10", async () => {
    const cases: [string, string, (id: string) => string][] = [
      ["subscription", "items", (id) => `/v1/subscription_items?subscription=${id}`],
      ["transfer", "reversals", (id) => `/v1/transfers/${id}/reversals`],
      ["application_fee", "refunds", (id) => `/v1/application_fees/${id}/refunds`],
      ["credit_note", "lines", (id) => `/v1/credit_notes/${id}/lines`],
    ];
    for (const [type, field, url] of cases) {
      const parent = emu.listObjects(type).find((o) => o[field].has_more);
      expect(parent, `${type} with more than 10 ${field}`).toBeDefined();
      const rest = await pageAll(url(parent!.id), 4);
      expect(rest.length).toBeGreaterThan(10);
      expect(rest.slice(0, 10).map((o) => o.id)).toEqual(parent![field].data.map((o: Json) => o.id));
    }
    const acct = await get(`/v1/accounts/${CONNECTED_ACCOUNTS[0]}`);
    expect(acct.body.external_accounts.has_more).toBe(true);
    const ext = await pageAll(`/v1/accounts/${CONNECTED_ACCOUNTS[0]}/external_accounts`, 5);
    expect(ext.length).toBeGreaterThan(10);
    const cards = await pageAll(`/v1/accounts/${CONNECTED_ACCOUNTS[0]}/external_accounts?object=card`, 5);
    expect(cards.every((c) => c.object === "card")).toBe(true);
  });

  it("customer sources and tax ids appear only when expanded; sources mix bank accounts and cards", async () => {
    const plain = await getList("/v1/customers?limit=100");
    expect(plain.data.some((c) => "sources" in c)).toBe(false);
    const customers = await pageAll("/v1/customers?expand[]=data.sources&expand[]=data.tax_ids", 100);
    const many = customers.filter((c) => c.sources.has_more);
    expect(many.length).toBeGreaterThan(0);
    const cus = many[0]!;
    expect(cus.sources.data).toHaveLength(10);
    const sources = await pageAll(`/v1/customers/${cus.id}/sources`, 100);
    expect(sources.length).toBeGreaterThan(10);
    const kinds = new Set(sources.map((s) => s.object));
    expect(kinds).toEqual(new Set(["bank_account", "card"]));
    const banks = await pageAll(`/v1/customers/${cus.id}/sources?object=bank_account`, 3);
    expect(banks.length).toBe(sources.filter((s) => s.object === "bank_account").length);
    const one = await get(`/v1/customers/${cus.id}/sources/${banks[0]!.id}`);
    expect(one.body.id).toBe(banks[0]!.id);
    expect(customers.some((c) => c.tax_ids.data.length > 0)).toBe(true);

    const sessions = await pageAll("/v1/checkout/sessions?expand[]=data.line_items", 100);
    const big = sessions.find((s) => s.line_items.has_more);
    expect(big).toBeDefined();
    const items = await pageAll(`/v1/checkout/sessions/${big!.id}/line_items`, 100);
    expect(items.length).toBeGreaterThan(10);
    const noExpand = await getList("/v1/checkout/sessions?limit=1");
    expect(noExpand.data[0]).not.toHaveProperty("line_items");
  });

  it("retrieves by id, honouring expand", async () => {
    const charge = emu.listObjects("charge").find((c) => c.customer)!;
    const r = await get(`/v1/charges/${charge.id}?expand[]=customer&expand[]=payment_intent`);
    expect(r.status).toBe(200);
    expect(r.body.customer.id).toBe(charge.customer);
    expect(r.body.payment_intent.object).toBe("payment_intent");
    const sub = emu.listObjects("subscription")[0]!;
    const s = await get(`/v1/subscriptions/${sub.id}?expand[]=customer&expand[]=latest_invoice`);
    expect(s.body.customer.object).toBe("customer");
    const bad = await get(`/v1/charges/${charge.id}?expand[]=amount`);
    expect(bad.status).toBe(400);
  });
});

describe("errors", () => {
  it("authentication: missing key, invalid key (masked), restricted key (403)", async () => {
    const none = await get("/v1/customers", { key: null });
    expect(none.status).toBe(401);
    expect(none.body.error.message).toMatch(/^You did not provide an API key/);
    expect(none.headers.get("request-id")).toMatch(/^req_/);

    const bad = await get("/v1/customers", { key: "sk_test_bogus1234abcd" });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toMatchObject({ type: "invalid_request_error", message: "Invalid API Key provided: sk_test_****abcd" });

    const restricted = await get("/v1/issuing/cards", { key: EMULATOR_RESTRICTED_KEY });
    expect(restricted.status).toBe(403);
    expect(restricted.body.error.message).toBe(
      "The provided key 'rk_test_****51Hx' does not have the required permissions for this endpoint on account 'acct_emulator_platform'. Having the 'rak_issuing_card_read' permission would allow this request to continue.",
    );
    expect((await get("/v1/balance_transactions?limit=1", { key: EMULATOR_RESTRICTED_KEY })).status).toBe(403);
    expect((await get("/v1/customers?limit=1", { key: EMULATOR_RESTRICTED_KEY })).status).toBe(200);

    const acct = await get("/v1/customers", { account: "acct_unknown" });
    expect(acct.status).toBe(403);
    expect(acct.body.error.message).toContain("does not have access to account 'acct_unknown'");
  });

  it("404s, unknown parameters, limits, required parents, too many types", async () => {
    const path = await get("/v1/nope");
    expect(path.status).toBe(404);
    expect(path.body.error.message).toMatch(/^Unrecognized request URL \(GET: \/v1\/nope\)/);
    expect(path.headers.get("request-id")).toBeTruthy();

    const id = await get("/v1/customers/cus_missing");
    expect(id.status).toBe(404);
    expect(id.body.error).toMatchObject({ code: "resource_missing", param: "id", message: "No such customer: 'cus_missing'" });
    expect((await get("/v1/invoices/in_missing/lines")).status).toBe(404);

    const unknown = await get("/v1/customers?foo=1");
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: "parameter_unknown", param: "foo" });
    expect((await get("/v1/subscriptions?status=all&customer=cus_x&price=price_x")).status).toBe(200);

    for (const limit of ["0", "101", "abc"]) expect((await get(`/v1/charges?limit=${limit}`)).status).toBe(400);
    expect((await get("/v1/charges?limit=100")).status).toBe(200);

    const noSub = await get("/v1/subscription_items");
    expect(noSub.status).toBe(400);
    expect(noSub.body.error).toMatchObject({ code: "parameter_missing", param: "subscription" });
    expect((await get("/v1/setup_attempts")).body.error.param).toBe("setup_intent");
    const si = emu.listObjects("setup_intent")[0]!;
    const attempts = await getList(`/v1/setup_attempts?setup_intent=${si.id}`);
    expect(attempts.data.every((a) => a.setup_intent === si.id)).toBe(true);

    const types = Array.from({ length: 21 }, (_, i) => `types[]=t${i}`).join("&");
    expect((await get(`/v1/events?${types}`)).status).toBe(400);
    expect((await get(`/v1/events?types[]=a&type=b`)).status).toBe(400);

    const cursor = await get("/v1/customers?starting_after=cus_missing");
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.param).toBe("starting_after");

    const empty = await getList("/v1/terminal/readers");
    expect(empty.data).toEqual([]);
  });

  it("rate limits with 429 (no Retry-After by default) and injects 500s and resets", async () => {
    await admin("POST", "/_emulator/knobs", { rateLimit: 5, latencyMs: 20 });
    await admin("POST", "/_emulator/stats/reset");
    try {
      const results = await Promise.all(Array.from({ length: 20 }, () => get("/v1/coupons?limit=1")));
      const limited = results.filter((r) => r.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      expect(limited[0]!.body.error).toMatchObject({ type: "invalid_request_error", code: "rate_limit" });
      expect(limited[0]!.headers.get("retry-after")).toBeNull();
      // Connected accounts have their own bucket.
      expect((await get("/v1/coupons?limit=1", { account: CONNECTED_ACCOUNTS[1] })).status).toBe(200);
      const stats = (await admin("GET", "/_emulator/stats")).body;
      expect(stats.rateLimited).toBe(limited.length);
      expect(stats.requests).toBe(21);
      expect(stats.perPath["/v1/coupons"]).toBe(21);
      expect(stats.maxInFlight).toBeGreaterThan(1);
      // Retry-After only when asked for.
      emu.setKnobs({ retryAfter: 1 });
      const again = await Promise.all(Array.from({ length: 10 }, () => get("/v1/coupons?limit=1")));
      expect(again.find((r) => r.status === 429)?.headers.get("retry-after")).toBe("1");
    } finally {
      await admin("POST", "/_emulator/knobs", { rateLimit: 0, latencyMs: 0, retryAfter: 0 });
    }

    try {
      emu.setKnobs({ faults: { p500: 1 } });
      const err = await get("/v1/coupons");
      expect(err.status).toBe(500);
      expect(err.body.error.type).toBe("api_error");
      expect(err.headers.get("stripe-should-retry")).toBe("true");
      emu.setKnobs({ faults: { p500: 0, pReset: 1 } });
      await expect(get("/v1/coupons")).rejects.toThrow();
    } finally {
      emu.setKnobs({ faults: { p500: 0, pReset: 0 } });
    }
    expect(emu.stats().resets).toBeGreaterThan(0);
    expect((await get("/v1/coupons")).status).toBe(200);
  });

  it("answers 404 for products the account has not enabled", async () => {
    emu.setKnobs({ disabledProducts: ["issuing"] });
    try {
      const r = await get("/v1/issuing/cards");
      expect(r.status).toBe(404);
      expect(r.body.error.message).toMatch(/not set up to use Issuing/);
      expect((await get("/v1/issuing/authorizations/iauth_x")).status).toBe(404);
    } finally {
      emu.setKnobs({ disabledProducts: [] });
    }
    expect((await get("/v1/issuing/cards")).status).toBe(200);
  });
});

describe("accounts", () => {
  it("keeps each account's data separate, selected by Stripe-Account", async () => {
    const accounts = await getList("/v1/accounts");
    expect(accounts.data.map((a) => a.id).sort()).toEqual([...CONNECTED_ACCOUNTS].sort());
    const own = await get("/v1/account");
    expect(own.body.id).toBe("acct_emulator_platform");
    const as1 = await get("/v1/account", { account: CONNECTED_ACCOUNTS[0] });
    expect(as1.body.id).toBe(CONNECTED_ACCOUNTS[0]);

    const platform = await pageAll("/v1/customers", 100);
    const c1 = await pageAll("/v1/customers", 100, { account: CONNECTED_ACCOUNTS[0] });
    const c2 = await pageAll("/v1/customers", 100, { account: CONNECTED_ACCOUNTS[1] });
    expect(c1.length).toBe(emu.listObjects("customer", CONNECTED_ACCOUNTS[0]).length);
    expect(c1.length).toBeLessThan(platform.length / 2);
    const ids = new Set(platform.map((c) => c.id));
    expect(c1.some((c) => ids.has(c.id))).toBe(false);
    expect(c2.some((c) => c1.some((d) => d.id === c.id))).toBe(false);
    // A platform object is not visible from a connected account.
    expect((await get(`/v1/customers/${platform[0]!.id}`, { account: CONNECTED_ACCOUNTS[0] })).status).toBe(404);
    // Connected accounts list no accounts of their own; events carry the account.
    expect((await getList("/v1/accounts", { account: CONNECTED_ACCOUNTS[0] })).data).toEqual([]);
    const ev = await getList("/v1/events?limit=1", { account: CONNECTED_ACCOUNTS[0] });
    expect(ev.data[0]!.account).toBe(CONNECTED_ACCOUNTS[0]);
    const persons = await getList(`/v1/accounts/${CONNECTED_ACCOUNTS[1]}/persons`);
    expect(persons.data.length).toBeGreaterThan(0);
    expect(persons.data.every((p) => p.account === CONNECTED_ACCOUNTS[1])).toBe(true);
  });
});

describe("mutations", () => {
  it("create, update and delete emit Stripe's events", async () => {
    const start = emu.clock.now();
    await admin("POST", "/_emulator/clock", { advance: 60 });
    const created = await admin("POST", "/_emulator/objects", { object: "customer", fields: { email: "new@example.com", name: "New" } });
    expect(created.status).toBe(200);
    const cus = created.body;
    expect(cus.id).toMatch(/^cus_/);
    expect(cus.created).toBe(start + 60);
    const first = await getList("/v1/customers?limit=1");
    expect(first.data[0]!.id).toBe(cus.id);

    await admin("POST", "/_emulator/clock", { advance: 10 });
    const upd = await admin("POST", `/_emulator/objects/${cus.id}`, { fields: { name: "Renamed" } });
    expect(upd.body.name).toBe("Renamed");
    expect(upd.body.created).toBe(cus.created);

    const sub = emu.listObjects("subscription").find((s) => s.status === "active")!;
    await admin("POST", "/_emulator/clock", { advance: 10 });
    const canceled = await admin("DELETE", `/_emulator/objects/${sub.id}`);
    expect(canceled.body.status).toBe("canceled");

    await admin("POST", "/_emulator/clock", { advance: 10 });
    const del = await admin("DELETE", `/_emulator/objects/${cus.id}`);
    expect(del.body).toEqual({ id: cus.id, object: "customer", deleted: true });
    const gone = await get(`/v1/customers/${cus.id}`);
    expect(gone.body).toEqual({ id: cus.id, object: "customer", deleted: true });
    expect((await getList("/v1/customers?limit=1")).data[0]!.id).not.toBe(cus.id);

    const charge = emu.listObjects("charge")[0]!;
    expect((await admin("DELETE", `/_emulator/objects/${charge.id}`)).status).toBe(400);

    const events = await getList(`/v1/events?created[gt]=${start}&limit=10`);
    expect(events.data.map((e) => e.type)).toEqual([
      "customer.deleted",
      "customer.subscription.deleted",
      "customer.updated",
      "customer.created",
    ]);
    const [deleted, subDeleted, updated, createdEv] = events.data as Json[];
    expect(createdEv!.data.object.id).toBe(cus.id);
    expect(updated!.data.previous_attributes).toEqual({ name: "New" });
    expect(updated!.data.object.name).toBe("Renamed");
    expect(subDeleted!.data.object.status).toBe("canceled");
    expect(deleted!.data.object).toMatchObject({ id: cus.id, name: "Renamed", deleted: true });

    // Objects without such event types emit none; nested types use their parent's names.
    const inv = emu.listObjects("invoice")[0]!;
    emu.createObject("line_item", { amount: 100, currency: "usd" }, { parent: inv.id });
    const card = emu.createObject("card", { customer: emu.listObjects("customer")[0]!.id, last4: "4242", brand: "Visa" });
    const after = await getList(`/v1/events?created[gt]=${start}&limit=10`);
    expect(after.data[0]!.type).toBe("customer.source.created");
    expect(after.data[0]!.data.object.id).toBe(card.id);
    expect(after.data).toHaveLength(5);
    // There is no charge.created: a new charge announces itself as charge.succeeded (or failed/pending).
    const ch = emu.createObject("charge", { amount: 4200, currency: "usd" });
    const latest = await getList(`/v1/events?created[gt]=${start}&limit=1`);
    expect(latest.data[0]).toMatchObject({ type: "charge.succeeded", data: { object: { id: ch.id } } });
    emu.clock.set(start);
  });

  it("drops events older than 30 days as the clock moves", async () => {
    const other = await startEmulator({ seed: 3, now: ANCHOR });
    try {
      const before = await getList("/v1/events?limit=100", { base: other.url });
      expect(before.data.length).toBeGreaterThan(0);
      other.clock.advance(31 * DAY);
      const after = await getList("/v1/events?limit=100", { base: other.url });
      expect(after.data).toEqual([]);
    } finally {
      await other.close();
    }
  });
});

describe("determinism and bulk", () => {
  it("gives byte-identical responses for the same seed", async () => {
    // The shared emulator has been mutated above, so compare two fresh ones.
    const [a, b, other] = await Promise.all([
      startEmulator({ seed: 1, now: ANCHOR }),
      startEmulator({ seed: 1, now: ANCHOR }),
      startEmulator({ seed: 2, now: ANCHOR }),
    ]);
    try {
      const fetchText = async (base: string, path: string) =>
        (await fetch(base + path, { headers: { Authorization: `Bearer ${EMULATOR_KEY}` } })).text();
      const sub = a.listObjects("subscription").at(-1)!.id;
      for (const path of [
        "/v1/charges?limit=100",
        "/v1/invoices?limit=20",
        "/v1/customers?limit=50&expand[]=data.sources",
        "/v1/events?limit=100",
        `/v1/subscription_items?subscription=${sub}`,
      ]) {
        expect(await fetchText(a.url, path)).toBe(await fetchText(b.url, path));
      }
      expect(await fetchText(other.url, "/v1/charges?limit=10")).not.toBe(await fetchText(a.url, "/v1/charges?limit=10"));
    } finally {
      await Promise.all([a.close(), b.close(), other.close()]);
    }
  });

  it("serves a bulk collection rendered on demand", async () => {
    const bulk = await startEmulator({ now: ANCHOR, bulk: { object: "charge", count: 200_000, yearsBack: 2, growth: 2 } });
    try {
      const seeded = bulk.world.platform.data.coll("charge").all.a.length;
      expect(bulk.counts().charge).toBe(200_000 + seeded);
      const t = ANCHOR - 100 * DAY;
      const window = await pageAll(`/v1/charges?created[gte]=${t}&created[lt]=${t + DAY}`, 100, { base: bulk.url });
      expect(window.length).toBeGreaterThan(100);
      expect(window.every((c) => c.created >= t && c.created < t + DAY)).toBe(true);
      expect(new Set(window.map((c) => c.id)).size).toBe(window.length);
      expectNewestFirst(window);
      const one = await get(`/v1/charges/${window[5]!.id}`, { base: bulk.url });
      expect(one.body).toEqual(window[5]);
      // Growth: the last year holds more than the year before it.
      const lastYear = await get(`/v1/charges?created[gte]=${ANCHOR - 365 * DAY}&limit=1`, { base: bulk.url });
      expect(lastYear.status).toBe(200);
    } finally {
      await bulk.close();
    }
  });
});
