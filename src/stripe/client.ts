import pRetry, { AbortError } from "p-retry";
import Stripe from "stripe";
import { ConfigError } from "../errors.js";
import { maskKey } from "../secrets.js";
import { RequestLimiter, type Priority } from "./limiter.js";
import { encodeQuery, type Query } from "./query.js";
import { retryDecision } from "./retry-policy.js";

/** A Stripe answer other than 2xx, after retries; carries what the engine needs to explain it. */
export class ApiError extends Error {
  constructor(
    readonly path: string,
    readonly status: number | undefined,
    readonly stripeMessage: string,
    readonly code: string | undefined,
    readonly requestId: string | undefined,
  ) {
    super(`GET ${path} failed${status ? ` with HTTP ${status}` : ""}: ${stripeMessage}`);
    this.name = "ApiError";
  }
}

export interface ListResponse {
  data: Array<Record<string, unknown>>;
  has_more: boolean;
}

export interface ClientOptions {
  apiKey: string;
  /** Requests in flight at most, across every stream. */
  concurrency: number;
  /** Keep rate x latency requests in flight (up to `concurrency`) rather than always `concurrency`. */
  adaptiveConcurrency?: boolean;
  /** Requests started per second, across every stream. */
  ratePerSecond: number;
  /** Attempts per request, first one included. */
  maxAttempts?: number;
  /** Give up retrying a request after this long. */
  maxRetryMs?: number;
  /** Base URL, e.g. http://127.0.0.1:12111; defaults to STRIPE_API_BASE, then Stripe itself. */
  apiBase?: string;
}

/** Stripe's budget for a key's read requests: 100/s live, 25/s in test mode, less a 3% margin. */
export function defaultRatePerSecond(apiKey: string): number {
  return /^(sk|rk)_live_/.test(apiKey) ? 97 : 24.25;
}

/**
 * The one way the connector talks to Stripe: the official SDK's raw requests,
 * behind a shared limiter and a retry policy. The SDK's own retries are off so
 * that attempts are not multiplied.
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

  /**
   * GET `path` with `query`, on behalf of `account` when given (Stripe-Account).
   * Waiting requests start by `priority` (see Priority): polls for changes go before queued backfill pages.
   */
  async get<T = Record<string, unknown>>(path: string, query: Query = {}, account?: string, priority: Priority = "list"): Promise<T> {
    const pending = account === undefined ? this.defaultAccountPending : undefined;
    if (!pending) return this.send<T>(path, query, account ?? this.defaultAccount, priority);
    const optimistic = this.send<T>(path, query, undefined, priority);
    optimistic.catch(() => undefined);
    const header = await pending;
    return header === undefined ? optimistic : this.send<T>(path, query, header, priority);
  }

  private async send<T>(path: string, query: Query, account: string | undefined, priority: Priority): Promise<T> {
    const qs = encodeQuery(query);
    const url = qs ? `${path}?${qs}` : path;
    const requestOptions = account ? { stripeAccount: account } : {};
    return pRetry(
      () =>
        this.limiter.run(async () => {
          this.stats.requests++;
          try {
            // A copy without the SDK's non-enumerable lastResponse (the HTTP response object), which would live as long as the page.
            return { ...(await this.stripe.rawRequest("GET", url, undefined, requestOptions)) } as T;
          } catch (error) {
            throw this.classify(path, error);
          }
        }, priority),
      {
        retries: (this.options.maxAttempts ?? 10) - 1,
        minTimeout: 500,
        maxTimeout: 30_000,
        factor: 2,
        randomize: true,
        maxRetryTime: this.options.maxRetryMs ?? 10 * 60_000,
        // Rate limiting is the server pacing us, not the request failing: it does not use up attempts.
        shouldConsumeRetry: ({ error }) => (error as RetryableError).cause?.status !== 429,
        onFailedAttempt: async ({ error }) => {
          this.stats.retries++;
          const waitMs = (error as RetryableError).waitMs;
          if (waitMs) await new Promise((r) => setTimeout(r, waitMs));
        },
      },
    ).catch((error: unknown) => {
      throw error instanceof RetryableError ? error.cause : error;
    });
  }

  /** Turns an SDK failure into an ApiError, wrapped so p-retry knows whether to try again. */
  private classify(path: string, error: unknown): Error {
    const sdk = error as Partial<Stripe.errors.StripeError> & { message?: string };
    const status = typeof sdk.statusCode === "number" ? sdk.statusCode : undefined;
    const decision = retryDecision({ status, headers: sdk.headers as Record<string, string> | undefined });
    if (status === 429) {
      this.stats.rateLimited++;
      this.limiter.rateLimited(decision.waitMs);
    }
    const apiError = new ApiError(
      path,
      status,
      sdk.message ?? String(error),
      sdk.code,
      sdk.requestId,
    );
    if (status === 401) {
      return new AbortError(
        new ConfigError(
          `Stripe rejected the API key (${maskKey(this.options.apiKey)}): check client_secret. Stripe said: ${apiError.stripeMessage}`,
        ),
      );
    }
    if (!decision.retry) return new AbortError(apiError);
    return new RetryableError(apiError, decision.waitMs);
  }
}

class RetryableError extends Error {
  constructor(
    override readonly cause: ApiError,
    readonly waitMs: number | undefined,
  ) {
    super(cause.message);
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
