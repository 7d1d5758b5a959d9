import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { authOf, parseConfig } from "../src/config.js";
import { ConfigError } from "../src/errors.js";
import { renderSpec, SPEC_PATH } from "../scripts/generate-spec.js";
import { assertProtocol } from "./helpers/protocol.js";
import { runCli, writeFiles } from "./helpers/cli.js";

const valid = { account_id: "acct_123", client_secret: "sk_test_config_unit_0000" };

describe("config", () => {
  it("spec.json is what `spec` prints (regenerate with npm run generate:spec)", async () => {
    expect(readFileSync(SPEC_PATH, "utf8")).toBe(renderSpec());
    const result = await runCli(["spec"]);
    expect(result.code).toBe(0);
    assertProtocol(result.messages);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]!.spec).toEqual(JSON.parse(readFileSync(SPEC_PATH, "utf8")));
  });

  it("matches Airbyte's keys, defaults and secret marker", () => {
    const spec = JSON.parse(renderSpec()).connectionSpecification;
    // client_secret is required unless credentials are given (checked when parsing).
    expect(spec.required).toEqual(["account_id"]);
    expect(spec.properties.client_secret.airbyte_secret).toBe(true);
    expect(spec.properties.start_date.default).toBe("2017-01-25T00:00:00Z");
    expect(spec.properties.lookback_window_days.default).toBe(0);
    expect(spec.properties.slice_range.default).toBe(365);
    expect(spec.properties.num_workers.default).toBe(10);
    expect(Object.keys(spec.properties)).toEqual([
      "account_id",
      "client_secret",
      "start_date",
      "lookback_window_days",
      "slice_range",
      "num_workers",
      "call_rate_limit",
      "api_retention_streams",
      "adaptive_windows",
      "retry_max_attempts",
      "retry_max_seconds",
      "connected_accounts",
      "credentials",
    ]);
    for (const [i, key] of Object.keys(spec.properties).entries()) expect(spec.properties[key].order).toBe(i);
  });

  it("offers credentials as a oneOf Airbyte's spec tests accept: properties in each variant, one common const auth_type, secrets marked", () => {
    const credentials = JSON.parse(renderSpec()).connectionSpecification.properties.credentials;
    expect(credentials.type).toBe("object");
    const variants: Array<Record<string, any>> = credentials.oneOf;
    expect(variants).toHaveLength(2);
    const consts = (v: Record<string, any>) => Object.entries(v.properties).filter(([, p]: [string, any]) => "const" in p).map(([k]) => k);
    for (const v of variants) {
      expect(v.type).toBe("object");
      expect(v.additionalProperties).toBe(true);
      expect(consts(v)).toEqual(["auth_type"]);
      for (const name of ["client_secret", "refresh_token", "access_token"]) if (v.properties[name]) expect(v.properties[name].airbyte_secret, name).toBe(true);
    }
    expect(variants.map((v) => v.properties.auth_type.const)).toEqual(["api_key", "oauth2.0"]);
  });

  it("signs in with credentials when given, else with client_secret as Airbyte's config has it", () => {
    expect(authOf(parseConfig(valid))).toEqual({ kind: "api_key", apiKey: valid.client_secret });
    const key = { account_id: "acct_1", credentials: { auth_type: "api_key", client_secret: "sk_live_from_credentials_1" } };
    expect(authOf(parseConfig(key))).toEqual({ kind: "api_key", apiKey: "sk_live_from_credentials_1" });
    const oauth = { account_id: "acct_1", credentials: { auth_type: "oauth2.0", client_id: "ca_1", client_secret: "sk_test_app_0001", refresh_token: "rt_1" } };
    expect(authOf(parseConfig(oauth))).toEqual({ kind: "oauth", clientId: "ca_1", clientSecret: "sk_test_app_0001", refreshToken: "rt_1", tokenEndpoint: "stripe_apps" });
    expect(() => parseConfig({ account_id: "acct_1", credentials: { auth_type: "oauth2.0", client_id: "ca_1", client_secret: "sk_test_app_0001" } })).toThrow(/credentials\.refresh_token: is required/);
    expect(() => parseConfig({ account_id: "acct_1", credentials: { auth_type: "password" } })).toThrow(/credentials/);
  });

  it("fills defaults, tolerates unknown keys and reads a legacy num_workers 1 as 2", () => {
    const config = parseConfig({ ...valid, num_workers: 1, some_future_key: true });
    expect(config.start_date).toBe("2017-01-25T00:00:00Z");
    expect(config.slice_range).toBe(365);
    expect(config.num_workers).toBe(2);
  });

  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ["missing account_id", { client_secret: "sk_test_x" }, /account_id: is required/],
    ["missing client_secret", { account_id: "acct_1" }, /client_secret: is required/],
    ["numeric account_id", { ...valid, account_id: 5 }, /account_id: expected string, got number/],
    ["date without time", { ...valid, start_date: "2020-01-01" }, /start_date: expected a UTC date-time/],
    ["impossible date", { ...valid, start_date: "2021-02-30T00:00:00Z" }, /start_date: is not a real calendar date-time/],
    ["negative lookback", { ...valid, lookback_window_days: -1 }, /lookback_window_days:/],
    ["fractional slice", { ...valid, slice_range: 1.5 }, /slice_range:/],
    ["zero slice", { ...valid, slice_range: 0 }, /slice_range:/],
    ["too many workers", { ...valid, num_workers: 1000 }, /num_workers:/],
    ["string rate limit", { ...valid, call_rate_limit: "25" }, /call_rate_limit: expected number, got string/],
    ["retention streams not a list", { ...valid, api_retention_streams: "events" }, /api_retention_streams:/],
    ["not an object", [] as unknown as Record<string, unknown>, /\(root\)/],
    ["connected account not an id", { ...valid, connected_accounts: ["acme"] }, /connected_accounts\.0: expected account ids/],
    ["connected accounts neither list nor all", { ...valid, connected_accounts: "some" }, /connected_accounts:/],
  ];
  for (const [name, raw, message] of bad) {
    it(`rejects ${name}, naming the key`, () => {
      expect(() => parseConfig(raw)).toThrow(ConfigError);
      expect(() => parseConfig(raw)).toThrow(message);
    });
  }

  it("a bad config file fails with one line, a config_error TRACE and exit 1", async () => {
    const files = writeFiles({ config: { ...valid, start_date: "yesterday" } });
    const result = await runCli(["discover", "--config", files.config!]);
    expect(result.code).toBe(1);
    assertProtocol(result.messages);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]!.trace.error.failure_type).toBe("config_error");
    expect(result.messages[0]!.trace.error.message).toMatch(/start_date/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
