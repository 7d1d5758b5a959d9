import { DateTime } from "luxon";
import { z } from "zod";
import { ConfigError, describeZodIssue } from "./errors.js";
import { registerSecret } from "./secrets.js";
import { STREAMS } from "./streams/table.js";

export const DOCUMENTATION_URL = "https://docs.airbyte.com/integrations/sources/stripe";
const DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$";

const startDate = z
  .string()
  .regex(new RegExp(DATE_PATTERN), { error: "expected a UTC date-time like 2017-01-25T00:00:00Z" })
  // Formatting the parsed date must give the input back: rejects Feb 30, month 13 and 24:00:00.
  .refine((s) => DateTime.fromISO(s, { zone: "utc" }).toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'") === s, {
    error: "is not a real calendar date-time",
  });

const apiKey = z.string().regex(/^(sk|rk)_(live|test)_\w+$/, { error: "expected a Stripe secret or restricted key (sk_... or rk_...)" });

/** Where the OAuth token exchange goes: Stripe Apps (api.stripe.com/v1/oauth/token) or Connect (connect.stripe.com/oauth/token). */
export type TokenEndpoint = "stripe_apps" | "stripe_connect";

/**
 * Airbyte's `credentials` choice: a oneOf whose variants share one constant
 * property, `auth_type` (Airbyte's spec tests require exactly that).
 */
const Credentials = z.discriminatedUnion("auth_type", [
  z
    .looseObject({
      auth_type: z.literal("api_key"),
      client_secret: apiKey.meta({ title: "Secret Key", description: "Stripe API key (sk_... or a restricted rk_... with read access).", airbyte_secret: true, order: 1 }),
    })
    .meta({ title: "API key" }),
  z
    .looseObject({
      auth_type: z.literal("oauth2.0"),
      client_id: z.string().min(1).meta({ title: "Client ID", description: "The client id of your Stripe Connect platform or Stripe App (ca_...).", order: 1 }),
      client_secret: apiKey.meta({
        title: "Client secret",
        description: "The secret key the token exchange authenticates with: your Connect platform's, or your Stripe App developer account's.",
        airbyte_secret: true,
        order: 2,
      }),
      refresh_token: z.string().min(1).meta({
        title: "Refresh token",
        description: "The refresh token from the OAuth sign-in. Stripe rotates it on every use; the connector hands the new one to the platform.",
        airbyte_secret: true,
        order: 3,
      }),
      token_endpoint: z.enum(["stripe_apps", "stripe_connect"]).default("stripe_apps").meta({
        title: "OAuth provider",
        description: "stripe_apps: POST api.stripe.com/v1/oauth/token (Stripe Apps). stripe_connect: POST connect.stripe.com/oauth/token (Connect, Standard accounts).",
        order: 4,
      }),
    })
    .meta({ title: "OAuth (Stripe Connect or Stripe Apps)" }),
]);

/**
 * The config, key for key what Airbyte's source-stripe takes, so an Airbyte user's
 * config works unchanged. `spec` and spec.json are derived from this schema.
 */
