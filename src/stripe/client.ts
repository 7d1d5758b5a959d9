import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import pRetry, { AbortError } from "p-retry";
import Stripe from "stripe";
import { ConfigError } from "../errors.js";
import { AuthenticationError, classifyFailure, RateLimitError, header, StripeApiError, type FailedRequest } from "./errors.js";
import { RequestLimiter, type Priority } from "./limiter.js";
import { encodeQuery, type Query } from "./query.js";
import { retryAfterMs, retryDecision, retryWaitMs, type RetryLimits } from "./retry.js";

export interface ListResponse {
  data: Array<Record<string, unknown>>;
  has_more: boolean;
}

/**
 * Where requests get their key when it is not a fixed API key: an OAuth access
 * token that expires and is refreshed (see oauth.ts).
 */
export interface AccessTokens {
  /** The token to send now (refreshed first if it is known to have expired). */
  current(): Promise<string>;
  /** Stripe rejected `stale`: get a new token unless another request already did. */
  refresh(stale: string): Promise<void>;
}

export interface ClientOptions extends Partial<RetryLimits> {
  /** The API key; with `tokens`, the key only masks messages and sets the mode (live or test). */
  apiKey: string;
  /** OAuth: requests send the current access token instead of `apiKey`. */
  tokens?: AccessTokens;
  /** Requests in flight at most, across every stream. */
  concurrency: number;
  /** Keep rate x latency requests in flight (up to `concurrency`) rather than always `concurrency`. */
  adaptiveConcurrency?: boolean;
  /** Requests started per second, across every stream. */
  ratePerSecond: number;
  /** Base URL, e.g. http://127.0.0.1:12111; defaults to STRIPE_API_BASE, then Stripe itself. */
  apiBase?: string;
}

export interface RequestOptions {
  /** Stripe-Account: act for this connected account. */
  account?: string;
  /** Which waiting request starts first (see Priority). */
  priority?: Priority;
  /**
   * The endpoint's path template (`/v1/customers/{customer}/balance_transactions`):
   * Stripe limits each endpoint's rate, whatever the ids in the path. Default: the path.
   */
  endpoint?: string;
  /** Stripe-Version for this request only, where an endpoint needs an older API version than the SDK's. */
  apiVersion?: string;
  /** Which of Stripe's hosts serves the path: api.stripe.com (default), files.stripe.com, connect.stripe.com. */
  apiBase?: "api" | "files" | "connect";
  /** A key for this request only (the OAuth token exchange authenticates with the client secret). */
  apiKey?: string;
  /**
   * Sent once, never again, and for no account: the OAuth token exchange,
   * whose refresh token Stripe invalidates on use (a retry after a lost
   * answer would only be refused).
   */
  once?: boolean;
}

type Method = "GET" | "POST";

/** One request as the retry loop sends it again and again. */
interface Outgoing {
  method: Method;
  path: string;
  url: string;
  body?: Record<string, unknown>;
  options: RequestOptions;
  /** Set once per POST: Stripe answers a retried POST with the first one's result rather than acting twice. */
  idempotencyKey?: string;
  /** Resolve with the response stream (file contents) rather than parsed JSON. */
  streaming?: boolean;
}

/** Which of Stripe's per-endpoint limits a request counts against: its method and path template. */
function endpointOf(request: Outgoing): string {
  return `${request.method} ${request.options.endpoint ?? request.path}`;
}

/**
 * Stripe's budget for a key's read requests: 100/s live, 25/s in test mode,
 * less a 1% margin. Starts are paced evenly, so the margin only has to absorb
 * the jitter between our clock and Stripe's; a 429 still slows the pace down.
 */
export function defaultRatePerSecond(apiKey: string): number {
  return isLiveKey(apiKey) ? 99 : 24.75;
}

/** Live mode (a live secret or restricted key): where Stripe's per-endpoint limit is below the account's. */
export function isLiveKey(apiKey: string): boolean {
  return /^(sk|rk)_live_/.test(apiKey);
}

/**
 * The one way the connector talks to Stripe: the official SDK's raw requests
 * (its pinned API version), behind a shared limiter that paces them, and one
 * retry loop. A failure gets its meaning here, once (see `classifyFailure`);
 * the SDK's own retries are off so that attempts are not multiplied.
 */
export class StripeClient {
  private readonly stripe: Stripe;
  private readonly limiter: RequestLimiter;
  readonly stats = { requests: 0, retries: 0, rateLimited: 0 };
  /** Stripe-Account for requests that name no account, once known (see `assumeOwnAccount`). */
  private defaultAccount?: string;
  private defaultAccountPending?: Promise<string | undefined>;
  private tokens?: AccessTokens;

