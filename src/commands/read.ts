import { parseConfig, startDateSeconds } from "../config.js";
import { parseConfiguredCatalog } from "../protocol/catalog.js";
import { readJsonFile } from "../protocol/json-file.js";
import { errorTrace } from "../protocol/messages.js";
import type { Output } from "../protocol/output.js";
import { runRead, type AccountScope } from "../read/engine.js";
import { airbyteSink } from "../protocol/airbyte-sink.js";
import { EMPTY_STATE, parseState } from "../state/input.js";
import { accountsToRead, stripeAccountFor } from "../stripe/accounts.js";
import { clientFor } from "./client-for.js";

/** `read`: returns the exit code (non-zero when any stream ended INCOMPLETE). */
export async function read(paths: { config: string; catalog: string; state?: string }, output: Output): Promise<number> {
  const config = parseConfig(readJsonFile(paths.config, "config"));
  const selected = parseConfiguredCatalog(readJsonFile(paths.catalog, "catalog"));
  const state = paths.state === undefined ? EMPTY_STATE : parseState(readJsonFile(paths.state, "state"));
  const client = clientFor(config);
  let accounts: AccountScope[];
  if (config.connected_accounts === undefined) {
    // Usually account_id is the key's own account: read at once, and let the client
    // hold the answers until that is confirmed (a round trip sooner on every sync).
    client.assumeOwnAccount(stripeAccountFor(client, config.account_id));
    accounts = [{ id: config.account_id }];
  } else {
    accounts = await accountsToRead(client, config);
  }
  const result = await runRead(
    {
      client,
      config,
      now: Math.floor(Date.now() / 1000),
      startDate: startDateSeconds(config),
    },
    accounts,
    selected,
    airbyteSink(output),
    state,
  );
  if (result.failed.length === 0) return 0;
  const names = result.failed.map((e) => e.stream).join(", ");
  const onlyConfig = result.failed.every((e) => e.failureType === "config_error");
  await output.emit(
    errorTrace(`${result.failed.length} stream(s) could not be read completely: ${names}.`, onlyConfig ? "config_error" : "system_error"),
  );
  return 1;
}