export const ConfigSchema = z
  .looseObject({
    account_id: z
      .string()
      .regex(/^acct_\w+$/, { error: "expected a Stripe account id like acct_1Hx... (is it swapped with client_secret?)" })
      .meta({
      title: "Account ID",
      description:
        "Your Stripe account ID (starts with 'acct_', find yours here: https://dashboard.stripe.com/settings/account).",
      order: 0,
    }),
    client_secret: apiKey.optional().meta({
      title: "Secret Key",
      description:
        "Stripe API key (usually starts with 'sk_live_'; find yours here: https://dashboard.stripe.com/apikeys). A restricted key ('rk_...') with read access is enough. Required unless credentials are given.",
      airbyte_secret: true,
      order: 1,
    }),
    start_date: startDate.default("2017-01-25T00:00:00Z").meta({
      title: "Replication start date",
      description:
        "UTC date and time in the format 2017-01-25T00:00:00Z. Only data created on or after this date is replicated.",
      examples: ["2017-01-25T00:00:00Z"],
      format: "date-time",
      pattern: DATE_PATTERN,
      order: 2,
    }),
    lookback_window_days: z.int().min(0).max(3650).default(0).meta({
      title: "Lookback Window in days",
      description:
        "When set, the connector re-reads data from this many days before the saved cursor on every incremental sync.",
      order: 3,
    }),
    slice_range: z.int().min(1).max(3650).default(365).meta({
      title: "Data request time increment in days",
      description:
        "The width, in days, of the created-time windows the connector reads and checkpoints. Smaller windows mean more frequent state checkpoints.",
      examples: [1, 3, 10, 30, 180, 360],
      order: 4,
    }),
    // 1 is accepted (older Airbyte configs have it) and read as 2; the spec advertises 2..100.
    num_workers: z.int().min(1).max(100).default(10).meta({
      title: "Number of concurrent threads",
      description:
        "The most requests in flight at once, across all streams (2 to 100; a legacy 1 is read as 2). When not set, the connector keeps as many in flight as the rate limit allows at the latency it observes, up to 100.",
      minimum: 2,
      examples: [2, 3, 4],
      order: 5,
    }),
    call_rate_limit: z.int().min(1).max(10000).optional().meta({
      title: "Max number of API calls per second",
      description:
        "The number of API calls per second allowed to this connector. Defaults to Stripe's limit for the key: 100 for live keys, 25 for test keys.",
      examples: [25, 100],
      order: 6,
    }),
    api_retention_streams: z.array(z.enum(STREAMS.map((s) => s.name) as [string, ...string[]])).default([]).meta({
      title: "Streams with the Events API retention rule",
      description:
        "Accepted for compatibility with Airbyte. Every stream that reads Stripe's Events API already falls back to a full re-read when its cursor is older than the Events API's 30-day retention.",
      order: 7,
    }),
    adaptive_windows: z.boolean().default(true).meta({
      title: "Split dense windows (beyond Airbyte)",
      description:
        "Read a stream's created range in pieces at once, and split a piece that turns out dense (more than one page) into parts read in parallel, so the work spreads over the workers whatever the data's distribution. False reads fixed slice_range windows, as Airbyte's connector does.",
      order: 8,
    }),
    retry_max_attempts: z.int().min(1).max(100).default(10).meta({
      title: "Attempts per request (beyond Airbyte)",
      description:
        "How many times a request that failed for a retryable reason (429, 409, 5xx, connection reset, timeout) is tried in all. 429 answers slow the connector down and do not count.",
      order: 9,
    }),
    retry_max_seconds: z.int().min(1).max(86400).default(600).meta({
      title: "Retry time per request, in seconds (beyond Airbyte)",
      description: "A request still failing after this long fails its stream.",
      order: 10,
    }),
    connected_accounts: z
      .union([z.literal("all"), z.array(z.string().regex(/^acct_\w+$/, { error: "expected account ids like acct_1Hx..." })).min(1)], {
        error: 'expected "all" or a list of account ids like ["acct_1Hx..."]',
      })
      .optional()
      .meta({
        title: "Connected accounts (beyond Airbyte)",
        description:
          'Also read these connected accounts in the same sync: a list of account ids, or "all" for every account connected to the platform (found through /v1/accounts). Records then carry account_id and state keeps a cursor per account.',
        examples: ["all", ["acct_1Hx...", "acct_1Jy..."]],
        order: 11,
      }),
    credentials: Credentials.optional().meta({
      title: "Authentication (beyond Airbyte)",
      description:
        "How the connector signs in: an API key, or OAuth for Stripe Connect or Stripe Apps. Takes precedence over client_secret, which is still accepted alone.",
      order: 12,
    }),
  })
  .superRefine((config, ctx) => {
    if (config.client_secret === undefined && config.credentials === undefined) {
      ctx.addIssue({ code: "custom", path: ["client_secret"], input: undefined, message: "is required (or give credentials)" });
    }
  })
  .meta({ title: "Stripe Source Spec" });