  constructor(private readonly options: ClientOptions) {
    this.tokens = options.tokens;
    this.stripe = new Stripe(options.apiKey, {
      ...sdkTarget(options.apiBase ?? process.env.STRIPE_API_BASE),
      maxNetworkRetries: 0,
      timeout: 60_000,
      telemetry: false,
      appInfo: { name: "source-stripe" },
    });
    this.limiter = new RequestLimiter({
      ratePerSecond: options.ratePerSecond,
      maxConcurrency: options.concurrency,
      adaptiveConcurrency: options.adaptiveConcurrency ?? false,
      endpointLimits: isLiveKey(options.apiKey),
    });
  }

  /** From now on requests carry these (OAuth) tokens rather than the API key. */
  useTokens(tokens: AccessTokens): void {
    this.tokens = tokens;
  }

  /** Request slots nobody holds or waits for right now (see RequestLimiter.idleSlots). */
  idleSlots(): number {
    return this.limiter.idleSlots();
  }

  /** Requests that start in one round trip (see RequestLimiter.roundTrip). */
  roundTrip(): number {
    return this.limiter.roundTrip();
  }

  /** The average request latency lately, seconds. */
  latency(): number {
    return this.limiter.averageLatency();
  }

  /** Requests a reader needs on their way to keep the pace (see RequestLimiter.neededInFlight). */
  neededInFlight(): number {
    return this.limiter.neededInFlight();
  }

  /** Requests the client keeps in flight at most, now (see RequestLimiter.concurrency). */
  slots(): number {
    return this.limiter.concurrency();
  }

  /**
   * Requests that name no account go out at once without Stripe-Account, as if
   * the key's own account were meant, while `header` (which Stripe-Account that
   * account needs, if any) is still being asked: the common case saves a round
   * trip. No answer is returned before `header` is known; if it names an
   * account, the request is sent again with it. A failure of `header` fails them all.
   */
  assumeOwnAccount(header: Promise<string | undefined>): void {
    const pending = header.then((decided) => {
      this.defaultAccount = decided;
      this.defaultAccountPending = undefined;
      return decided;
    });
    pending.catch(() => undefined);
    this.defaultAccountPending = pending;
  }

  /** GET `path` with `query`. */
  async get<T = Record<string, unknown>>(path: string, query: Query = {}, options: RequestOptions = {}): Promise<T> {
    const qs = encodeQuery(query);
    const request: Outgoing = { method: "GET", path, url: qs ? `${path}?${qs}` : path, options };
    const pending = options.account === undefined ? this.defaultAccountPending : undefined;
    if (!pending) return this.send<T>({ ...request, options: { ...options, account: options.account ?? this.defaultAccount } });
    const optimistic = this.send<T>(request);
    optimistic.catch(() => undefined);
    const account = await pending;
    return account === undefined ? optimistic : this.send<T>({ ...request, options: { ...options, account } });
  }

  /**
   * POST `params` (form-encoded as Stripe takes them) to `path`. Every attempt
   * carries the same Idempotency-Key, so a retry after a lost answer does not
   * create a second object. Unlike a GET it waits to know the account first:
   * a POST sent for the wrong account cannot be taken back.
   */
  async post<T = Record<string, unknown>>(path: string, params: Record<string, unknown>, options: RequestOptions = {}): Promise<T> {
    if (options.once) return this.sendOnce<T>({ method: "POST", path, url: path, body: params, options });
    const account = options.account ?? (this.defaultAccountPending ? await this.defaultAccountPending : this.defaultAccount);
    return this.send<T>({ method: "POST", path, url: path, body: params, options: { ...options, account }, idempotencyKey: randomUUID() });
  }

  /**
   * GET a file's contents as a stream (report results), from files.stripe.com.
   * The request slot is held until the answer's headers arrive; the body is
   * read at the caller's pace, after.
   */
  async download(path: string, options: RequestOptions = {}): Promise<Readable> {
    const account = options.account ?? (this.defaultAccountPending ? await this.defaultAccountPending : this.defaultAccount);
    return this.send<Readable>({ method: "GET", path, url: path, options: { apiBase: "files", ...options, account }, streaming: true });
  }

  private async send<T>(request: Outgoing): Promise<T> {
    const maxRetryMs = this.options.maxRetryMs ?? 10 * 60_000;
    const started = performance.now();
    return pRetry(() => this.signedIn<T>(request), {
      retries: (this.options.maxAttempts ?? 10) - 1,
      maxRetryTime: maxRetryMs,
      // p-retry counts attempts and keeps the time budget; the wait is ours alone (see retryWaitMs).
      minTimeout: 0,
      shouldConsumeRetry: ({ error }) => retryDecision(error as StripeApiError).consumesAttempt,
      shouldRetry: async ({ error, retriesConsumed }) => {
        this.stats.retries++;
        const waitMs = retryWaitMs(error as StripeApiError, retriesConsumed, maxRetryMs - (performance.now() - started));
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
        return true;
      },
    });
  }

