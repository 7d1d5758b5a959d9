import { authOf, type Config } from "../config.js";
import { defaultRatePerSecond, StripeClient } from "./client.js";
import { OAuthTokens } from "./oauth.js";

export interface ClientHooks {
  /** OAuth: Stripe rotated the refresh token; resolve once the platform has been handed it. */
  onRefreshTokenRotated?: (refreshToken: string) => Promise<void>;
}

/** The client a command uses, sized by the config, signed in as the config says. */
export function clientFor(config: Config, hooks: ClientHooks = {}): StripeClient {
  const auth = authOf(config);
  // Under OAuth the client secret's mode (live or test) is the tokens' mode.
  const key = auth.kind === "oauth" ? auth.clientSecret : auth.apiKey;
  const client = new StripeClient({
    apiKey: key,
    // An explicit num_workers caps what is in flight; by default the rate and latency decide, up to 100.
    concurrency: config.num_workers_given ? config.num_workers : 100,
    adaptiveConcurrency: true,
    ratePerSecond: config.call_rate_limit ?? defaultRatePerSecond(key),
    maxAttempts: config.retry_max_attempts,
    maxRetryMs: config.retry_max_seconds * 1000,
  });
  if (auth.kind === "oauth") {
    const onRotate = hooks.onRefreshTokenRotated ?? (() => Promise.resolve());
    client.useTokens(new OAuthTokens(client, auth, onRotate));
  }
  return client;
}
