/** A query parameter value; arrays are sent in Stripe's `name[]=a&name[]=b` form. */
export type QueryValue = string | number | boolean | readonly string[] | undefined;
export type Query = Record<string, QueryValue>;

/** Encodes a query in Stripe's bracket notation, keys in a stable order. */
export function encodeQuery(query: Query): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const item of value) parts.push(`${encodeKey(key)}[]=${encodeURIComponent(item)}`);
    } else {
      parts.push(`${encodeKey(key)}=${encodeURIComponent(String(value))}`);
    }
  }
  return parts.join("&");
}

function encodeKey(key: string): string {
  // Brackets stay literal, as Stripe's own clients send them.
  return encodeURIComponent(key).replace(/%5B/g, "[").replace(/%5D/g, "]");
}
