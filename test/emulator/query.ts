/**
 * Parses query strings in Stripe's bracket notation: `a[b]=c`, `types[]=x&types[]=y`,
 * `types[0]=x`, `expand[0]=data.customer`, `created[gte]=1`.
 */

export type QueryValue = string | QueryValue[] | QueryObject;
export interface QueryObject {
  [key: string]: QueryValue;
}

function decode(s: string): string {
  const plus = s.replace(/\+/g, " ");
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}

/** Splits `a[b][]` into ["a", "b", ""]. Returns null for a malformed key. */
function splitKey(key: string): string[] | null {
  const open = key.indexOf("[");
  if (open < 0) return [key];
  const parts = [key.slice(0, open)];
  let rest = key.slice(open);
  while (rest.length > 0) {
    if (rest[0] !== "[") return null;
    const close = rest.indexOf("]");
    if (close < 0) return null;
    parts.push(rest.slice(1, close));
    rest = rest.slice(close + 1);
  }
  return parts;
}

export class QueryParseError extends Error {}

/** Parses a raw query string (without the leading `?`). */
export function parseQuery(raw: string): QueryObject {
  const root: QueryObject = {};
  if (!raw) return root;
  for (const pair of raw.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = decode(eq < 0 ? "" : pair.slice(eq + 1));
    const parts = splitKey(key);
    if (!parts || parts[0] === "") throw new QueryParseError(`Invalid parameter name: ${key}`);
    assign(root, parts, value, key);
  }
  return root;
}

function assign(root: QueryObject, parts: string[], value: string, fullKey: string): void {
  let container: QueryObject | QueryValue[] = root;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    const nextPart = parts[i + 1];
    const wantsArray = nextPart !== undefined && (nextPart === "" || /^\d+$/.test(nextPart));
    if (Array.isArray(container)) {
      let index: number;
      if (part === "") index = container.length;
      else if (/^\d+$/.test(part)) index = Number(part);
      else throw new QueryParseError(`Invalid array index in parameter ${fullKey}`);
      if (last) {
        container[index] = value;
        return;
      }
      let child: QueryValue | undefined = container[index];
      if (child === undefined || typeof child === "string") {
        child = wantsArray ? [] : {};
        container[index] = child;
      }
      container = child;
    } else {
      if (last) {
        container[part] = value;
        return;
      }
      let child: QueryValue | undefined = container[part];
      if (child === undefined || typeof child === "string") {
        child = wantsArray ? [] : {};
        container[part] = child;
      } else if (!Array.isArray(child) && wantsArray && Object.keys(child).length === 0) {
        child = [];
        container[part] = child;
      }
      container = child;
    }
  }
}

/** A query value as a list of strings: `types[]=a&types[]=b`, `types[0]=a`; a bare string is not a list. */
export function asStringArray(v: QueryValue | undefined): string[] | null {
  if (v === undefined) return [];
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const item of v) {
      if (item === undefined) continue; // sparse `x[3]=` without 0..2
      if (typeof item !== "string") return null;
      out.push(item);
    }
    return out;
  }
  if (typeof v === "object") {
    // `types[a]=x` is an object: accept numeric keys only.
    const keys = Object.keys(v);
    if (keys.every((k) => /^\d+$/.test(k))) {
      return keys
        .sort((a, b) => Number(a) - Number(b))
        .map((k) => v[k])
        .filter((x): x is string => typeof x === "string");
    }
    return null;
  }
  return null;
}

/** Serialises a flat set of params back into a query string (for list `url` fields). */
export function formatQuery(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");
}
