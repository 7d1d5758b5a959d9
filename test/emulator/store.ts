/**
 * The emulator's storage: per account a data set, per data set one collection per
 * kind of object, each a sorted array of compact records (ascending by created,
 * then id) plus lazily built secondary indexes. Objects are rendered to JSON only
 * when served. A collection may also carry a virtual "bulk" segment of millions of
 * objects that exist only as a sorted array of timestamps.
 */
import { base62, Rng } from "./prng.js";
import { TYPES } from "./resources.js";

export type Fields = Record<string, unknown>;

/** One stored object. `fields` is replaced (never mutated) on update, so old references stay valid snapshots. */
export interface Rec {
  id: string;
  /** Object type (`charge`, `bank_account`, ...). */
  type: string;
  /** Collection it lives in (`source` vs `external_account` for cards and bank accounts). */
  coll: string;
  /** Sort time: `created`, `date` for invoice items, or a hidden insertion time. */
  t: number;
  /** Overrides on top of the type's fixture template; includes id, object, created. */
  fields: Fields;
  /** Id of the parent object for nested lists (invoice of a line item, customer of a source). */
  parent?: string;
  /** Hidden index keys, e.g. `payout` for the balance transactions a payout paid out. */
  tags?: Record<string, string>;
  /** Events only: the object as it was when the event happened, and its previous attributes. */
  snap?: Rec;
  prev?: Fields;
  deleted?: boolean;
}

const MAX_ID = "\uffff";

function before(at: number, aid: string, bt: number, bid: string): boolean {
  return at < bt || (at === bt && aid < bid);
}

