/**
 * Stripe's report CSVs write amounts as decimals in major units ("10.00" USD,
 * "1000" JPY, "1.250" BHD); the API writes them as integers in the minor unit
 * (1000, 1000, 1250). This converts the former into the latter, exactly.
 */

/** Currencies the API counts in whole units (docs.stripe.com/currencies, zero-decimal currencies). */
const ZERO_DECIMAL = new Set(["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"]);
/** Currencies the API counts in thousandths (docs.stripe.com/currencies, three-decimal currencies). */
const THREE_DECIMAL = new Set(["bhd", "jod", "kwd", "omr", "tnd"]);

/**
 * Decimal places of a currency's minor unit as the API counts it. ISK, HUF and
 * TWD are two here although their money has fewer: the API keeps two decimals
 * for them for backwards compatibility.
 */
export function currencyExponent(currency: string): number {
  const code = currency.toLowerCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/**
 * A major-unit decimal as an integer in the currency's minor unit, or null when
 * it is not a plain decimal or has non-zero digits below the minor unit (such a
 * value has no exact integer; the decimal string itself is kept beside it).
 */
export function toMinorUnits(decimal: string, currency: string): number | null {
  const match = /^\s*([-+]?)(\d*)(?:\.(\d*))?\s*$/.exec(decimal);
  if (!match || (match[2] === "" && !match[3])) return null;
  const [, sign, whole = "", fraction = ""] = match;
  const exponent = currencyExponent(currency);
  if (/[^0]/.test(fraction.slice(exponent))) return null;
  const digits = `${whole}${fraction.slice(0, exponent).padEnd(exponent, "0")}`.replace(/^0+(?=\d)/, "");
  const value = Number(digits || "0");
  if (!Number.isSafeInteger(value)) return null;
  return sign === "-" && value !== 0 ? -value : value;
}

/** An integer amount in minor units as the major-unit decimal Stripe's CSVs write. */
export function fromMinorUnits(amount: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const abs = Math.abs(amount).toString().padStart(exponent + 1, "0");
  const text = exponent === 0 ? abs : `${abs.slice(0, -exponent)}.${abs.slice(-exponent)}`;
  return amount < 0 ? `-${text}` : text;
}
