/**
 * The emulator's state: the accounts and their data sets, the clock, the id
 * generator and the renderer, plus the mutations the admin API offers (each
 * emitting the event Stripe would).
 */
import { type EmulatorData, type Json, loadData } from "./data.js";
import { invalid } from "./errors.js";
import { Rng } from "./prng.js";
import { Renderer } from "./render.js";
import { ANCHOR, DAY, NESTED, TYPES, collectionFor, creationEventType, eventPrefixFor } from "./resources.js";
import { seedValueLists } from "./radar.js";
import { seedLegacyUsage } from "./legacy-usage.js";
import { type BulkOptions, Seeder, accountFields, addBulk, makeEvent } from "./seed.js";
import { Clock, DataSet, type Fields, IdGen, OPEN_BOUNDS, type Rec, walk } from "./store.js";

export const PLATFORM_ACCOUNT = "acct_emulator_platform";
export const CONNECTED_ACCOUNTS = ["acct_emulator_connected_1", "acct_emulator_connected_2"] as const;

export interface WorldOptions {
  seed?: number;
  scale?: number;
  now?: number;
  bulk?: BulkOptions | BulkOptions[];
}

export interface AccountState {
  id: string;
  /** The account object. For connected accounts the same record is listed in the platform's `account` collection. */
  rec: Rec;
  data: DataSet;
  /** Platform that owns it (connected accounts), or null for the platform itself. */
  platform: string | null;
}

export class World {
  readonly data: EmulatorData;
  readonly clock: Clock;
  /** Events become listable only this many seconds after they happen (knob `eventDelaySeconds`). */
  eventDelaySeconds = 0;
  /** Stripe has removed legacy usage records for every API version (knob `usageRecordsGone`). */
  usageRecordsGone = false;
  readonly ids: IdGen;
  readonly renderer: Renderer;
  readonly accounts = new Map<string, AccountState>();
  readonly seed: number;
  readonly scale: number;
  /** How long seeding took, in milliseconds. */
  seedMs = 0;

  constructor(opts: WorldOptions = {}) {
    const started = performance.now();
    this.data = loadData();
    this.seed = opts.seed ?? 1;
    this.scale = opts.scale ?? 1;
    this.clock = new Clock(opts.now);
    this.ids = new IdGen(new Rng(this.seed * 7919 + 17));
    this.renderer = new Renderer(this.data, (acct) => this.accounts.get(acct)?.data);
    this.seedAll(opts);
    this.seedMs = performance.now() - started;
  }

  get platform(): AccountState {
    return this.accounts.get(PLATFORM_ACCOUNT)!;
  }

  private seedAll(opts: WorldOptions): void {
    const ctx = { data: this.data, templates: this.renderer.templates, ids: this.ids, apiVersion: this.data.apiVersion };
    const setup = new Rng(this.seed * 31 + 3);
    const platformRec = this.accountRec(PLATFORM_ACCOUNT, ANCHOR - 4 * 365 * DAY, {
      name: "Emulator Platform",
      email: "platform@example.com",
      type: "standard",
      country: "US",
    });
    const platform: AccountState = { id: PLATFORM_ACCOUNT, rec: platformRec, data: new DataSet(PLATFORM_ACCOUNT), platform: null };
    this.accounts.set(PLATFORM_ACCOUNT, platform);
    CONNECTED_ACCOUNTS.forEach((id, i) => {
      const t = ANCHOR - Math.floor((2.5 - i) * 365 * DAY) - setup.int(0, 30 * DAY);
      const rec = this.accountRec(id, t, {
        name: `Connected Shop ${i + 1}`,
        email: `shop${i + 1}@example.com`,
        type: i === 0 ? "express" : "custom",
        country: i === 0 ? "US" : "DE",
      });
      const state: AccountState = { id, rec, data: new DataSet(id), platform: PLATFORM_ACCOUNT };
      this.accounts.set(id, state);
      platform.data.add(rec);
    });
    const all = [...this.accounts.values()];
    all.forEach((acct, i) => {
      const seeder = new Seeder(ctx, acct.data, this.seed * 1000 + i, acct.platform ? this.scale / 3 : this.scale, {
        platform: acct.platform === null,
        connected: acct.platform === null ? [...CONNECTED_ACCOUNTS] : [],
        accountRec: acct.rec,
      });
      seeder.run();
    });
    seedValueLists(platform.data, this.seed, this.scale);
    seedLegacyUsage(platform.data, this.renderer.templates, this.seed);
    const bulks = opts.bulk === undefined ? [] : Array.isArray(opts.bulk) ? opts.bulk : [opts.bulk];
    for (const b of bulks) {
      const acct = this.accounts.get(b.account ?? PLATFORM_ACCOUNT);
      if (!acct) throw new Error(`bulk: unknown account ${b.account}`);
      const customers = acct.data.coll("customer").all.a.map((r) => r.id);
      addBulk(acct.data, b, this.seed, customers);
    }
  }

