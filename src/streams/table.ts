import { REPORTS, reportKey, reportStreamName, type ReportSpec } from "./reports.js";
import type { StreamDef } from "./types.js";

const ID: string[][] = [["id"]];

const NULLABLE_STRING = { type: ["null", "string"] };
const NULLABLE_INTEGER = { type: ["null", "integer"] };

/**
 * A usage record summary as API versions up to 2025-02-24.acacia render it (Stripe's
 * OpenAPI spec, `usage_record_summary`; the same fields Airbyte's schema declares).
 */
const USAGE_RECORD_SUMMARY: Record<string, Record<string, unknown>> = {
  id: { description: "Unique identifier for the object.", type: "string" },
  invoice: { description: "The invoice in which this usage period has been billed for.", ...NULLABLE_STRING },
  livemode: { description: "Has the value `true` if the object exists in live mode or the value `false` if the object exists in test mode.", type: ["null", "boolean"] },
  object: { description: "String representing the object's type. Objects of the same type share the same value.", ...NULLABLE_STRING },
  period: {
    type: ["null", "object"],
    additionalProperties: true,
    properties: {
      // The end of the usage period (usage up to and including it is counted), and its start.
      end: NULLABLE_INTEGER,
      start: NULLABLE_INTEGER,
    },
  },
  subscription_item: { description: "The ID of the subscription item this summary is describing.", ...NULLABLE_STRING },
  total_usage: { description: "The total usage within this usage period.", ...NULLABLE_INTEGER },
};

/** A stream whose objects change: list on the first sync, Events afterwards. */
function evented(
  name: string,
  path: string,
  sdkType: string,
  eventTypes: string[],
  extra: Partial<StreamDef> = {},
): StreamDef {
  return {
    name,
    path,
    sdkType,
    primaryKey: ID,
    cursorField: "updated",
    incremental: "events",
    createdFilter: true,
    createdField: "created",
    eventTypes,
    ...extra,
  };
}

/** A stream whose objects never change once created: `created` windows. */
function immutable(name: string, path: string, sdkType: string, extra: Partial<StreamDef> = {}): StreamDef {
  return {
    name,
    path,
    sdkType,
    primaryKey: ID,
    cursorField: "created",
    incremental: "created",
    createdFilter: true,
    createdField: "created",
    eventTypes: [],
    ...extra,
  };
}

/**
 * A financial report: its records are the rows of report runs (POST
 * /v1/reporting/report_runs) over windows from the cursor, the end of the last
 * interval read. `sdkType` names no SDK type: scripts/report-schemas.ts types
 * the records from the report's columns.
 */
function report(spec: ReportSpec): StreamDef {
  return {
    name: reportStreamName(spec.type),
    path: "/v1/reporting/report_runs",
    sdkType: "",
    primaryKey: reportKey(spec),
    cursorField: "interval_end",
    incremental: "report",
    createdFilter: false,
    eventTypes: [],
    report: spec,
  };
}

/**
 * The stream table: one row per stream. Names, primary keys and cursor fields
 * follow Airbyte's source-stripe so its catalogs and state work unchanged.
 */
