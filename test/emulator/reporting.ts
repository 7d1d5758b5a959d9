/**
 * Stripe's Reporting API, emulated: report types with their data availability,
 * report runs that stay pending for a while (knob `reportRunDelayMs`) and then
 * succeed, or fail (knob `reportRunFail`), and their result files, CSVs computed
 * from the account's own balance transactions and payouts, served at
 * /v1/files/<id>/contents (files.stripe.com in production).
 *
 * What a report holds, as this emulator defines it (a simplification of
 * Stripe's, enough for the identities a reconciliation relies on):
 * - activity: balance transactions created in [interval_start, interval_end),
 *   payouts (reporting_category payout, payout_reversal) excepted;
 * - payouts: the payouts' own balance transactions created in the interval;
 * - balance summary: per currency, the starting balance (net of everything
 *   created before the interval), activity, payouts and the ending balance;
 * - payout reconciliation: the transactions an automatic payout arriving in the
 *   interval paid out; by id: those one payout paid out;
 * - ending balance reconciliation: transactions created before interval_end
 *   that no automatic payout had paid out (arrived) by then.
 * Summaries are the sums of their itemized rows.
 */
import type { Json } from "./data.js";
import { ApiError, invalid, missingParam, noSuch, unknownParam } from "./errors.js";
import { Rng } from "./prng.js";
import { type QueryObject, type QueryValue, asStringArray } from "./query.js";
import { ANCHOR, DAY } from "./resources.js";
import { IdGen, type Rec } from "./store.js";
import type { AccountState, World } from "./world.js";

export interface ReportingKnobs {
  /** A run stays pending this long after its creation (0: it has succeeded by the first retrieve). */
  reportRunDelayMs: number;
  /** Report types whose runs fail. */
  reportRunFail: string[];
  /** data_available_end of every type, epoch seconds; default the start of the clock's current UTC day. */
  reportDataAvailableEnd?: number;
}

/** A request the reporting routes answer. */
export interface ReportingRequest {
  world: World;
  account: AccountState;
  method: string;
  path: string;
  query: QueryObject;
  body: QueryObject;
}

/** A file's contents: not JSON. */
export interface RawBody {
  raw: string;
  contentType: string;
}

type Scope = "interval" | "ending" | "payout";

// ---- columns (Stripe's docs; the emulator's own copy, so it checks what the connector asks for) ----

const ADDRESS = (p: string) => ["line1", "line2", "city", "state", "postal_code", "country"].map((x) => `${p}_${x}`);
const CATEGORY_SUMMARY = ["reporting_category", "currency", "count", "gross", "fee", "net"];
const BALANCE_SUMMARY = ["category", "description", "net_amount", "currency"];
const TXN = [
  "balance_transaction_id", "created_utc", "created", "available_on_utc", "available_on", "currency", "gross", "fee", "net",
  "reporting_category", "source_id", "description", "customer_facing_amount", "customer_facing_currency", "regulatory_tag",
  "automatic_payout_id", "automatic_payout_effective_at_utc", "automatic_payout_effective_at", "customer_id", "customer_email",
  "customer_name", "customer_description", ...ADDRESS("shipping_address"), "charge_id", "payment_intent_id", "charge_created_utc",
  "charge_created", "invoice_id", "subscription_id", "payment_method_type", "is_link", "card_brand", "card_funding", "card_country",
  "statement_descriptor", "dispute_reason", "connected_account_id", "connected_account_name", "connected_account_country",
  "connected_account_direct_charge_id", "trace_id", "trace_id_status",
];
const ITEMIZED = [...TXN, ...ADDRESS("customer_shipping_address"), ...ADDRESS("customer_address"), ...ADDRESS("card_address"), "invoice_number"];
const PAYOUTS_ITEMIZED = [
  "payout_id", "balance_transaction_id", "effective_at_utc", "effective_at", "currency", "gross", "fee", "net", "reporting_category",
  "description", "payout_expected_arrival_date", "payout_status", "payout_reversed_at_utc", "payout_reversed_at", "payout_type",
  "payout_description", "payout_destination_id", "regulatory_tag", "trace_id", "trace_id_status",
];

interface TypeInfo {
  name: string;
  scope: Scope;
  columns: string[];
  timezone: boolean;
}

