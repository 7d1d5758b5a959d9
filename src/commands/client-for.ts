import type { Config } from "../config.js";
import { defaultRatePerSecond, StripeClient } from "../stripe/client.js";

/** The client a command uses, sized by the config. */
export function clientFor(config: Config): StripeClient {
  return new StripeClient({
    apiKey: config.client_secret,
    concurrency: config.num_workers,
    ratePerSecond: config.call_rate_limit ?? defaultRatePerSecond(config.client_secret),
    maxAttempts: config.retry_max_attempts,
    maxRetryMs: config.retry_max_seconds * 1000,
  });
}
