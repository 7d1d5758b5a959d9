import type { StripeObject } from "./context.js";
import type { Selection } from "./selection.js";

/**
 * Field selection, in one place. A selection that names fields gets records with
 * those fields only, plus what identifies and orders a record whatever was
 * selected: the primary key, the cursor, and the account when several are read
 * (Airbyte's platform forbids deselecting them too: airbyte-platform
 * CatalogConverter.java). Only what is emitted is cut: what the connector fetches
 * and uses itself (`created` to split and checkpoint, `id` to page) is untouched.
 */

/** The top-level fields a stream's records keep; undefined keeps every field. */
export function keptFields(selection: Selection, multiAccount: boolean): ReadonlySet<string> | undefined {
  if (!selection.fields) return undefined;
  const kept = new Set(selection.fields);
  for (const path of selection.def.primaryKey) if (path[0] !== undefined) kept.add(path[0]);
  if (selection.def.cursorField) kept.add(selection.def.cursorField);
  if (multiAccount) kept.add("account_id");
  return kept;
}

/** The record with only the kept fields (the same object when every field is kept). */
export function project(record: StripeObject, kept: ReadonlySet<string> | undefined): StripeObject {
  if (!kept) return record;
  const out: StripeObject = {};
  for (const field of kept) if (field in record) out[field] = record[field];
  return out;
}

/**
 * Whether the stream's records carry `field`: work whose only result lands in a
 * deselected field (an expand[], a request for the object with its expansions) is skipped.
 */
export function emits(selection: Selection | undefined, field: string): boolean {
  if (!selection) return false;
  return keptFields(selection, false)?.has(field) ?? true;
}

/** The top-level field a list's expand[] path fills: `data.refunds` -> `refunds`, `data.customer.address` -> `customer`. */
export function expandedField(listPath: string): string {
  return listPath.replace(/^data\./, "").split(".")[0]!;
}
