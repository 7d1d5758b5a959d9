import { ConfigError } from "../errors.js";
import { parseConfig, withRefreshToken, type Config } from "../config.js";
import type { Output } from "../output.js";
import { connectionStatus, connectorConfigMessage, type AirbyteMessage } from "../protocol/messages.js";
import { readJsonFile } from "../protocol/json-file.js";
import { stripeAccountFor } from "../stripe/accounts.js";
import { clientFor } from "../stripe/client-for.js";
import { StripeApiError } from "../stripe/errors.js";
import { probeStreams } from "./probe.js";

/**
 * Validates the config, then proves the key works and probes what it can read.
 *
 * Every answer about the config is a CONNECTION_STATUS, exit 0, as Airbyte's CDK
 * answers `check` (airbyte-python-cdk airbyte_cdk/entrypoint.py `check`: a
 * config_error becomes `as_connection_status_message`, FAILED, and returns): a
 * config that fails validation, a config file that cannot be read or is not JSON,
 * a rejected key or account. The platform shows the message in its UI, and
 * Airbyte's acceptance test "connection, status: failed" expects exactly one
 * FAILED status. Only a failure that is not the config's (a bug, a broken
 * STRIPE_API_BASE) is a TRACE with exit 1.
 */
export async function check(configPath: string, output?: Output): Promise<AirbyteMessage> {
  let raw: unknown;
  let config: Config;
  try {
    raw = readJsonFile(configPath, "config");
    config = parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return connectionStatus(false, error.message);
    throw error;
  }
  const client = clientFor(config, {
    onRefreshTokenRotated: async (token) => output?.emitWithSecrets(connectorConfigMessage(withRefreshToken(raw, token))),
  });
  try {
    const header = await stripeAccountFor(client, config.account_id);
    const via = header ? ` (as connected account ${header})` : "";
    const probes = await probeStreams(client, { id: config.account_id, header });
    const blocked = probes.filter((p) => p.problem);
    const works = `The API key works for account ${config.account_id}${via}`;
    if (blocked.length === 0) return connectionStatus(true, `${works}; it can read all ${probes.length} streams.`);
    const list = blocked.map((p) => `- ${p.problem}`).join("\n");
    const summary = `it cannot read ${blocked.length} of ${probes.length} streams (${blocked.map((p) => p.stream).join(", ")}):\n${list}`;
    return connectionStatus(blocked.length < probes.length, `${works}, but ${summary}`);
  } catch (error) {
    if (error instanceof ConfigError) return connectionStatus(false, error.message);
    if (error instanceof StripeApiError) return connectionStatus(false, error.fatal ? error.message : `Stripe could not be reached: ${error.message}`);
    throw error;
  }
}
