import { spawn } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.js";
import { clientFor } from "../src/stripe/client-for.js";
import { EMULATOR_KEY, startEmulator, type Emulator } from "./emulator/server.js";
import { CLI, configuredCatalog, records, runCli, writeFiles } from "./helpers/cli.js";
import { assertProtocol } from "./helpers/protocol.js";

const PLATFORM = "acct_emulator_platform";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function oauthConfig(refreshToken: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    account_id: PLATFORM,
    start_date: "2017-01-25T00:00:00Z",
    some_future_key: "kept as is",
    credentials: { auth_type: "oauth2.0", client_id: "ca_emulator_app", client_secret: EMULATOR_KEY, refresh_token: refreshToken, ...extra },
  };
}

describe("OAuth sign-in (Stripe Apps and Connect) against the emulator", () => {
  let emulator: Emulator;
  const savedBase = process.env.STRIPE_API_BASE;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 5 });
    process.env.STRIPE_API_BASE = emulator.url;
  });
  afterAll(async () => {
    process.env.STRIPE_API_BASE = savedBase;
    await emulator?.close();
  });
  afterEach(() => {
    emulator.setKnobs({ oauthAccessTokenTtlSeconds: 3600 });
  });

  it("exchanges the refresh token at start, and again when Stripe says the access token expired, once for all requests", async () => {
    emulator.setKnobs({ oauthAccessTokenTtlSeconds: 1 });
    const rotated: string[] = [];
    const before = emulator.oauth.exchanges;
    const config = parseConfig(oauthConfig(emulator.oauth.issueRefreshToken()));
    const client = clientFor(config, { onRefreshTokenRotated: async (token) => void rotated.push(token) });
    const first = await client.get<{ data: unknown[] }>("/v1/customers", { limit: 1 });
    expect(first.data).toHaveLength(1);
    expect(emulator.oauth.exchanges - before).toBe(1);
    await sleep(1_100);
    // The client still thinks its token good for ~55 minutes: Stripe's 401 api_key_expired is what tells it.
    const pages = await Promise.all(Array.from({ length: 6 }, () => client.get<{ data: unknown[] }>("/v1/customers", { limit: 1 })));
    expect(pages.every((p) => p.data.length === 1)).toBe(true);
    expect(emulator.oauth.exchanges - before).toBe(2);
    expect(rotated).toHaveLength(2);
    expect(new Set(rotated).size).toBe(2);
  }, 30_000);

  it("Connect's token endpoint works the same way", async () => {
    const config = parseConfig(oauthConfig(emulator.oauth.issueRefreshToken(), { token_endpoint: "stripe_connect" }));
    const client = clientFor(config);
    expect((await client.get<{ id: string }>("/v1/account")).id).toBe(PLATFORM);
  });

  it("a read hands the rotated refresh token to Airbyte in a CONTROL message, and no token appears anywhere else", async () => {
    const refreshToken = emulator.oauth.issueRefreshToken();
    const config = oauthConfig(refreshToken);
    const files = writeFiles({ config, catalog: configuredCatalog([{ name: "customers" }, { name: "value_lists" }]) });
    const issuedBefore = new Set(emulator.oauth.accessTokensIssued());
    const result = await runCli(["read", "--config", files.config!, "--catalog", files.catalog!], { env: { STRIPE_API_BASE: emulator.url } });
    expect(result.code, result.stderr).toBe(0);
    assertProtocol(result.messages);
    expect(records(result, "customers").length).toBeGreaterThan(0);

    const controls = result.messages.filter((m) => m.type === "CONTROL");
    expect(controls).toHaveLength(1);
    const control = controls[0]!.control;
    expect(control).toMatchObject({ type: "CONNECTOR_CONFIG", emitted_at: expect.any(Number) });
    const stored = control.connectorConfig.config;
    const rotated: string = stored.credentials.refresh_token;
    expect(rotated).not.toBe(refreshToken);
    expect({ ...stored, credentials: { ...stored.credentials, refresh_token: refreshToken } }).toEqual(config);
    // The platform now holds the only refresh token that works.
    expect(emulator.oauth.handle("POST", "/v1/oauth/token", { grant_type: "refresh_token", refresh_token: refreshToken })!.status).toBe(400);
    expect(emulator.oauth.handle("POST", "/v1/oauth/token", { grant_type: "refresh_token", refresh_token: rotated })!.status).toBe(200);
    // CONTROL before any record, so the platform stores the token before anything else can fail.
    expect(result.messages.findIndex((m) => m.type === "CONTROL")).toBeLessThan(result.messages.findIndex((m) => m.type === "RECORD"));

    const elsewhere = result.stdout.split("\n").filter((line) => !line.includes('"type":"CONTROL"')).join("\n") + result.stderr;
    const accessTokens = emulator.oauth.accessTokensIssued().filter((t) => !issuedBefore.has(t));
    expect(accessTokens.length).toBeGreaterThan(0);
    for (const secret of [EMULATOR_KEY, refreshToken, rotated, ...accessTokens]) expect(elsewhere).not.toContain(secret);
    for (const token of accessTokens) expect(result.stdout).not.toContain(token);
  }, 60_000);

  it("a refresh token Stripe refuses fails check and read with a message that says to sign in again, naming no token", async () => {
    const revoked = "rt_test_revoked_0000000000000000";
    const files = writeFiles({ config: oauthConfig(revoked), catalog: configuredCatalog([{ name: "customers" }]) });
    const check = await runCli(["check", "--config", files.config!], { env: { STRIPE_API_BASE: emulator.url } });
    const status = check.messages.find((m) => m.type === "CONNECTION_STATUS")!.connectionStatus;
    expect(status.status).toBe("FAILED");
    expect(status.message).toMatch(/Stripe refused the OAuth refresh token \(invalid_grant\).*Sign in with Stripe again/);
    const read = await runCli(["read", "--config", files.config!, "--catalog", files.catalog!], { env: { STRIPE_API_BASE: emulator.url } });
    expect(read.code).toBe(1);
    expect(read.stderr).toMatch(/Stripe refused the OAuth refresh token/);
    for (const output of [check.stdout, check.stderr, read.stdout, read.stderr]) {
      expect(output).not.toContain(revoked);
      expect(output).not.toContain(EMULATOR_KEY);
    }
  }, 60_000);

  it("Flow: the rotated refresh token goes out as a configUpdate event, its config encrypted, the token in no other line", async () => {
    const refreshToken = emulator.oauth.issueRefreshToken();
    const open = {
      open: {
        capture: {
          name: "acme/stripe",
          config: oauthConfig(refreshToken),
          bindings: [{ resourceConfig: { name: "value_lists", interval: "PT1H" }, resourcePath: ["value_lists"], stateKey: "value_lists" }],
        },
        state: {},
      },
    };
    const child = spawn(process.execPath, [CLI], {
      env: { ...process.env, STRIPE_API_BASE: emulator.url, ENCRYPTION_URL: `${emulator.url}/_emulator/encrypt-config` },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdin.write(JSON.stringify(open) + "\n");
    const deadline = Date.now() + 30_000;
    while (!stdout.includes('"checkpoint"') && Date.now() < deadline) await sleep(100);
    child.kill("SIGTERM");
    await new Promise((r) => child.on("close", r));

    const logs = stderr.trim().split("\n").map((l) => JSON.parse(l) as { level: string; msg: string; fields: Record<string, any> });
    const updates = logs.filter((l) => l.fields.eventType === "configUpdate");
    expect(updates, stderr).toHaveLength(1);
    const sealed = updates[0]!.fields.config;
    expect(sealed.sops).toBeDefined();
    expect(sealed.account_id).toBe(PLATFORM);
    expect(sealed.credentials.client_secret).toMatch(/^ENC\[/);
    const rotated = Buffer.from(/data:([^,]+),/.exec(sealed.credentials.refresh_token)![1]!, "base64").toString("utf8");
    expect(rotated).toMatch(/^rt_test_/);
    expect(emulator.oauth.handle("POST", "/v1/oauth/token", { grant_type: "refresh_token", refresh_token: rotated })!.status).toBe(200);
    for (const secret of [EMULATOR_KEY, refreshToken, rotated, ...emulator.oauth.accessTokensIssued()]) {
      expect(stdout + stderr).not.toContain(secret);
    }
  }, 60_000);
});
