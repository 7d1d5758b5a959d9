import type { Config } from "../config.js";
import { defaultRatePerSecond, StripeClient } from "./client.js";

/** The client a command uses, sized by the config. */
export function clientFor(config: Config): StripeClient {
  return new StripeClient({
    apiKey: config.client_secret,
    // An explicit num_workers caps what is in flight; by default the rate and latency decide, up to 100.
    concurrency: config.num_workers_given ? config.num_workers : 100,
    adaptiveConcurrency: true,
    ratePerSecond: config.call_rate_limit ?? defaultRatePerSecond(config.client_secret),
    maxAttempts: config.retry_max_attempts,
    maxRetryMs: config.retry_max_seconds * 1000,
  });
}
