/**
 * Stripe's financial report types the connector reads (Reporting API), with the
 * columns it asks each run for. The columns come from Stripe's report type docs
 * (docs.stripe.com/reports/report-types/balance and .../payout-reconciliation);
 * the runtime sends them as the run's `columns` and types each CSV cell by its
 * kind, and scripts/report-schemas.ts derives each stream's JSON schema from them.
 *
 * Left out on purpose: the local-time twins of the `_utc` columns (runs ask for
 * UTC, so they would repeat the `_utc` value), `*_metadata[key]` columns (they
 * need a key per account), and columns the docs mark Beta.
 */

/**
 * How a column's text becomes a value: `amount` is a decimal in major units
 * (kept as the string Stripe wrote, plus an integer `<name>_minor` copy in the
 * currency's minor unit), `time` a "YYYY-MM-DD HH:MM:SS" UTC time and `date`
 * a "YYYY-MM-DD" day (both epoch seconds), `integer` and `boolean` what they say.
 */
export type ColumnKind = "id" | "string" | "amount" | "time" | "date" | "integer" | "boolean";

export interface ReportColumn {
  name: string;
  kind: ColumnKind;
  /** Amounts: the column naming their currency. */
  currencyColumn?: string;
  description: string;
}

/**
 * What one run of the report covers: an interval (`interval_start` to
 * `interval_end`), a moment (`interval_end` only: the ending balance types), or
 * one automatic payout (`payout` only: the by-id types, run for each payout).
 */
export type ReportScope = "interval" | "ending" | "payout";

export interface ReportSpec {
  /** Stripe's report type id, e.g. `balance.summary.1`. */
  type: string;
  scope: ReportScope;
  /** The type takes a `timezone` run parameter (sent as Etc/UTC). */
  timezone: boolean;
  columns: readonly ReportColumn[];
  /** One line for the README: what the report is for. */
  purpose: string;
}

const col = (name: string, kind: ColumnKind, description: string, currencyColumn?: string): ReportColumn =>
  currencyColumn ? { name, kind, description, currencyColumn } : { name, kind, description };

const address = (prefix: string, what: string): ReportColumn[] =>
  ["line1", "line2", "city", "state", "postal_code", "country"].map((part) => col(`${prefix}_${part}`, "string", `${what}: ${part.replace("_", " ")}.`));

/** One row per reporting category and currency. */
const CATEGORY_SUMMARY: readonly ReportColumn[] = [
  col("reporting_category", "string", "Reporting category of the transactions summed."),
  col("currency", "string", "Three-letter ISO code of the currency gross, fee and net are in."),
  col("count", "integer", "Number of transactions in the category."),
  col("gross", "amount", "Sum of the transactions' gross amounts, in major units.", "currency"),
  col("fee", "amount", "Sum of the transactions' fees, in major units.", "currency"),
  col("net", "amount", "Sum of the transactions' net amounts, in major units.", "currency"),
];

const BALANCE_SUMMARY: readonly ReportColumn[] = [
  col("category", "string", "One of starting_balance, activity, payouts, ending_balance."),
  col("description", "string", "Human-readable description of the category."),
  col("net_amount", "amount", "Net amount of the category, in major units.", "currency"),
  col("currency", "string", "Three-letter ISO code of the currency net_amount is in."),
];

const TRANSACTION: readonly ReportColumn[] = [
  col("balance_transaction_id", "id", "Unique identifier of the balance transaction."),
  col("created_utc", "time", "When the balance transaction was created (UTC)."),
  col("available_on_utc", "time", "When the transaction's net funds become available (UTC)."),
  col("currency", "string", "Three-letter ISO code of the currency gross, fee and net are in."),
  col("gross", "amount", "Gross amount of the transaction, in major units.", "currency"),
  col("fee", "amount", "Fees paid for the transaction, in major units.", "currency"),
  col("net", "amount", "Net amount of the transaction, in major units.", "currency"),
  col("reporting_category", "string", "Reporting category of the transaction."),
  col("source_id", "id", "The Stripe object the transaction is related to."),
  col("description", "string", "The balance transaction's description."),
  col("customer_facing_amount", "amount", "The amount the customer saw (charges, refunds, disputes), in major units.", "customer_facing_currency"),
  col("customer_facing_currency", "string", "Currency of customer_facing_amount."),
  col("regulatory_tag", "string", "Regulatory tag (Brazilian accounts)."),
];