  private accountRec(id: string, t: number, opts: Parameters<typeof accountFields>[2]): Rec {
    return { id, type: "account", coll: "account", t, fields: accountFields(id, t, opts) };
  }

  dataset(acct: string): DataSet | undefined {
    return this.accounts.get(acct)?.data;
  }

  /** Renders a record as the API shows it. */
  render(rec: Rec, ds: DataSet): Json {
    return this.renderer.render(rec, ds);
  }

  // ---- admin operations ------------------------------------------------------------------

  private requireDataset(account?: string): DataSet {
    const acct = this.accounts.get(account ?? PLATFORM_ACCOUNT);
    if (!acct) throw invalid(400, `Unknown account: ${account}`, undefined, "account");
    return acct.data;
  }

  /** Finds a live record by id, in the given account or in any. */
  find(id: string, account?: string): { rec: Rec; ds: DataSet } | undefined {
    if (account === undefined || account === PLATFORM_ACCOUNT) {
      const own = this.accounts.get(id);
      if (own && own.platform === null) return { rec: own.rec, ds: own.data };
    }
    const sets = account !== undefined ? [this.requireDataset(account)] : [...this.accounts.values()].map((a) => a.data);
    for (const ds of sets) {
      const rec = ds.get(id);
      if (rec) return { rec, ds };
    }
    return undefined;
  }