export function compareRecs(a: Rec, b: Rec): number {
  return a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Read access to a sorted run of records, real or virtual. */
export interface Source {
  size(): number;
  tAt(i: number): number;
  idAt(i: number): string;
  /** The record at i, or null if it was removed (bulk tombstone). */
  recAt(i: number): Rec | null;
  /** First index whose key is >= (t, id). */
  lowerBound(t: number, id: string): number;
}

export class SortedRecs implements Source {
  readonly a: Rec[] = [];

  size(): number {
    return this.a.length;
  }
  tAt(i: number): number {
    return this.a[i]!.t;
  }
  idAt(i: number): string {
    return this.a[i]!.id;
  }
  recAt(i: number): Rec | null {
    return this.a[i] ?? null;
  }
  lowerBound(t: number, id: string): number {
    let lo = 0;
    let hi = this.a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const r = this.a[mid]!;
      if (before(r.t, r.id, t, id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  insert(rec: Rec): void {
    const last = this.a[this.a.length - 1];
    if (!last || before(last.t, last.id, rec.t, rec.id)) {
      this.a.push(rec);
      return;
    }
    this.a.splice(this.lowerBound(rec.t, rec.id), 0, rec);
  }
  remove(rec: Rec): boolean {
    const i = this.lowerBound(rec.t, rec.id);
    if (this.a[i] === rec) {
      this.a.splice(i, 1);
      return true;
    }
    return false;
  }
}

/**
 * A virtual run of `count` objects of one type: only their times are stored
 * (ascending); ids derive from the index and fields are generated on demand.
 */
export class BulkSource implements Source {
  readonly times: Uint32Array;
  private readonly removed = new Set<number>();
  /** Ids look like `ch_0Bk` + 8 base-62 digits: fixed width so id order is index order. */
  readonly idHead: string;

  constructor(
    readonly type: string,
    readonly coll: string,
    times: Uint32Array,
    private readonly make: (index: number, t: number, id: string) => Rec,
  ) {
    this.times = times;
    this.idHead = `${TYPES[type]?.prefix ?? `${type}_`}0Bk`;
  }

  size(): number {
    return this.times.length;
  }
  tAt(i: number): number {
    return this.times[i]!;
  }
  idAt(i: number): string {
    return this.idHead + base62(i, 8);
  }
  recAt(i: number): Rec | null {
    if (this.removed.has(i)) return null;
    return this.make(i, this.times[i]!, this.idAt(i));
  }
  lowerBound(t: number, id: string): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const mt = this.times[mid]!;
      if (mt < t || (mt === t && this.idAt(mid) < id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  indexOf(id: string): number {
    if (!id.startsWith(this.idHead) || id.length !== this.idHead.length + 8) return -1;
    let n = 0;
    for (let k = this.idHead.length; k < id.length; k++) {
      const d = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".indexOf(id[k]!);
      if (d < 0) return -1;
      n = n * 62 + d;
    }
    return n < this.times.length ? n : -1;
  }
  lookup(id: string): Rec | undefined {
    const i = this.indexOf(id);
    if (i < 0 || this.removed.has(i)) return undefined;
    return this.make(i, this.times[i]!, id);
  }
  /** Takes an object out of the virtual run (deleted, or materialised as a real record). */
  drop(id: string): void {
    const i = this.indexOf(id);
    if (i >= 0) this.removed.add(i);
  }
  liveCount(): number {
    return this.times.length - this.removed.size;
  }
}

/** Value of an index key for a record: "@parent", "@tag" or a top-level field (id of an object). */
export function keyValue(rec: Rec, key: string): string | undefined {
  if (key === "@parent") return rec.parent;
  if (key.charCodeAt(0) === 64 /* @ */) return rec.tags?.[key.slice(1)];
  const v = rec.fields[key];
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as { id?: unknown }).id === "string") return (v as { id: string }).id;
  return undefined;
}

export class Collection {
  readonly all = new SortedRecs();
  bulk: BulkSource | null = null;
  private readonly indexes = new Map<string, Map<string, SortedRecs>>();
  private sealed = false;

  constructor(readonly name: string) {}

  add(rec: Rec): void {
    if (!this.sealed) {
      this.all.a.push(rec);
      return;
    }
    this.all.insert(rec);
    for (const [key, idx] of this.indexes) {
      const v = keyValue(rec, key);
      if (v === undefined) continue;
      let run = idx.get(v);
      if (!run) idx.set(v, (run = new SortedRecs()));
      run.insert(rec);
    }
  }

  remove(rec: Rec): void {
    this.seal();
    this.all.remove(rec);
    for (const [key, idx] of this.indexes) {
      const v = keyValue(rec, key);
      if (v !== undefined) idx.get(v)?.remove(rec);
    }
  }

  /** Sorts what seeding pushed; from then on inserts keep the order. */
  seal(): void {
    if (this.sealed) return;
    this.all.a.sort(compareRecs);
    this.sealed = true;
  }

  /** Records grouped by an index key, built on first use. Null when a bulk segment makes it impractical. */
  index(key: string): Map<string, SortedRecs> | null {
    if (this.bulk) return null;
    let idx = this.indexes.get(key);
    if (idx) return idx;
    this.seal();
    idx = new Map();
    for (const rec of this.all.a) {
      const v = keyValue(rec, key);
      if (v === undefined) continue;
      let run = idx.get(v);
      if (!run) idx.set(v, (run = new SortedRecs()));
      run.a.push(rec); // already in order
    }
    this.indexes.set(key, idx);
    return idx;
  }

  sources(): Source[] {
    this.seal();
    return this.bulk ? [this.all, this.bulk] : [this.all];
  }

  count(): number {
    return this.all.a.length + (this.bulk ? this.bulk.liveCount() : 0);
  }
}

/** One account's objects. */
export class DataSet {
  readonly colls = new Map<string, Collection>();
  readonly byId = new Map<string, Rec>();
  /** Last state of deleted objects (retrieve answers `deleted: true`; cursors keep working). */
  readonly tombs = new Map<string, Rec>();
  readonly bulks: BulkSource[] = [];
  private sealed = false;

  constructor(readonly acct: string) {}

  coll(name: string): Collection {
    let c = this.colls.get(name);
    if (!c) {
      this.colls.set(name, (c = new Collection(name)));
      if (this.sealed) c.seal();
    }
    return c;
  }

  get(id: string): Rec | undefined {
    const r = this.byId.get(id);
    if (r) return r;
    for (const b of this.bulks) {
      const found = b.lookup(id);
      if (found) return found;
    }
    return undefined;
  }

  add(rec: Rec): void {
    this.byId.set(rec.id, rec);
    this.coll(rec.coll).add(rec);
  }

  remove(rec: Rec): void {
    if (this.byId.get(rec.id) === rec) {
      this.byId.delete(rec.id);
      this.coll(rec.coll).remove(rec);
    } else {
      for (const b of this.bulks) b.drop(rec.id);
    }
  }

  /** Replaces a record's fields (and sort time), keeping collection and indexes in order. */
  replace(rec: Rec, fields: Fields, t: number): Rec {
    if (this.byId.get(rec.id) !== rec) {
      // A virtual bulk object becomes a real record.
      for (const b of this.bulks) b.drop(rec.id);
      const real: Rec = { ...rec, fields, t };
      this.add(real);
      return real;
    }
    const c = this.coll(rec.coll);
    c.remove(rec);
    rec.fields = fields;
    rec.t = t;
    c.add(rec);
    return rec;
  }

  addBulk(b: BulkSource): void {
    this.bulks.push(b);
    this.coll(b.coll).bulk = b;
  }

  /** Sorts everything seeding pushed; later additions keep collections in order. */
  seal(): void {
    this.sealed = true;
    for (const c of this.colls.values()) c.seal();
  }
}

/** The emulator clock: real time plus an offset, or a fixed instant. */
export class Clock {
  private fixed: number | null;
  private offset = 0;

  constructor(now?: number) {
    this.fixed = now === undefined ? null : Math.floor(now);
  }
  now(): number {
    return this.fixed ?? Math.floor(Date.now() / 1000) + this.offset;
  }
  set(now: number): void {
    this.fixed = Math.floor(now);
  }
  advance(seconds: number): void {
    if (this.fixed === null) this.offset += Math.floor(seconds);
    else this.fixed += Math.floor(seconds);
  }
  /** Whether the clock stands still (set explicitly) or follows real time. */
  isFixed(): boolean {
    return this.fixed !== null;
  }
}

/**
 * Id generator: time digits, then a counter, then random digits, so that ids of
 * objects created in the same second sort in creation order, as Stripe's do.
 */
export class IdGen {
  private seq = 0;
  constructor(private readonly rng: Rng) {}

  next(type: string, t: number): string {
    const def = TYPES[type];
    const prefix = def?.prefix ?? `${type.replace(/\W/g, "_")}_`;
    const len = def?.idLen ?? 24;
    this.seq++;
    if (len < 14) return prefix + this.rng.chars(len, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
    return prefix + base62(t, 6) + base62(this.seq, 4) + this.rng.chars(len - 10);
  }
}

export interface Bounds {
  /** Exclusive upper key. */
  hiT: number;
  hiId: string;
  /** Exclusive lower key. */
  loT: number;
  loId: string;
}

export const OPEN_BOUNDS: Bounds = { hiT: Number.POSITIVE_INFINITY, hiId: MAX_ID, loT: Number.NEGATIVE_INFINITY, loId: "" };
export { MAX_ID };

/**
 * Walks merged sources newest first (desc) or oldest first (asc) strictly inside
 * the bounds, collecting up to `want` records that pass `pred`. O(log n + scanned).
 */
export function walk(
  sources: Source[],
  b: Bounds,
  dir: "desc" | "asc",
  pred: ((r: Rec) => boolean) | null,
  want: number,
): Rec[] {
  const out: Rec[] = [];
  if (want <= 0) return out;
  const pos = sources.map((s) => {
    if (dir === "desc") return s.lowerBound(b.hiT, b.hiId) - 1;
    // first index with key > lo
    return b.loId === MAX_ID ? s.lowerBound(b.loT + 1, "") : s.lowerBound(b.loT, b.loId + "\u0000");
  });
  for (;;) {
    let best = -1;
    let bt = 0;
    let bid = "";
    for (let k = 0; k < sources.length; k++) {
      const s = sources[k]!;
      const i = pos[k]!;
      if (i < 0 || i >= s.size()) continue;
      const t = s.tAt(i);
      const id = s.idAt(i);
      if (dir === "desc") {
        if (!before(b.loT, b.loId, t, id)) continue; // key <= lo: this source is done
        if (best < 0 || before(bt, bid, t, id)) {
          best = k;
          bt = t;
          bid = id;
        }
      } else {
        if (!before(t, id, b.hiT, b.hiId)) continue; // key >= hi
        if (best < 0 || before(t, id, bt, bid)) {
          best = k;
          bt = t;
          bid = id;
        }
      }
    }
    if (best < 0) break;
    const i = pos[best]!;
    pos[best] = dir === "desc" ? i - 1 : i + 1;
    const rec = sources[best]!.recAt(i);
    if (rec && (!pred || pred(rec))) {
      out.push(rec);
      if (out.length >= want) break;
    }
  }
  return out;
}
