/**
 * The object types the emulator knows: id prefixes, where they are stored, which
 * field holds their time, their event names, how they nest and what they embed.
 */

export interface TypeDef {
  type: string;
  /** Id prefix, as Stripe uses it. */
  prefix: string;
  /** Length of the random part of the id (after the prefix). */
  idLen: number;
  /** Field that holds the creation time in the rendered object, or null if the object shows none. */
  timeField: "created" | "date" | null;
  /** Name of the collection it is stored in (bank accounts and cards depend on their parent). */
  collection: string;
  /** Prefix of its event types (`customer.subscription` -> `customer.subscription.created`). */
  eventPrefix: string | null;
  /** What DELETE does: remove the object, cancel it (subscriptions), or refuse. */
  deletion: "remove" | "cancel" | null;
  /** Name in "No such <name>: 'id'" messages. */
  noun: string;
  /** Path under which a single object is retrieved (top-level resources only). */
  retrievePath?: string;
}

const T = (
  type: string,
  prefix: string,
  extra: Partial<Omit<TypeDef, "type" | "prefix">> = {},
): TypeDef => ({
  type,
  prefix,
  idLen: 24,
  timeField: "created",
  collection: type,
  eventPrefix: type,
  deletion: null,
  noun: type.replace(/^.*\./, "").replace(/_/g, " "),
  ...extra,
});

export const TYPES: Record<string, TypeDef> = Object.fromEntries(
  [
    T("account", "acct_", { idLen: 16, deletion: "remove", retrievePath: "/v1/accounts" }),
    T("person", "person_", { idLen: 24, deletion: "remove" }),
    T("bank_account", "ba_", { timeField: null, collection: "source", eventPrefix: "customer.source", deletion: "remove", noun: "source" }),
    T("card", "card_", { timeField: null, collection: "source", eventPrefix: "customer.source", deletion: "remove", noun: "source" }),
    T("application_fee", "fee_", { retrievePath: "/v1/application_fees", noun: "application fee" }),
    T("fee_refund", "fr_", { eventPrefix: "application_fee.refund", noun: "fee refund" }),
    T("balance_transaction", "txn_", { retrievePath: "/v1/balance_transactions" }),
    T("billing.meter", "mtr_", { retrievePath: "/v1/billing/meters", idLen: 32, noun: "billing meter" }),
    T("charge", "ch_", { retrievePath: "/v1/charges" }),
    T("checkout.session", "cs_test_", { idLen: 58, retrievePath: "/v1/checkout/sessions", noun: "checkout session" }),
    T("item", "li_", { timeField: null, eventPrefix: null, noun: "line item" }),
    T("coupon", "", { idLen: 8, deletion: "remove", retrievePath: "/v1/coupons" }),
    T("credit_note", "cn_", { retrievePath: "/v1/credit_notes" }),
    T("credit_note_line_item", "cnli_", { timeField: null, eventPrefix: null, noun: "credit note line item" }),
    T("customer", "cus_", { idLen: 14, deletion: "remove", retrievePath: "/v1/customers" }),
    T("customer_balance_transaction", "cbtxn_", { eventPrefix: null, noun: "customer balance transaction" }),
    T("payment_method", "pm_", { retrievePath: "/v1/payment_methods", noun: "PaymentMethod" }),
    T("tax_id", "txi_", { eventPrefix: "customer.tax_id", deletion: "remove", retrievePath: "/v1/tax_ids", noun: "tax id" }),
    T("dispute", "dp_", { eventPrefix: "charge.dispute", retrievePath: "/v1/disputes" }),
    T("event", "evt_", { eventPrefix: null, retrievePath: "/v1/events" }),
    T("file_link", "link_", { retrievePath: "/v1/file_links", noun: "file link" }),
    T("file", "file_", { retrievePath: "/v1/files" }),
    T("invoiceitem", "ii_", { timeField: "date", deletion: "remove", retrievePath: "/v1/invoiceitems", noun: "invoiceitem" }),
    T("invoice_payment", "inpay_", { retrievePath: "/v1/invoice_payments", noun: "invoice payment" }),
    T("invoice", "in_", { deletion: "remove", retrievePath: "/v1/invoices" }),
    T("line_item", "il_", { timeField: null, eventPrefix: null, noun: "line item" }),
    T("issuing.authorization", "iauth_", { eventPrefix: "issuing_authorization", retrievePath: "/v1/issuing/authorizations", noun: "issuing authorization" }),
    T("issuing.cardholder", "ich_", { eventPrefix: "issuing_cardholder", retrievePath: "/v1/issuing/cardholders", noun: "issuing cardholder" }),
    T("issuing.card", "ic_", { eventPrefix: "issuing_card", retrievePath: "/v1/issuing/cards", noun: "issuing card" }),
    T("issuing.transaction", "ipi_", { eventPrefix: "issuing_transaction", retrievePath: "/v1/issuing/transactions", noun: "issuing transaction" }),
    T("payment_intent", "pi_", { retrievePath: "/v1/payment_intents" }),
    T("payment_link", "plink_", { timeField: null, retrievePath: "/v1/payment_links", noun: "payment link" }),
    T("payout", "po_", { retrievePath: "/v1/payouts" }),
    T("plan", "plan_", { deletion: "remove", retrievePath: "/v1/plans" }),
    T("price", "price_", { deletion: "remove", retrievePath: "/v1/prices" }),
    T("product", "prod_", { idLen: 14, deletion: "remove", retrievePath: "/v1/products" }),
    T("promotion_code", "promo_", { retrievePath: "/v1/promotion_codes", noun: "promotion code" }),
    T("quote", "qt_", { retrievePath: "/v1/quotes" }),
    T("radar.early_fraud_warning", "issfr_", { retrievePath: "/v1/radar/early_fraud_warnings", noun: "early fraud warning" }),
    T("radar.value_list", "rsl_", { eventPrefix: null, deletion: "remove", retrievePath: "/v1/radar/value_lists", noun: "value list" }),
    T("radar.value_list_item", "rsli_", { eventPrefix: null, deletion: "remove", retrievePath: "/v1/radar/value_list_items", noun: "value list item" }),
    T("refund", "re_", { retrievePath: "/v1/refunds" }),
    T("review", "prv_", { retrievePath: "/v1/reviews" }),
    T("setup_attempt", "setatt_", { eventPrefix: null, noun: "setup attempt" }),
    T("setup_intent", "seti_", { retrievePath: "/v1/setup_intents", noun: "setupintent" }),
    T("shipping_rate", "shr_", { retrievePath: "/v1/shipping_rates", noun: "shipping rate" }),
    T("subscription", "sub_", { eventPrefix: "customer.subscription", deletion: "cancel", retrievePath: "/v1/subscriptions" }),
    T("subscription_item", "si_", { idLen: 14, deletion: "remove", retrievePath: "/v1/subscription_items", noun: "subscription item" }),
    T("subscription_schedule", "sub_sched_", { retrievePath: "/v1/subscription_schedules", noun: "subscription schedule" }),
    T("tax_rate", "txr_", { retrievePath: "/v1/tax_rates", noun: "tax rate" }),
    T("topup", "tu_", { retrievePath: "/v1/topups" }),
    T("transfer", "tr_", { retrievePath: "/v1/transfers" }),
    T("transfer_reversal", "trr_", { eventPrefix: null, noun: "transfer reversal" }),
    // Legacy usage-based billing (removed from the API in 2025-03-31.basil): see legacy-usage.ts.
    T("usage_record_summary", "sis_", { timeField: null, eventPrefix: null, noun: "usage record summary" }),
    T("webhook_endpoint", "we_", { deletion: "remove", retrievePath: "/v1/webhook_endpoints", noun: "webhook endpoint" }),
  ].map((d) => [d.type, d]),
);

