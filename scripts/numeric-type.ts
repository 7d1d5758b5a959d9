/**
 * `integer` or `number` for a numeric field of a Stripe object. The SDK declares
 * every numeric field `number`; warehouses make FLOAT columns of that, so money
 * in minor units, counts and unix times must say `integer`.
 *
 * 1. Stripe's OpenAPI spec (2023-08-16, extracted to data/stripe-numbers.json by
 *    extract-stripe-numbers.ts) decides for every name it has.
 * 2. A field newer than that spec is `number` when its name says it holds a
 *    fraction (percent, rate, ratio, score, coordinates, measurements), else
 *    `integer` when its doc comment says unix time or minor units, or its name
 *    says amount, count, quantity, time, date or version; else `number`, since a
 *    fraction in an integer column fails to load while a whole number in a
 *    number column does not.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT } from "../src/package-root.js";
import type { StripeNumbers } from "./extract-stripe-numbers.js";

export type NumericType = "integer" | "number";

const FRACTION_NAME = /(^|_)(percent|percentage|rate|ratio|score|latitude|longitude|weight|height|length|width|multiplier)s?($|_)/;
const WHOLE_NAME =
  /(^|_)(amount|amounts|count|quantity|balance|total|subtotal|fee|fees|net|created|updated|at|until|date|timestamp|start|end|deadline|anchor|day|days|month|months|year|years|hour|hours|minute|minutes|second|seconds|attempts|times|redemptions|maximum|minimum|max|min|sequence|size|limit|version)($|_)/;
const WHOLE_DOC = /seconds since (the )?(unix )?epoch|\btimestamp\b|smallest currency unit|in cents|minor units?\b|^the number of\b/i;

let numbers: StripeNumbers | undefined;

export function stripeNumbers(): StripeNumbers {
  numbers ??= JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "scripts", "data", "stripe-numbers.json"), "utf8")) as StripeNumbers;
  return numbers;
}

/** The rule for names the spec does not have (step 2 above). */
export function numericTypeByRule(name: string, doc = ""): NumericType {
  if (FRACTION_NAME.test(name)) return "number";
  if (WHOLE_DOC.test(doc) || WHOLE_NAME.test(name)) return "integer";
  return "number";
}

/** Type of the numeric field `name`, held by the field `parent` (empty at the top level). */
export function numericType(name: string, parent: string, doc = ""): NumericType {
  const spec = stripeNumbers();
  const byParent = spec.byParent[`${parent}.${name}`];
  if (byParent) return byParent;
  if (spec.integer.includes(name)) return "integer";
  if (spec.number.includes(name)) return "number";
  return numericTypeByRule(name, doc);
}