/** `start_date` as epoch seconds. */
export function startDateSeconds(config: Pick<Config, "start_date">): number {
  return Math.floor(DateTime.fromISO(config.start_date, { zone: "utc" }).toSeconds());
}

export type Config = z.output<typeof ConfigSchema> & {
  /** Whether the user set num_workers (it then caps concurrency) or took the default. */
  num_workers_given: boolean;
};

/** How the connector authenticates, from the config: `credentials` when given, else client_secret. */
export type Auth =
  | { kind: "api_key"; apiKey: string }
  | { kind: "oauth"; clientId: string; clientSecret: string; refreshToken: string; tokenEndpoint: TokenEndpoint };

export function authOf(config: Pick<Config, "client_secret" | "credentials">): Auth {
  const c = config.credentials;
  if (c?.auth_type === "oauth2.0") {
    return { kind: "oauth", clientId: c.client_id, clientSecret: c.client_secret, refreshToken: c.refresh_token, tokenEndpoint: c.token_endpoint };
  }
  return { kind: "api_key", apiKey: c?.client_secret ?? config.client_secret! };
}

/**
 * The config as given, with Stripe's new refresh token in place of the old:
 * what the platform must store once Stripe has rotated it (the old one no
 * longer works). Unknown keys are kept as they were.
 */
export function withRefreshToken(raw: unknown, refreshToken: string): Record<string, unknown> {
  const config = { ...(raw as Record<string, unknown>) };
  config.credentials = { ...(config.credentials as Record<string, unknown>), refresh_token: refreshToken };
  return config;
}

/**
 * The JSON schema `spec` prints and spec.json holds. Unknown keys are allowed, said
 * as `additionalProperties: true` (zod writes `{}`, which means the same but fails
 * Airbyte's acceptance test test_additional_properties_is_true, test_core.py).
 */
export function connectionSpecification(): Record<string, unknown> {
  const schema = z.toJSONSchema(ConfigSchema, { io: "input", target: "draft-07" }) as Record<string, unknown>;
  const credentials = (schema.properties as Record<string, { type?: string; oneOf?: Array<Record<string, unknown>> }>).credentials;
  // Airbyte's spec tests want a oneOf under a `type: object` and additionalProperties true wherever given (zod writes {}).
  if (credentials) credentials.type = "object";
  for (const variant of credentials?.oneOf ?? []) variant.additionalProperties = true;
  return { ...schema, additionalProperties: true, required: ["account_id"] };
}

/** Parses the config once, at the boundary; every error names the key. */
export function parseConfig(raw: unknown): Config {
  registerSecrets(raw);
  const result = ConfigSchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw new ConfigError(`Invalid config: ${describeZodIssue(result.error, advertisedLimit)}`);
  const config: Config = { ...result.data, num_workers_given: (raw as Record<string, unknown>).num_workers !== undefined };
  if (config.num_workers < 2) config.num_workers = 2;
  return config;
}

/** Every secret a config may hold is redacted from all output, even before the config is known to be valid. */
function registerSecrets(raw: unknown): void {
  if (raw === null || typeof raw !== "object") return;
  const { client_secret: secret, credentials } = raw as { client_secret?: unknown; credentials?: unknown };
  const candidates = [secret];
  if (credentials !== null && typeof credentials === "object") {
    const c = credentials as Record<string, unknown>;
    candidates.push(c.client_secret, c.refresh_token);
  }
  for (const value of candidates) if (typeof value === "string") registerSecret(value);
}

/** The limit the spec advertises for a key (zod reports the safe-integer bound first for huge numbers). */
function advertisedLimit(path: readonly PropertyKey[], bound: "minimum" | "maximum"): number | undefined {
  const key = path[0];
  const props = (connectionSpecification().properties ?? {}) as Record<string, Record<string, unknown>>;
  const value = typeof key === "string" && path.length === 1 ? props[key]?.[bound] : undefined;
  return typeof value === "number" ? value : undefined;
}