const PAYOUT_OF_TRANSACTION: readonly ReportColumn[] = [
  col("automatic_payout_id", "id", "The automatic payout that paid out this transaction."),
  col("automatic_payout_effective_at_utc", "time", "When that payout is expected to arrive and leaves the balance (UTC)."),
];

const CUSTOMER: readonly ReportColumn[] = [
  col("customer_id", "id", "The related customer."),
  col("customer_email", "string", "The customer's email."),
  col("customer_name", "string", "The customer's name."),
  col("customer_description", "string", "The customer's description."),
];

const CHARGE: readonly ReportColumn[] = [
  col("charge_id", "id", "The original charge (for charges, refunds and disputes)."),
  col("payment_intent_id", "id", "The related payment intent."),
  col("charge_created_utc", "time", "When the original charge was created (UTC)."),
  col("invoice_id", "id", "The related invoice."),
];

const PAYMENT: readonly ReportColumn[] = [
  col("subscription_id", "id", "The related subscription."),
  col("payment_method_type", "string", "Payment method type of the charge."),
  col("is_link", "boolean", "Whether the payment was made with Link."),
  col("card_brand", "string", "Card brand."),
  col("card_funding", "string", "Card funding type."),
  col("card_country", "string", "Card issuing country."),
  col("statement_descriptor", "string", "Statement descriptor of the charge."),
  col("dispute_reason", "string", "Reason of the dispute, for dispute transactions."),
  col("connected_account_id", "id", "The related connected account."),
  col("connected_account_name", "string", "Name of that connected account."),
  col("connected_account_country", "string", "Country of that connected account."),
];

const TRACE: readonly ReportColumn[] = [
  col("trace_id", "string", "Bank trace id of the payout."),
  col("trace_id_status", "string", "Whether the trace id is pending, unsupported or supported."),
];

/** balance_change_from_activity.itemized.3 and ending_balance_reconciliation.itemized.4. */
const ITEMIZED: readonly ReportColumn[] = [
  ...TRANSACTION,
  ...PAYOUT_OF_TRANSACTION,
  ...CUSTOMER,
  ...address("customer_shipping_address", "Customer shipping address"),
  ...address("customer_address", "Customer address"),
  ...address("shipping_address", "Charge shipping address"),
  ...address("card_address", "Card billing address"),
  ...CHARGE,
  col("invoice_number", "string", "Number of the related invoice."),
  ...PAYMENT,
  ...TRACE,
];

const DESTINATION_PAYMENT = col("destination_payment_id", "id", "Destination payment, for separate charges and transfers and destination charges.");

const BY_PAYOUT_ITEMIZED: readonly ReportColumn[] = [
  ...TRANSACTION,
  ...PAYOUT_OF_TRANSACTION,
  ...CUSTOMER,
  ...address("shipping_address", "Charge shipping address"),
  ...CHARGE,
  ...PAYMENT,
  DESTINATION_PAYMENT,
  ...TRACE,
];

const PAYOUTS_ITEMIZED: readonly ReportColumn[] = [
  col("payout_id", "id", "The payout."),
  col("balance_transaction_id", "id", "Unique identifier of the balance transaction."),
  col("effective_at_utc", "time", "When the paid-out funds leave the balance (UTC)."),
  col("currency", "string", "Three-letter ISO code of the currency gross, fee and net are in."),
  col("gross", "amount", "Gross amount, in major units.", "currency"),
  col("fee", "amount", "Fees, in major units.", "currency"),
  col("net", "amount", "Net amount, in major units.", "currency"),
  col("reporting_category", "string", "Reporting category of the transaction."),
  col("description", "string", "The balance transaction's description."),
  col("payout_expected_arrival_date", "date", "Day the payout is scheduled to arrive in the bank."),
  col("payout_status", "string", "paid, pending, in_transit, canceled or failed."),
  col("payout_reversed_at_utc", "time", "When the payout was canceled or failed (UTC)."),
  col("payout_type", "string", "bank_account or card."),
  col("payout_description", "string", "The payout's description."),
  col("payout_destination_id", "id", "The bank account or card paid out to."),
  col("regulatory_tag", "string", "Regulatory tag (Brazilian accounts)."),
  ...TRACE,
];