/** Collections whose objects belong to a parent object: the parent's type and the field naming it. */
export const NESTED: Record<string, { parentType: string; field?: string; optional?: boolean }> = {
  line_item: { parentType: "invoice", field: "invoice" },
  subscription_item: { parentType: "subscription", field: "subscription" },
  credit_note_line_item: { parentType: "credit_note" },
  fee_refund: { parentType: "application_fee", field: "fee" },
  transfer_reversal: { parentType: "transfer", field: "transfer" },
  person: { parentType: "account", field: "account" },
  external_account: { parentType: "account", field: "account" },
  source: { parentType: "customer", field: "customer" },
  customer_balance_transaction: { parentType: "customer", field: "customer" },
  setup_attempt: { parentType: "setup_intent", field: "setup_intent" },
  item: { parentType: "checkout.session" },
  tax_id: { parentType: "customer", field: "customer", optional: true },
  "radar.value_list_item": { parentType: "radar.value_list", field: "value_list" },
  usage_record_summary: { parentType: "subscription_item", field: "subscription_item" },
};

/** The collection an object of `type` goes to, given the parent it names. */
export function collectionFor(type: string, parentType?: string): string {
  if ((type === "bank_account" || type === "card") && parentType === "account") return "external_account";
  return TYPES[type]?.collection ?? type;
}

/** Event prefix of an object, which for sources depends on where they hang. */
export function eventPrefixFor(type: string, collection: string): string | null {
  if (collection === "external_account") return "account.external_account";
  return TYPES[type]?.eventPrefix ?? null;
}