const TYPES: Record<string, TypeInfo> = {
  "balance.summary.1": { name: "Balance summary", scope: "interval", columns: BALANCE_SUMMARY, timezone: true },
  "balance_change_from_activity.summary.1": { name: "Balance change from activity summary", scope: "interval", columns: CATEGORY_SUMMARY, timezone: true },
  "balance_change_from_activity.itemized.3": { name: "Balance change from activity", scope: "interval", columns: ITEMIZED, timezone: true },
  "ending_balance_reconciliation.summary.1": { name: "Ending balance reconciliation summary", scope: "ending", columns: CATEGORY_SUMMARY, timezone: true },
  "ending_balance_reconciliation.itemized.4": { name: "Ending balance reconciliation", scope: "ending", columns: ITEMIZED, timezone: true },
  "payouts.summary.1": { name: "Payouts summary", scope: "interval", columns: CATEGORY_SUMMARY, timezone: true },
  "payouts.itemized.3": { name: "Payouts", scope: "interval", columns: PAYOUTS_ITEMIZED, timezone: true },
  "payout_reconciliation.summary.1": { name: "Payout reconciliation summary", scope: "interval", columns: CATEGORY_SUMMARY, timezone: true },
  "payout_reconciliation.itemized.5": { name: "Payout reconciliation", scope: "interval", columns: [...ITEMIZED, "destination_payment_id", "order_id"], timezone: true },
  "payout_reconciliation.by_id.itemized.4": { name: "Payout reconciliation for a payout", scope: "payout", columns: [...TXN, "destination_payment_id"], timezone: true },
  "payout_reconciliation.by_id.summary.1": { name: "Payout reconciliation summary for a payout", scope: "payout", columns: CATEGORY_SUMMARY, timezone: false },
};

const PAYOUT_CATEGORIES = new Set(["payout", "payout_reversal"]);

// ---- money and time as the CSVs write them ----

const ZERO_DECIMAL = new Set(["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"]);
const THREE_DECIMAL = new Set(["bhd", "jod", "kwd", "omr", "tnd"]);

/** Minor units as major-unit decimal text: 1234 usd -> "12.34", 1234 jpy -> "1234", 1234 bhd -> "1.234". */
export function majorUnits(amount: number, currency: string): string {
  const places = ZERO_DECIMAL.has(currency) ? 0 : THREE_DECIMAL.has(currency) ? 3 : 2;
  const digits = String(Math.abs(amount)).padStart(places + 1, "0");
  const text = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  return amount < 0 ? `-${text}` : text;
}

function utc(epoch: number | null | undefined): string {
  return typeof epoch === "number" ? new Date(epoch * 1000).toISOString().slice(0, 19).replace("T", " ") : "";
}

function csvField(value: string | number): string {
  if (typeof value === "number") return String(value);
  // Stripe quotes text; empty cells stay bare.
  return value === "" ? "" : `"${value.replace(/"/g, '""')}"`;
}

// ---- runs and files ----

interface Run {
  id: string;
  account: string;
  created: number;
  readyAt: number;
  fails: boolean;
  reportType: string;
  parameters: Record<string, unknown>;
  status: "pending" | "succeeded" | "failed";
  result: Json | null;
  succeededAt: number | null;
}

export class Reporting {
  private readonly runs: Run[] = [];
  private readonly files = new Map<string, { account: string; csv: string; meta: Json }>();
  private readonly ids: IdGen;

  constructor(
    private readonly world: World,
    private readonly knobs: () => ReportingKnobs,
  ) {
    this.ids = new IdGen(new Rng(world.seed * 131 + 7));
  }

  /** Answers a reporting route, or undefined when the path is not one. */
  handle(req: ReportingRequest): Json | RawBody | undefined {
    const { method, path } = req;
    if (path === "/v1/reporting/report_types" && method === "GET") return this.listTypes(req);
    const type = /^\/v1\/reporting\/report_types\/([^/]+)$/.exec(path);
    if (type && method === "GET") return this.reportType(req, decodeURIComponent(type[1]!));
    if (path === "/v1/reporting/report_runs" && method === "POST") return this.createRun(req);
    if (path === "/v1/reporting/report_runs" && method === "GET") return this.listRuns(req);
    const run = /^\/v1\/reporting\/report_runs\/([^/]+)$/.exec(path);
    if (run && method === "GET") return this.render(this.findRun(req, decodeURIComponent(run[1]!)));
    const file = /^\/v1\/files\/([^/]+)\/contents$/.exec(path);
    if (file && method === "GET") return this.contents(req, decodeURIComponent(file[1]!));
    return undefined;
  }

