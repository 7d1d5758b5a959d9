import { ConnectorError, type FailureType } from "../errors.js";
import { maskKey } from "../secrets.js";

/**
 * Stripe's answers, given their meaning once: the client turns every failed
 * request into one of these classes, each knowing who has to act (its
 * `failureType`), whether another attempt may succeed (`retryable`), and whether
 * it ends the whole read rather than one stream (`fatal`). Everyone else only
 * adds the stream's name.
 */
export abstract class StripeApiError extends ConnectorError {
  abstract readonly retryable: boolean;
  /** The whole read cannot go on (the key or the account is wrong), not just one stream. */
  readonly fatal: boolean = false;

  constructor(
    message: string,
    failureType: FailureType,
    readonly request: FailedRequest,
  ) {
    super(message, failureType, request.requestId ? `request id ${request.requestId}` : undefined);
    this.name = new.target.name;
  }

  get status(): number | undefined {
    return this.request.status;
  }
  get code(): string | undefined {
    return this.request.code;
  }
}

/** What the client knows of a failed request: nothing SDK-specific. */
export interface FailedRequest {
  method: string;
  path: string;
  /** HTTP status; undefined when no response came back (reset, timeout, DNS). */
  status?: number;
  /** Stripe's error `code` (e.g. resource_missing, account_invalid). */
  code?: string;
  /** Stripe's error message, or the transport's. */
  message: string;
  requestId?: string;
  /** Response headers, lower-cased names. */
  headers?: Record<string, string | string[] | undefined>;
  /** The Stripe-Account the request was sent for. */
  account?: string;
  /** The transport gave up waiting for an answer. */
  timedOut?: boolean;
  /** OAuth endpoints' own error code (invalid_grant, invalid_client, ...). */
  oauthError?: string;
}

function said(request: FailedRequest): string {
  return `Stripe said: ${request.message}`;
}

/** 401: the key is wrong; nothing can be read. */
export class AuthenticationError extends StripeApiError {
  readonly retryable = false;
  override readonly fatal = true;
  constructor(request: FailedRequest, apiKey: string) {
    super(`Stripe rejected the API key (${maskKey(apiKey)}): check client_secret. ${said(request)}`, "config_error", request);
  }
}

/** 403 naming an account the key may not act for. */
export class AccountAccessError extends StripeApiError {
  readonly retryable = false;
  override readonly fatal = true;
  constructor(request: FailedRequest) {
    super(
      `The API key cannot access account_id ${request.account ?? "(none)"}: it is neither the key's own account nor one connected to it. ${said(request)}`,
      "config_error",
      request,
    );
  }
}

/** 403 on a resource: a restricted key without that permission. */
export class PermissionError extends StripeApiError {
  readonly retryable = false;
  /** The permission Stripe names as missing (`rak_..._write`), when it names one. */
  readonly permission?: string;
  constructor(request: FailedRequest) {
    const permission = /Having the '([a-z0-9_]+)' permission/.exec(request.message)?.[1];
    const access = request.method === "GET" ? "read" : "write";
    const grant = permission ? `Grant it ${permission}` : `Grant it ${access} access to this resource`;
    super(
      `the API key lacks the permission to ${access} ${request.path}. ${grant}, or deselect the stream. ${said(request)}`,
      "config_error",
      request,
    );
    this.permission = permission;
  }
}

/** The OAuth token endpoint refused the refresh token (revoked, expired, or already used): only signing in again helps. */
export class OAuthGrantError extends StripeApiError {
  readonly retryable = false;
  override readonly fatal = true;
  constructor(request: FailedRequest) {
    super(
      `Stripe refused the OAuth refresh token (${request.oauthError}): it was revoked, has expired or was already used. Sign in with Stripe again to get a new one. ${said(request)}`,
      "config_error",
      request,
    );
  }
}

/**
 * Stripe products whose endpoints answer 404 (not 403) on accounts that have not
 * enabled them.
 */
const PRODUCTS: ReadonlyArray<[prefix: string, product: string]> = [
  ["/v1/issuing/", "issuing"],
  ["/v1/treasury/", "treasury"],
  ["/v1/climate/", "climate"],
  ["/v1/terminal/", "terminal"],
  ["/v1/reporting/", "reporting"],
];

/** 404 on an endpoint rather than an object: a product the account has not enabled, or an endpoint Stripe removed. */
export class UnavailableError extends StripeApiError {
  readonly retryable = false;
  constructor(request: FailedRequest) {
    const product = PRODUCTS.find(([prefix]) => request.path.startsWith(prefix))?.[1];
    super(
      product
        ? `${request.path} is not available because ${product} is not enabled on this Stripe account. Enable it or deselect the stream. ${said(request)}`
        : `${request.path} is not available on this Stripe account or API version. ${said(request)}`,
      "config_error",
      request,
    );
  }
}

