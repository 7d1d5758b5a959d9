import { parse } from "csv-parse";
import { DateTime } from "luxon";
import { ConnectorError } from "../errors.js";
import type { ReportColumn, ReportSpec } from "../streams/reports.js";
import type { ReadContext, StripeObject } from "./context.js";
import { toMinorUnits } from "./money.js";

/** Which run a row came from: added to every record of a report stream. */
export interface RunFields {
  report_type: string;
  interval_start: number | null;
  interval_end: number | null;
  payout: string | null;
}

/** A cell that does not hold what its column's kind says: the file is not what the connector asked for. */
export class ReportDataError extends ConnectorError {
  constructor(message: string) {
    super(message, "system_error");
    this.name = "ReportDataError";
  }
}

/**
 * The records of one run's result file, streamed: downloaded through the
 * client (its limiter and retries, files.stripe.com) and parsed as it arrives
 * by csv-parse (header row, quoted or bare fields, CRLF, a BOM), so a large
 * report never sits whole in memory and the reader's pace holds the download back.
 */
export async function* reportRows(ctx: ReadContext, spec: ReportSpec, fileId: string, run: RunFields): AsyncGenerator<StripeObject> {
  const body = await ctx.client.download(`/v1/files/${encodeURIComponent(fileId)}/contents`, { account: ctx.account.header });
  const rows = body.pipe(parse({ columns: true, bom: true, skip_empty_lines: true }));
  body.on("error", (error) => rows.destroy(error));
  let line = 1;
  for await (const row of rows as AsyncIterable<Record<string, string>>) {
    line++;
    yield typedRow(spec, row, run, line);
  }
}

/** One CSV row as a record: each requested column typed by its kind, then the run's fields. */
export function typedRow(spec: ReportSpec, row: Record<string, string>, run: RunFields, line = 0): StripeObject {
  const record: StripeObject = {};
  for (const column of spec.columns) {
    const text = row[column.name];
    const value = text === undefined || text === "" ? null : cell(spec, column, text, line);
    record[column.name] = value;
    if (column.kind === "amount") {
      const currency = row[column.currencyColumn ?? "currency"];
      record[`${column.name}_minor`] = typeof value === "string" && currency ? toMinorUnits(value, currency) : null;
    }
  }
  return { ...record, ...run };
}

function cell(spec: ReportSpec, column: ReportColumn, text: string, line: number): unknown {
  const wrong = (expected: string) =>
    new ReportDataError(`report ${spec.type}, line ${line}, column ${column.name}: expected ${expected}, got ${JSON.stringify(text.slice(0, 40))}.`);
  switch (column.kind) {
    case "integer":
      if (!/^-?\d+$/.test(text)) throw wrong("an integer");
      return Number(text);
    case "boolean":
      if (text !== "true" && text !== "false") throw wrong("true or false");
      return text === "true";
    case "amount":
      if (!/^-?\d+(\.\d+)?$/.test(text)) throw wrong("a decimal amount");
      return text;
    case "time":
    case "date": {
      const seconds = epochSeconds(text);
      if (seconds === undefined) throw wrong(column.kind === "date" ? "a date like 2026-01-31" : "a UTC time like 2026-01-31 12:00:00");
      return seconds;
    }
    default:
      return text;
  }
}

/** "YYYY-MM-DD HH:MM:SS" (what Stripe's reports write; UTC as the runs ask), a bare date, or ISO 8601. */
function epochSeconds(text: string): number | undefined {
  for (const parsed of [DateTime.fromSQL(text, { zone: "utc" }), DateTime.fromISO(text, { zone: "utc" })]) {
    if (parsed.isValid) return Math.floor(parsed.toSeconds());
  }
  return undefined;
}