  /** How many runs were created (per report type), for tests. */
  runCount(reportType?: string): number {
    return this.runs.filter((r) => reportType === undefined || r.reportType === reportType).length;
  }

  private availability(account: AccountState): { start: number; end: number } {
    const txns = account.data.coll("balance_transaction").all.a;
    const first = txns.length ? txns[0]!.t : ANCHOR - 3 * 365 * DAY;
    const end = this.knobs().reportDataAvailableEnd ?? Math.floor(this.world.clock.now() / DAY) * DAY;
    return { start: Math.floor(first / DAY) * DAY, end };
  }

  private typeObject(account: AccountState, id: string): Json {
    const info = TYPES[id]!;
    const { start, end } = this.availability(account);
    return {
      id,
      object: "reporting.report_type",
      data_available_start: start,
      data_available_end: end,
      default_columns: info.columns.slice(0, 12),
      livemode: false,
      name: info.name,
      updated: end,
      version: Number(id.split(".").at(-1)),
    };
  }

  private listTypes(req: ReportingRequest): Json {
    for (const key of Object.keys(req.query)) if (key !== "expand") throw unknownParam(key);
    return { object: "list", data: Object.keys(TYPES).map((id) => this.typeObject(req.account, id)), has_more: false, url: req.path };
  }

  private reportType(req: ReportingRequest, id: string): Json {
    if (!TYPES[id]) throw noSuch("report type", id);
    return this.typeObject(req.account, id);
  }

  private createRun(req: ReportingRequest): Json {
    for (const key of Object.keys(req.body)) if (key !== "report_type" && key !== "parameters") throw unknownParam(key);
    const reportType = req.body.report_type;
    if (typeof reportType !== "string") throw missingParam("report_type");
    const info = TYPES[reportType];
    if (!info) throw invalid(400, `Invalid report type: ${reportType}`, "parameter_invalid_string", "report_type");
    const parameters = this.checkParameters(req, info, req.body.parameters);
    const now = this.world.clock.now();
    const run: Run = {
      id: this.ids.next("frr", now),
      account: req.account.id,
      created: now,
      readyAt: Date.now() + this.knobs().reportRunDelayMs,
      fails: this.knobs().reportRunFail.includes(reportType),
      reportType,
      parameters,
      status: "pending",
      result: null,
      succeededAt: null,
    };
    this.runs.push(run);
    // Created pending, as Stripe does; even without a delay the first retrieve is what sees it finished.
    const shown = this.render(run, false);
    return shown;
  }

  private checkParameters(req: ReportingRequest, info: TypeInfo, raw: QueryValue | undefined): Record<string, unknown> {
    if (raw === undefined) raw = {};
    if (typeof raw !== "object" || Array.isArray(raw)) throw invalid(400, "Invalid hash", "parameter_invalid_hash", "parameters");
    const allowed = new Set(["columns", "currency", "reporting_category", ...(info.timezone ? ["timezone"] : [])]);
    if (info.scope === "interval") ["interval_start", "interval_end"].forEach((p) => allowed.add(p));
    if (info.scope === "ending") allowed.add("interval_end");
    if (info.scope === "payout") allowed.add("payout");
    for (const key of Object.keys(raw)) if (!allowed.has(key)) throw unknownParam(`parameters[${key}]`);
    const out: Record<string, unknown> = {};
    const { start, end } = this.availability(req.account);
    const time = (name: string): number => {
      const v = raw[name];
      if (typeof v !== "string" || !/^\d+$/.test(v)) throw missingParam(`parameters[${name}]`);
      const t = Number(v);
      if (t < start || t > end) {
        throw invalid(400, `parameters[${name}] must be between data_available_start (${start}) and data_available_end (${end}).`, "parameter_invalid_integer", `parameters[${name}]`);
      }
      return t;
    };
    if (info.scope === "interval") {
      out.interval_start = time("interval_start");
      out.interval_end = time("interval_end");
      if ((out.interval_start as number) >= (out.interval_end as number)) {
        throw invalid(400, "parameters[interval_start] must be before parameters[interval_end].", undefined, "parameters[interval_start]");
      }
    }
    if (info.scope === "ending") out.interval_end = time("interval_end");
    if (info.scope === "payout") out.payout = this.checkPayout(req, raw.payout);
    if (raw.columns !== undefined) {
      const columns = asStringArray(raw.columns);
      if (!columns) throw invalid(400, "Invalid array", "parameter_invalid_array", "parameters[columns]");
      const unknown = columns.filter((c) => !info.columns.includes(c));
      if (unknown.length) throw invalid(400, `Invalid column(s) for this report type: ${unknown.join(", ")}`, "parameter_invalid_array", "parameters[columns]");
      out.columns = columns;
    }
    if (raw.timezone !== undefined) out.timezone = raw.timezone;
    return out;
  }

