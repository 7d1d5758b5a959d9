import { parseConfig, withRefreshToken } from "../config.js";
import type { Output } from "../output.js";
import { airbyteSink } from "../protocol/airbyte-sink.js";
import { parseConfiguredCatalog } from "../protocol/configured-catalog.js";
import { readJsonFile } from "../protocol/json-file.js";
import { connectorConfigMessage, errorTrace } from "../protocol/messages.js";
import { readOptionsFrom } from "../read/context.js";
import { runRead } from "../read/engine.js";
import { decodeAirbyteState } from "../state/airbyte.js";
import { EMPTY_STATE } from "../state/types.js";
import { accountsToRead, stripeAccountFor, type AccountScope } from "../stripe/accounts.js";
import { clientFor } from "../stripe/client-for.js";

/** `read`: returns the exit code (non-zero when any stream ended INCOMPLETE). */
export async function read(paths: { config: string; catalog: string; state?: string }, output: Output): Promise<number> {
  const raw = readJsonFile(paths.config, "config");
  const config = parseConfig(raw);
  const selections = parseConfiguredCatalog(readJsonFile(paths.catalog, "catalog"));
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
  const result = await runRead({
    client,
    accounts,
    primaryAccount: config.account_id,
    multiAccount,
    selections,
    state,
    now: Math.floor(Date.now() / 1000),
    options: readOptionsFrom(config),
    sink: airbyteSink(output, { multiAccount, count: accounts.length }),
  });
  if (result.failed.length === 0) return 0;
  const names = result.failed.map((e) => e.stream).join(", ");
  const onlyConfig = result.failed.every((e) => e.failureType === "config_error");
  await output.emit(
    errorTrace(`${result.failed.length} stream(s) could not be read completely: ${names}.`, onlyConfig ? "config_error" : "system_error"),
  );
  return 1;
}
