/**
 * A stateful fake of Stripe's API on loopback, for the connector's tests, demo and
 * benchmarks. `startEmulator()` seeds the data and serves it over plain HTTP;
 * /_emulator/* is an unauthenticated admin API to inspect and change the data,
 * the clock and the knobs (latency, rate limit, faults, disabled products).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Api, type RequestCtx } from "./api.js";
import type { Json } from "./data.js";
import { ApiError, invalid, maskKey, unrecognizedUrl } from "./errors.js";
import { Rng, base62 } from "./prng.js";
import { parseQuery, QueryParseError, type QueryObject } from "./query.js";
import { fakeEncryptConfig, OAuth } from "./oauth.js";
import { Reporting, type ReportingKnobs } from "./reporting.js";
import type { BulkOptions } from "./seed.js";
import type { Clock, Fields } from "./store.js";
import { PLATFORM_ACCOUNT, World } from "./world.js";

export { CONNECTED_ACCOUNTS, PLATFORM_ACCOUNT } from "./world.js";
export type { BulkOptions } from "./seed.js";
export { ANCHOR } from "./resources.js";

/** The emulator's valid secret key; its account is acct_emulator_platform. */
export const EMULATOR_KEY = "sk_test_emulator_4eC39HqLyjWDarjtT1zdp7dc";
/** A restricted key: reads everything except `restrictedDenied` paths (403). */
export const EMULATOR_RESTRICTED_KEY = "rk_test_emulator_restricted_51Hx";
export const DEFAULT_RESTRICTED_DENIED = ["/v1/issuing/*", "/v1/balance_transactions"];

export interface FaultOptions {
  /** Probability of an injected 429 per request. */
  p429?: number;
  /** Probability of an injected 500 (with Stripe-Should-Retry: true). */
  p500?: number;
  /** Probability of destroying the socket without answering. */
  pReset?: number;
}

export interface KeyOptions {
  /** Secret key of the platform account (default EMULATOR_KEY). */
  secret?: string;
  /** Restricted key (default EMULATOR_RESTRICTED_KEY). */
  restricted?: string;
  /** Paths the restricted key may not read: exact paths (and what is below them) or `prefix/*`. */
  restrictedDenied?: string[];
}

/** What can change while running (also via POST /_emulator/knobs). */
export interface Knobs {
  latencyMs: number;
  latencyJitterMs: number;
  /** Requests per second per account; 0 = unlimited. */
  rateLimit: number;
  /**
   * Requests per second per account and endpoint (method and route), besides
   * `rateLimit`; 0 = unlimited. Stripe's default is 25
   * (https://docs.stripe.com/rate-limits: "API endpoints have a default limit of 25 requests per second").
   */
  endpointRateLimit: number;
  faults: Required<FaultOptions>;
  disabledProducts: string[];
  /** Seconds to send in Retry-After on 429s; 0 = no header (the default, like most of Stripe's 429s). */
  retryAfter: number;
  restrictedDenied: string[];
  /** Extra latency for requests whose path and query contain `match` (to hold one request back in a race). */
  slowRequests: Array<{ match: string; ms: number }>;
  /** Reporting API: how long runs stay pending, which report types' runs fail, where data ends (see reporting.ts). */
  reportRunDelayMs: number;
  reportRunFail: string[];
  reportDataAvailableEnd?: number;
  /** OAuth access tokens live this long (Stripe Apps': an hour). */
  oauthAccessTokenTtlSeconds: number;
  /** Legacy usage record summaries answer 404 whatever the Stripe-Version (as if Stripe removed them for good). */
  usageRecordsGone: boolean;
}