  private checkPayout(req: ReportingRequest, payout: QueryValue | undefined): string {
    if (typeof payout !== "string" || payout === "") throw missingParam("parameters[payout]");
    const rec = req.account.data.get(payout);
    if (!rec || rec.type !== "payout") throw noSuch("payout", payout, "parameters[payout]", 400);
    if (rec.fields.automatic !== true) throw invalid(400, "Payout reconciliation is only available for automatic payouts.", undefined, "parameters[payout]");
    return payout;
  }

  private findRun(req: ReportingRequest, id: string): Run {
    const run = this.runs.find((r) => r.id === id && r.account === req.account.id);
    if (!run) throw noSuch("report run", id);
    return run;
  }

  /** The run as the API shows it; a pending run whose time has come finishes here (and gets its file). */
  private render(run: Run, advance = true): Json {
    if (advance && run.status === "pending" && Date.now() >= run.readyAt) this.finish(run);
    return {
      id: run.id,
      object: "reporting.report_run",
      created: run.created,
      error: run.status === "failed" ? "The report run failed (emulator knob reportRunFail)." : null,
      livemode: false,
      parameters: run.parameters,
      report_type: run.reportType,
      result: run.result,
      status: run.status,
      succeeded_at: run.succeededAt,
    };
  }

  private finish(run: Run): void {
    if (run.fails) {
      run.status = "failed";
      return;
    }
    const account = this.world.accounts.get(run.account)!;
    const csv = new ReportBuilder(account, run.reportType, run.parameters).csv();
    const now = this.world.clock.now();
    const id = this.ids.next("file", now);
    const meta: Json = {
      id,
      object: "file",
      created: now,
      expires_at: now + 365 * DAY,
      filename: `${run.id}.csv`,
      links: { object: "list", data: [], has_more: false, url: `/v1/file_links?file=${id}` },
      purpose: "finance_report_run",
      size: Buffer.byteLength(csv),
      title: `FinanceReportRun ${run.id}`,
      type: "csv",
      url: `https://files.stripe.com/v1/files/${id}/contents`,
    };
    this.files.set(id, { account: run.account, csv, meta });
    run.status = "succeeded";
    run.result = meta;
    run.succeededAt = now;
  }

  private listRuns(req: ReportingRequest): Json {
    const q = req.query;
    for (const key of Object.keys(q)) if (!["limit", "starting_after", "ending_before", "created", "expand"].includes(key)) throw unknownParam(key);
    const limit = q.limit === undefined ? 10 : Number(q.limit);
    let runs = this.runs.filter((r) => r.account === req.account.id).sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1));
    const created = q.created;
    if (created && typeof created === "object" && !Array.isArray(created)) {
      const bound = (k: string) => (typeof created[k] === "string" ? Number(created[k]) : undefined);
      const [gte, gt, lte, lt] = [bound("gte"), bound("gt"), bound("lte"), bound("lt")];
      runs = runs.filter((r) => (gte === undefined || r.created >= gte) && (gt === undefined || r.created > gt) && (lte === undefined || r.created <= lte) && (lt === undefined || r.created < lt));
    }
    if (typeof q.starting_after === "string") {
      const i = runs.findIndex((r) => r.id === q.starting_after);
      if (i < 0) throw noSuch("report run", q.starting_after, "starting_after", 400);
      runs = runs.slice(i + 1);
    }
    const page = runs.slice(0, limit);
    return { object: "list", data: page.map((r) => this.render(r)), has_more: runs.length > limit, url: req.path };
  }

  private contents(req: ReportingRequest, id: string): RawBody {
    const file = this.files.get(id);
    if (!file || file.account !== req.account.id) throw noSuch("file", id);
    return { raw: file.csv, contentType: "text/csv" };
  }
}