/**
 * The event type Stripe sends when an object of this type comes into being:
 * `<prefix>.created` for most, but e.g. `charge.succeeded` for a charge (there is
 * no `charge.created`), `review.opened`, `checkout.session.completed`,
 * `payment_method.attached`, `invoice_payment.paid`. Null when Stripe sends none;
 * the caller still checks the name against the list of event types.
 */
export function creationEventType(type: string, collection: string, fields: Record<string, unknown>): string | null {
  const prefix = eventPrefixFor(type, collection);
  if (!prefix) return null;
  switch (type) {
    case "charge":
      return typeof fields.status === "string" ? `charge.${fields.status}` : null;
    case "review":
      return "review.opened";
    case "checkout.session":
      return fields.status === "complete" ? "checkout.session.completed" : fields.status === "expired" ? "checkout.session.expired" : null;
    case "payment_method":
      return fields.customer ? "payment_method.attached" : null;
    case "invoice_payment":
      return fields.status === "paid" ? "invoice_payment.paid" : null;
    case "account":
      return null;
    default:
      return `${prefix}.created`;
  }
}

/** A list embedded in its parent: always (invoice lines) or only when expanded (customer sources). */
export interface EmbedSpec {
  field: string;
  collection: string;
  /** Index key selecting the children: "@parent" or a field of the child naming the parent. */
  key: string;
  url: (parentId: string) => string;
  always: boolean;
  /** The children live in the data set of the account the parent describes (account.external_accounts). */
  ownAccount?: boolean;
  /** Extra filter on the children. */
  filter?: (fields: Record<string, unknown>) => boolean;
}

export const EMBEDS: Record<string, EmbedSpec[]> = {
  invoice: [{ field: "lines", collection: "line_item", key: "@parent", url: (id) => `/v1/invoices/${id}/lines`, always: true }],
  subscription: [
    {
      field: "items",
      collection: "subscription_item",
      key: "@parent",
      url: (id) => `/v1/subscription_items?subscription=${id}`,
      always: true,
    },
  ],
  credit_note: [{ field: "lines", collection: "credit_note_line_item", key: "@parent", url: (id) => `/v1/credit_notes/${id}/lines`, always: true }],
  application_fee: [{ field: "refunds", collection: "fee_refund", key: "@parent", url: (id) => `/v1/application_fees/${id}/refunds`, always: true }],
  transfer: [{ field: "reversals", collection: "transfer_reversal", key: "@parent", url: (id) => `/v1/transfers/${id}/reversals`, always: true }],
  account: [
    {
      field: "external_accounts",
      collection: "external_account",
      key: "@parent",
      url: (id) => `/v1/accounts/${id}/external_accounts`,
      always: true,
      ownAccount: true,
    },
  ],
  customer: [
    { field: "sources", collection: "source", key: "@parent", url: (id) => `/v1/customers/${id}/sources`, always: false },
    { field: "tax_ids", collection: "tax_id", key: "@parent", url: (id) => `/v1/customers/${id}/tax_ids`, always: false },
    {
      field: "subscriptions",
      collection: "subscription",
      key: "customer",
      url: (id) => `/v1/customers/${id}/subscriptions`,
      always: false,
      filter: (f) => f.status !== "canceled" && f.status !== "incomplete_expired",
    },
  ],
  charge: [{ field: "refunds", collection: "refund", key: "charge", url: (id) => `/v1/charges/${id}/refunds`, always: false }],
  "checkout.session": [
    { field: "line_items", collection: "item", key: "@parent", url: (id) => `/v1/checkout/sessions/${id}/line_items`, always: false },
  ],
  file: [{ field: "links", collection: "file_link", key: "file", url: (id) => `/v1/file_links?file=${id}`, always: false }],
  "radar.value_list": [
    { field: "list_items", collection: "radar.value_list_item", key: "@parent", url: (id) => `/v1/radar/value_list_items?value_list=${id}`, always: true },
  ],
};

/** Fields that can be expanded on types newer than the 2023 spec, or includable lists. */
export const EXTRA_EXPANDABLE: Record<string, string[]> = {
  "billing.meter": [],
  invoice_payment: ["invoice", "payment"],
  invoice: ["payments", "parent", "confirmation_secret"],
  subscription: ["discounts"],
  file: ["links"],
};

export const DAY = 86400;
/**
 * Seeded data ends just before this time: the start of the current UTC day, so
 * that whatever the date, the data is recent and the Events API's 30 days hold
 * seeded events. Within a day the same seed gives the same data; EMULATOR_ANCHOR
 * (epoch seconds) pins it for byte-identical runs across days.
 */
export const ANCHOR = process.env.EMULATOR_ANCHOR ? Number(process.env.EMULATOR_ANCHOR) : Math.floor(Date.now() / 1000 / DAY) * DAY;
export const EVENT_RETENTION = 30 * DAY;
