/**
 * OAuth as Stripe Apps and Stripe Connect do it, emulated: the token endpoint
 * (POST /v1/oauth/token, and /oauth/token as on connect.stripe.com) trades a
 * refresh token for an access token and, like Stripe, a new refresh token,
 * invalidating the one used. Access tokens expire after
 * `oauthAccessTokenTtlSeconds` (an hour, as Stripe Apps' do); an expired one
 * is answered 401 `api_key_expired`. Also a stand-in for Estuary's config
 * encryption service, for Flow's config updates.
 */
import type { Json } from "./data.js";
import { maskKey } from "./errors.js";
import { Rng } from "./prng.js";
import type { QueryObject } from "./query.js";

export interface OAuthKnobs {
  oauthAccessTokenTtlSeconds: number;
}

/** An answer of the OAuth endpoint: Stripe's OAuth errors are {"error", "error_description"}, not the API's envelope. */
export interface OAuthAnswer {
  status: number;
  body: Json;
}

export class OAuth {
  private readonly refreshTokens = new Set<string>();
  private readonly accessTokens = new Map<string, number>();
  private readonly rng: Rng;
  /** Exchanges answered, for tests. */
  exchanges = 0;

  constructor(
    seed: number,
    private readonly account: string,
    private readonly knobs: () => OAuthKnobs,
  ) {
    this.rng = new Rng(seed * 389 + 13);
  }

  /** A refresh token as an OAuth sign-in would hand one out. */
  issueRefreshToken(): string {
    const token = `rt_test_${this.rng.chars(32)}`;
    this.refreshTokens.add(token);
    return token;
  }

  /** Every access token issued so far (tests check none leaks into output). */
  accessTokensIssued(): string[] {
    return [...this.accessTokens.keys()];
  }

  /** Whether `key` is an access token this emulator issued, and still valid. */
  check(key: string): "valid" | "expired" | undefined {
    const expiresAt = this.accessTokens.get(key);
    if (expiresAt === undefined) return undefined;
    return Date.now() < expiresAt ? "valid" : "expired";
  }

  /** Answers the token endpoint, or undefined for any other path. */
  handle(method: string, path: string, body: QueryObject): OAuthAnswer | undefined {
    if (method !== "POST" || (path !== "/v1/oauth/token" && path !== "/oauth/token")) return undefined;
    if (body.grant_type !== "refresh_token") {
      return { status: 400, body: { error: "unsupported_grant_type", error_description: "Only grant_type=refresh_token is emulated." } };
    }
    const used = typeof body.refresh_token === "string" ? body.refresh_token : "";
    if (!this.refreshTokens.delete(used)) {
      return { status: 400, body: { error: "invalid_grant", error_description: `Token has been expired or revoked: ${maskKey(used)}` } };
    }
    this.exchanges++;
    const access = `sk_test_oauth_${this.rng.chars(40)}`;
    this.accessTokens.set(access, Date.now() + this.knobs().oauthAccessTokenTtlSeconds * 1000);
    const refresh = this.issueRefreshToken();
    return {
      status: 200,
      body: {
        access_token: access,
        refresh_token: refresh,
        token_type: "bearer",
        scope: "stripe_apps",
        livemode: false,
        stripe_user_id: this.account,
        stripe_publishable_key: `pk_test_${this.rng.chars(24)}`,
      },
    };
  }
}

/**
 * Estuary's config encryption service, as far as Flow's config updates need it:
 * every property the schema marks secret comes back as an `ENC[...]` string
 * (base64 of the value, not real encryption) under a `sops` stanza.
 */
export function fakeEncryptConfig(request: { config?: unknown; schema?: unknown }): Json {
  const seal = (value: unknown, schema: unknown): unknown => {
    const s = (schema ?? {}) as { properties?: Record<string, unknown>; oneOf?: unknown[]; airbyte_secret?: boolean; secret?: boolean };
    if ((s.airbyte_secret || s.secret) && typeof value === "string") return `ENC[AES256_GCM,data:${Buffer.from(value).toString("base64")},type:str]`;
    if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      const variants = (s.oneOf ?? []) as Array<{ properties?: Record<string, unknown> }>;
      const sub = s.properties?.[k] ?? variants.map((x) => x.properties?.[k]).find((x) => x !== undefined);
      out[k] = seal(v, sub);
    }
    return out;
  };
  return { ...(seal(request.config, request.schema) as Json), sops: { mac: "ENC[emulated]", version: "3.7.3" } };
}