// ---- report contents ----

interface Row {
  txn: Json;
  payout?: Json;
}

/** Computes one run's CSV from the account's balance transactions and payouts. */
class ReportBuilder {
  private readonly info: TypeInfo;
  private readonly columns: string[];

  constructor(
    private readonly account: AccountState,
    private readonly reportType: string,
    private readonly params: Record<string, unknown>,
  ) {
    this.info = TYPES[reportType]!;
    this.columns = (params.columns as string[] | undefined) ?? this.info.columns;
  }

  csv(): string {
    const lines = [this.columns.map(csvField).join(",")];
    for (const cells of this.rows()) lines.push(this.columns.map((c) => csvField(cells[c] ?? "")).join(","));
    return lines.join("\r\n") + "\r\n";
  }

  private rows(): Array<Record<string, string | number>> {
    const family = this.reportType.split(".")[0]!;
    const itemized = this.reportType.includes(".itemized.");
    if (family === "balance") return this.balanceSummary();
    const rows = this.itemRows(family);
    if (itemized) return rows.map((r) => (family === "payouts" ? this.payoutCells(r) : this.txnCells(r)));
    return summarize(rows);
  }

  private txns(): Row[] {
    const ds = this.account.data;
    const payouts = new Map<string, Json>();
    for (const rec of ds.coll("payout").all.a) payouts.set(rec.id, rec.fields as Json);
    return ds.coll("balance_transaction").all.a.map((rec: Rec) => {
      const txn = { ...(rec.fields as Json), created: rec.t };
      const payoutId = rec.tags?.payout;
      return payoutId && payouts.has(payoutId) ? { txn, payout: payouts.get(payoutId)! } : { txn };
    });
  }

  private itemRows(family: string): Row[] {
    const { interval_start: start, interval_end: end, payout } = this.params as { interval_start?: number; interval_end?: number; payout?: string };
    const inWindow = (t: number) => t >= start! && t < end!;
    const activity = this.txns().filter((r) => !PAYOUT_CATEGORIES.has(String(r.txn.reporting_category)));
    const automatic = (r: Row) => r.payout?.automatic === true;
    switch (family) {
      case "balance_change_from_activity":
        return activity.filter((r) => inWindow(r.txn.created as number));
      case "payouts":
        return this.txns().filter((r) => PAYOUT_CATEGORIES.has(String(r.txn.reporting_category)) && inWindow(r.txn.created as number));
      case "ending_balance_reconciliation":
        return activity.filter((r) => (r.txn.created as number) < end! && !(automatic(r) && (r.payout!.arrival_date as number) < end!));
      default:
        if (this.info.scope === "payout") return activity.filter((r) => r.payout?.id === payout);
        return activity.filter((r) => automatic(r) && inWindow(r.payout!.arrival_date as number));
    }
  }

  private txnCells({ txn, payout }: Row): Record<string, string | number> {
    const currency = String(txn.currency);
    const source = typeof txn.source === "string" ? txn.source : "";
    const charge = source.startsWith("ch_") ? this.account.data.get(source)?.fields : undefined;
    const automaticPayout = payout?.automatic === true ? payout : undefined;
    return {
      balance_transaction_id: String(txn.id),
      created_utc: utc(txn.created as number),
      created: utc(txn.created as number),
      available_on_utc: utc(txn.available_on as number),
      available_on: utc(txn.available_on as number),
      currency,
      gross: majorUnits(txn.amount as number, currency),
      fee: majorUnits(txn.fee as number, currency),
      net: majorUnits(txn.net as number, currency),
      reporting_category: String(txn.reporting_category),
      source_id: source,
      description: typeof txn.description === "string" ? txn.description : "",
      customer_facing_amount: charge ? majorUnits(txn.amount as number, currency) : "",
      customer_facing_currency: charge ? currency : "",
      automatic_payout_id: automaticPayout ? String(automaticPayout.id) : "",
      automatic_payout_effective_at_utc: automaticPayout ? utc(automaticPayout.arrival_date as number) : "",
      automatic_payout_effective_at: automaticPayout ? utc(automaticPayout.arrival_date as number) : "",
      charge_id: charge ? source : "",
      payment_intent_id: typeof charge?.payment_intent === "string" ? charge.payment_intent : "",
      customer_id: typeof charge?.customer === "string" ? charge.customer : "",
      charge_created_utc: charge ? utc(charge.created as number) : "",
      payment_method_type: charge ? "card" : "",
      is_link: charge ? "false" : "",
    };
  }

