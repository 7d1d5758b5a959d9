import { parseConfig, withRefreshToken } from "../config.js";
import { StreamError } from "../errors.js";
import type { Output } from "../output.js";
import { airbyteSink } from "../protocol/airbyte-sink.js";
import { parseConfiguredCatalog } from "../protocol/configured-catalog.js";
import { readJsonFile } from "../protocol/json-file.js";
import { connectorConfigMessage, errorTrace } from "../protocol/messages.js";
import { readOptionsFrom } from "../read/context.js";
import { runRead } from "../read/engine.js";
import type { ReadSink } from "../read/sink.js";
import { decodeAirbyteState } from "../state/airbyte.js";
import { EMPTY_STATE } from "../state/types.js";
import { accountsToRead, stripeAccountFor, type AccountScope } from "../stripe/accounts.js";
import { clientFor } from "../stripe/client-for.js";

/** `read`: returns the exit code (non-zero when any stream ended INCOMPLETE). */
export async function read(paths: { config: string; catalog: string; state?: string }, output: Output): Promise<number> {
  const raw = readJsonFile(paths.config, "config");
  const config = parseConfig(raw);
  const { selections, unknown } = parseConfiguredCatalog(readJsonFile(paths.catalog, "catalog"));
  const state = paths.state === undefined ? EMPTY_STATE : decodeAirbyteState(readJsonFile(paths.state, "state"));
  const client = clientFor(config, { onRefreshTokenRotated: (token) => output.emitWithSecrets(connectorConfigMessage(withRefreshToken(raw, token))) });
  let accounts: AccountScope[];
  if (config.connected_accounts === undefined) {
    // Usually account_id is the key's own account: read at once, and let the client
    // hold the answers until that is confirmed (a round trip sooner on every sync).
    client.assumeOwnAccount(stripeAccountFor(client, config.account_id));
    accounts = [{ id: config.account_id }];
  } else {
    accounts = await accountsToRead(client, config);
  }
  const multiAccount = config.connected_accounts !== undefined;
  const sink = airbyteSink(output, { multiAccount, count: accounts.length });
  const missing = await reportUnknownStreams(sink, unknown);
  const result = await runRead({
    client,
    accounts,
    primaryAccount: config.account_id,
    multiAccount,
    selections,
    state,
    now: Math.floor(Date.now() / 1000),
    options: readOptionsFrom(config),
    sink,
  });
  const failed = [...missing, ...result.failed];
  if (failed.length === 0) return 0;
  const names = failed.map((e) => e.stream).join(", ");
  const onlyConfig = failed.every((e) => e.failureType === "config_error");
  await output.emit(
    errorTrace(`${failed.length} stream(s) could not be read completely: ${names}.`, onlyConfig ? "config_error" : "system_error"),
  );
  return 1;
}

/**
 * A configured stream the connector does not have is reported, and the others are
 * read: a config_error TRACE naming it and an INCOMPLETE status, then exit 1 at the
 * end. Airbyte's CDK does the same for a source that raises on missing streams
 * (airbyte-python-cdk airbyte_cdk/sources/abstract_source.py `read`,
 * raise_exception_on_missing_stream); its concurrent source only marks the stream
 * INCOMPLETE (concurrent_declarative_source.py `_select_streams`), which is too quiet.
 */
async function reportUnknownStreams(sink: ReadSink, names: readonly string[]): Promise<StreamError[]> {
  const failures: StreamError[] = [];
  for (const name of names) {
    const message = `Stream ${name} is in the connection's catalog but this connector has no such stream: refresh the source schema in the connection and deselect it. The other streams are read.`;
    failures.push(new StreamError(name, message, "config_error"));
    await sink.error(name, message, "config_error");
    await sink.status(name, "INCOMPLETE");
  }
  return failures;
}