/** 404 resource_missing: the object asked for no longer exists (deleted between two requests). */
export class NotFoundError extends StripeApiError {
  readonly retryable = false;
  constructor(request: FailedRequest) {
    super(`${request.method} ${request.path} failed with HTTP 404: ${request.message}`, "system_error", request);
  }
}

/** Any other 4xx: a request the connector should not have sent. */
export class InvalidRequestError extends StripeApiError {
  readonly retryable = false;
  constructor(request: FailedRequest) {
    super(`${request.method} ${request.path} failed with HTTP ${request.status}: ${request.message}`, "system_error", request);
  }
}

/** 429: Stripe is pacing us. Waiting is the answer, and it does not use up attempts. */
export class RateLimitError extends StripeApiError {
  readonly retryable = true;
  constructor(request: FailedRequest) {
    super(`${request.method} ${request.path} failed with HTTP 429: ${request.message}`, "transient_error", request);
  }
}

/** 409 (a concurrent change on Stripe's side) and 5xx: worth another attempt. */
export class ServerError extends StripeApiError {
  readonly retryable: boolean;
  constructor(request: FailedRequest, retryable = true) {
    super(`${request.method} ${request.path} failed with HTTP ${request.status}: ${request.message}`, "transient_error", request);
    this.retryable = retryable;
  }
}

/**
 * A 2xx answer whose object carries a string `error` field, which the SDK
 * takes for an OAuth error and throws: a failed report run (`status: failed`,
 * `error: "..."`) is answered so. `detail` is that field.
 */
export class FailedObjectAnswer extends StripeApiError {
  readonly retryable = false;
  constructor(request: FailedRequest) {
    super(`${request.method} ${request.path} answered an object that failed: ${request.oauthError}`, "system_error", request);
  }
  get detail(): string {
    return this.request.oauthError ?? "";
  }
}

/** No answer: a reset connection, DNS, or a timeout. */
export class ConnectionError extends StripeApiError {
  readonly retryable = true;
  constructor(request: FailedRequest) {
    super(`${request.method} ${request.path} failed: ${request.timedOut ? "no answer in time" : "no connection"}: ${request.message}`, "transient_error", request);
  }
}

/**
 * Gives a failed request its meaning: the one place Stripe's status codes, error
 * codes and messages are read. `Stripe-Should-Retry`, when Stripe sends it,
 * overrides whether a server error is retried.
 */
export function classifyFailure(request: FailedRequest, apiKey: string): StripeApiError {
  const { status, code } = request;
  const shouldRetry = header(request, "stripe-should-retry");
  if (status === undefined) return new ConnectionError(request);
  if (request.oauthError !== undefined && status < 300) return new FailedObjectAnswer(request);
  if (request.oauthError !== undefined && status < 500 && status !== 429) return new OAuthGrantError(request);
  if (status === 401) return new AuthenticationError(request, apiKey);
  if (status === 403) {
    const aboutAccount = code === "account_invalid" || /does not have access to account/i.test(request.message);
    return aboutAccount && request.account ? new AccountAccessError(request) : new PermissionError(request);
  }
  if (status === 429) return new RateLimitError(request);
  if (status === 409 || status >= 500) return new ServerError(request, shouldRetry !== "false");
  if (shouldRetry === "true") return new ServerError(request, true);
  if (status === 404) return code === "resource_missing" ? new NotFoundError(request) : new UnavailableError(request);
  return new InvalidRequestError(request);
}

/**
 * Whether Stripe says an endpoint is not there for this account or API version, as
 * opposed to a request it refuses: a 404 that names no missing object (Stripe's
 * "Unrecognized request URL", its answer for a path the requested version does not
 * have), or a 400 that says the version or legacy billing is the reason. Stripe
 * documents no error for a removed endpoint (its changelog only says "removed"), so
 * these are the answers a removed endpoint can give; a 400 about our parameters is
 * not one of them.
 */
export function saysUnavailable(error: unknown): boolean {
  if (error instanceof UnavailableError) return true;
  return (
    error instanceof InvalidRequestError &&
    error.status === 400 &&
    !error.code?.startsWith("parameter_") &&
    /api version|legacy/i.test(error.request.message)
  );
}

export function header(request: FailedRequest, name: string): string | undefined {
  const value = request.headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}
