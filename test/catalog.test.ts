import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_KEY, startEmulator, type Emulator } from "./emulator/server.js";
import { configuredCatalog, records, runCli, writeFiles, type CliResult } from "./helpers/cli.js";
import { PLATFORM } from "./helpers/incremental.js";
import { assertProtocol } from "./helpers/protocol.js";

/** What a read does with the configured catalog it is handed: the streams it names, and their fields. */

const statuses = (result: CliResult, stream: string) =>
  result.messages
    .filter((m) => m.type === "TRACE" && m.trace.type === "STREAM_STATUS" && m.trace.stream_status.stream_descriptor.name === stream)
    .map((m) => m.trace.stream_status.status);
const errors = (result: CliResult) => result.messages.filter((m) => m.type === "TRACE" && m.trace.type === "ERROR").map((m) => m.trace.error);

describe("the configured catalog", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 2, scale: 1 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const read = async (catalog: unknown): Promise<CliResult> => {
    const files = writeFiles({ config: { account_id: PLATFORM, client_secret: EMULATOR_KEY, call_rate_limit: 2000 }, catalog });
    const result = await runCli(["read", "--config", files.config!, "--catalog", files.catalog!], { env: { STRIPE_API_BASE: emulator.url } });
    assertProtocol(result.messages);
    return result;
  };

  // Airbyte's CDK reports a configured stream the source lacks and reads the others
  // (airbyte-python-cdk airbyte_cdk/sources/abstract_source.py `read`, with
  // raise_exception_on_missing_stream: a config_error TRACE, INCOMPLETE, and a failed
  // sync at the end); a catalog is never rejected whole for it.
  it("reads the streams it has and reports one it lacks: a TRACE naming it, INCOMPLETE, exit 1", async () => {
    const result = await read(configuredCatalog([{ name: "customers" }, { name: "no_such_stream" }, { name: "coupons" }]));
    expect(result.code).toBe(1);
    for (const [stream, object] of [["customers", "customer"], ["coupons", "coupon"]] as const) {
      expect(statuses(result, stream), stream).toEqual(["STARTED", "RUNNING", "COMPLETE"]);
      expect(records(result, stream)).toHaveLength(emulator.listObjects(object).length);
    }
    expect(statuses(result, "no_such_stream")).toEqual(["INCOMPLETE"]);
    const [missing, summary, ...rest] = errors(result);
    expect(rest).toEqual([]);
    expect(missing).toMatchObject({ failure_type: "config_error", stream_descriptor: { name: "no_such_stream" } });
    expect(missing.message).toMatch(/Stream no_such_stream is in the connection's catalog but this connector has no such stream/);
    expect(summary).toMatchObject({ failure_type: "config_error", message: "1 stream(s) could not be read completely: no_such_stream." });
  });
});
