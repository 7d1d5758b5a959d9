import type { StripeApiError } from "./errors.js";
import { header, RateLimitError } from "./errors.js";

export interface RetryLimits {
  /** Attempts per request, the first one included; 429s do not count. */
  maxAttempts: number;
  /** Give up retrying a request after this long. */
  maxRetryMs: number;
}

/** Backoff: the first wait, its growth per attempt, and its cap; each wait is jittered up to twice as long. */
const FIRST_WAIT_MS = 500;
const GROWTH = 2;
const MAX_BACKOFF_MS = 30_000;
/** The longest Retry-After honoured: a server asking for more is treated as asking for this. */
const MAX_RETRY_AFTER_MS = 600_000;

/** Whether another attempt is worth it, and whether this failure uses one up. */
export function retryDecision(error: StripeApiError): { retry: boolean; consumesAttempt: boolean } {
  // Rate limiting is the server pacing us, not the request failing: it does not use up attempts.
  return { retry: error.retryable, consumesAttempt: !(error instanceof RateLimitError) };
}

/**
 * How long to wait before the next attempt: what Stripe asked for (Retry-After)
 * when it did, else exponential backoff with jitter; never past the retry budget.
 * Pure: `random` is injected.
 */
export function retryWaitMs(error: StripeApiError, retriesSoFar: number, remainingMs: number, random: () => number = Math.random): number {
  const asked = retryAfterMs(header(error.request, "retry-after"));
  const backoff = Math.min(MAX_BACKOFF_MS, FIRST_WAIT_MS * GROWTH ** Math.max(0, retriesSoFar)) * (1 + random());
  return Math.max(0, Math.min(asked ?? backoff, remainingMs));
}

/** Retry-After as milliseconds: seconds or an HTTP date. */
export function retryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() !== "" && Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.min(at - Date.now(), MAX_RETRY_AFTER_MS));
}