export const STREAMS: readonly StreamDef[] = [
  evented("accounts", "/v1/accounts", "Account", ["account.updated"]),
  evented("application_fees", "/v1/application_fees", "ApplicationFee", [
    "application_fee.created",
    "application_fee.refunded",
  ]),
  evented("application_fees_refunds", "/v1/application_fees/{id}/refunds", "FeeRefund", ["application_fee.refund.updated"], {
    parent: { stream: "application_fees", pathParam: "id", embedded: "refunds", copy: {} },
  }),
  evented(
    "authorizations",
    "/v1/issuing/authorizations",
    "Issuing.Authorization",
    ["issuing_authorization.created", "issuing_authorization.request", "issuing_authorization.updated"],
    { product: "issuing" },
  ),
  immutable("balance_transactions", "/v1/balance_transactions", "BalanceTransaction"),
  evented(
    "bank_accounts",
    "/v1/customers/{customer}/sources",
    "BankAccount",
    ["customer.source.created", "customer.source.expiring", "customer.source.updated", "customer.source.deleted"],
    {
      objectTypes: ["bank_account"],
      params: { object: "bank_account" },
      createdFilter: false,
      createdField: undefined,
      parent: { stream: "customers", pathParam: "customer", embedded: "sources", expandEmbedded: true, copy: {} },
    },
  ),
  evented(
    "cardholders",
    "/v1/issuing/cardholders",
    "Issuing.Cardholder",
    ["issuing_cardholder.created", "issuing_cardholder.updated"],
    { product: "issuing" },
  ),
  evented("cards", "/v1/issuing/cards", "Issuing.Card", ["issuing_card.created", "issuing_card.updated"], {
    product: "issuing",
  }),
  evented(
    "charges",
    "/v1/charges",
    "Charge",
    [
      "charge.captured",
      "charge.expired",
      "charge.failed",
      "charge.pending",
      "charge.refund.updated",
      "charge.refunded",
      "charge.succeeded",
      "charge.updated",
    ],
    // Charges stopped embedding refunds in 2022-11-15; Airbyte's records carry them.
    { params: { expand: ["data.refunds"] } },
  ),
  evented("checkout_sessions", "/v1/checkout/sessions", "Checkout.Session", [
    "checkout.session.async_payment_failed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.completed",
    "checkout.session.expired",
  ]),
  {
    name: "checkout_sessions_line_items",
    path: "/v1/checkout/sessions/{session}/line_items",
    sdkType: "LineItem",
    primaryKey: ID,
    cursorField: "checkout_session_updated",
    incremental: "parent",
    createdFilter: false,
    eventTypes: [],
    parent: {
      stream: "checkout_sessions",
      pathParam: "session",
      embedded: "line_items",
      expandEmbedded: true,
      copy: {
        checkout_session_id: "id",
        checkout_session_expires_at: "expires_at",
        checkout_session_created: "created",
        checkout_session_updated: "updated",
      },
    },
  },
  evented("coupons", "/v1/coupons", "Coupon", ["coupon.created", "coupon.updated", "coupon.deleted"]),
  evented("credit_notes", "/v1/credit_notes", "CreditNote", [
    "credit_note.created",
    "credit_note.updated",
    "credit_note.voided",
  ]),
  {
    name: "credit_note_line_items",
    path: "/v1/credit_notes/{credit_note}/lines",
    sdkType: "CreditNoteLineItem",
    primaryKey: ID,
    cursorField: "credit_note_updated",
    incremental: "parent",
    createdFilter: false,
    eventTypes: [],
    parent: {
      stream: "credit_notes",
      pathParam: "credit_note",
      embedded: "lines",
      copy: { credit_note_id: "id", credit_note_created: "created", credit_note_updated: "updated" },
    },
  },
  immutable("customer_balance_transactions", "/v1/customers/{customer}/balance_transactions", "CustomerBalanceTransaction", {
    incremental: "parent",
    parent: { stream: "customers", pathParam: "customer", copy: {} },
  }),
  evented("customers", "/v1/customers", "Customer", ["customer.created", "customer.updated", "customer.deleted"]),
  evented("disputes", "/v1/disputes", "Dispute", [
    "charge.dispute.closed",
    "charge.dispute.created",
    "charge.dispute.funds_reinstated",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.updated",
  ]),
  evented("early_fraud_warnings", "/v1/radar/early_fraud_warnings", "Radar.EarlyFraudWarning", [
    "radar.early_fraud_warning.created",
    "radar.early_fraud_warning.updated",
  ]),
  immutable("events", "/v1/events", "Event"),
  evented(
    "external_account_bank_accounts",
    "/v1/accounts/{account}/external_accounts",
    "BankAccount",
    ["account.external_account.created", "account.external_account.updated", "account.external_account.deleted"],
    {
      objectTypes: ["bank_account"],
      params: { object: "bank_account" },
      createdFilter: false,
      createdField: undefined,
      configPathParams: { account: "account_id" },
    },
  ),
  evented(
    "external_account_cards",
    "/v1/accounts/{account}/external_accounts",
    "Card",
    ["account.external_account.created", "account.external_account.updated", "account.external_account.deleted"],
    {
      objectTypes: ["card"],
      params: { object: "card" },
      createdFilter: false,
      createdField: undefined,
      configPathParams: { account: "account_id" },
    },
  ),
  immutable("file_links", "/v1/file_links", "FileLink"),
  immutable("files", "/v1/files", "File"),
  evented("invoice_items", "/v1/invoiceitems", "InvoiceItem", ["invoiceitem.created", "invoiceitem.deleted"], {
    createdField: "date",
  }),
  {
    name: "invoice_line_items",
    path: "/v1/invoices/{invoice}/lines",
    sdkType: "InvoiceLineItem",
    primaryKey: ID,
    cursorField: "invoice_updated",
    incremental: "events",
    createdFilter: false,
    eventTypes: ["invoice.created", "invoice.deleted", "invoice.updated"],
    eventsCarryParent: true,
    parent: {
      stream: "invoices",
      pathParam: "invoice",
      embedded: "lines",
      copy: { invoice_id: "id", invoice_created: "created", invoice_updated: "updated" },
    },
  },
  evented("invoice_payments", "/v1/invoice_payments", "InvoicePayment", ["invoice_payment.paid"]),
  evented("invoices", "/v1/invoices", "Invoice", [
    "invoice.created",
    "invoice.deleted",
    "invoice.finalization_failed",
    "invoice.finalized",
    "invoice.marked_uncollectible",
    "invoice.overdue",
    "invoice.overpaid",
    "invoice.paid",
    "invoice.payment_action_required",
    "invoice.payment_attempt_required",
    "invoice.payment_failed",
    "invoice.payment_succeeded",
    "invoice.sent",
    "invoice.updated",
    "invoice.voided",
    "invoice.will_be_due",
  ]),
  evented("payment_intents", "/v1/payment_intents", "PaymentIntent", [
    "payment_intent.amount_capturable_updated",
    "payment_intent.canceled",
    "payment_intent.created",
    "payment_intent.partially_funded",
    "payment_intent.payment_failed",
    "payment_intent.processing",
    "payment_intent.requires_action",
    "payment_intent.succeeded",
  ]),
  evented("payment_links", "/v1/payment_links", "PaymentLink", ["payment_link.created", "payment_link.updated"], {
    createdFilter: false,
    createdField: undefined,
  }),
  evented(
    "payment_methods",
    "/v1/customers/{customer}/payment_methods",
    "PaymentMethod",
    ["payment_method.attached", "payment_method.automatically_updated", "payment_method.detached", "payment_method.updated"],
    { createdFilter: false, parent: { stream: "customers", pathParam: "customer", copy: {} } },
  ),
  immutable("payout_balance_transactions", "/v1/balance_transactions", "BalanceTransaction", {
    cursorField: "updated",
    incremental: "parent",
    createdFilter: false,
    parent: { stream: "payouts", queryParam: "payout", copy: { payout: "id", updated: "updated" } },
  }),
  evented("payouts", "/v1/payouts", "Payout", [
    "payout.canceled",
    "payout.created",
    "payout.failed",
    "payout.paid",
    "payout.reconciliation_completed",
    "payout.updated",
  ]),
  evented("persons", "/v1/accounts/{account}/persons", "Person", ["person.created", "person.updated", "person.deleted"], {
    createdFilter: false,
    parent: { stream: "accounts", pathParam: "account", copy: {} },
  }),
  evented("plans", "/v1/plans", "Plan", ["plan.created", "plan.updated", "plan.deleted"], {
    params: { expand: ["data.tiers"] },
  }),
  evented("prices", "/v1/prices", "Price", ["price.created", "price.updated", "price.deleted"]),
  evented("products", "/v1/products", "Product", ["product.created", "product.updated", "product.deleted"]),
  evented("promotion_codes", "/v1/promotion_codes", "PromotionCode", ["promotion_code.created", "promotion_code.updated"]),
  evented("quotes", "/v1/quotes", "Quote", ["quote.accepted", "quote.canceled", "quote.created", "quote.finalized"], {
    createdFilter: false,
  }),
  evented("refunds", "/v1/refunds", "Refund", ["refund.created", "refund.failed", "refund.updated", "charge.refund.updated"]),
  evented("reviews", "/v1/reviews", "Review", ["review.closed", "review.opened"]),
  immutable("setup_attempts", "/v1/setup_attempts", "SetupAttempt", {
    incremental: "parent",
    parent: { stream: "setup_intents", queryParam: "setup_intent", copy: {} },
  }),
  evented("setup_intents", "/v1/setup_intents", "SetupIntent", [
    "setup_intent.canceled",
    "setup_intent.created",
    "setup_intent.requires_action",
    "setup_intent.setup_failed",
    "setup_intent.succeeded",
  ]),
  immutable("shipping_rates", "/v1/shipping_rates", "ShippingRate"),
  {
    name: "subscription_items",
    path: "/v1/subscription_items",
    sdkType: "SubscriptionItem",
    primaryKey: ID,
    cursorField: "subscription_updated",
    incremental: "events",
    createdFilter: false,
    createdField: "created",
    eventTypes: ["customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted"],
    eventsCarryParent: true,
    parent: {
      stream: "subscriptions",
      queryParam: "subscription",
      embedded: "items",
      copy: { subscription_updated: "updated" },
    },
  },
  evented("subscription_schedule", "/v1/subscription_schedules", "SubscriptionSchedule", [
    "subscription_schedule.aborted",
    "subscription_schedule.canceled",
    "subscription_schedule.completed",
    "subscription_schedule.created",
    "subscription_schedule.expiring",
    "subscription_schedule.released",
    "subscription_schedule.updated",
  ]),
  evented(
    "subscriptions",
    "/v1/subscriptions",
    "Subscription",
    [
      "customer.subscription.created",
      "customer.subscription.deleted",
      "customer.subscription.paused",
      "customer.subscription.pending_update_applied",
      "customer.subscription.pending_update_expired",
      "customer.subscription.resumed",
      "customer.subscription.trial_will_end",
      "customer.subscription.updated",
    ],
    { params: { status: "all" } },
  ),
  evented("tax_ids", "/v1/tax_ids", "TaxId", ["customer.tax_id.created", "customer.tax_id.deleted", "customer.tax_id.updated"], {
    createdFilter: false,
  }),
  evented("tax_rates", "/v1/tax_rates", "TaxRate", ["tax_rate.created", "tax_rate.updated"]),
  evented("top_ups", "/v1/topups", "Topup", [
    "topup.canceled",
    "topup.created",
    "topup.failed",
    "topup.reversed",
    "topup.succeeded",
  ]),
  evented("transactions", "/v1/issuing/transactions", "Issuing.Transaction", [
    "issuing_transaction.created",
    "issuing_transaction.updated",
  ], { product: "issuing" }),
  immutable("transfer_reversals", "/v1/transfers/{id}/reversals", "TransferReversal", {
    incremental: "parent",
    createdFilter: false,
    parent: { stream: "transfers", pathParam: "id", embedded: "reversals", copy: {} },
  }),
  evented("transfers", "/v1/transfers", "Transfer", ["transfer.created", "transfer.reversed", "transfer.updated"]),
  {
    // Airbyte's name, and like Airbyte's no primary key and no cursor: full refresh only (its
    // manifest.yaml declares usage_records without primary_key or incremental_sync).
    name: "usage_records",
    path: "/v1/subscription_items/{subscription_item}/usage_record_summaries",
    sdkType: "UsageRecordSummary",
    removedTypeFields: USAGE_RECORD_SUMMARY,
    primaryKey: [],
    // Estuary's own Stripe capture keys usage records by their subscription item
    // (estuary/connectors source-stripe-native/source_stripe_native/resources.py).
    flowKey: [["subscription_item"]],
    incremental: null,
    createdFilter: false,
    eventTypes: [],
    // Legacy usage records exist only for items on a legacy metered price: usage_type
    // metered without a meter (Stripe's changelog for 2025-03-31.basil). Other items are
    // not asked (Airbyte asks every item and ignores the 400s).
    parent: {
      stream: "subscription_items",
      pathParam: "subscription_item",
      copy: {},
      where: { "price.recurring.usage_type": "metered", "price.recurring.meter": null },
    },
    // 2025-03-31.basil removed usage records from the API; 2025-02-24.acacia is the last
    // version that has them (stripe-node 17.7.0 pins it, 18.0.0 pins basil and drops them).
    // The newest version that still has the endpoint keeps the summaries closest in shape
    // to everything else we read with the SDK's version.
    apiVersion: "2025-02-24.acacia",
    whenUnavailable:
      "Stripe removed legacy usage records in API version 2025-03-31.basil; they exist only for subscription items on legacy metered prices (usage_type metered without a meter), read with Stripe-Version 2025-02-24.acacia. Usage of meter-based prices is in billing_meters and Stripe's meter event summaries.",
  },
  // Billing meters replace legacy usage records for prices created since 2025-03-31.basil.
  evented("billing_meters", "/v1/billing/meters", "Billing.Meter", [
    "billing.meter.created",
    "billing.meter.deactivated",
    "billing.meter.reactivated",
    "billing.meter.updated",
  ], { createdFilter: false }),
  immutable("report_runs", "/v1/reporting/report_runs", "Reporting.ReportRun", {
    changedByReads: "the report streams create report runs as they read, so two reads list different runs",
  }),
  {
    name: "report_types",
    path: "/v1/reporting/report_types",
    sdkType: "Reporting.ReportType",
    primaryKey: ID,
    incremental: null,
    createdFilter: false,
    eventTypes: [],
    unpaginated: true,
  },
  ...REPORTS.map(report),
  // Radar value lists have no events: full refresh only.
  {
    name: "value_lists",
    path: "/v1/radar/value_lists",
    sdkType: "Radar.ValueList",
    primaryKey: ID,
    incremental: null,
    createdFilter: true,
    createdField: "created",
    eventTypes: [],
  },
  {
    name: "value_list_items",
    path: "/v1/radar/value_list_items",
    sdkType: "Radar.ValueListItem",
    primaryKey: ID,
    incremental: null,
    createdFilter: false,
    createdField: "created",
    eventTypes: [],
    parent: { stream: "value_lists", queryParam: "value_list", copy: {} },
  },
  {
    name: "webhook_endpoints",
    path: "/v1/webhook_endpoints",
    sdkType: "WebhookEndpoint",
    primaryKey: ID,
    incremental: null,
    createdFilter: false,
    createdField: "created",
    eventTypes: [],
  },
];

export const STREAM_BY_NAME: ReadonlyMap<string, StreamDef> = new Map(STREAMS.map((s) => [s.name, s]));