export interface EmulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  seed?: number;
  /** Multiplies object counts (connected accounts get a third). */
  scale?: number;
  /** Epoch seconds for the clock; default real time. */
  now?: number;
  /**
   * The real-time clock runs this many seconds behind: objects and events are
   * stamped that far in the past, so a connector that waits for Stripe's lists
   * to settle sees a change at once (tests that mutate and read right away).
   */
  clockLagSeconds?: number;
  /** Events become listable only this many seconds after they happen (Stripe's events list is eventually consistent). */
  eventDelaySeconds?: number;
  latencyMs?: number;
  latencyJitterMs?: number;
  rateLimit?: number;
  endpointRateLimit?: number;
  retryAfter?: number;
  faults?: FaultOptions;
  disabledProducts?: string[];
  keys?: KeyOptions;
  /** Virtual collections of many objects (e.g. 1,000,000 charges) rendered on demand. */
  bulk?: BulkOptions | BulkOptions[];
  /** Report runs stay pending this long (default 0: done by the first retrieve). */
  reportRunDelayMs?: number;
}

export interface Stats {
  requests: number;
  perPath: Record<string, number>;
  perRoute: Record<string, number>;
  perStatus: Record<string, number>;
  rateLimited: number;
  serverErrors: number;
  resets: number;
  inFlight: number;
  maxInFlight: number;
}

export interface Emulator {
  url: string;
  port: number;
  /** The state: accounts, data sets, renderer. */
  world: World;
  /** Same object as `world`. */
  store: World;
  clock: Clock;
  knobs: Knobs;
  /** Milliseconds seeding took. */
  seedMs: number;
  close(): Promise<void>;
  setKnobs(patch: Partial<Knobs> & { faults?: FaultOptions }): Knobs;
  stats(): Stats;
  resetStats(): void;
  /** All live objects of a type, newest first, as the API renders them. */
  listObjects(object: string, account?: string): Json[];
  createObject(object: string, fields: Fields, opts?: { account?: string; parent?: string }): Json;
  updateObject(id: string, fields: Fields, account?: string): Json;
  deleteObject(id: string, account?: string): Json;
  /** Live objects per collection. */
  counts(account?: string): Record<string, number>;
  /** The Reporting API's runs and files. */
  reporting: Reporting;
  /** OAuth refresh and access tokens. */
  oauth: OAuth;
}

/** Stripe product whose endpoints live under a path prefix. */
const PRODUCT_PATHS: Record<string, { prefixes: string[]; name: string }> = {
  issuing: { prefixes: ["/v1/issuing/"], name: "Issuing" },
  treasury: { prefixes: ["/v1/treasury/"], name: "Treasury" },
  terminal: { prefixes: ["/v1/terminal/"], name: "Terminal" },
  climate: { prefixes: ["/v1/climate/"], name: "Climate" },
  identity: { prefixes: ["/v1/identity/"], name: "Identity" },
  radar: { prefixes: ["/v1/radar/", "/v1/reviews"], name: "Radar" },
  billing: { prefixes: ["/v1/billing/"], name: "Billing" },
  tax: { prefixes: ["/v1/tax/"], name: "Stripe Tax" },
  financial_connections: { prefixes: ["/v1/financial_connections/"], name: "Financial Connections" },
};

/** The 404 a product the account has not enabled answers with. */
export function productDisabledMessage(product: string): string {
  const name = PRODUCT_PATHS[product]?.name ?? product;
  return `Your account is not set up to use ${name}. This account has not enabled ${name}; enable it in the Dashboard to use this endpoint.`;
}

function pathMatches(pattern: string, path: string): boolean {
  if (pattern.endsWith("/*")) return path.startsWith(pattern.slice(0, -1));
  return path === pattern || path.startsWith(pattern + "/");
}

/** Name of the restricted-key permission for a request: GET /v1/issuing/cards -> rak_issuing_card_read, POST ... _write. */
function permissionFor(path: string, method = "GET"): string {
  const segs = path.split("/").slice(2).filter((s) => s && !/^[a-z]+_[A-Za-z0-9]{6,}/.test(s));
  const last = (segs[segs.length - 1] ?? "resource").replace(/s$/, "");
  return `rak_${[...segs.slice(0, -1), last].join("_")}_${method === "GET" ? "read" : "write"}`;
}