  private async sendOnce<T>(request: Outgoing): Promise<T> {
    try {
      return await this.signedIn<T>(request);
    } catch (error) {
      throw error instanceof AbortError ? error.originalError : error;
    }
  }

  /**
   * One try. The key comes first, outside the request slot: getting an OAuth
   * access token is a request of its own, and waiting for it in a slot could
   * leave none free for it. An access token Stripe calls expired (401) is
   * refreshed and the request sent once more at once: that is no failure.
   */
  private async signedIn<T>(request: Outgoing): Promise<T> {
    const priority = request.options.priority;
    const endpoint = endpointOf(request);
    const key = await this.keyFor(request);
    try {
      return await this.limiter.run(() => this.attempt<T>(request, key), priority, endpoint);
    } catch (error) {
      const failure: unknown = error instanceof AbortError ? error.originalError : error;
      if (!(failure instanceof AuthenticationError) || !this.tokens || request.options.apiKey !== undefined || key === undefined) throw error;
      await this.tokens.refresh(key).catch((refreshError: unknown) => {
        throw refreshError instanceof StripeApiError && !retryDecision(refreshError).retry ? new AbortError(refreshError) : refreshError;
      });
      const fresh = await this.keyFor(request);
      return await this.limiter.run(() => this.attempt<T>(request, fresh), priority, endpoint);
    }
  }

  /** The key to send; a token exchange that failed for good (a refused refresh token) ends the retries at once. */
  private async keyFor(request: Outgoing): Promise<string | undefined> {
    if (request.options.apiKey !== undefined) return request.options.apiKey;
    if (!this.tokens) return undefined;
    try {
      return await this.tokens.current();
    } catch (error) {
      throw error instanceof StripeApiError && !retryDecision(error).retry ? new AbortError(error) : error;
    }
  }

  private async attempt<T>(request: Outgoing, key: string | undefined): Promise<T> {
    this.stats.requests++;
    try {
      const response = await this.stripe.rawRequest(request.method, request.url, request.body, this.sdkOptions(request, key));
      // A copy without the SDK's non-enumerable lastResponse (the HTTP response object), which would live as long as the page.
      return (request.streaming ? response : { ...response }) as T;
    } catch (error) {
      const failure = this.classify(request, error, key);
      throw retryDecision(failure).retry ? failure : new AbortError(failure);
    }
  }

  private sdkOptions(request: Outgoing, key: string | undefined): Stripe.RawRequestOptions & { streaming?: boolean } {
    const { account, apiVersion, apiBase } = request.options;
    return {
      ...(account ? { stripeAccount: account } : {}),
      ...(apiVersion ? { apiVersion } : {}),
      ...(apiBase && apiBase !== "api" ? { apiBase } : {}),
      ...(key ? { apiKey: key } : {}),
      ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
      ...(request.streaming ? { streaming: true } : {}),
    };
  }

  /** The SDK's failure as the connector's error class; a 429 also slows the limiter down. */
  private classify(outgoing: Outgoing, error: unknown, key: string | undefined): StripeApiError {
    const sdk = error as Partial<Stripe.errors.StripeError> & { message?: string; type?: string; rawType?: string };
    const account = outgoing.options.account;
    const request: FailedRequest = {
      method: outgoing.method,
      path: outgoing.path,
      status: typeof sdk.statusCode === "number" ? sdk.statusCode : undefined,
      code: sdk.code,
      message: sdk.message ?? String(error),
      requestId: sdk.requestId,
      headers: sdk.headers as FailedRequest["headers"],
      account,
      timedOut: /timed? ?out/i.test(sdk.message ?? ""),
      ...(sdk.type && OAUTH_ERRORS.has(sdk.type) ? { oauthError: sdk.rawType } : {}),
    };
    const failure = classifyFailure(request, key ?? this.options.apiKey);
    if (failure instanceof RateLimitError) {
      this.stats.rateLimited++;
      this.limiter.rateLimited(retryAfterMs(header(request, "retry-after")), endpointOf(outgoing));
    }
    return failure;
  }
}

/** The SDK's classes for OAuth's own error answers ({"error": "invalid_grant", ...}). */
const OAUTH_ERRORS = new Set([
  "StripeOAuthError",
  "StripeInvalidGrantError",
  "StripeInvalidClientError",
  "StripeOAuthInvalidRequestError",
  "StripeInvalidScopeError",
  "StripeUnsupportedGrantTypeError",
  "StripeUnsupportedResponseTypeError",
]);

function sdkTarget(apiBase: string | undefined): { host?: string; port?: number; protocol?: "http" | "https" } {
  if (!apiBase) return {};
  let url: URL;
  try {
    url = new URL(apiBase);
  } catch {
    throw new ConfigError(`STRIPE_API_BASE is not a URL: ${apiBase}`);
  }
  const protocol = url.protocol === "http:" ? "http" : "https";
  return { host: url.hostname, port: Number(url.port || (protocol === "http" ? 80 : 443)), protocol };
}
