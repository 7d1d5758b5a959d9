import type { TokenEndpoint } from "../config.js";
import { registerSecret } from "../secrets.js";
import type { AccessTokens, StripeClient } from "./client.js";

/** What the OAuth token endpoint answers (both Connect's and Stripe Apps'). */
interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
  /** Stripe Apps sends none; some answers may. */
  expires_in?: number;
}

/**
 * Stripe Apps access tokens live an hour and the answer does not say so
 * (docs.stripe.com/stripe-apps/api-authentication/oauth); refreshing after 55
 * minutes leaves a margin. A token Stripe calls expired earlier is refreshed on its 401.
 */
const ASSUMED_LIFETIME_MS = 55 * 60_000;
const MARGIN_MS = 60_000;

export interface OAuthSettings {
  clientSecret: string;
  refreshToken: string;
  tokenEndpoint: TokenEndpoint;
}

/**
 * The access token requests carry under OAuth: got by exchanging the refresh
 * token at start and again when it expires, one exchange at a time. Stripe
 * rotates the refresh token on every exchange and invalidates the old one, so
 * `onRotate` is awaited (the platform told of the new one) before the new
 * access token is used. Every token is registered as a secret.
 */
export class OAuthTokens implements AccessTokens {
  private access?: { token: string; refreshAt: number };
  private refreshing?: Promise<void>;
  private refreshToken: string;

  constructor(
    private readonly client: StripeClient,
    private readonly settings: OAuthSettings,
    private readonly onRotate: (refreshToken: string) => Promise<void>,
  ) {
    this.refreshToken = settings.refreshToken;
    registerSecret(settings.refreshToken);
    registerSecret(settings.clientSecret);
  }

  async current(): Promise<string> {
    if (!this.access || Date.now() >= this.access.refreshAt) await this.refresh(this.access?.token);
    return this.access!.token;
  }

  async refresh(stale?: string): Promise<void> {
    // Another request got a new token since `stale` was sent: use that one.
    if (this.access && stale !== undefined && this.access.token !== stale && Date.now() < this.access.refreshAt) return;
    this.refreshing ??= this.exchange().finally(() => (this.refreshing = undefined));
    await this.refreshing;
  }

  private async exchange(): Promise<void> {
    const connect = this.settings.tokenEndpoint === "stripe_connect";
    const answer = await this.client.post<TokenAnswer>(
      connect ? "/oauth/token" : "/v1/oauth/token",
      { grant_type: "refresh_token", refresh_token: this.refreshToken },
      { apiKey: this.settings.clientSecret, apiBase: connect ? "connect" : "api", once: true, priority: "poll" },
    );
    registerSecret(answer.access_token);
    if (answer.refresh_token && answer.refresh_token !== this.refreshToken) {
      registerSecret(answer.refresh_token);
      this.refreshToken = answer.refresh_token;
      await this.onRotate(answer.refresh_token);
    }
    const lifetime = answer.expires_in ? answer.expires_in * 1000 : ASSUMED_LIFETIME_MS;
    this.access = { token: answer.access_token, refreshAt: Date.now() + Math.max(0, lifetime - MARGIN_MS) };
  }
}
