/** What a failed request looks like to the retry policy: nothing SDK-specific. */
export interface FailedResponse {
  /** HTTP status; undefined when no response came back (reset, timeout, DNS). */
  status?: number;
  /** Response headers, lower-cased names. */
  headers?: Record<string, string | string[] | undefined>;
}

export interface RetryDecision {
  retry: boolean;
  /** Minimum wait before the next attempt, when the server asked for one. */
  waitMs?: number;
}

/**
 * Decides, per response, whether a request is worth another attempt.
 * Stripe's own `Stripe-Should-Retry` header wins when present; otherwise
 * 429, 409, 5xx and transport failures are retried, other 4xx never.
 */
export function retryDecision(failure: FailedResponse): RetryDecision {
  const header = (name: string): string | undefined => {
    const value = failure.headers?.[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const waitMs = retryAfterMs(header("retry-after"));
  const shouldRetry = header("stripe-should-retry");
  if (shouldRetry === "false") return { retry: false };
  if (shouldRetry === "true") return { retry: true, waitMs };
  const status = failure.status;
  if (status === undefined) return { retry: true };
  if (status === 429 || status === 409 || status >= 500) return { retry: true, waitMs };
  return { retry: false };
}

function retryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 600) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.min(at - Date.now(), 600_000));
}