  /** All live objects of a type in an account, newest first, rendered. */
  listObjects(object: string, account?: string): Json[] {
    const ds = this.requireDataset(account);
    const colls = object === "bank_account" || object === "card" ? ["source", "external_account"] : [collectionFor(object)];
    const out: Rec[] = [];
    for (const name of colls) {
      const c = ds.colls.get(name);
      if (!c) continue;
      out.push(...walk(c.sources(), OPEN_BOUNDS, "desc", (r) => r.type === object, Number.MAX_SAFE_INTEGER));
    }
    if (colls.length > 1) out.sort((a, b) => b.t - a.t || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return out.map((r) => this.render(r, ds));
  }

  /** Number of live objects per collection in an account. */
  counts(account?: string): Record<string, number> {
    const ds = this.requireDataset(account);
    const out: Record<string, number> = {};
    for (const [name, c] of [...ds.colls.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) out[name] = c.count();
    return out;
  }

  private emit(ds: DataSet, action: "created" | "updated" | "deleted", snap: Rec, prev?: Fields): void {
    let type: string | null;
    if (action === "created") {
      const merged = { ...(this.renderer.templates[snap.type] ?? {}), ...snap.fields };
      type = creationEventType(snap.type, snap.coll, merged);
    } else {
      const prefix = eventPrefixFor(snap.type, snap.coll);
      type = prefix ? `${prefix}.${action}` : null;
    }
    if (!type || !this.data.eventTypes.has(type)) return;
    const account = ds.acct === PLATFORM_ACCOUNT ? undefined : ds.acct;
    ds.add(makeEvent({ ids: this.ids, apiVersion: this.data.apiVersion }, this.clock.now(), type, snap, prev, account));
  }

  /**
   * Creates an object: id and created come from the emulator (an `id` in fields is
   * kept if unused); nested objects name their parent in `parent` or in their
   * parent field (`invoice` of a line item, `customer` of a card).
   */
  create(object: string, fields: Fields, opts: { account?: string; parent?: string } = {}): { rec: Rec; ds: DataSet } {
    const def = TYPES[object];
    if (!def || object === "event") throw invalid(400, `Unsupported object type: ${object}`, undefined, "object");
    const t = this.clock.now();
    if (object === "account") return this.createAccount(fields, t);
    let ds = this.requireDataset(opts.account);
    let coll = collectionFor(object);
    let parent: string | undefined;
    if (object === "bank_account" || object === "card") {
      const customer = (fields.customer as string | undefined) ?? (opts.parent?.startsWith("cus_") ? opts.parent : undefined);
      const account = (fields.account as string | undefined) ?? (opts.parent?.startsWith("acct_") ? opts.parent : undefined);
      if (customer) {
        parent = customer;
        coll = "source";
      } else if (account) {
        parent = account;
        coll = "external_account";
      } else throw invalid(400, `A ${object} needs a customer or an account`, "parameter_missing", "customer");
    } else {
      const nested = NESTED[coll];
      if (nested) {
        parent = opts.parent ?? (nested.field ? (fields[nested.field] as string | undefined) ?? undefined : undefined);
        if (!parent && coll === "person") parent = opts.account ?? PLATFORM_ACCOUNT;
        if (!parent && !nested.optional) throw invalid(400, `A ${object} needs its ${nested.parentType} (parent)`, "parameter_missing", "parent");
      }
    }
    if (coll === "external_account" || coll === "person") {
      const owner = this.accounts.get(parent!);
      if (!owner) throw invalid(404, `No such account: '${parent}'`, "resource_missing", "account");
      ds = owner.data;
    } else if (parent) {
      const p = ds.get(parent);
      const wanted = coll === "source" ? "customer" : NESTED[coll]?.parentType;
      if (!p || (wanted && p.type !== wanted)) throw invalid(404, `No such ${wanted ?? "parent"}: '${parent}'`, "resource_missing", "parent");
    }
    let id = typeof fields.id === "string" && fields.id && !ds.get(fields.id) ? fields.id : this.ids.next(object, t);
    if (ds.byId.has(id)) id = this.ids.next(object, t);
    const f: Fields = { id, object };
    if (def.timeField) f[def.timeField] = t;
    if ("livemode" in (this.renderer.templates[object] ?? {})) f.livemode = false;
    for (const [k, v] of Object.entries(fields)) if (k !== "id" && k !== "object" && k !== "created" && k !== def.timeField) f[k] = v;
    const nestedField = coll === "source" ? "customer" : coll === "external_account" ? "account" : NESTED[coll]?.field;
    if (parent && nestedField) f[nestedField] = parent;
    const rec: Rec = { id, type: object, coll, t, fields: f };
    if (parent) rec.parent = parent;
    // A balance transaction created with `parent: po_...` is one of that payout's.
    if (object === "balance_transaction" && opts.parent) rec.tags = { payout: opts.parent };
    ds.add(rec);
    this.emit(ds, "created", { ...rec });
    return { rec, ds };
  }

  private createAccount(fields: Fields, t: number): { rec: Rec; ds: DataSet } {
    const id = typeof fields.id === "string" && !this.accounts.has(fields.id) ? fields.id : this.ids.next("account", t);
    const base = accountFields(id, t, { name: String(fields.business_name ?? "New account"), email: String(fields.email ?? "new@example.com"), type: "custom", country: "US" });
    const rec: Rec = { id, type: "account", coll: "account", t, fields: { ...base, ...fields, id, object: "account", created: t } };
    const state: AccountState = { id, rec, data: new DataSet(id), platform: PLATFORM_ACCOUNT };
    state.data.seal();
    this.accounts.set(id, state);
    this.platform.data.add(rec);
    return { rec, ds: this.platform.data };
  }

  /** Shallow-merges fields into an object; emits `<type>.updated` with previous_attributes. */
  update(id: string, patch: Fields, account?: string): { rec: Rec; ds: DataSet } {
    const found = this.find(id, account);
    if (!found) throw invalid(404, `No such object: '${id}'`, "resource_missing", "id");
    const { rec, ds } = found;
    const tpl = this.renderer.templates[rec.type] ?? {};
    const prev: Fields = {};
    const next: Fields = { ...rec.fields };
    for (const [k, v] of Object.entries(patch)) {
      if (k === "id" || k === "object") continue;
      const old = k in rec.fields ? rec.fields[k] : k in tpl ? tpl[k] : null;
      if (JSON.stringify(old) === JSON.stringify(v)) continue;
      prev[k] = old === undefined ? null : old;
      next[k] = v;
    }
    const def = TYPES[rec.type];
    const timeField = def?.timeField;
    const t = timeField && typeof next[timeField] === "number" ? (next[timeField] as number) : rec.t;
    let updated = rec;
    const own = this.accounts.get(rec.id);
    if (own && own.platform === null) {
      rec.fields = next; // the platform's own account is in no list
    } else {
      updated = ds.replace(rec, next, t);
    }
    if (Object.keys(prev).length > 0) this.emit(ds, "updated", { ...updated }, prev);
    return { rec: updated, ds };
  }

  /**
   * Deletes an object the way Stripe does for its type: removes it (and emits
   * `<type>.deleted` with its last state plus `deleted: true`), or for
   * subscriptions cancels it. Other types answer 400.
   */
  delete(id: string, account?: string): Json {
    const found = this.find(id, account);
    if (!found) throw invalid(404, `No such object: '${id}'`, "resource_missing", "id");
    const { rec, ds } = found;
    const def = TYPES[rec.type];
    if (!def?.deletion || this.accounts.get(id)?.platform === null) {
      throw invalid(400, `Objects of type ${rec.type} cannot be deleted.`, undefined, "id");
    }
    if (rec.type === "invoice" && rec.fields.status !== "draft") {
      throw invalid(400, "You can only delete draft invoices.", undefined, "id");
    }
    if (def.deletion === "cancel") {
      const now = this.clock.now();
      const next = { ...rec.fields, status: "canceled", canceled_at: now, ended_at: now };
      const updated = ds.replace(rec, next, rec.t);
      this.emit(ds, "deleted", { ...updated }, undefined);
      return this.render(updated, ds);
    }
    ds.remove(rec);
    const tomb: Rec = { ...rec, deleted: true };
    ds.tombs.set(id, tomb);
    if (rec.type === "account") this.accounts.delete(id);
    this.emit(ds, "deleted", tomb);
    return { id, object: rec.type, deleted: true };
  }
}