export const REPORTS: readonly ReportSpec[] = [
  { type: "balance.summary.1", scope: "interval", timezone: true, columns: BALANCE_SUMMARY, purpose: "Starting balance, activity, payouts and ending balance per currency" },
  { type: "balance_change_from_activity.summary.1", scope: "interval", timezone: false, columns: CATEGORY_SUMMARY, purpose: "Balance change from activity, summed per reporting category" },
  { type: "balance_change_from_activity.itemized.3", scope: "interval", timezone: true, columns: ITEMIZED, purpose: "Every balance transaction of the interval (payouts excepted), with its charge, customer and payout" },
  { type: "ending_balance_reconciliation.summary.1", scope: "ending", timezone: false, columns: CATEGORY_SUMMARY, purpose: "What the ending balance is made of: transactions not yet paid out, per category" },
  { type: "ending_balance_reconciliation.itemized.4", scope: "ending", timezone: true, columns: ITEMIZED, purpose: "Each transaction not yet paid out at the interval's end" },
  { type: "payouts.summary.1", scope: "interval", timezone: false, columns: CATEGORY_SUMMARY, purpose: "Payouts and their reversals, summed per category" },
  { type: "payouts.itemized.3", scope: "interval", timezone: true, columns: PAYOUTS_ITEMIZED, purpose: "Each payout (and payout reversal) that left the balance in the interval" },
  { type: "payout_reconciliation.summary.1", scope: "interval", timezone: false, columns: CATEGORY_SUMMARY, purpose: "What the automatic payouts of the interval paid out, per category" },
  { type: "payout_reconciliation.itemized.5", scope: "interval", timezone: true, columns: [...ITEMIZED, DESTINATION_PAYMENT, col("order_id", "id", "The related order.")], purpose: "Each transaction paid out by the automatic payouts of the interval" },
  { type: "payout_reconciliation.by_id.itemized.4", scope: "payout", timezone: true, columns: BY_PAYOUT_ITEMIZED, purpose: "Each transaction one automatic payout paid out (run per payout)" },
  { type: "payout_reconciliation.by_id.summary.1", scope: "payout", timezone: false, columns: CATEGORY_SUMMARY, purpose: "What one automatic payout paid out, per category (run per payout)" },
];

/** A report type's stream name: `balance.summary.1` -> `balance_summary_1`. */
export function reportStreamName(type: string): string {
  return type.replace(/\./g, "_");
}

/**
 * The fields the connector adds to every report record: which run it came from.
 * `interval_start` is null for the ending balance types (their runs take only an
 * end); `payout` is set for the by-id types.
 */
export const REPORT_FIELDS = ["report_type", "interval_start", "interval_end", "payout"] as const;

/**
 * A row's key: its natural id where it has one, otherwise what the row sums
 * (category and currency) within the run it came from (interval or payout).
 */
export function reportKey(spec: ReportSpec): string[][] {
  const names = new Set(spec.columns.map((c) => c.name));
  const run = spec.scope === "payout" ? ["payout"] : spec.scope === "ending" ? ["interval_end"] : ["interval_start", "interval_end"];
  if (names.has("balance_transaction_id")) {
    // Itemized rows: a transaction appears once per interval report, but an
    // ending balance or a payout's report may list it again in another run.
    return (spec.scope === "interval" ? [] : run).concat("balance_transaction_id").map((f) => [f]);
  }
  const category = names.has("category") ? "category" : "reporting_category";
  return [...run, category, "currency"].map((f) => [f]);
}
