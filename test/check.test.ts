import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_KEY, EMULATOR_RESTRICTED_KEY, startEmulator, type Emulator } from "./emulator/server.js";
import { configuredCatalog, runCli, writeFiles } from "./helpers/cli.js";
import { assertProtocol } from "./helpers/protocol.js";

const BAD_KEY = "sk_test_thisKeyIsWrong0000000000abcd";

describe("check and the API key", () => {
  let emulator: Emulator;
  let env: Record<string, string>;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 3, scale: 1 });
    env = { STRIPE_API_BASE: emulator.url };
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const check = async (config: Record<string, unknown>) => {
    const files = writeFiles({ config });
    const result = await runCli(["check", "--config", files.config!], { env });
    assertProtocol(result.messages);
    return result;
  };

  it("succeeds with a working secret key", async () => {
    const result = await check({ account_id: "acct_emulator_platform", client_secret: EMULATOR_KEY });
    expect(result.code).toBe(0);
    expect(result.messages).toEqual([{ type: "CONNECTION_STATUS", connectionStatus: expect.objectContaining({ status: "SUCCEEDED" }) }]);
  });

  it("succeeds with a restricted key, which proves itself with a cheap call", async () => {
    const result = await check({ account_id: "acct_emulator_platform", client_secret: EMULATOR_RESTRICTED_KEY });
    expect(result.messages[0]!.connectionStatus.status).toBe("SUCCEEDED");
  });

  it("fails with a human message and the key masked, never the key", async () => {
    const result = await check({ account_id: "acct_emulator_platform", client_secret: BAD_KEY });
    expect(result.code).toBe(0);
    const status = result.messages[0]!.connectionStatus;
    expect(status.status).toBe("FAILED");
    expect(status.message).toMatch(/rejected the API key \(sk_test_\*\*\*\*abcd\)/);
    expect(result.stdout + result.stderr).not.toContain(BAD_KEY);
  });

  it("fails when the key cannot reach account_id", async () => {
    const result = await check({ account_id: "acct_someone_else", client_secret: EMULATOR_KEY });
    expect(result.messages[0]!.connectionStatus.status).toBe("FAILED");
    expect(result.messages[0]!.connectionStatus.message).toMatch(/cannot access account_id acct_someone_else/);
  });

  // Airbyte's CDK answers a config that fails validation with one FAILED status naming the field, and
  // exit 0 (airbyte-python-cdk airbyte_cdk/entrypoint.py `check`, schema_helpers.py
  // `check_config_against_spec_or_exit`); its acceptance test feeds it integration_tests/invalid_config.json.
  it("answers Airbyte's own invalid_config.json with FAILED naming the field, exit 0, nothing else", async () => {
    const path = resolve(import.meta.dirname, "../integration_tests/invalid_config.json");
    const result = await runCli(["check", "--config", path], { env });
    assertProtocol(result.messages);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.messages).toEqual([
      { type: "CONNECTION_STATUS", connectionStatus: { status: "FAILED", message: expect.stringMatching(/^Invalid config: account_id: /) } },
    ]);
  });

  it("answers a config file that is not JSON with FAILED naming the file, exit 0", async () => {
    const files = writeFiles({ config: '{"account_id": "acct_emulator_platform", "client_secret": ' });
    const result = await runCli(["check", "--config", files.config!], { env });
    expect(result.code).toBe(0);
    expect(result.messages).toEqual([
      { type: "CONNECTION_STATUS", connectionStatus: { status: "FAILED", message: expect.stringMatching(/config file \S+ is not valid JSON/) } },
    ]);
  });

  it("a read with a rejected key fails loudly: config_error TRACE, exit 1, no records", async () => {
    const files = writeFiles({
      config: { account_id: "acct_emulator_platform", client_secret: BAD_KEY },
      catalog: configuredCatalog([{ name: "customers" }]),
    });
    const result = await runCli(["read", "--config", files.config!, "--catalog", files.catalog!], { env });
    assertProtocol(result.messages);
    expect(result.code).toBe(1);
    expect(result.messages.filter((m) => m.type === "RECORD")).toHaveLength(0);
    const error = result.messages.find((m) => m.type === "TRACE" && m.trace.type === "ERROR")!;
    expect(error.trace.error.failure_type).toBe("config_error");
    expect(error.trace.error.message).toMatch(/rejected the API key/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});