  private payoutCells({ txn }: Row): Record<string, string | number> {
    const currency = String(txn.currency);
    const payout = this.account.data.get(String(txn.source))?.fields ?? {};
    const effective = payout.automatic === true ? (payout.arrival_date as number) : (payout.created as number);
    return {
      payout_id: String(txn.source),
      balance_transaction_id: String(txn.id),
      effective_at_utc: utc(effective),
      effective_at: utc(effective),
      currency,
      gross: majorUnits(txn.amount as number, currency),
      fee: majorUnits(txn.fee as number, currency),
      net: majorUnits(txn.net as number, currency),
      reporting_category: String(txn.reporting_category),
      description: typeof txn.description === "string" ? txn.description : "",
      payout_expected_arrival_date: typeof payout.arrival_date === "number" ? utc(payout.arrival_date).slice(0, 10) : "",
      payout_status: String(payout.status ?? ""),
      payout_type: String(payout.type ?? ""),
      payout_description: String(payout.description ?? ""),
      payout_destination_id: typeof payout.destination === "string" ? payout.destination : "",
    };
  }

  private balanceSummary(): Array<Record<string, string | number>> {
    const { interval_start: start, interval_end: end } = this.params as { interval_start: number; interval_end: number };
    const sums = new Map<string, { starting: number; activity: number; payouts: number }>();
    for (const { txn } of this.txns()) {
      const created = txn.created as number;
      if (created >= end) continue;
      const currency = String(txn.currency);
      const s = sums.get(currency) ?? { starting: 0, activity: 0, payouts: 0 };
      const net = txn.net as number;
      if (created < start) s.starting += net;
      else if (PAYOUT_CATEGORIES.has(String(txn.reporting_category))) s.payouts += net;
      else s.activity += net;
      sums.set(currency, s);
    }
    const day = (t: number) => utc(t).slice(0, 10);
    const rows: Array<Record<string, string | number>> = [];
    for (const [currency, s] of [...sums].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const line = (category: string, description: string, amount: number) => ({ category, description, net_amount: majorUnits(amount, currency), currency });
      rows.push(line("starting_balance", `Starting balance (${day(start)})`, s.starting));
      rows.push(line("activity", "Activity", s.activity));
      rows.push(line("payouts", "Total payouts", s.payouts));
      rows.push(line("ending_balance", `Ending balance (${day(end - 1)})`, s.starting + s.activity + s.payouts));
    }
    return rows;
  }
}

/** Rows summed per reporting category and currency, in that order. */
function summarize(rows: Row[]): Array<Record<string, string | number>> {
  const groups = new Map<string, { category: string; currency: string; count: number; gross: number; fee: number; net: number }>();
  for (const { txn } of rows) {
    const key = `${String(txn.reporting_category)}\u0000${String(txn.currency)}`;
    const g = groups.get(key) ?? { category: String(txn.reporting_category), currency: String(txn.currency), count: 0, gross: 0, fee: 0, net: 0 };
    g.count++;
    g.gross += txn.amount as number;
    g.fee += txn.fee as number;
    g.net += txn.net as number;
    groups.set(key, g);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, g]) => ({
      reporting_category: g.category,
      currency: g.currency,
      count: g.count,
      gross: majorUnits(g.gross, g.currency),
      fee: majorUnits(g.fee, g.currency),
      net: majorUnits(g.net, g.currency),
    }));
}

export { ApiError };