class TokenBucket {
  private tokens: number;
  private last = performance.now();
  constructor(private readonly rate: number) {
    this.tokens = Math.max(1, rate);
  }
  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(Math.max(1, this.rate), this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

function emptyStats(): Stats {
  return { requests: 0, perPath: {}, perRoute: {}, perStatus: {}, rateLimited: 0, serverErrors: 0, resets: 0, inFlight: 0, maxInFlight: 0 };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const worldOpts: ConstructorParameters<typeof World>[0] = { seed: opts.seed ?? 1, scale: opts.scale ?? 1 };
  if (opts.now !== undefined) worldOpts.now = opts.now;
  if (opts.bulk !== undefined) worldOpts.bulk = opts.bulk;
  const world = new World(worldOpts);
  if (opts.clockLagSeconds && opts.now === undefined) world.clock.advance(-opts.clockLagSeconds);
  world.eventDelaySeconds = opts.eventDelaySeconds ?? 0;
  const api = new Api(world);
  const secretKey = opts.keys?.secret ?? EMULATOR_KEY;
  const restrictedKey = opts.keys?.restricted ?? EMULATOR_RESTRICTED_KEY;
  const knobs: Knobs = {
    latencyMs: opts.latencyMs ?? 0,
    latencyJitterMs: opts.latencyJitterMs ?? 0,
    rateLimit: opts.rateLimit ?? 0,
    endpointRateLimit: opts.endpointRateLimit ?? 0,
    faults: { p429: opts.faults?.p429 ?? 0, p500: opts.faults?.p500 ?? 0, pReset: opts.faults?.pReset ?? 0 },
    disabledProducts: [...(opts.disabledProducts ?? [])],
    retryAfter: opts.retryAfter ?? 0,
    restrictedDenied: [...(opts.keys?.restrictedDenied ?? DEFAULT_RESTRICTED_DENIED)],
    slowRequests: [],
    reportRunDelayMs: opts.reportRunDelayMs ?? 0,
    reportRunFail: [],
    oauthAccessTokenTtlSeconds: 3600,
    usageRecordsGone: false,
  };
  const reporting = new Reporting(world, (): ReportingKnobs => knobs);
  const oauth = new OAuth(opts.seed ?? 1, PLATFORM_ACCOUNT, () => knobs);
  let buckets = new Map<string, TokenBucket>();
  let stats = emptyStats();
  const faultRng = new Rng((opts.seed ?? 1) * 104729 + 11);
  let requestSeq = 0;
  const requestId = () => `req_${base62(++requestSeq, 6)}${faultRng.chars(8)}`;

  const setKnobs = (patch: Partial<Knobs> & { faults?: FaultOptions }): Knobs => {
    if (patch.latencyMs !== undefined) knobs.latencyMs = Number(patch.latencyMs);
    if (patch.latencyJitterMs !== undefined) knobs.latencyJitterMs = Number(patch.latencyJitterMs);
    if (patch.rateLimit !== undefined) {
      knobs.rateLimit = Number(patch.rateLimit);
      buckets = new Map();
    }
    if (patch.endpointRateLimit !== undefined) {
      knobs.endpointRateLimit = Number(patch.endpointRateLimit);
      buckets = new Map();
    }
    if (patch.retryAfter !== undefined) knobs.retryAfter = Number(patch.retryAfter);
    if (patch.faults) {
      if (patch.faults.p429 !== undefined) knobs.faults.p429 = Number(patch.faults.p429);
      if (patch.faults.p500 !== undefined) knobs.faults.p500 = Number(patch.faults.p500);
      if (patch.faults.pReset !== undefined) knobs.faults.pReset = Number(patch.faults.pReset);
    }
    if (patch.disabledProducts !== undefined) knobs.disabledProducts = [...patch.disabledProducts];
    if (patch.restrictedDenied !== undefined) knobs.restrictedDenied = [...patch.restrictedDenied];
    if (patch.slowRequests !== undefined) knobs.slowRequests = patch.slowRequests.map((r) => ({ match: String(r.match), ms: Number(r.ms) }));
    if (patch.reportRunDelayMs !== undefined) knobs.reportRunDelayMs = Number(patch.reportRunDelayMs);
    if (patch.reportRunFail !== undefined) knobs.reportRunFail = [...patch.reportRunFail];
    if (patch.oauthAccessTokenTtlSeconds !== undefined) knobs.oauthAccessTokenTtlSeconds = Number(patch.oauthAccessTokenTtlSeconds);
    if ("reportDataAvailableEnd" in patch) knobs.reportDataAvailableEnd = patch.reportDataAvailableEnd === undefined ? undefined : Number(patch.reportDataAvailableEnd);
    if (patch.usageRecordsGone !== undefined) world.usageRecordsGone = knobs.usageRecordsGone = patch.usageRecordsGone === true;
    return knobs;
  };

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "Content-Type": "application/json",
      "Content-Length": String(Buffer.byteLength(text)),
      "Request-Id": requestId(),
      ...headers,
    });
    res.end(text);
  };

  const sendError = (res: http.ServerResponse, err: ApiError, headers: Record<string, string> = {}) =>
    send(res, err.status, { error: err.body }, { ...headers, ...err.headers });

  // ---- /v1 ----

  const handleApi = async (req: http.IncomingMessage, res: http.ServerResponse, path: string, rawQuery: string) => {
    // A POST's body is read at once, whatever the answer, so the connection stays usable.
    const bodyText = req.method === "POST" ? readBody(req) : Promise.resolve("");
    bodyText.catch(() => undefined);
    stats.requests++;
    stats.perPath[path] = (stats.perPath[path] ?? 0) + 1;
    const route = api.routeOf(path) ?? "(unrouted)";
    stats.perRoute[route] = (stats.perRoute[route] ?? 0) + 1;
    stats.inFlight++;
    if (stats.inFlight > stats.maxInFlight) stats.maxInFlight = stats.inFlight;
    let status = 0;
    const version = (req.headers["stripe-version"] as string | undefined) ?? world.data.apiVersion;
    const common: Record<string, string> = { "Stripe-Version": version };
    const reply = (s: number, body: unknown, headers: Record<string, string> = {}) => {
      status = s;
      send(res, s, body, { ...common, ...headers });
    };
    const fail = (err: ApiError, headers: Record<string, string> = {}) => reply(err.status, { error: err.body }, { ...headers, ...err.headers });
    try {
      const slow = knobs.slowRequests.find((r) => req.url?.includes(r.match));
      const delay = knobs.latencyMs + (knobs.latencyJitterMs > 0 ? faultRng.next() * knobs.latencyJitterMs : 0) + (slow?.ms ?? 0);
      if (delay > 0) await sleep(delay);

      // Authentication.
      const auth = req.headers.authorization;
      let key: string | undefined;
      if (auth?.startsWith("Bearer ")) key = auth.slice(7).trim();
      else if (auth?.startsWith("Basic ")) key = Buffer.from(auth.slice(6), "base64").toString("utf8").split(":")[0];
      if (!key) {
        return fail(
          invalid(
            401,
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
          ),
          { "WWW-Authenticate": 'Basic realm="Stripe"' },
        );
      }
      const token = key !== secretKey && key !== restrictedKey ? oauth.check(key) : "valid";
      if (token === "expired") {
        return fail(invalid(401, `Expired API Key provided: ${maskKey(key)}`, "api_key_expired"), { "WWW-Authenticate": 'Basic realm="Stripe"' });
      }
      if (token === undefined) {
        return fail(invalid(401, `Invalid API Key provided: ${maskKey(key)}`), { "WWW-Authenticate": 'Basic realm="Stripe"' });
      }
      const keyAccount = world.accounts.get(PLATFORM_ACCOUNT)!;
      let account = keyAccount;
      const header = req.headers["stripe-account"];
      if (typeof header === "string" && header !== "" && header !== keyAccount.id) {
        const target = world.accounts.get(header);
        if (!target || target.platform !== keyAccount.id) {
          return fail(
            invalid(
              403,
              `The provided key '${maskKey(key)}' does not have access to account '${header}' (or that account does not exist). Application access may have been revoked.`,
              "account_invalid",
            ),
          );
        }
        account = target;
      }
      if (key === restrictedKey && knobs.restrictedDenied.some((p) => pathMatches(p, path))) {
        return fail(
          invalid(
            403,
            `The provided key '${maskKey(key)}' does not have the required permissions for this endpoint on account '${account.id}'. Having the '${permissionFor(path, req.method)}' permission would allow this request to continue.`,
          ),
        );
      }
      // Rate limits: per account, and per account and endpoint.
      const limits: Array<[string, number]> = [
        [account.id, knobs.rateLimit],
        [`${account.id} ${req.method} ${api.routeOf(path) ?? path}`, knobs.endpointRateLimit],
      ];
      for (const [key, rate] of limits) {
        if (rate <= 0) continue;
        let bucket = buckets.get(key);
        if (!bucket) buckets.set(key, (bucket = new TokenBucket(rate)));
        if (!bucket.take()) {
          stats.rateLimited++;
          return fail(rateLimitError(), knobs.retryAfter > 0 ? { "Retry-After": String(knobs.retryAfter) } : {});
        }
      }
      // Injected faults.
      const f = knobs.faults;
      if (f.pReset > 0 && faultRng.next() < f.pReset) {
        stats.resets++;
        status = -1;
        req.socket.destroy();
        return;
      }
      if (f.p429 > 0 && faultRng.next() < f.p429) {
        stats.rateLimited++;
        return fail(rateLimitError(), knobs.retryAfter > 0 ? { "Retry-After": String(knobs.retryAfter) } : {});
      }
      if (f.p500 > 0 && faultRng.next() < f.p500) {
        stats.serverErrors++;
        return reply(
          500,
          { error: { type: "api_error", message: "An unknown error occurred while processing your request. Please try again." } },
          { "Stripe-Should-Retry": "true" },
        );
      }
      // Products the account has not enabled.
      for (const product of knobs.disabledProducts) {
        const def = PRODUCT_PATHS[product];
        const prefixes = def?.prefixes ?? [`/v1/${product}/`];
        if (prefixes.some((p) => path.startsWith(p) || path === p.replace(/\/$/, ""))) {
          return fail(invalid(404, productDisabledMessage(product)));
        }
      }
      let query;
      try {
        query = parseQuery(rawQuery);
      } catch (e) {
        if (e instanceof QueryParseError) return fail(invalid(400, e.message));
        throw e;
      }
      const ctx: RequestCtx = { world, version, account, method: req.method ?? "GET", path, query };
      const accountHeader: Record<string, string> = account.id !== keyAccount.id ? { "Stripe-Account": account.id } : {};
      const form = formBody(await bodyText);
      const exchange = oauth.handle(ctx.method, path, form);
      if (exchange) return reply(exchange.status, exchange.body);
      const special = reporting.handle({ ...ctx, body: form });
      if (special && "raw" in special) {
        status = 200;
        res.writeHead(200, { "Content-Type": String(special.contentType), "Content-Length": String(Buffer.byteLength(String(special.raw))), "Request-Id": requestId(), ...accountHeader });
        res.end(special.raw);
        return;
      }
      if (special) return reply(200, special, accountHeader);
      if (ctx.method !== "GET") throw unrecognizedUrl(ctx.method, path);
      const body = api.handle(ctx);
      reply(200, body, accountHeader);
    } catch (e) {
      if (e instanceof ApiError) fail(e);
      else {
        stats.serverErrors++;
        reply(500, { error: { type: "api_error", message: `Emulator error: ${(e as Error).message}` } });
      }
    } finally {
      stats.inFlight--;
      if (status !== 0) stats.perStatus[String(status)] = (stats.perStatus[String(status)] ?? 0) + 1;
    }
  };

  // ---- /_emulator ----

  const handleAdmin = async (req: http.IncomingMessage, res: http.ServerResponse, path: string, rawQuery: string) => {
    const method = req.method ?? "GET";
    let body: Record<string, unknown> = {};
    if (method === "POST") {
      const text = await readBody(req);
      if (text.trim()) {
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          throw invalid(400, "Body must be JSON");
        }
      }
    }
    const q = new URLSearchParams(rawQuery);
    const sub = path.slice("/_emulator".length);
    const str = (v: unknown) => (typeof v === "string" ? v : undefined);
    if (sub === "/objects" && method === "GET") {
      const object = q.get("object");
      if (!object) throw invalid(400, "object is required", "parameter_missing", "object");
      const data = world.listObjects(object, q.get("account") ?? undefined);
      return send(res, 200, { object: "list", data, count: data.length });
    }
    if (sub === "/objects" && method === "POST") {
      const object = str(body.object);
      if (!object) throw invalid(400, "object is required", "parameter_missing", "object");
      const { rec, ds } = world.create(object, (body.fields as Fields) ?? {}, { account: str(body.account), parent: str(body.parent) });
      return send(res, 200, world.render(rec, ds));
    }
    const m = /^\/objects\/([^/]+)$/.exec(sub);
    if (m) {
      const id = decodeURIComponent(m[1]!);
      const account = str(body.account) ?? q.get("account") ?? undefined;
      if (method === "POST") {
        const { rec, ds } = world.update(id, (body.fields as Fields) ?? {}, account);
        return send(res, 200, world.render(rec, ds));
      }
      if (method === "DELETE") return send(res, 200, world.delete(id, account));
      if (method === "GET") {
        const found = world.find(id, account);
        if (!found) throw invalid(404, `No such object: '${id}'`, "resource_missing", "id");
        return send(res, 200, world.render(found.rec, found.ds));
      }
    }
    if (sub === "/clock") {
      if (method === "POST") {
        if (typeof body.now === "number") world.clock.set(body.now);
        else if (typeof body.advance === "number") world.clock.advance(body.advance);
        else throw invalid(400, "Pass {now} or {advance} (seconds)", "parameter_missing", "now");
      }
      return send(res, 200, { now: world.clock.now() });
    }
    if (sub === "/knobs") {
      if (method === "POST") setKnobs(body as Partial<Knobs>);
      return send(res, 200, knobs);
    }
    if (sub === "/stats" && method === "GET") return send(res, 200, stats);
    if (sub === "/stats/reset" && method === "POST") {
      stats = { ...emptyStats(), inFlight: stats.inFlight };
      return send(res, 200, stats);
    }
    if (sub === "/oauth/refresh_token" && method === "POST") return send(res, 200, { refresh_token: oauth.issueRefreshToken() });
    if (sub === "/encrypt-config" && method === "POST") return send(res, 200, fakeEncryptConfig(body));
    if (sub === "/counts" && method === "GET") return send(res, 200, world.counts(q.get("account") ?? undefined));
    throw unrecognizedUrl(method, path);
  };

  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    const qi = url.indexOf("?");
    const path = qi < 0 ? url : url.slice(0, qi);
    const rawQuery = qi < 0 ? "" : url.slice(qi + 1);
    if (path.startsWith("/_emulator/")) {
      handleAdmin(req, res, path, rawQuery).catch((e: unknown) => {
        if (e instanceof ApiError) sendError(res, e);
        else send(res, 500, { error: { type: "api_error", message: (e as Error).message } });
      });
      return;
    }
    // Drain any body so keep-alive connections stay usable (a POST's is read by handleApi).
    if (req.method !== "POST") req.resume();
    void handleApi(req, res, path, rawQuery);
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? "127.0.0.1";

  return {
    url: `http://${host}:${port}`,
    port,
    world,
    store: world,
    clock: world.clock,
    knobs,
    seedMs: world.seedMs,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    setKnobs,
    stats: () => stats,
    resetStats: () => {
      stats = { ...emptyStats(), inFlight: stats.inFlight };
    },
    listObjects: (object, account) => world.listObjects(object, account),
    createObject: (object, fields, o) => {
      const { rec, ds } = world.create(object, fields, o ?? {});
      return world.render(rec, ds);
    },
    updateObject: (id, fields, account) => {
      const { rec, ds } = world.update(id, fields, account);
      return world.render(rec, ds);
    },
    deleteObject: (id, account) => world.delete(id, account),
    counts: (account) => world.counts(account),
    reporting,
    oauth,
  };
}

/** A POST's form-encoded body in Stripe's bracket notation. */
function formBody(text: string): QueryObject {
  try {
    return parseQuery(text);
  } catch (e) {
    if (e instanceof QueryParseError) throw invalid(400, e.message);
    throw e;
  }
}

function rateLimitError(): ApiError {
  return invalid(429, "Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.", "rate_limit");
}
