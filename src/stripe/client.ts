import pRetry, { AbortError } from "p-retry";
import Stripe from "stripe";
import { ConfigError } from "../errors.js";
import { classifyFailure, RateLimitError, header, type FailedRequest, type StripeApiError } from "./errors.js";
import { RequestLimiter, type Priority } from "./limiter.js";
import { encodeQuery, type Query } from "./query.js";
import { retryAfterMs, retryDecision, retryWaitMs, type RetryLimits } from "./retry.js";

export interface ListResponse {
  data: Array<Record<string, unknown>>;
  has_more: boolean;
}

export interface ClientOptions extends Partial<RetryLimits> {
  apiKey: string;
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
  /** Stripe-Version for this request only, where an endpoint needs an older API version than the SDK's. */
  apiVersion?: string;
}

/** Stripe's budget for a key's read requests: 100/s live, 25/s in test mode, less a 3% margin. */
export function defaultRatePerSecond(apiKey: string): number {
  return /^(sk|rk)_live_/.test(apiKey) ? 97 : 24.25;
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

  constructor(private readonly options: ClientOptions) {
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
    });
  }

  /** Request slots nobody holds or waits for right now (see RequestLimiter.idleSlots). */
  idleSlots(): number {
    return this.limiter.idleSlots();
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
    const pending = options.account === undefined ? this.defaultAccountPending : undefined;
    if (!pending) return this.send<T>(path, query, { ...options, account: options.account ?? this.defaultAccount });
    const optimistic = this.send<T>(path, query, options);
    optimistic.catch(() => undefined);
    const account = await pending;
    return account === undefined ? optimistic : this.send<T>(path, query, { ...options, account });
  }

  private async send<T>(path: string, query: Query, options: RequestOptions): Promise<T> {
    const qs = encodeQuery(query);
    const url = qs ? `${path}?${qs}` : path;
    const requestOptions = {
      ...(options.account ? { stripeAccount: options.account } : {}),
      ...(options.apiVersion ? { apiVersion: options.apiVersion } : {}),
    };
    const maxRetryMs = this.options.maxRetryMs ?? 10 * 60_000;
    const started = performance.now();
    return pRetry(
      () =>
        this.limiter.run(async () => {
          this.stats.requests++;
          try {
            // A copy without the SDK's non-enumerable lastResponse (the HTTP response object), which would live as long as the page.
            return { ...(await this.stripe.rawRequest("GET", url, undefined, requestOptions)) } as T;
          } catch (error) {
            const failure = this.classify("GET", path, options.account, error);
            throw retryDecision(failure).retry ? failure : new AbortError(failure);
          }
        }, options.priority),
      {
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
      },
    );
  }

  /** The SDK's failure as the connector's error class; a 429 also slows the limiter down. */
  private classify(method: string, path: string, account: string | undefined, error: unknown): StripeApiError {
    const sdk = error as Partial<Stripe.errors.StripeError> & { message?: string; type?: string };
    const request: FailedRequest = {
      method,
      path,
      status: typeof sdk.statusCode === "number" ? sdk.statusCode : undefined,
      code: sdk.code,
      message: sdk.message ?? String(error),
      requestId: sdk.requestId,
      headers: sdk.headers as FailedRequest["headers"],
      account,
      timedOut: /timed? ?out/i.test(sdk.message ?? ""),
    };
    const failure = classifyFailure(request, this.options.apiKey);
    if (failure instanceof RateLimitError) {
      this.stats.rateLimited++;
      this.limiter.rateLimited(retryAfterMs(header(request, "retry-after")));
    }
    return failure;
  }
}

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
